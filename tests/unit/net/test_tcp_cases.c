/*
 * TCP scenarios over the simulated link: simultaneous open and close, resets
 * (RFC 5961 checks), refused connections, listen backlog, zero window and
 * probing, keepalive, TIME_WAIT, ARP failure, memory limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "pkt.h"
#include "pus/err.h"
#include "net/bytes.h"

static struct net_stack *A(struct sim *s) { return s->end[0].stack; }
static struct net_stack *B(struct sim *s) { return s->end[1].stack; }

static bool both_established(struct sim *sim, void *ctx)
{
    (void)sim;
    struct net_sock **p = ctx;
    return net_tcp_state(p[0]) == TCP_ESTABLISHED && net_tcp_state(p[1]) == TCP_ESTABLISHED;
}

static void test_simultaneous_open(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 11, NULL);
    struct net_sock *p[2];
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &p[0]), 0);
    assert_int_equal(net_socket(B(&sim), NET_SOCK_TCP, &p[1]), 0);
    assert_int_equal(net_bind(p[0], 0, 5000), 0);
    assert_int_equal(net_bind(p[1], 0, 6000), 0);
    /* both SYNs are on the wire before either arrives */
    assert_int_equal(net_connect(p[0], SIM_IP_B, 6000), ERR_WOULD_BLOCK);
    assert_int_equal(net_connect(p[1], SIM_IP_A, 5000), ERR_WOULD_BLOCK);
    assert_true(sim_run(&sim, sim.now + 5 * SIM_S, both_established, p));
    assert_int_equal(net_connect(p[0], SIM_IP_B, 6000), 0);
    assert_int_equal(sim_transfer(&sim, p[0], p[1], 100000, sim.now + 10 * SIM_S), 100000);
    assert_int_equal(sim_transfer(&sim, p[1], p[0], 100000, sim.now + 10 * SIM_S), 100000);
    net_close(p[0]);
    net_close(p[1]);
    sim_destroy(&sim);
}

static void test_simultaneous_close(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 12, NULL);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    sim_advance(&sim, SIM_S);
    assert_int_equal(net_shutdown(a, NET_SHUT_WR), 0);
    assert_int_equal(net_shutdown(b, NET_SHUT_WR), 0);
    assert_int_equal(net_tcp_state(a), TCP_FIN_WAIT_1);
    assert_int_equal(net_tcp_state(b), TCP_FIN_WAIT_1);
    sim_advance(&sim, 100 * SIM_MS);
    /* FINs crossed: CLOSING, then both acknowledged -> TIME_WAIT on both */
    assert_int_equal(net_tcp_state(a), TCP_TIME_WAIT);
    assert_int_equal(net_tcp_state(b), TCP_TIME_WAIT);
    char c;
    assert_int_equal(net_recv(a, &c, 1), ERR_CLOSED);
    assert_int_equal(net_send(a, "x", 1), ERR_CLOSED);
    sim_advance(&sim, 61 * SIM_S);
    assert_int_equal(net_tcp_state(a), TCP_CLOSED);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

static void test_refused(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 13, NULL);
    struct net_sock *a;
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    sim.end[0].events = 0;
    assert_int_equal(net_connect(a, SIM_IP_B, 81), ERR_WOULD_BLOCK);
    sim_advance(&sim, SIM_S);
    assert_true(sim.end[0].events & NET_EV_ERROR);
    assert_true(net_sock_poll(a) & NET_EV_ERROR);
    assert_int_equal(net_connect(a, SIM_IP_B, 81), ERR_CONN_REFUSED);
    assert_int_equal(net_send(a, "x", 1), ERR_CLOSED);
    net_close(a);

    /* loopback too: the RST comes back inside the stack */
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    assert_int_equal(net_connect(a, NET_IP4(127, 0, 0, 1), 81), ERR_WOULD_BLOCK);
    assert_int_equal(net_connect(a, NET_IP4(127, 0, 0, 1), 81), ERR_CONN_REFUSED);
    net_close(a);
    sim_destroy(&sim);
}

