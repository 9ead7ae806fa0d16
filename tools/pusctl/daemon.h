/*
 * The controller daemon: one event loop (epoll) owns all state below.
 * libmicrohttpd runs inside the same loop (external epoll mode), so API
 * handlers read and change nodes without locks.
 */
#ifndef PUSCTL_DAEMON_H
#define PUSCTL_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster/replay.h"
#include "node.h"

struct sqlite3;
struct MHD_Daemon;

struct config {
    char run_dir[1024];
    char api_addr[64];        /* REST API, default 127.0.0.1:8810 */
    int  api_port;
    char hb_addr[64];         /* heartbeat UDP, default 127.0.0.1:8811 */
    int  hb_port;
    char net[8];              /* "user", "tap" or "" (no VMs) */
    char key_file[1024];
    int  hb_ms;               /* heartbeat period nodes are told to use */
    int  suspect_ms;          /* silence before a node is suspect */
    int  dead_ms;             /* silence before a node is dead */
    int  boot_timeout_ms;     /* launched VM must heartbeat within this */
    int  recover_timeout_ms;  /* after a restart, wait this long before the next */
    int  max_skew_ms;         /* heartbeat wall clock tolerance */
    int  max_nodes;
    bool no_recover;          /* detect only, never restart */
    char restart_hook[1024];  /* shell command for nodes without a VM */
};

/* Global counters, visible in GET /api/v1/stats. */
struct stats {
    uint64_t received, accepted;
    uint64_t bad_format, auth, too_big, version;     /* codec rejections */
    uint64_t replay, old_boot, clock, full;          /* replay filter rejections */
};

struct daemon {
    struct config cfg;
    struct hb_key key;
    struct hb_replay replay;
    struct stats stats;
    bool stats_dirty;

    struct node **nodes;      /* sorted by id */
    size_t node_count, node_cap;

    struct sqlite3 *db;
    struct MHD_Daemon *http;
    int epfd, udp_fd, timer_fd, signal_fd, http_epfd;
    bool stopping;
    int hooks_running;        /* restart hooks not yet reaped */
    uint64_t last_tick_mono;
    uint64_t last_flush_mono;
    uint64_t started_wall;
};

/* daemon.c */
int daemon_main(int argc, char **argv);
struct node *node_find(struct daemon *d, uint32_t id);
struct node *node_add(struct daemon *d, uint32_t id);
void node_set_state(struct daemon *d, struct node *n, enum node_state s, const char *why);
void node_watch_process(struct daemon *d, struct node *n);
void daemon_qmp_watch(struct daemon *d, struct node *n, int fd);

/* detector.c */
void detector_on_heartbeat(struct daemon *d, struct node *n, const struct heartbeat *hb,
                           enum hb_verdict verdict);
void detector_tick(struct daemon *d, uint64_t now);
void detector_grace(struct daemon *d, uint64_t gap_ms);

/* recover.c */
int  recover_node(struct daemon *d, struct node *n, const char *why);
void recover_on_exit(struct daemon *d, struct node *n);
int  node_kill(struct daemon *d, struct node *n);
void recover_poll_qmp(struct daemon *d, uint64_t now);

/* db.c */
int  db_open(struct daemon *d, const char *path);
void db_close(struct daemon *d);
int  db_config_get(struct sqlite3 *db, const char *key, char *out, size_t cap);
int  db_config_set(struct sqlite3 *db, const char *key, const char *value);
int  db_load(struct daemon *d);
void db_flush(struct daemon *d);
void event_add(struct daemon *d, uint32_t node, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* api.c */
int  api_start(struct daemon *d);
void api_stop(struct daemon *d);
void api_run(struct daemon *d);
int  api_timeout_ms(struct daemon *d, int dflt);

#endif
