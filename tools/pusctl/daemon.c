/*
 * `pusctl daemon`: the controller. One thread, one epoll loop:
 *
 *   UDP socket      heartbeats in (drained first, so a busy loop never
 *                   mistakes queued heartbeats for silence)
 *   timerfd         detector tick (every 20 ms)
 *   signalfd        SIGTERM/SIGINT stop; SIGCHLD reaps children
 *   MHD epoll fd    the REST API (libmicrohttpd in external-epoll mode)
 *   pidfds          one per QEMU process: readable when it exits, even for
 *                   processes a previous daemon started
 *   QMP sockets     one per VM
 *
 * The daemon does not own the VMs' lifetime: stopping it leaves them
 * running, and a new daemon finds them again through the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "daemon.h"
#include "launcher.h"
#include "qmp.h"
#include "runfiles.h"
#include "util.h"
#include "pus/err.h"

#define TICK_MS 20

/* epoll tags: kind in the top bits, node id below. */
enum { EV_UDP = 1, EV_TIMER, EV_SIGNAL, EV_HTTP, EV_PIDFD, EV_QMP };
#define TAG(kind, id) ((uint64_t)(kind) << 32 | (uint32_t)(id))

static const char *const state_names[NODE_STATE_COUNT] = {
    "booting", "healthy", "suspect", "dead", "recovering",
};

const char *node_state_name(enum node_state s)
{
    return s < NODE_STATE_COUNT ? state_names[s] : "unknown";
}

int node_state_parse(const char *name)
{
    for (int i = 0; name && i < NODE_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0)
            return i;
    return -1;
}

/* ---- node table: an array of pointers sorted by id ---- */

static size_t lower_bound(struct daemon *d, uint32_t id)
{
    size_t lo = 0, hi = d->node_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d->nodes[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct node *node_find(struct daemon *d, uint32_t id)
{
    size_t i = lower_bound(d, id);
    return i < d->node_count && d->nodes[i]->id == id ? d->nodes[i] : NULL;
}

struct node *node_add(struct daemon *d, uint32_t id)
{
    size_t i = lower_bound(d, id);
    if (i < d->node_count && d->nodes[i]->id == id)
        return d->nodes[i];
    if (d->node_count == d->node_cap) {
        size_t cap = d->node_cap ? d->node_cap * 2 : 64;
        struct node **nodes = realloc(d->nodes, cap * sizeof(*nodes));
        if (!nodes)
            return NULL;
        d->nodes = nodes;
        d->node_cap = cap;
    }
    struct node *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->id = id;
    n->pidfd = -1;
    n->state = NODE_BOOTING;
    n->state_since_wall = wall_ms();
    n->state_since_mono = mono_ms();
    n->dirty = true;
    memmove(&d->nodes[i + 1], &d->nodes[i], (d->node_count - i) * sizeof(*d->nodes));
    d->nodes[i] = n;
    d->node_count++;
    return n;
}

void node_set_state(struct daemon *d, struct node *n, enum node_state s, const char *why)
{
    if (n->state == s)
        return;
    log_msg("node %u: %s -> %s (%s)", n->id, node_state_name(n->state), node_state_name(s), why);
    n->state = s;
    n->state_since_wall = wall_ms();
    n->state_since_mono = mono_ms();
    n->dirty = true;
}

/* ---- processes ---- */

static void epoll_add(struct daemon *d, int fd, uint64_t tag)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
    if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        log_msg("epoll add fd %d: %s", fd, strerror(errno));
}

void node_watch_process(struct daemon *d, struct node *n)
{
    if (n->pidfd >= 0 || n->pid <= 0)
        return;
    n->pidfd = (int)syscall(SYS_pidfd_open, n->pid, 0);
    if (n->pidfd < 0) {
        log_msg("node %u: pidfd_open(%d): %s", n->id, (int)n->pid, strerror(errno));
        return;
    }
    epoll_add(d, n->pidfd, TAG(EV_PIDFD, n->id));
}

/* The QEMU process of n is gone (reaped by us, or not our child). */
static void process_gone(struct daemon *d, struct node *n, const char *how)
{
    if (n->pidfd >= 0) {
        epoll_ctl(d->epfd, EPOLL_CTL_DEL, n->pidfd, NULL);
        close(n->pidfd);
        n->pidfd = -1;
    }
    if (n->qmp)
        qmp_disconnect(n->qmp);
    pid_t pid = n->pid;
    n->pid = 0;
    n->dirty = true;
    event_add(d, n->id, "exited", "QEMU pid %d %s", (int)pid, how);
    recover_on_exit(d, n);
}

static void describe_status(int status, char *out, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, cap, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(out, cap, "ended");
}

static void reap_children(struct daemon *d)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        char how[64];
        describe_status(status, how, sizeof(how));
        for (size_t i = 0; i < d->node_count; i++) {
            if (d->nodes[i]->pid == pid) {
                process_gone(d, d->nodes[i], how);
                pid = 0;
                break;
            }
        }
        if (pid > 0) {
            log_msg("restart hook %d %s", (int)pid, how);
            if (d->hooks_running > 0)
                d->hooks_running--;
        }
    }
}