static void test_abort_resets_peer(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 14, NULL);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    net_abort(a);
    sim_advance(&sim, SIM_S);
    char buf[8];
    assert_int_equal(net_recv(b, buf, sizeof buf), ERR_CONN_RESET);
    assert_int_equal(net_recv(b, buf, sizeof buf), ERR_CLOSED);
    assert_int_equal(net_tcp_state(b), TCP_CLOSED);
    net_close(b);

    /* closing with unread data resets too (RFC 9293 3.10.4) */
    assert_int_equal(sim_connect_pair(&sim, 82, &a, &b, sim.now + 5 * SIM_S), 0);
    assert_int_equal(net_send(a, "hello", 5), 5);
    sim_advance(&sim, SIM_S);
    net_close(b);
    sim_advance(&sim, SIM_S);
    assert_int_equal(net_send(a, "x", 1), ERR_CONN_RESET);
    net_close(a);
    sim_destroy(&sim);
}

/* Records the last TCP segment A sent to B. */
struct last_seg {
    uint32_t seq, ack;
    uint16_t sport, dport;
};

static void tap_last(struct sim *sim, int from, const uint8_t *f, size_t len)
{
    struct last_seg *ls = sim->tap_ctx;
    size_t l4len;
    if (from != 0 || pkt_ethertype(f) != 0x0800 || pkt_ip_proto(f) != 6)
        return;
    const uint8_t *th = pkt_l4(f, len, &l4len);
    if (!th || l4len < 20)
        return;
    ls->sport = get16(th);
    ls->dport = get16(th + 2);
    ls->seq = get32(th + 4);
    ls->ack = get32(th + 8);
}

static void inject(struct sim *sim, const struct last_seg *ls, uint32_t seq, uint8_t flags)
{
    uint8_t f[1514];
    struct tcp_fields t = {
        .sport = ls->sport, .dport = ls->dport, .seq = seq, .ack = ls->ack,
        .flags = flags, .wnd = 1000,
    };
    size_t n = pkt_tcp(f, sim->end[1].mac, sim->end[0].mac, SIM_IP_A, SIM_IP_B, &t, NULL, 0);
    sim_send(sim, 0, f, n);
}

static void test_rst_rfc5961(void **state)
{
    (void)state;
    struct sim sim;
    struct last_seg ls = {0};
    sim_init(&sim, 15, NULL);
    sim.tap = tap_last;
    sim.tap_ctx = &ls;
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    assert_int_equal(net_send(a, "abc", 3), 3);
    sim_advance(&sim, SIM_S);
    uint32_t next = ls.seq + 3;   /* B's rcv_nxt */
    const struct net_proto_stats *st = net_proto_stats(B(&sim));

    /* in the window but not exact: a challenge ACK, the connection lives */
    uint64_t chal = st->tcp_challenge_ack;
    inject(&sim, &ls, next + 1000, 0x04);
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(st->tcp_challenge_ack, chal + 1);
    assert_int_equal(net_tcp_state(b), TCP_ESTABLISHED);

    /* out of the window: ignored silently */
    inject(&sim, &ls, next + 0x40000000u, 0x04);
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(st->tcp_challenge_ack, chal + 1);
    assert_int_equal(net_tcp_state(b), TCP_ESTABLISHED);

    /* a SYN on a live connection: challenge ACK too (RFC 5961 4) */
    inject(&sim, &ls, next + 5, 0x02);
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(st->tcp_challenge_ack, chal + 2);
    assert_int_equal(net_tcp_state(b), TCP_ESTABLISHED);

    /* the exact sequence number resets */
    inject(&sim, &ls, next, 0x04);
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(net_tcp_state(b), TCP_CLOSED);
    char c;
    assert_int_equal(net_recv(b, &c, 1), ERR_CONN_RESET);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

static void test_listen_backlog(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 16, NULL);
    struct net_sock *ls, *c[4], *acc;
    assert_int_equal(net_socket(B(&sim), NET_SOCK_TCP, &ls), 0);
    assert_int_equal(net_bind(ls, 0, 80), 0);
    assert_int_equal(net_listen(ls, 2), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &c[i]), 0);
        assert_int_equal(net_connect(c[i], SIM_IP_B, 80), ERR_WOULD_BLOCK);
    }
    sim_advance(&sim, 500 * SIM_MS);
    int est = 0;
    for (int i = 0; i < 4; i++)
        est += net_tcp_state(c[i]) == TCP_ESTABLISHED;
    assert_int_equal(est, 2);
    assert_true(net_proto_stats(B(&sim))->tcp_listen_drop >= 2);
    assert_true(net_sock_poll(ls) & NET_EV_ACCEPT);
    /* making room lets the waiting clients in on their SYN retries */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(net_accept(ls, &acc), 0);
        net_close(acc);
    }
    assert_int_equal(net_accept(ls, &acc), ERR_WOULD_BLOCK);
    sim_advance(&sim, 10 * SIM_S);
    est = 0;
    for (int i = 0; i < 4; i++)
        est += net_tcp_state(c[i]) == TCP_ESTABLISHED || net_tcp_state(c[i]) == TCP_CLOSE_WAIT;
    assert_int_equal(est, 4);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(net_accept(ls, &acc), 0);
        net_close(acc);
    }
    for (int i = 0; i < 4; i++)
        net_close(c[i]);
    net_close(ls);
    sim_destroy(&sim);
}

