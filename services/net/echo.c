/*
 * Echo service (RFC 862) on port 7: UDP datagrams are sent back to their
 * sender; each TCP connection gets a thread that writes back what it reads
 * until the peer closes. Used by the system tests and bench/netnode.
 */
#include <stdlib.h>
#include "services/net/ksock.h"
#include "services/net/netsvc.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define ECHO_PORT 7
#define ECHO_BUF (16 * 1024)
#define ECHO_MAX_CONNS 128
#define ECHO_IDLE_NS (120ll * 1000 * 1000 * 1000)   /* an idle connection is dropped */

static int echo_conns;      /* atomic */

static int udp_echo(void *arg)
{
    (void)arg;
    struct ksock *s;
    if (ksock_socket(KSOCK_UDP, &s) < 0 || ksock_bind(s, 0, ECHO_PORT) < 0) {
        log_error("echo: cannot bind UDP port %d", ECHO_PORT);
        return 1;
    }
    uint8_t *buf = malloc(2048);
    for (;;) {
        uint32_t addr;
        uint16_t port;
        int n = ksock_recvfrom(s, buf, 2048, &addr, &port, TIMEOUT_INFINITE);
        if (n >= 0)
            ksock_sendto(s, buf, (size_t)(n > 2048 ? 2048 : n), addr, port, 0);
    }
    return 0;
}

static int tcp_echo_conn(void *arg)
{
    struct ksock *c = arg;
    uint8_t *buf = netsvc_malloc(ECHO_BUF);
    if (buf) {
        ksock_setopt(c, NET_OPT_NODELAY, 1);
        for (;;) {
            int n = ksock_recv(c, buf, ECHO_BUF, ECHO_IDLE_NS);
            if (n <= 0)
                break;
            if (ksock_send(c, buf, (size_t)n, ECHO_IDLE_NS) != n)
                break;
        }
        netsvc_free(buf);
        ksock_shutdown(c, NET_SHUT_WR);
    }
    ksock_close(c);
    __atomic_fetch_sub(&echo_conns, 1, __ATOMIC_RELAXED);
    return 0;
}

static int tcp_echo(void *arg)
{
    (void)arg;
    struct ksock *s;
    if (ksock_socket(KSOCK_TCP, &s) < 0 || ksock_bind(s, 0, ECHO_PORT) < 0 ||
        ksock_listen(s, 64) < 0) {
        log_error("echo: cannot listen on TCP port %d", ECHO_PORT);
        return 1;
    }
    for (;;) {
        struct ksock *c;
        if (ksock_accept(s, &c, TIMEOUT_INFINITE) < 0)
            continue;
        if (__atomic_load_n(&echo_conns, __ATOMIC_RELAXED) >= ECHO_MAX_CONNS) {
            ksock_close(c);
            continue;
        }
        __atomic_fetch_add(&echo_conns, 1, __ATOMIC_RELAXED);
        struct thread *t = thread_spawn("echo-conn", tcp_echo_conn, c, THREAD_PRIORITY_DEFAULT,
                                        THREAD_STACK_DEFAULT);
        if (!t) {
            __atomic_fetch_sub(&echo_conns, 1, __ATOMIC_RELAXED);
            ksock_close(c);
            continue;
        }
        thread_detach(t);       /* frees itself when it returns */
    }
    return 0;
}

static int echo_init(void)
{
    if (!netsvc_stack())
        return ERR_NO_DEVICE;
    if (!thread_spawn("echo-udp", udp_echo, NULL, THREAD_PRIORITY_DEFAULT, THREAD_STACK_DEFAULT) ||
        !thread_spawn("echo-tcp", tcp_echo, NULL, THREAD_PRIORITY_DEFAULT, THREAD_STACK_DEFAULT))
        return ERR_NO_MEMORY;
    return 0;
}
INIT_HOOK(net_echo, INIT_LEVEL_SERVICES, echo_init);
