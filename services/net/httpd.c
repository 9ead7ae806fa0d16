/*
 * The node HTTP server: a listener thread on port 80 and one thread per
 * connection (at most HTTPD_MAX_CONNS at once; more wait in the backlog).
 * Each connection runs lib/http's engine: keep-alive, pipelining, the
 * engine's limits (request line, head, body); a connection idle for
 * HTTPD_IDLE_NS is closed.
 *
 * Responses are gathered in a small per-connection buffer and sent when a
 * batch of requests has been answered (or the buffer fills), so a head and
 * its body leave in one segment instead of waiting on Nagle for an ACK.
 *
 * Routes: one router, appended to under route_lock; connections read it
 * without a lock (entries are complete before the count grows).
 */
#include <stdlib.h>
#include <string.h>
#include "services/net/httpd.h"
#include "services/net/ksock.h"
#include "services/net/netsvc.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define HTTPD_MAX_CONNS 32
#define HTTPD_IDLE_NS (30ll * 1000 * 1000 * 1000)
#define HTTPD_SEND_NS (10ll * 1000 * 1000 * 1000)
#define HTTPD_LINGER_NS (1000ll * 1000 * 1000)
#define RX_BUF 4096
#define TX_BUF 8192

static struct http_router router;
static spinlock_t route_lock = SPINLOCK_INITIAL;   /* guards staging, router appends */
static struct http_server server;
static int active;                  /* atomic */
static unsigned long served;        /* atomic */

struct conn {
    struct ksock *sock;
    int error;
    size_t out_len;
    uint8_t out[TX_BUF];
    uint8_t in[RX_BUF];
    struct http_conn http;
};

int httpd_active(void) { return __atomic_load_n(&active, __ATOMIC_RELAXED); }
unsigned long httpd_served(void) { return __atomic_load_n(&served, __ATOMIC_RELAXED); }

int httpd_route(const char *method, const char *pattern, http_handler_fn fn, void *arg)
{
    static struct http_router staging;   /* validates, so router never holds a bad entry */
    uint64_t st;
    spin_lock_irqsave(&route_lock, st);
    int r = http_router_add(&staging, method, pattern, fn, arg);
    if (r == 0) {
        router.routes[router.count] = staging.routes[staging.count - 1];
        __atomic_store_n(&router.count, staging.count, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&route_lock, st);
    return r;
}

static int flush(struct conn *c)
{
    if (c->out_len && !c->error) {
        int n = ksock_send(c->sock, c->out, c->out_len, HTTPD_SEND_NS);
        if (n != (int)c->out_len)
            c->error = n < 0 ? n : ERR_TIMED_OUT;
    }
    c->out_len = 0;
    return c->error;
}

static int conn_write(void *ctx, const uint8_t *data, size_t len)
{
    struct conn *c = ctx;
    if (c->error)
        return c->error;
    if (c->out_len + len > TX_BUF && flush(c) < 0)
        return c->error;
    if (len >= TX_BUF) {
        int n = ksock_send(c->sock, data, len, HTTPD_SEND_NS);
        if (n != (int)len)
            c->error = n < 0 ? n : ERR_TIMED_OUT;
        return c->error;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    return 0;
}

static int conn_thread(void *arg)
{
    struct conn *c = arg;
    ksock_setopt(c->sock, NET_OPT_NODELAY, 1);
    http_conn_init(&c->http, &server, conn_write, c);
    int state = HTTP_CONN_OPEN;
    while (state == HTTP_CONN_OPEN) {
        int n = ksock_recv(c->sock, c->in, RX_BUF, HTTPD_IDLE_NS);
        if (n < 0) {
            if (n == ERR_CLOSED) {
                http_conn_eof(&c->http);
                flush(c);
            }
            break;
        }
        unsigned long before = c->http.requests;
        state = http_conn_feed(&c->http, c->in, (size_t)n);
        __atomic_fetch_add(&served, c->http.requests - before, __ATOMIC_RELAXED);
        if (flush(c) < 0)
            break;
    }
    if (state == HTTP_CONN_CLOSE && !c->error) {
        /* Let the client read our last answer before the socket closes:
           unread input at close would turn our FIN into a reset. */
        ksock_shutdown(c->sock, NET_SHUT_WR);
        size_t drained = 0;
        int n;
        while (drained < 256 * 1024 && (n = ksock_recv(c->sock, c->in, RX_BUF, HTTPD_LINGER_NS)) > 0)
            drained += (size_t)n;
    }
    http_conn_free(&c->http);
    ksock_close(c->sock);
    netsvc_free(c);
    __atomic_fetch_sub(&active, 1, __ATOMIC_RELAXED);
    return 0;
}

static int listener(void *arg)
{
    (void)arg;
    struct ksock *s;
    if (ksock_socket(KSOCK_TCP, &s) < 0 || ksock_bind(s, 0, HTTPD_PORT) < 0 ||
        ksock_listen(s, 64) < 0) {
        log_error("httpd: cannot listen on port %d", HTTPD_PORT);
        return 1;
    }
    for (;;) {
        /* Stop accepting while every slot is busy: clients wait in the
           backlog rather than being refused. */
        while (__atomic_load_n(&active, __ATOMIC_RELAXED) >= HTTPD_MAX_CONNS)
            thread_sleep_ms(5);
        struct ksock *cs;
        if (ksock_accept(s, &cs, TIMEOUT_INFINITE) < 0)
            continue;
        struct conn *c = netsvc_calloc(sizeof *c);
        if (!c) {
            ksock_close(cs);
            continue;
        }
        c->sock = cs;
        __atomic_fetch_add(&active, 1, __ATOMIC_RELAXED);
        struct thread *t = thread_spawn("httpd-conn", conn_thread, c, THREAD_PRIORITY_DEFAULT,
                                        24 * 1024);
        if (!t) {
            __atomic_fetch_sub(&active, 1, __ATOMIC_RELAXED);
            ksock_close(cs);
            netsvc_free(c);
            continue;
        }
        thread_detach(t);       /* frees itself when it returns */
    }
    return 0;
}

void httpd_node_routes(void);   /* node_api.c */

static int httpd_init(void)
{
    server.router = &router;
    http_limits_default(&server.limits);
    server.server_name = "PusOS";
    if (!netsvc_stack())
        return ERR_NO_DEVICE;
    httpd_node_routes();
    if (!thread_spawn("httpd", listener, NULL, THREAD_PRIORITY_DEFAULT, THREAD_STACK_DEFAULT))
        return ERR_NO_MEMORY;
    return 0;
}
/* Right after the stack (net_1_stack); routes may be added at any time. */
INIT_HOOK(net_2_httpd, INIT_LEVEL_NET, httpd_init);