struct probe_count {
    unsigned small;   /* segments A sent with no data */
};

static void tap_count(struct sim *sim, int from, const uint8_t *f, size_t len)
{
    struct probe_count *pc = sim->tap_ctx;
    size_t l4len;
    if (from != 0 || pkt_ethertype(f) != 0x0800 || pkt_ip_proto(f) != 6)
        return;
    const uint8_t *th = pkt_l4(f, len, &l4len);
    if (th && l4len == (size_t)(th[12] >> 4) * 4)
        pc->small++;
}

static void test_zero_window(void **state)
{
    (void)state;
    struct sim sim;
    struct probe_count pc = {0};
    sim_init(&sim, 17, NULL);
    struct net_sock *ls, *a, *b = NULL;
    assert_int_equal(net_socket(B(&sim), NET_SOCK_TCP, &ls), 0);
    assert_int_equal(net_sock_setopt(ls, NET_OPT_RCVBUF, 8192), 0);
    assert_int_equal(net_bind(ls, 0, 80), 0);
    assert_int_equal(net_listen(ls, 1), 0);
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    net_connect(a, SIM_IP_B, 80);
    sim_advance(&sim, SIM_S);
    assert_int_equal(net_accept(ls, &b), 0);

    static uint8_t data[100000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    int sent = net_send(a, data, sizeof data);
    assert_int_equal(sent, (int)sizeof data);
    sim_advance(&sim, 2 * SIM_S);
    struct net_sock_info info[2];
    net_sock_list(B(&sim), info, 2);
    /* B's buffer is full and the sender waits */
    assert_int_equal(net_sock_poll(b) & NET_EV_READABLE, NET_EV_READABLE);
    sim.tap = tap_count;
    sim.tap_ctx = &pc;
    sim_advance(&sim, 30 * SIM_S);
    assert_true(pc.small >= 3);   /* persist probes, backing off */
    assert_true(pc.small < 20);

    /* read while the link is down: the window update is lost... */
    uint8_t buf[8192];
    size_t got = 0;
    sim.link_down = true;
    int r = net_recv(b, buf, sizeof buf);
    assert_int_equal(r, 8192);
    assert_memory_equal(buf, data, 8192);
    got += 8192;
    sim_advance(&sim, 100 * SIM_MS);
    sim.link_down = false;
    /* ...and a probe finds the open window */
    uint64_t until = sim.now + 300 * SIM_S;
    while (got < sizeof data && sim.now < until) {
        sim_advance(&sim, 100 * SIM_MS);
        while ((r = net_recv(b, buf, sizeof buf)) > 0) {
            assert_memory_equal(buf, data + got, (size_t)r);
            got += (size_t)r;
        }
    }
    assert_int_equal(got, sizeof data);
    net_close(a);
    net_close(b);
    net_close(ls);
    sim_destroy(&sim);
}

static void test_keepalive(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 18, NULL);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    assert_int_equal(net_sock_setopt(a, NET_OPT_KEEPIDLE_MS, 1000), 0);
    assert_int_equal(net_sock_setopt(a, NET_OPT_KEEPINTVL_MS, 1000), 0);
    assert_int_equal(net_sock_setopt(a, NET_OPT_KEEPCNT, 3), 0);
    assert_int_equal(net_sock_setopt(a, NET_OPT_KEEPALIVE, 1), 0);
    uint64_t tx0 = sim.end[0].tx_frames;
    sim_advance(&sim, 20 * SIM_S);
    /* probes went out and were answered: still up */
    assert_true(sim.end[0].tx_frames - tx0 >= 10);
    assert_int_equal(net_tcp_state(a), TCP_ESTABLISHED);
    /* the peer vanishes: idle + 3 unanswered probes later, the socket fails */
    sim.link_down = true;
    sim_advance(&sim, 3 * SIM_S);
    assert_int_equal(net_tcp_state(a), TCP_ESTABLISHED);
    sim_advance(&sim, 3 * SIM_S);
    assert_int_equal(net_tcp_state(a), TCP_CLOSED);
    char c;
    assert_int_equal(net_recv(a, &c, 1), ERR_TIMED_OUT);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

static void test_time_wait(void **state)
{
    (void)state;
    struct net_config cfg;
    net_config_default(&cfg);
    cfg.tcp_time_wait_ns = 5 * SIM_S;
    struct sim sim;
    sim_init(&sim, 19, &cfg);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    net_close(a);   /* active close */
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(net_tcp_state(b), TCP_CLOSE_WAIT);
    char c;
    assert_int_equal(net_recv(b, &c, 1), ERR_CLOSED);
    net_close(b);
    sim_advance(&sim, 100 * SIM_MS);
    struct net_sock_info info[2];
    assert_int_equal(net_sock_list(A(&sim), info, 2), 1);
    assert_int_equal(info[0].state, TCP_TIME_WAIT);
    assert_int_equal(net_sock_list(B(&sim), info, 2), 0);   /* LAST_ACK done */
    sim_advance(&sim, 4 * SIM_S);
    assert_int_equal(net_sock_list(A(&sim), info, 2), 1);
    sim_advance(&sim, 2 * SIM_S);
    assert_int_equal(net_sock_list(A(&sim), info, 2), 0);
    sim_destroy(&sim);
}

static void test_time_wait_reopen(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 23, NULL);
    struct net_sock *ls, *a, *b;
    assert_int_equal(net_socket(B(&sim), NET_SOCK_TCP, &ls), 0);
    assert_int_equal(net_bind(ls, 0, 80), 0);
    assert_int_equal(net_listen(ls, 2), 0);
    for (int round = 0; round < 2; round++) {
        /* the client comes back from the same port each time */
        assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
        assert_int_equal(net_bind(a, 0, 40000), 0);
        assert_int_equal(net_connect(a, SIM_IP_B, 80), ERR_WOULD_BLOCK);
        sim_advance(&sim, 100 * SIM_MS);
        assert_int_equal(net_connect(a, SIM_IP_B, 80), 0);
        assert_int_equal(net_accept(ls, &b), 0);
        /* the server closes first and keeps TIME_WAIT */
        net_close(b);
        sim_advance(&sim, 100 * SIM_MS);
        net_close(a);
        sim_advance(&sim, 100 * SIM_MS);
        struct net_sock_info info[4];
        size_t n = net_sock_list(B(&sim), info, 4);
        assert_int_equal(n, 2);
        assert_true(info[0].state == TCP_TIME_WAIT || info[1].state == TCP_TIME_WAIT);
    }
    net_close(ls);
    sim_destroy(&sim);
}