static void on_pidfd(struct daemon *d, uint32_t id)
{
    struct node *n = node_find(d, id);
    if (!n || n->pid == 0 || n->pidfd < 0)
        return;
    /* The event may be stale: SIGCHLD in the same batch may already have
     * handled this exit and a relaunch installed a new pidfd. Only a pidfd
     * that is readable now means the current process ended. */
    struct pollfd p = { .fd = n->pidfd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return;
    int status;
    if (waitpid(n->pid, &status, WNOHANG) == n->pid) {
        char how[64];
        describe_status(status, how, sizeof(how));
        process_gone(d, n, how);
    } else {
        process_gone(d, n, "ended (not our child)");
    }
}

/* ---- heartbeats ---- */

static void count_decode_error(struct daemon *d, int err)
{
    switch (err) {
    case ERR_AUTH:          d->stats.auth++; break;
    case ERR_TOO_BIG:       d->stats.too_big++; break;
    case ERR_NOT_SUPPORTED: d->stats.version++; break;
    default:                d->stats.bad_format++; break;
    }
}

static void on_datagram(struct daemon *d, const uint8_t *buf, size_t len,
                        const struct sockaddr_in *from)
{
    struct heartbeat hb;
    d->stats.received++;
    d->stats_dirty = true;
    int err = hb_decode(buf, len, &d->key, &hb);
    if (err < 0) {
        count_decode_error(d, err);
        return;
    }
    enum hb_verdict verdict;
    struct node *n = node_find(d, hb.node_id);
    if (!n && d->node_count >= (size_t)d->cfg.max_nodes) {
        d->stats.full++;
        return;
    }
    err = hb_replay_check(&d->replay, &hb, wall_ms(), &verdict);
    if (err < 0) {
        switch (verdict) {
        case HB_REJECT_CLOCK:    d->stats.clock++;    if (n) n->rejected_clock++; break;
        case HB_REJECT_REPLAY:   d->stats.replay++;   if (n) n->rejected_replay++; break;
        case HB_REJECT_OLD_BOOT: d->stats.old_boot++; if (n) n->rejected_old_boot++; break;
        default:                 d->stats.full++; break;
        }
        if (n)
            n->dirty = true;
        return;
    }
    d->stats.accepted++;
    if (!n) {
        n = node_add(d, hb.node_id);
        if (!n)
            return;
        inet_ntop(AF_INET, &from->sin_addr, n->address, sizeof(n->address));
    }
    detector_on_heartbeat(d, n, &hb, verdict);
}

#define BATCH 64

static void drain_udp(struct daemon *d)
{
    static uint8_t bufs[BATCH][HB_MAX_SIZE + 1];
    static struct sockaddr_in from[BATCH];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];

    for (int rounds = 0; rounds < 64; rounds++) {   /* bounded: stay fair to the API */
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = sizeof(bufs[i]);   /* one spare byte: oversize is seen */
            memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
        }
        int got = recvmmsg(d->udp_fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0)
            return;
        for (int i = 0; i < got; i++) {
            size_t len = msgs[i].msg_len;
            if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
                len = HB_MAX_SIZE + 1;
            on_datagram(d, bufs[i], len, &from[i]);
        }
        if (got < BATCH)
            return;
    }
}

