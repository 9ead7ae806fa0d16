/*
 * nettest: exercises the ksock API over loopback (127.0.0.1) inside the
 * node: TCP through the echo service, a listener of our own with
 * ksock_poll, UDP, timeouts, non-blocking mode, refused connections, end of
 * stream. Prints one line per check and "nettest: all passed" at the end.
 */
#include <stdlib.h>
#include <string.h>
#include "services/net/ksock.h"
#include "services/shell/shell.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define LO NET_IP4(127, 0, 0, 1)
#define MS 1000000ll

static int failures;

static void check(bool ok, const char *what, int r)
{
    kprintf("%s: %s", ok ? "ok  " : "FAIL", what);
    if (!ok)
        kprintf(" (got %d %s)", r, r < 0 ? err_str(r) : "");
    kprintf("\n");
    failures += !ok;
}

static void tcp_echo_loopback(void)
{
    struct ksock *s;
    int r = ksock_socket(KSOCK_TCP, &s);
    check(r == 0, "tcp socket", r);
    if (r)
        return;
    r = ksock_connect(s, LO, 7, 2000 * MS);
    check(r == 0, "connect 127.0.0.1:7", r);
    size_t chunk = 16384, total = 1u << 20;
    uint8_t *out = malloc(chunk), *in = malloc(chunk);
    bool same = out && in && r == 0;
    for (size_t done = 0; same && done < total; done += chunk) {
        for (size_t i = 0; i < chunk; i++)
            out[i] = (uint8_t)((done + i) * 7 + (done + i) / 251);
        r = ksock_send(s, out, chunk, 2000 * MS);
        if (r != (int)chunk)
            break;
        r = ksock_recv_all(s, in, chunk, 2000 * MS);
        same = r == (int)chunk && !memcmp(in, out, chunk);
    }
    check(same, "1 MiB echoed over loopback", r);
    r = ksock_recv(s, in, chunk, 50 * MS);
    check(r == ERR_TIMED_OUT, "recv times out on an idle connection", r);
    ksock_set_nonblocking(s, true);
    r = ksock_recv(s, in, chunk, TIMEOUT_INFINITE);
    check(r == ERR_WOULD_BLOCK, "non-blocking recv would block", r);
    ksock_set_nonblocking(s, false);
    ksock_shutdown(s, NET_SHUT_WR);
    r = ksock_recv(s, in, chunk, 2000 * MS);
    check(r == ERR_CLOSED, "echo closes after our FIN: end of stream", r);
    ksock_close(s);
    free(out);
    free(in);
}

static void listener_and_poll(void)
{
    struct ksock *l, *c, *a = NULL;
    ksock_socket(KSOCK_TCP, &l);
    int r = ksock_bind(l, 0, 5555);
    check(r == 0, "bind :5555", r);
    r = ksock_listen(l, 4);
    check(r == 0, "listen", r);
    struct ksock_pollfd p[2] = { { l, KSOCK_ACCEPT, 0 } };
    r = ksock_poll(p, 1, 0);
    check(r == 0, "poll: no connection yet", r);
    r = ksock_accept(l, &a, 20 * MS);
    check(r == ERR_TIMED_OUT, "accept times out", r);
    ksock_socket(KSOCK_TCP, &c);
    ksock_set_nonblocking(c, true);
    r = ksock_connect(c, LO, 5555, 0);
    check(r == ERR_WOULD_BLOCK || r == 0, "non-blocking connect starts", r);
    r = ksock_poll(p, 1, 2000 * MS);
    check(r == 1 && (p[0].revents & KSOCK_ACCEPT), "poll: listener ready", r);
    r = ksock_accept(l, &a, 0);
    check(r == 0, "accept", r);
    ksock_set_nonblocking(c, false);
    r = ksock_connect(c, LO, 5555, 2000 * MS);
    check(r == 0, "connect completes", r);
    if (a) {
        p[0] = (struct ksock_pollfd){ c, KSOCK_READABLE, 0 };
        p[1] = (struct ksock_pollfd){ a, KSOCK_READABLE, 0 };
        r = ksock_poll(p, 2, 10 * MS);
        check(r == 0, "poll on two idle sockets times out", r);
        ksock_send(c, "hello", 5, 1000 * MS);
        r = ksock_poll(p, 2, 2000 * MS);
        check(r == 1 && p[1].revents == KSOCK_READABLE && !p[0].revents, "poll: the right one is readable", r);
        char buf[8];
        r = ksock_recv(a, buf, sizeof buf, 1000 * MS);
        check(r == 5 && !memcmp(buf, "hello", 5), "data through our own listener", r);
        ksock_close(c);
        r = ksock_recv(a, buf, sizeof buf, 2000 * MS);
        check(r == ERR_CLOSED, "peer close seen as end of stream", r);
        ksock_close(a);
    }
    struct ksock *l2;
    ksock_socket(KSOCK_TCP, &l2);
    r = ksock_bind(l2, 0, 5555);
    check(r == ERR_ADDR_IN_USE, "second bind to :5555 refused", r);
    ksock_close(l2);
    ksock_close(l);
}

static void refused_and_udp(void)
{
    struct ksock *s;
    ksock_socket(KSOCK_TCP, &s);
    int r = ksock_connect(s, LO, 1, 2000 * MS);
    check(r == ERR_CONN_REFUSED, "connect to a closed port is refused", r);
    ksock_close(s);

    ksock_socket(KSOCK_UDP, &s);
    r = ksock_bind(s, 0, 0);
    check(r == 0, "udp bind ephemeral", r);
    char buf[64];
    uint32_t addr = 0;
    uint16_t port = 0;
    r = ksock_recvfrom(s, buf, sizeof buf, &addr, &port, 10 * MS);
    check(r == ERR_TIMED_OUT, "udp recvfrom times out", r);
    r = ksock_sendto(s, "ping", 4, LO, 7, 1000 * MS);
    check(r == 4, "udp sendto echo", r);
    r = ksock_recvfrom(s, buf, sizeof buf, &addr, &port, 2000 * MS);
    check(r == 4 && !memcmp(buf, "ping", 4) && addr == LO && port == 7, "udp echo reply", r);
    ksock_close(s);
    uint32_t a;
    r = ksock_resolve("localhost", &a, 1000 * MS);
    check(r == 0 && a == LO, "resolve localhost", r);
}

static int cmd_nettest(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    failures = 0;
    tcp_echo_loopback();
    listener_and_poll();
    refused_and_udp();
    if (failures) {
        kprintf("error: nettest: %d checks failed\n", failures);
        return SHELL_ERR_REPORTED;
    }
    kprintf("nettest: all passed\n");
    return 0;
}
SHELL_COMMAND(nettest, "nettest", "self-test of kernel sockets over loopback", cmd_nettest);
