/*
 * TCP options and timers seen on the wire: MSS and window scale
 * negotiation (RFC 7323), Nagle, delayed ACKs, retransmission timing
 * (RFC 6298), fast retransmit (RFC 5681).
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

/* TCP segments seen on the link, with time and direction. */
#define LOG_MAX 4096
static struct seglog {
    size_t n;
    struct {
        uint64_t t;
        int from;
        uint8_t flags;
        uint32_t seq, ack;
        uint16_t wnd;
        size_t dlen;
        int mss, ws;   /* options, -1 if absent */
        bool sack_ok;
        int sack_blocks;
    } e[LOG_MAX];
} lg;

static void tap(struct sim *sim, int from, const uint8_t *f, size_t len)
{
    size_t l4len;
    if (pkt_ethertype(f) != 0x0800 || pkt_ip_proto(f) != 6 || lg.n >= LOG_MAX)
        return;
    const uint8_t *th = pkt_l4(f, len, &l4len);
    if (!th)
        return;
    size_t doff = (size_t)(th[12] >> 4) * 4;
    __typeof__(lg.e[0]) *e = &lg.e[lg.n++];
    e->t = sim->now;
    e->from = from;
    e->flags = th[13];
    e->seq = get32(th + 4);
    e->ack = get32(th + 8);
    e->wnd = get16(th + 14);
    e->dlen = l4len - doff;
    e->mss = e->ws = -1;
    e->sack_ok = false;
    e->sack_blocks = 0;
    for (size_t i = 20; i < doff;) {
        if (th[i] == 0)
            break;
        if (th[i] == 1) {
            i++;
            continue;
        }
        if (th[i] == 2)
            e->mss = get16(th + i + 2);
        if (th[i] == 3)
            e->ws = th[i + 2];
        if (th[i] == 4)
            e->sack_ok = true;
        if (th[i] == 5)
            e->sack_blocks = (th[i + 1] - 2) / 8;
        i += th[i + 1];
    }
}

static void start(struct sim *sim, uint64_t seed)
{
    memset(&lg, 0, sizeof lg);
    sim_init(sim, seed, NULL);
    sim->tap = tap;
}