/* ---- set-up ---- */

static int bind_udp(struct daemon *d)
{
    d->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (d->udp_fd < 0)
        return -1;
    int big = 4 << 20;   /* room for bursts from 1,000 nodes */
    setsockopt(d->udp_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)d->cfg.hb_port) };
    if (inet_pton(AF_INET, d->cfg.hb_addr, &a.sin_addr) != 1) {
        log_msg("bad heartbeat address %s", d->cfg.hb_addr);
        return -1;
    }
    if (bind(d->udp_fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        log_msg("cannot bind heartbeat socket %s:%d: %s", d->cfg.hb_addr, d->cfg.hb_port,
             strerror(errno));
        return -1;
    }
    return 0;
}

static void config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->run_dir, sizeof(c->run_dir), "run/cluster");
    snprintf(c->api_addr, sizeof(c->api_addr), "127.0.0.1");
    c->api_port = 8810;
    snprintf(c->hb_addr, sizeof(c->hb_addr), "127.0.0.1");
    c->hb_port = 8811;
    c->hb_ms = 100;
    c->suspect_ms = 500;
    c->dead_ms = 800;
    c->boot_timeout_ms = 60000;
    c->recover_timeout_ms = 30000;
    c->max_skew_ms = 10000;
    c->max_nodes = 4096;
}

/* Settings live in the database's config table; the command line changes
 * them and the change is kept for the next daemon. */
#define INT_SETTINGS(X) X(api_port) X(hb_port) X(hb_ms) X(suspect_ms) X(dead_ms) \
    X(boot_timeout_ms) X(recover_timeout_ms) X(max_skew_ms) X(max_nodes)
#define STR_SETTINGS(X) X(api_addr) X(hb_addr) X(net) X(key_file) X(restart_hook)

static void config_load(struct daemon *d)
{
    char v[1024];
#define GETI(f) if (db_config_get(d->db, #f, v, sizeof(v)) == 0) d->cfg.f = atoi(v);
#define GETS(f) db_config_get(d->db, #f, d->cfg.f, sizeof(d->cfg.f));
    INT_SETTINGS(GETI)
    STR_SETTINGS(GETS)
    if (db_config_get(d->db, "no_recover", v, sizeof(v)) == 0)
        d->cfg.no_recover = atoi(v) != 0;
#undef GETI
#undef GETS
}

static void config_save(struct daemon *d)
{
    char v[32];
#define SETI(f) snprintf(v, sizeof(v), "%d", d->cfg.f); db_config_set(d->db, #f, v);
#define SETS(f) db_config_set(d->db, #f, d->cfg.f);
    INT_SETTINGS(SETI)
    STR_SETTINGS(SETS)
    db_config_set(d->db, "no_recover", d->cfg.no_recover ? "1" : "0");
#undef SETI
#undef SETS
}

static void usage(void)
{
    fprintf(stderr,
        "usage: pusctl daemon [--run-dir DIR] [--api ADDR:PORT] [--hb ADDR:PORT]\n"
        "         [--key-file F] [--suspect-ms N] [--dead-ms N] [--boot-timeout-ms N]\n"
        "         [--recover-timeout-ms N] [--max-skew-ms N] [--max-nodes N]\n"
        "         [--restart-hook CMD] [--no-recover | --recover]\n"
        "Settings are kept in DIR/state.db; options given here replace them.\n");
}

