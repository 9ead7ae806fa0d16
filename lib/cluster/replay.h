/*
 * Replay filter for authenticated heartbeats, kept by the controller.
 *
 * The tag proves a heartbeat was made by a cluster member; it does not prove
 * it is fresh. Per node the filter remembers the current boot and the last
 * sequence number, and accepts a heartbeat only if:
 *   - its wall time is within max_skew_ms of the controller's clock;
 *   - it is from the current boot and its seq is larger than the last; or
 *   - it is from a boot never seen before for this node that started (wall
 *     time minus uptime) no earlier than the current boot's last heartbeat,
 *     less reboot_slack_ms. A boot seen before is never accepted again.
 *
 * Single-threaded: the caller owns the filter (the controller's event loop).
 * Memory grows with the number of nodes, up to max_nodes.
 */
#ifndef CLUSTER_REPLAY_H
#define CLUSTER_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/heartbeat.h"

#define HB_REPLAY_OLD_BOOTS 16   /* past boot ids remembered per node */

struct hb_replay_config {
    uint32_t max_skew_ms;        /* default 10000 */
    uint32_t reboot_slack_ms;    /* default 1000 */
    uint32_t max_nodes;          /* default 4096 */
};

/* What the filter decided, for counters and logs. */
enum hb_verdict {
    HB_ACCEPT_FIRST,       /* first heartbeat ever from this node */
    HB_ACCEPT,             /* next heartbeat of the current boot */
    HB_ACCEPT_NEW_BOOT,    /* node rebooted: a fresh boot id */
    HB_REJECT_CLOCK,       /* wall time too far from ours (ERR_RANGE) */
    HB_REJECT_REPLAY,      /* seq did not move forward (ERR_ALREADY) */
    HB_REJECT_OLD_BOOT,    /* a boot id seen before, or older (ERR_ALREADY) */
    HB_REJECT_FULL,        /* too many nodes (ERR_NO_SPACE) */
};

struct hb_replay_node {
    uint32_t node_id;             /* 0: free slot */
    uint64_t boot_id;
    uint64_t seq;
    uint64_t last_wall_ms;        /* wall time of the last accepted heartbeat */
    uint64_t old_boots[HB_REPLAY_OLD_BOOTS];
    uint8_t  old_count;           /* valid entries in old_boots */
    uint8_t  old_next;            /* ring position for the next one */
};

struct hb_replay {
    struct hb_replay_config cfg;
    struct hb_replay_node *slots; /* open addressing on node_id */
    size_t capacity;              /* power of two */
    size_t used;
};

int  hb_replay_init(struct hb_replay *r, const struct hb_replay_config *cfg);
void hb_replay_free(struct hb_replay *r);

/* Decides on one authenticated heartbeat and, if it is accepted, records it.
 * Returns 0 (accepted) or ERR_RANGE / ERR_ALREADY / ERR_NO_SPACE / ERR_NO_MEMORY;
 * *verdict says which case applied. A rejection changes nothing. */
int hb_replay_check(struct hb_replay *r, const struct heartbeat *hb,
                    uint64_t now_wall_ms, enum hb_verdict *verdict);

/* The state kept for one node, or NULL. For saving it across restarts. */
const struct hb_replay_node *hb_replay_lookup(const struct hb_replay *r, uint32_t node_id);

/* Puts back a node's state saved earlier (replaces what is there). */
int hb_replay_restore(struct hb_replay *r, const struct hb_replay_node *node);

const char *hb_verdict_name(enum hb_verdict v);

#endif
