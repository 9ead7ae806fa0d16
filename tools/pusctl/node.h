/*
 * What the controller knows about one node. Owned by the daemon's event
 * loop (single thread): no locks.
 */
#ifndef PUSCTL_NODE_H
#define PUSCTL_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cluster/heartbeat.h"

enum node_state {
    NODE_BOOTING,      /* launched, no heartbeat yet */
    NODE_HEALTHY,      /* heartbeats arriving */
    NODE_SUSPECT,      /* silent for longer than suspect_ms */
    NODE_DEAD,         /* silent for longer than dead_ms (or its VM exited) */
    NODE_RECOVERING,   /* a restart was done; waiting for it to come back */
    NODE_STATE_COUNT,
};

const char *node_state_name(enum node_state s);
int node_state_parse(const char *name);   /* -1 if unknown */

struct qmp;

struct node {
    uint32_t id;
    enum node_state state;
    uint64_t state_since_wall;    /* wall ms when state was entered */
    uint64_t state_since_mono;
    char address[48];             /* node's address (segment IP, or heartbeat source) */

    /* The VM, when pusctl launched one for this node. */
    bool managed;
    pid_t pid;                    /* 0: not running */
    int pidfd;                    /* -1: none; readable when the process exits */
    struct qmp *qmp;
    int api_port;                 /* host port forwarded to the node's port 80 */
    char *argv_json;              /* QEMU command line, a JSON array of strings */
    uint64_t launched_mono;

    /* From the last accepted heartbeat. */
    bool have_hb;
    struct heartbeat hb;
    uint64_t last_hb_mono;        /* when it arrived */
    uint64_t last_hb_wall;
    uint64_t boot_count;          /* distinct boots seen */
    uint64_t hb_count;            /* accepted heartbeats */
    uint64_t rejected_replay, rejected_old_boot, rejected_clock;

    /* Recovery bookkeeping. */
    uint32_t restarts;            /* restarts pusctl performed */
    uint32_t attempt;             /* restarts since the node was last healthy */
    uint64_t dead_since_mono;
    uint64_t next_action_mono;    /* earliest time for the next restart */
    uint64_t boot_id_at_restart;  /* boot id it had when we restarted it */
    uint64_t reset_sent_mono;     /* a system_reset waiting for QEMU's RESET event; 0: none */
    bool qmp_stuck;               /* QEMU ignored a reset: relaunch next time */

    bool dirty;                   /* needs writing to the database */
};

#endif