static void test_mss_and_window_scale(void **state)
{
    (void)state;
    struct sim sim;
    start(&sim, 61);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    /* SYN and SYN-ACK both carry MSS 1460 and a window scale of 3 (256 KiB) */
    assert_int_equal(lg.e[0].flags & 0x12, 0x02);
    assert_int_equal(lg.e[0].mss, 1460);
    assert_int_equal(lg.e[0].ws, 3);
    assert_int_equal(lg.e[1].flags & 0x12, 0x12);
    assert_int_equal(lg.e[1].mss, 1460);
    assert_int_equal(lg.e[1].ws, 3);
    assert_int_equal(lg.e[2].ws, -1);   /* options only on SYNs */
    assert_true(lg.e[0].sack_ok && lg.e[1].sack_ok);
    /* the receiver offers more than 64 KiB once scaled */
    size_t n0 = lg.n;
    assert_int_equal(sim_transfer(&sim, a, b, 1 << 20, sim.now + 10 * SIM_S), 1 << 20);
    uint32_t maxwin = 0;
    size_t maxdata = 0;
    for (size_t i = n0; i < lg.n; i++) {
        if (lg.e[i].from == 1 && (uint32_t)lg.e[i].wnd << 3 > maxwin)
            maxwin = (uint32_t)lg.e[i].wnd << 3;
        if (lg.e[i].from == 0 && lg.e[i].dlen > maxdata)
            maxdata = lg.e[i].dlen;
    }
    assert_true(maxwin > 200000);
    assert_int_equal(maxdata, 1460);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

/* A peer that offers neither window scaling nor an MSS. */
static struct {
    uint32_t seq, ack;
    int ws, mss;
    size_t maxdata;
    uint16_t lport;
} raw;

static void raw_peer(struct sim *sim, int side, const uint8_t *f, size_t len)
{
    (void)side;
    if (pkt_ethertype(f) == 0x0806 && get16(f + 20) == 1) {
        uint8_t out[64];
        static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
        size_t n = pkt_arp(out, 2, mac, get32(f + 38), f + 22, get32(f + 28));
        sim_send(sim, 1, out, n);
        return;
    }
    tap(sim, 0, f, len);
    size_t l4len;
    if (pkt_ethertype(f) != 0x0800 || pkt_ip_proto(f) != 6)
        return;
    const uint8_t *th = pkt_l4(f, len, &l4len);
    size_t dlen = l4len - (size_t)(th[12] >> 4) * 4;
    if (dlen > raw.maxdata)
        raw.maxdata = dlen;
    struct tcp_fields t = {.sport = 80, .dport = get16(th), .wnd = 65535};
    if (th[13] & 0x02) {
        raw.ws = lg.e[lg.n - 1].ws;
        raw.mss = lg.e[lg.n - 1].mss;
        raw.seq = 7000;
        raw.ack = get32(th + 4) + 1;
        t.flags = 0x12;
        t.seq = raw.seq++;
    } else if (dlen) {
        raw.ack = get32(th + 4) + (uint32_t)dlen;
        t.flags = 0x10;
        t.seq = raw.seq;
    } else {
        return;
    }
    t.ack = raw.ack;
    uint8_t out[1514];
    size_t n = pkt_tcp(out, f + 6, sim->end[1].mac, pkt_ip_dst(f), pkt_ip_src(f), &t, NULL, 0);
    sim_send(sim, 1, out, n);
}

static void test_peer_without_options(void **state)
{
    (void)state;
    struct sim sim;
    memset(&lg, 0, sizeof lg);
    memset(&raw, 0, sizeof raw);
    sim_init_peer(&sim, 62, NULL, raw_peer);
    net_netif_set_addr(sim.end[0].netif, SIM_IP_A, 24, 0, 0);
    struct net_sock *a;
    assert_int_equal(net_socket(sim.end[0].stack, NET_SOCK_TCP, &a), 0);
    assert_int_equal(net_connect(a, SIM_IP_B, 80), ERR_WOULD_BLOCK);
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(net_tcp_state(a), TCP_ESTABLISHED);
    static char data[5000];
    assert_int_equal(net_send(a, data, sizeof data), (int)sizeof data);
    sim_advance(&sim, SIM_S);
    /* no MSS option from the peer: RFC 9293 default of 536 bytes */
    assert_int_equal(raw.maxdata, 536);
    /* and without its window scale option ours is off too: the window
       field of our segments is the real window, capped at 65535 (scaled
       by 3 it would read 32768) */
    assert_int_equal(raw.ws, 3);   /* we did offer it in our SYN */
    size_t checked = 0;
    for (size_t i = 1; i < lg.n; i++)
        if (lg.e[i].from == 0 && !(lg.e[i].flags & 0x02)) {
            assert_int_equal(lg.e[i].wnd, 65535);
            checked++;
        }
    assert_true(checked >= 2);
    net_close(a);
    sim_destroy(&sim);
}

static void test_sack_blocks(void **state)
{
    (void)state;
    struct sim sim;
    start(&sim, 66);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    sim.loss_pct = 5;
    assert_int_equal(sim_transfer(&sim, a, b, 1 << 20, sim.now + 600 * SIM_S), 1 << 20);
    /* B reported what it held beyond the holes (RFC 2018), never on data */
    size_t with_sack = 0;
    for (size_t i = 0; i < lg.n; i++) {
        if (lg.e[i].from == 1 && lg.e[i].sack_blocks) {
            with_sack++;
            assert_int_equal(lg.e[i].dlen, 0);
            assert_true(lg.e[i].sack_blocks <= 4);
        }
        assert_int_equal(lg.e[i].from == 0 ? lg.e[i].sack_blocks : 0, 0);
    }
    assert_true(with_sack > 10);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

static size_t data_segments(int from, size_t start)
{
    size_t n = 0;
    for (size_t i = start; i < lg.n; i++)
        n += lg.e[i].from == from && lg.e[i].dlen > 0;
    return n;
}

static void test_nagle(void **state)
{
    (void)state;
    struct sim sim;
    start(&sim, 63);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    sim_advance(&sim, SIM_S);
    /* ten small writes at once: one goes, the rest wait for its ACK */
    size_t n0 = lg.n;
    for (int i = 0; i < 10; i++)
        assert_int_equal(net_send(a, "0123456789", 10), 10);
    sim_advance(&sim, SIM_S);
    assert_int_equal(data_segments(0, n0), 2);
    char buf[200];
    assert_int_equal(net_recv(b, buf, sizeof buf), 100);
    /* with NODELAY each write is a segment */
    assert_int_equal(net_sock_setopt(a, NET_OPT_NODELAY, 1), 0);
    n0 = lg.n;
    for (int i = 0; i < 10; i++)
        assert_int_equal(net_send(a, "0123456789", 10), 10);
    sim_advance(&sim, SIM_S);
    assert_int_equal(data_segments(0, n0), 10);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

static void test_delayed_ack(void **state)
{
    (void)state;
    struct sim sim;
    start(&sim, 64);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    sim_advance(&sim, SIM_S);
    /* one segment: B waits the delayed-ACK time (40 ms) before acking */
    size_t n0 = lg.n;
    uint64_t t0 = sim.now;
    assert_int_equal(net_send(a, "x", 1), 1);
    sim_advance(&sim, SIM_S);
    size_t i = n0;
    while (i < lg.n && !(lg.e[i].from == 1 && (lg.e[i].flags & 0x10)))
        i++;
    assert_true(i < lg.n);
    assert_true(lg.e[i].t - t0 >= 40 * SIM_MS);
    assert_true(lg.e[i].t - t0 < 45 * SIM_MS);
    /* two full segments: acked at once */
    static char data[2920];
    n0 = lg.n;
    t0 = sim.now;
    assert_int_equal(net_send(a, data, sizeof data), (int)sizeof data);
    sim_advance(&sim, SIM_S);
    i = n0;
    while (i < lg.n && !(lg.e[i].from == 1 && (lg.e[i].flags & 0x10)))
        i++;
    assert_true(i < lg.n);
    assert_true(lg.e[i].t - t0 < 5 * SIM_MS);
    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

/* Sends one UDP datagram from A to B so that A knows B's MAC. */
static int net_sendto_dummy_prime(struct sim *sim)
{
    struct net_sock *u;
    int r = net_socket(sim->end[0].stack, NET_SOCK_UDP, &u);
    if (r == 0)
        r = net_sendto(u, "x", 1, SIM_IP_B, 9) == 1 ? 0 : -1;
    sim_advance(sim, 100 * SIM_MS);
    net_close(u);
    return r;
}

static void test_retransmission_timer(void **state)
{
    (void)state;
    struct sim sim;
    start(&sim, 65);
    /* SYN: initial RTO 1 s, doubling (RFC 6298 2.1, 5.5) */
    struct net_sock *a;
    assert_int_equal(net_socket(sim.end[0].stack, NET_SOCK_TCP, &a), 0);
    /* resolve B first so only SYNs are on the wire */
    assert_int_equal(net_sendto_dummy_prime(&sim), 0);
    sim.link_down = true;
    lg.n = 0;
    uint64_t t0 = sim.now;
    assert_int_equal(net_connect(a, SIM_IP_B, 80), ERR_WOULD_BLOCK);
    sim_advance(&sim, 8 * SIM_S);
    assert_true(lg.n >= 4);
    uint64_t gaps[3] = {lg.e[1].t - lg.e[0].t, lg.e[2].t - lg.e[1].t, lg.e[3].t - lg.e[2].t};
    assert_true(lg.e[0].t == t0);
    assert_int_equal(gaps[0], 1 * SIM_S);
    assert_int_equal(gaps[1], 2 * SIM_S);
    assert_int_equal(gaps[2], 4 * SIM_S);
    net_close(a);
    sim_destroy(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mss_and_window_scale),
        cmocka_unit_test(test_peer_without_options),
        cmocka_unit_test(test_sack_blocks),
        cmocka_unit_test(test_nagle),
        cmocka_unit_test(test_delayed_ack),
        cmocka_unit_test(test_retransmission_timer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