static void test_arp_failure(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 20, NULL);
    struct net_sock *a;
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    assert_int_equal(net_connect(a, NET_IP4(10, 0, 0, 99), 80), ERR_WOULD_BLOCK);
    sim_advance(&sim, 2 * SIM_S);
    assert_int_equal(net_connect(a, NET_IP4(10, 0, 0, 99), 80), ERR_ALREADY);
    sim_advance(&sim, 3 * SIM_S);
    assert_int_equal(net_connect(a, NET_IP4(10, 0, 0, 99), 80), ERR_UNREACHABLE);
    net_close(a);
    /* and off-subnet without a gateway there is no route at all */
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    assert_int_equal(net_connect(a, NET_IP4(192, 168, 1, 1), 80), ERR_UNREACHABLE);
    net_close(a);
    struct net_arp_info arp[4];
    size_t n = net_arp_list(A(&sim), arp, 4);
    assert_int_equal(n, 1);
    assert_int_equal(arp[0].state, NET_ARP_FAILED);
    sim_destroy(&sim);
}

static void test_memory_limits(void **state)
{
    (void)state;
    struct net_config cfg;
    net_config_default(&cfg);
    cfg.mem_limit = 1u << 20;
    cfg.tcp_rcvbuf = cfg.tcp_sndbuf = 16384;
    struct sim sim;
    sim_init(&sim, 21, &cfg);
    size_t base_a = net_mem_used(A(&sim)), base_b = net_mem_used(B(&sim));
    struct net_sock *ls, *c[100];
    assert_int_equal(net_socket(B(&sim), NET_SOCK_TCP, &ls), 0);
    /* the server's connections cost more than the client's: it runs out first */
    assert_int_equal(net_sock_setopt(ls, NET_OPT_RCVBUF, 65536), 0);
    assert_int_equal(net_bind(ls, 0, 80), 0);
    assert_int_equal(net_listen(ls, 100), 0);
    int ok = 0, nomem = 0;
    for (int i = 0; i < 100; i++) {
        c[i] = NULL;
        int r = net_socket(A(&sim), NET_SOCK_TCP, &c[i]);
        if (r == 0)
            r = net_connect(c[i], SIM_IP_B, 80);
        if (r == ERR_WOULD_BLOCK) {
            ok++;
        } else {
            assert_true(r == ERR_NO_MEMORY || r == ERR_NO_SPACE);
            nomem++;
        }
        assert_true(net_mem_used(A(&sim)) <= cfg.mem_limit);
    }
    assert_true(ok > 10);
    assert_true(nomem > 0);
    sim_advance(&sim, 5 * SIM_S);
    assert_true(net_mem_used(B(&sim)) <= cfg.mem_limit);
    assert_true(net_proto_stats(B(&sim))->tcp_mem_drop > 0);
    struct net_sock *acc;
    while (net_accept(ls, &acc) == 0)
        net_close(acc);
    for (int i = 0; i < 100; i++)
        if (c[i])
            net_close(c[i]);
    net_close(ls);
    sim_advance(&sim, 300 * SIM_S);
    /* everything released, TIME_WAIT included */
    assert_int_equal(net_mem_used(A(&sim)), base_a);
    assert_int_equal(net_mem_used(B(&sim)), base_b);
    sim_destroy(&sim);
}

