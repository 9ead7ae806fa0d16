/*
 * Transmit backpressure: an interface whose driver ring is full refuses
 * frames (ERR_WOULD_BLOCK) and calls net_netif_tx_ready() when it has room
 * (sim.h, struct sim_txq). TCP must hold refused segments back and send
 * them then: over a perfect link the data arrives byte-exact with no
 * retransmission at all, no timeout, and every data segment on the wire
 * starts where the previous one ended (a refused segment counted as sent
 * would leave a hole the peer has to get repaired). UDP datagrams that find
 * no room are dropped and counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "pus/err.h"

/* What each side put on the wire: TCP data in sequence, or not. */
struct seq_tap {
    bool started[2];
    uint32_t next[2];
    unsigned holes[2], repeats[2];
    uint64_t data_segs[2];
};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void seq_tap(struct sim *sim, int from, const uint8_t *f, size_t len)
{
    struct seq_tap *t = sim->tap_ctx;
    if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 6)
        return;
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t tot = (size_t)ip[2] << 8 | ip[3];
    const uint8_t *th = ip + ihl;
    size_t thl = (size_t)(th[12] >> 4) * 4;
    if (tot < ihl + thl || (th[13] & 0x02))   /* SYNs are not data */
        return;
    uint32_t dlen = (uint32_t)(tot - ihl - thl) + ((th[13] & 0x01) ? 1 : 0);
    if (!dlen)
        return;
    uint32_t seq = rd32(th + 4);
    if (t->started[from] && seq != t->next[from]) {
        if ((int32_t)(seq - t->next[from]) > 0)
            t->holes[from]++;
        else
            t->repeats[from]++;
    }
    t->started[from] = true;
    t->next[from] = seq + dlen;
    t->data_segs[from]++;
}

static void assert_no_repairs(struct sim *sim)
{
    for (int i = 0; i < 2; i++) {
        const struct net_proto_stats *st = net_proto_stats(sim->end[i].stack);
        assert_int_equal(st->tcp_rto, 0);
        assert_int_equal(st->tcp_retrans, 0);
        assert_int_equal(st->tcp_fast_retrans, 0);
        assert_int_equal(sim->end[i].netif->stats.tx_dropped, 0);
        assert_int_equal(sim->end[i].netif->stats.tx_errors, 0);
        /* every refusal was seen by the stack */
        assert_int_equal(sim->end[i].netif->stats.tx_busy, sim->end[i].txq.refusals);
    }
}

/* Sender's view once everything is acknowledged: nothing queued, no timer. */
static void assert_idle(struct sim *sim, int side)
{
    struct net_sock_info info[4];
    size_t n = net_sock_list(sim->end[side].stack, info, 4);
    assert_true(n >= 1);
    for (size_t i = 0; i < n && i < 4; i++)
        assert_int_equal(info[i].tx_queued, 0);
}

static void close_and_drain(struct sim *sim, struct net_sock *a, struct net_sock *b)
{
    net_close(a);
    net_close(b);
    sim_advance(sim, 200 * SIM_S);
    struct net_sock_info info[4];
    assert_int_equal(net_sock_list(sim->end[0].stack, info, 4), 0);
    assert_int_equal(net_sock_list(sim->end[1].stack, info, 4), 0);
}

/*
 * Bulk transfers through small rings that drain at a fixed rate, with
 * outages: the sender's ring refuses everything for 300 ms of every
 * second (longer than the 200 ms minimum RTO), the receiver's (ACKs)
 * for 5 ms of every 50.
 */
static void test_bulk_through_full_ring(void **state)
{
    (void)state;
    struct sim sim;
    struct seq_tap tap = {0};
    sim_init(&sim, 11, NULL);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 10 * SIM_S), 0);
    sim.tap = seq_tap;
    sim.tap_ctx = &tap;
    sim.end[0].txq = (struct sim_txq){ .cap = 32, .gap_ns = 12000,
                                       .outage_every_ns = SIM_S, .outage_ns = 300 * SIM_MS };
    sim.end[1].txq = (struct sim_txq){ .cap = 8, .gap_ns = 12000,
                                       .outage_every_ns = 50 * SIM_MS, .outage_ns = 5 * SIM_MS };

    size_t len = 8u << 20;
    assert_int_equal(sim_transfer(&sim, a, b, len, sim.now + 600 * SIM_S), len);
    sim_advance(&sim, 100 * SIM_MS);
    assert_idle(&sim, 0);
    /* the rings were really full, and really let go again */
    assert_true(sim.end[0].txq.refusals > 100);
    assert_true(sim.end[0].txq.ready_calls > 10);
    assert_true(sim.end[1].txq.refusals > 0);
    assert_int_equal(sim.end[0].txq.max_used, 32);
    assert_true(net_proto_stats(sim.end[0].stack)->tcp_tx_busy > 0);
    assert_no_repairs(&sim);
    assert_int_equal(tap.holes[0] + tap.repeats[0], 0);

    /* the other way: end 1 hands whole frames to tx (no tx_sg) */
    sim.end[1].txq.outage_every_ns = SIM_S;
    sim.end[1].txq.outage_ns = 300 * SIM_MS;
    sim.end[1].txq.cap = 16;
    uint64_t refused_before = sim.end[1].txq.refusals;
    assert_int_equal(sim_transfer(&sim, b, a, len / 4, sim.now + 600 * SIM_S), len / 4);
    sim_advance(&sim, 100 * SIM_MS);
    assert_idle(&sim, 1);
    assert_true(sim.end[1].txq.refusals > refused_before + 100);
    assert_no_repairs(&sim);
    assert_int_equal(tap.holes[1] + tap.repeats[1], 0);

    close_and_drain(&sim, a, b);
    sim_destroy(&sim);
}