static bool split_addr(const char *s, char *addr, size_t cap, int *port)
{
    const char *colon = strrchr(s, ':');
    long p;
    if (!colon || (size_t)(colon - s) >= cap || !parse_long(colon + 1, 0, 65535, &p))
        return false;
    memcpy(addr, s, (size_t)(colon - s));
    addr[colon - s] = 0;
    *port = (int)p;
    return true;
}

/* Options that change settings are applied after the database is read. */
struct opt_change { int id; const char *val; };

static int apply_option(struct config *c, int id, const char *val)
{
    long v;
    switch (id) {
    case 'a': return split_addr(val, c->api_addr, sizeof(c->api_addr), &c->api_port) ? 0 : -1;
    case 'h': return split_addr(val, c->hb_addr, sizeof(c->hb_addr), &c->hb_port) ? 0 : -1;
    case 'k': snprintf(c->key_file, sizeof(c->key_file), "%s", val); return 0;
    case 'H': snprintf(c->restart_hook, sizeof(c->restart_hook), "%s", val); return 0;
    case 'n': c->no_recover = true; return 0;
    case 'R': c->no_recover = false; return 0;
    }
    if (!parse_long(val, 1, 3600000, &v))
        return -1;
    switch (id) {
    case 's': c->suspect_ms = (int)v; return 0;
    case 'd': c->dead_ms = (int)v; return 0;
    case 'b': c->boot_timeout_ms = (int)v; return 0;
    case 't': c->recover_timeout_ms = (int)v; return 0;
    case 'w': c->max_skew_ms = (int)v; return 0;
    case 'm': c->max_nodes = (int)v; return 0;
    }
    return -1;
}

static int setup(struct daemon *d)
{
    /* Signals arrive through the loop, never asynchronously. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    d->epfd = epoll_create1(EPOLL_CLOEXEC);
    d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec its = {
        .it_interval = { 0, TICK_MS * 1000000L }, .it_value = { 0, TICK_MS * 1000000L },
    };
    timerfd_settime(d->timer_fd, 0, &its, NULL);
    if (d->signal_fd < 0 || d->epfd < 0 || d->timer_fd < 0)
        return -1;
    if (bind_udp(d) != 0)
        return -1;
    if (api_start(d) != 0)
        return -1;
    epoll_add(d, d->udp_fd, TAG(EV_UDP, 0));
    epoll_add(d, d->timer_fd, TAG(EV_TIMER, 0));
    epoll_add(d, d->signal_fd, TAG(EV_SIGNAL, 0));
    epoll_add(d, d->http_epfd, TAG(EV_HTTP, 0));
    return 0;
}

void daemon_qmp_watch(struct daemon *d, struct node *n, int fd)
{
    epoll_add(d, fd, TAG(EV_QMP, n->id));
}

static void on_qmp(struct daemon *d, uint32_t id)
{
    struct node *n = node_find(d, id);
    if (!n || !n->qmp)
        return;
    char event[64];
    int r;
    while ((r = qmp_on_readable(n->qmp, event, sizeof(event))) > 0) {
        if (strcmp(event, "RESET") == 0)
            n->reset_sent_mono = 0;        /* the reset we asked for happened */
        event_add(d, n->id, "vm", "QMP event %s", event);
    }
    if (r < 0) {
        log_msg("node %u: QMP connection closed", n->id);
        qmp_disconnect(n->qmp);   /* closing the fd also drops it from epoll */
    }
}

static void on_signal(struct daemon *d)
{
    struct signalfd_siginfo si;
    while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGCHLD)
            reap_children(d);
        else
            d->stopping = true;
    }
}