static void test_syn_flood(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 25, NULL);
    struct net_sock *ls;
    assert_int_equal(net_socket(B(&sim), NET_SOCK_TCP, &ls), 0);
    assert_int_equal(net_bind(ls, 0, 80), 0);
    assert_int_equal(net_listen(ls, 64), 0);
    size_t base = net_mem_used(B(&sim));
    /* 500 SYNs from a host that does not exist (spoofed) */
    for (int i = 0; i < 500; i++) {
        uint8_t f[100];
        struct tcp_fields t = {.sport = (uint16_t)(10000 + i), .dport = 80,
                               .seq = (uint32_t)i * 7919, .flags = 0x02, .wnd = 65535};
        size_t n = pkt_tcp(f, sim.end[1].mac, sim.end[0].mac, NET_IP4(10, 0, 0, 77), SIM_IP_B,
                           &t, NULL, 0);
        sim_send(&sim, 0, f, n);
    }
    sim_advance(&sim, 100 * SIM_MS);
    /* half-open connections cost no buffers: 64 blocks, not 64 x 512 KiB */
    assert_true(net_mem_used(B(&sim)) - base < 100000);
    assert_true(net_proto_stats(B(&sim))->tcp_listen_drop >= 436);
    /* a real client gets in once the bogus ones are gone (ARP fails) */
    struct net_sock *a, *b;
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    net_connect(a, SIM_IP_B, 80);
    sim_advance(&sim, 10 * SIM_S);
    assert_int_equal(net_tcp_state(a), TCP_ESTABLISHED);
    assert_int_equal(net_accept(ls, &b), 0);
    assert_int_equal(sim_transfer(&sim, a, b, 100000, sim.now + 10 * SIM_S), 100000);
    net_close(a);
    net_close(b);
    net_close(ls);
    sim_destroy(&sim);
}