/* Both directions at once, with 3% loss: refusals and real repairs mixed. */
static void test_two_way_lossy(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 12, NULL);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 10 * SIM_S), 0);
    sim.end[0].txq = (struct sim_txq){ .cap = 12, .gap_ns = 20000,
                                       .outage_every_ns = 700 * SIM_MS, .outage_ns = 50 * SIM_MS };
    sim.end[1].txq = (struct sim_txq){ .cap = 12, .gap_ns = 20000,
                                       .outage_every_ns = 300 * SIM_MS, .outage_ns = 20 * SIM_MS };
    sim.loss_pct = 3;
    size_t len = 2u << 20;
    assert_int_equal(sim_transfer(&sim, a, b, len, sim.now + 3600 * SIM_S), len);
    assert_int_equal(sim_transfer(&sim, b, a, len, sim.now + 3600 * SIM_S), len);
    assert_true(sim.end[0].txq.refusals > 0 && sim.end[1].txq.refusals > 0);
    sim.loss_pct = 0;
    close_and_drain(&sim, a, b);
    sim_destroy(&sim);
}

/*
 * A SYN and a SYN-ACK the rings refuse go out as soon as there is room,
 * not after the 1 s initial RTO.
 */
static void test_handshake_through_outage(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 13, NULL);
    /* ARP first: a refused ARP request is simply lost (and retried 1 s
       later), which is not what this test is about */
    struct net_sock *u, *v;
    uint8_t buf[16] = {0};
    assert_int_equal(net_socket(sim.end[0].stack, NET_SOCK_UDP, &u), 0);
    assert_int_equal(net_socket(sim.end[1].stack, NET_SOCK_UDP, &v), 0);
    assert_int_equal(net_sendto(u, buf, sizeof buf, SIM_IP_B, 9), (int)sizeof buf);
    assert_int_equal(net_sendto(v, buf, sizeof buf, SIM_IP_A, 9), (int)sizeof buf);
    net_close(u);
    net_close(v);
    /* then on to a whole 10 s, where both ends' outages start; end 1's
       lasts past end 0's, so the SYN-ACK is refused too */
    sim_advance(&sim, 10 * SIM_S - sim.now % (10 * SIM_S));
    sim.end[0].txq = (struct sim_txq){ .cap = 8, .gap_ns = 12000,
                                       .outage_every_ns = 10 * SIM_S, .outage_ns = 300 * SIM_MS };
    sim.end[1].txq = (struct sim_txq){ .cap = 8, .gap_ns = 12000,
                                       .outage_every_ns = 10 * SIM_S, .outage_ns = 600 * SIM_MS };
    uint64_t t0 = sim.now;
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 10 * SIM_S), 0);
    assert_true(sim.now - t0 < 700 * SIM_MS);
    assert_true(sim.end[0].txq.refusals > 0 && sim.end[1].txq.refusals > 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(net_proto_stats(sim.end[i].stack)->tcp_rto, 0);
    assert_int_equal(sim_transfer(&sim, a, b, 100000, sim.now + 10 * SIM_S), 100000);
    assert_no_repairs(&sim);
    close_and_drain(&sim, a, b);
    sim_destroy(&sim);
}

/* UDP has datagram semantics: no room means dropped, and counted. */
static void test_udp_dropped_and_counted(void **state)
{
    (void)state;
    struct sim sim;
    sim_init(&sim, 14, NULL);
    struct net_sock *u, *v;
    assert_int_equal(net_socket(sim.end[0].stack, NET_SOCK_UDP, &u), 0);
    assert_int_equal(net_socket(sim.end[1].stack, NET_SOCK_UDP, &v), 0);
    assert_int_equal(net_bind(v, 0, 9), 0);
    uint8_t buf[1000] = {0};
    /* resolve the neighbour first, with the ring out of the way */
    assert_int_equal(net_sendto(u, buf, 100, SIM_IP_B, 9), 100);
    sim_advance(&sim, 100 * SIM_MS);
    assert_int_equal(net_recvfrom(v, buf, sizeof buf, NULL, NULL), 100);

    sim.end[0].txq = (struct sim_txq){ .cap = 4, .gap_ns = SIM_MS };
    for (int i = 0; i < 10; i++)
        assert_int_equal(net_sendto(u, buf, sizeof buf, SIM_IP_B, 9), (int)sizeof buf);
    const struct net_if_stats *st = &sim.end[0].netif->stats;
    assert_int_equal(sim.end[0].txq.refusals, 6);
    assert_int_equal(st->tx_busy, 6);
    assert_int_equal(st->tx_dropped, 6);
    assert_int_equal(st->tx_errors, 0);
    sim_advance(&sim, 100 * SIM_MS);
    int got = 0;
    while (net_recvfrom(v, buf, sizeof buf, NULL, NULL) == (int)sizeof buf)
        got++;
    assert_int_equal(got, 4);
    net_close(u);
    net_close(v);
    sim_destroy(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bulk_through_full_ring),
        cmocka_unit_test(test_two_way_lossy),
        cmocka_unit_test(test_handshake_through_outage),
        cmocka_unit_test(test_udp_dropped_and_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