static void on_tick(struct daemon *d)
{
    uint64_t expirations;
    while (read(d->timer_fd, &expirations, sizeof(expirations)) > 0)
        ;
    uint64_t now = mono_ms();
    /* If this loop itself was held up (host overloaded, stopped in a
     * debugger), silence during the stall says nothing about the nodes. */
    if (d->last_tick_mono && now - d->last_tick_mono > (uint64_t)d->cfg.suspect_ms / 2 + TICK_MS) {
        log_msg("controller stalled for %llu ms; extending every node's deadline",
             (unsigned long long)(now - d->last_tick_mono));
        detector_grace(d, now - d->last_tick_mono - TICK_MS);
    }
    d->last_tick_mono = now;
    recover_poll_qmp(d, now);
    detector_tick(d, now);
    if (now - d->last_flush_mono >= 1000) {
        db_flush(d);
        d->last_flush_mono = now;
    }
}

static void run(struct daemon *d)
{
    struct epoll_event evs[64];
    while (!d->stopping) {
        int n = epoll_wait(d->epfd, evs, 64, api_timeout_ms(d, TICK_MS));
        if (n < 0 && errno != EINTR)
            break;
        /* Heartbeats before anything that looks at silence. */
        for (int i = 0; i < n; i++)
            if (evs[i].data.u64 >> 32 == EV_UDP)
                drain_udp(d);
        bool tick = false;
        for (int i = 0; i < n; i++) {
            uint32_t id = (uint32_t)evs[i].data.u64;
            switch (evs[i].data.u64 >> 32) {
            case EV_TIMER:  tick = true; break;
            case EV_SIGNAL: on_signal(d); break;
            case EV_PIDFD:  on_pidfd(d, id); break;
            case EV_QMP:    on_qmp(d, id); break;
            }
        }
        if (tick)
            on_tick(d);
        api_run(d);
    }
}

/* Puts every node back as it was: VMs still running are adopted, VMs that
 * vanished while no daemon watched are treated as exited. */
static void adopt_nodes(struct daemon *d)
{
    uint64_t now = mono_ms();
    for (size_t i = 0; i < d->node_count; i++) {
        struct node *n = d->nodes[i];
        n->last_hb_mono = now;          /* fresh window: we were not listening */
        n->state_since_mono = now;
        if (!n->managed)
            continue;
        char qmp_path[1100];
        node_path(d->cfg.run_dir, n->id, "qmp", qmp_path, sizeof(qmp_path));
        n->qmp = qmp_new(qmp_path);
        if (n->pid > 0 && pid_matches(n->pid, qmp_path)) {
            log_msg("node %u: adopted running QEMU pid %d", n->id, (int)n->pid);
            node_watch_process(d, n);
            int fd = qmp_connect_now(n->qmp, 2000);
            if (fd >= 0)
                daemon_qmp_watch(d, n, fd);
            continue;
        }
        if (n->pid == 0 && n->restarts == 0 && n->boot_count == 0 && n->state == NODE_BOOTING) {
            if (launch_node(d, n) == 0)
                event_add(d, n->id, "launched", "QEMU pid %d", (int)n->pid);
            else
                event_add(d, n->id, "launch_failed", "see %s/node%u.qemu.log",
                          d->cfg.run_dir, n->id);
            continue;
        }
        n->pid = 0;
        event_add(d, n->id, "exited", "QEMU process vanished while no controller ran");
        recover_on_exit(d, n);
    }
}