static void test_events(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 24, NULL);
    struct net_sock *ls, *a, *b;
    assert_int_equal(net_socket(B(&sim), NET_SOCK_TCP, &ls), 0);
    assert_int_equal(net_bind(ls, 0, 80), 0);
    assert_int_equal(net_listen(ls, 1), 0);
    net_sock_set_user(ls, &sim);
    assert_ptr_equal(net_sock_user(ls), &sim);
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    assert_int_equal(net_sock_poll(a) & NET_EV_WRITABLE, 0);
    sim.end[0].events = sim.end[1].events = 0;
    net_connect(a, SIM_IP_B, 80);
    sim_advance(&sim, 100 * SIM_MS);
    /* connect completion: writable; a connection to accept */
    assert_true(sim.end[0].events & NET_EV_WRITABLE);
    assert_true(sim.end[1].events & NET_EV_ACCEPT);
    assert_true(net_sock_poll(ls) & NET_EV_ACCEPT);
    assert_int_equal(net_accept(ls, &b), 0);
    assert_int_equal(net_sock_poll(ls) & NET_EV_ACCEPT, 0);
    assert_int_equal(net_sock_poll(b) & NET_EV_READABLE, 0);
    sim.end[1].events = 0;
    assert_int_equal(net_send(a, "hi", 2), 2);
    sim_advance(&sim, 100 * SIM_MS);
    assert_true(sim.end[1].events & NET_EV_READABLE);
    assert_true(net_sock_poll(b) & NET_EV_READABLE);
    char buf[4];
    assert_int_equal(net_recv(b, buf, sizeof buf), 2);
    assert_int_equal(net_recv(b, buf, sizeof buf), ERR_WOULD_BLOCK);
    /* end of stream: readable + hangup */
    sim.end[1].events = 0;
    assert_int_equal(net_shutdown(a, NET_SHUT_WR), 0);
    sim_advance(&sim, 100 * SIM_MS);
    assert_true(sim.end[1].events & NET_EV_HUP);
    assert_true(net_sock_poll(b) & (NET_EV_READABLE | NET_EV_HUP));
    assert_int_equal(net_recv(b, buf, sizeof buf), ERR_CLOSED);
    /* b can still send after a's half-close */
    assert_int_equal(net_send(b, "ok", 2), 2);
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(net_recv(a, buf, sizeof buf), 2);
    /* after close no event reaches the (released) handle */
    net_close(b);
    sim.end[1].events = 0;
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(sim.end[1].events, 0);
    net_close(a);
    net_close(ls);
    sim_destroy(&sim);
}

static void test_loopback(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 22, NULL);
    struct net_sock *ls, *a, *b;
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &ls), 0);
    assert_int_equal(net_bind(ls, NET_IP4(127, 0, 0, 1), 7), 0);
    assert_int_equal(net_listen(ls, 1), 0);
    assert_int_equal(net_socket(A(&sim), NET_SOCK_TCP, &a), 0);
    /* the whole handshake runs inside the call */
    assert_int_equal(net_connect(a, NET_IP4(127, 0, 0, 1), 7), ERR_WOULD_BLOCK);
    assert_int_equal(net_connect(a, NET_IP4(127, 0, 0, 1), 7), 0);
    assert_int_equal(net_accept(ls, &b), 0);
    assert_int_equal(sim_transfer(&sim, a, b, 1 << 20, sim.now + 10 * SIM_S), 1 << 20);
    assert_int_equal(sim.end[0].tx_frames, 1);   /* only the gratuitous ARP */
    net_close(a);
    net_close(b);
    net_close(ls);
    sim_destroy(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simultaneous_open),
        cmocka_unit_test(test_simultaneous_close),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_abort_resets_peer),
        cmocka_unit_test(test_rst_rfc5961),
        cmocka_unit_test(test_listen_backlog),
        cmocka_unit_test(test_zero_window),
        cmocka_unit_test(test_keepalive),
        cmocka_unit_test(test_time_wait),
        cmocka_unit_test(test_time_wait_reopen),
        cmocka_unit_test(test_arp_failure),
        cmocka_unit_test(test_memory_limits),
        cmocka_unit_test(test_syn_flood),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