int daemon_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run-dir", required_argument, NULL, 'r' },
        { "api", required_argument, NULL, 'a' },
        { "hb", required_argument, NULL, 'h' },
        { "key-file", required_argument, NULL, 'k' },
        { "suspect-ms", required_argument, NULL, 's' },
        { "dead-ms", required_argument, NULL, 'd' },
        { "boot-timeout-ms", required_argument, NULL, 'b' },
        { "recover-timeout-ms", required_argument, NULL, 't' },
        { "max-skew-ms", required_argument, NULL, 'w' },
        { "max-nodes", required_argument, NULL, 'm' },
        { "restart-hook", required_argument, NULL, 'H' },
        { "no-recover", no_argument, NULL, 'n' },
        { "recover", no_argument, NULL, 'R' },
        { "help", no_argument, NULL, '?' },
        { 0 },
    };
    static struct daemon dm;
    struct daemon *d = &dm;
    struct opt_change changes[32];
    int nchanges = 0;
    config_defaults(&d->cfg);
    const char *run_dir = getenv("PUSCTL_RUN_DIR");
    if (run_dir)
        snprintf(d->cfg.run_dir, sizeof(d->cfg.run_dir), "%s", run_dir);

    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r') {
            snprintf(d->cfg.run_dir, sizeof(d->cfg.run_dir), "%s", optarg);
        } else if (c == '?' || nchanges == 32) {
            usage();
            return 2;
        } else {
            changes[nchanges++] = (struct opt_change){ c, optarg };
        }
    }
    if (optind != argc) {
        usage();
        return 2;
    }
    if (run_dir_prepare(d->cfg.run_dir) != 0) {
        fprintf(stderr, "pusctl daemon: cannot use run directory %s: %s\n", d->cfg.run_dir,
                strerror(errno));
        return 1;
    }
    int lock = run_lock(d->cfg.run_dir, "daemon");
    if (lock < 0) {
        fprintf(stderr, "pusctl daemon: another daemon is running in %s\n", d->cfg.run_dir);
        return 1;
    }
    char path[1100];
    path_join(path, sizeof(path), d->cfg.run_dir, "state.db");
    if (db_open(d, path) != 0)
        return 1;
    config_load(d);
    for (int i = 0; i < nchanges; i++) {
        if (apply_option(&d->cfg, changes[i].id, changes[i].val ? changes[i].val : "") != 0) {
            fprintf(stderr, "pusctl daemon: bad value '%s'\n", changes[i].val);
            return 2;
        }
    }
    if (d->cfg.dead_ms <= d->cfg.suspect_ms) {
        fprintf(stderr, "pusctl daemon: --dead-ms must be larger than --suspect-ms\n");
        return 2;
    }
    if (!d->cfg.key_file[0])
        path_join(d->cfg.key_file, sizeof(d->cfg.key_file), d->cfg.run_dir, "cluster.key");
    uint8_t key[HB_KEY_MAX];
    int key_len = key_read(d->cfg.key_file, key, sizeof(key));
    if (key_len < 0 || hb_key_init(&d->key, key, (size_t)key_len) != 0) {
        fprintf(stderr, "pusctl daemon: no usable cluster key in %s (16..64 bytes as hex)\n",
                d->cfg.key_file);
        return 1;
    }
    config_save(d);

    struct hb_replay_config rc = {
        .max_skew_ms = (uint32_t)d->cfg.max_skew_ms, .max_nodes = (uint32_t)d->cfg.max_nodes,
    };
    if (hb_replay_init(&d->replay, &rc) != 0 || db_load(d) != 0)
        return 1;
    if (setup(d) != 0) {
        fprintf(stderr, "pusctl daemon: set-up failed (see messages above)\n");
        return 1;
    }
    pid_file_write(d->cfg.run_dir, "daemon", getpid());
    d->started_wall = wall_ms();
    event_add(d, 0, "controller", "daemon started (pid %d, %zu nodes from the database)",
              (int)getpid(), d->node_count);
    adopt_nodes(d);
    db_flush(d);
    d->last_flush_mono = d->last_tick_mono = mono_ms();
    log_msg("ready: api http://%s:%d heartbeats udp %s:%d", d->cfg.api_addr, d->cfg.api_port,
         d->cfg.hb_addr, d->cfg.hb_port);

    run(d);

    event_add(d, 0, "controller", "daemon stopped; VMs keep running");
    for (size_t i = 0; i < d->node_count; i++)
        d->nodes[i]->dirty = true;
    db_flush(d);
    api_stop(d);
    db_close(d);
    pid_file_remove(d->cfg.run_dir, "daemon");
    log_msg("stopped");
    return 0;
}
