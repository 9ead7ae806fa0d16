/*
 * The retransmission timer after a timeout (RFC 6298): the backed-off RTO
 * must not outlive the loss that caused it.
 *
 * Observed from outside, on the simulated link: a tap drops exactly the
 * frames a test names and records when each data segment left, so a
 * test reads the RTO in force as the gap between a lost segment and its
 * retransmission.
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

#define MAX_SENDS 64

struct rto_tap {
    /* frames still to drop, by kind */
    unsigned drop_syn;          /* SYN without ACK (side 0's connect) */
    unsigned drop_synack;       /* SYN+ACK */
    unsigned drop_data[2];      /* segments carrying data, per sending side */
    /* every data segment sent: side, sequence number, time */
    int n;
    struct { int side; uint32_t seq; uint64_t at; } sent[MAX_SENDS];
};

static void rto_tap(struct sim *sim, int from, const uint8_t *f, size_t len)
{
    struct rto_tap *t = sim->tap_ctx;
    size_t l4len;
    sim->link_down = false;
    if (pkt_ethertype(f) != 0x0800 || pkt_ip_proto(f) != 6)
        return;
    const uint8_t *th = pkt_l4(f, len, &l4len);
    if (!th)
        return;
    uint8_t flags = th[13];
    size_t dlen = l4len - (size_t)(th[12] >> 4) * 4;
    unsigned *drop = NULL;
    if ((flags & 0x12) == 0x02)
        drop = &t->drop_syn;
    else if ((flags & 0x12) == 0x12)
        drop = &t->drop_synack;
    else if (dlen > 0)
        drop = &t->drop_data[from];
    if (dlen > 0 && t->n < MAX_SENDS) {
        t->sent[t->n].side = from;
        t->sent[t->n].seq = get32(th + 4);
        t->sent[t->n].at = sim->now;
        t->n++;
    }
    if (drop && *drop) {
        (*drop)--;
        sim->link_down = true;   /* sim_send drops this frame only */
    }
}

/* Times of the first two transmissions of the data segment at seq from side. */
static int sends_of(const struct rto_tap *t, int side, uint32_t seq, uint64_t at[], int max)
{
    int k = 0;
    for (int i = 0; i < t->n && k < max; i++)
        if (t->sent[i].side == side && t->sent[i].seq == seq)
            at[k++] = t->sent[i].at;
    return k;
}

struct unacked_ctx {
    struct net_stack *stack;
};

static bool all_acked(struct sim *sim, void *ctx)
{
    (void)sim;
    struct unacked_ctx *c = ctx;
    struct net_sock_info info[4];
    size_t n = net_sock_list(c->stack, info, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        if (info[i].type == NET_SOCK_TCP && info[i].state == TCP_ESTABLISHED && info[i].tx_queued)
            return false;
    return true;
}

struct sends_ctx {
    struct rto_tap *tap;
    int side, count;
};

static bool sent_enough(struct sim *sim, void *ctx)
{
    (void)sim;
    struct sends_ctx *c = ctx;
    int k = 0;
    for (int i = 0; i < c->tap->n; i++)
        k += c->tap->sent[i].side == c->side;
    return k >= c->count;
}

/* Sends a small message from side and returns the sequence number it got. */
static uint32_t send_small(struct sim *sim, struct rto_tap *t, int side, struct net_sock *s)
{
    static const char msg[100] = "one segment";
    int before = t->n;
    assert_int_equal(net_send(s, msg, sizeof msg), (int)sizeof msg);
    struct sends_ctx c = { t, side, 0 };
    for (int i = 0; i < t->n; i++)
        c.count += t->sent[i].side == side;
    if (t->n == before) {
        c.count++;
        sim_run(sim, sim->now + SIM_S, sent_enough, &c);
    }
    assert_true(t->n > before);
    return t->sent[t->n - 1].seq;
}

/* The gap between a lost segment and its retransmission, in ms. */
static uint64_t retransmit_gap_ms(struct sim *sim, struct rto_tap *t, int side,
                                  struct net_sock *s)
{
    t->drop_data[side] = 1;
    uint32_t seq = send_small(sim, t, side, s);
    struct sends_ctx c = { t, side, 0 };
    for (int i = 0; i < t->n; i++)
        c.count += t->sent[i].side == side;
    c.count++;
    sim_run(sim, sim->now + 30 * SIM_S, sent_enough, &c);
    uint64_t at[2];
    assert_int_equal(sends_of(t, side, seq, at, 2), 2);
    return (at[1] - at[0]) / SIM_MS;
}

/*
 * A segment lost five times in a row backs the RTO off to 32 times its
 * value. Once the path works again (the retransmission is acknowledged)
 * the next loss must be repaired after about the normal RTO again, not
 * after the backed-off one; and so after the next clean RTT sample.
 */
static void test_backoff_reset_after_recovery(void **state)
{
    (void)state;
    struct sim sim;
    struct rto_tap t = {0};
    sim_init(&sim, 61, NULL);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 5 * SIM_S), 0);
    static uint8_t data[20000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13);
    assert_int_equal(sim_transfer(&sim, a, b, sizeof data, sim.now + 10 * SIM_S), sizeof data);
    sim.tap = rto_tap;
    sim.tap_ctx = &t;

    /* the normal RTO on this 2 ms path: the 200 ms floor */
    uint64_t normal = retransmit_gap_ms(&sim, &t, 0, a);
    assert_true(normal >= 150 && normal <= 400);
    struct unacked_ctx ua = { sim.end[0].stack };
    assert_true(sim_run(&sim, sim.now + 5 * SIM_S, all_acked, &ua));

    /* five losses in a row: RTO doubles each time */
    t.drop_data[0] = 5;
    uint32_t seq = send_small(&sim, &t, 0, a);
    assert_true(sim_run(&sim, sim.now + 60 * SIM_S, all_acked, &ua));
    uint64_t at[6];
    assert_int_equal(sends_of(&t, 0, seq, at, 6), 6);
    assert_true(at[5] - at[4] >= 8 * (at[1] - at[0]));   /* it did back off */

    /* recovered: the very next loss (no RTT sample in between, Karn's
       rule forbids one from the retransmitted segment) */
    uint64_t after = retransmit_gap_ms(&sim, &t, 0, a);
    print_message("normal %llu ms, after recovery %llu ms\n", (unsigned long long)normal, (unsigned long long)after);
    assert_true(after <= 2 * normal);
    assert_true(sim_run(&sim, sim.now + 5 * SIM_S, all_acked, &ua));

    /* and after clean samples (the small messages read first) */
    uint8_t sink[512];
    sim_advance(&sim, SIM_S);
    int got = net_recv(b, sink, sizeof sink);
    assert_int_equal(got, 3 * 100);
    assert_int_equal(sim_transfer(&sim, a, b, sizeof data, sim.now + 10 * SIM_S), sizeof data);
    after = retransmit_gap_ms(&sim, &t, 0, a);
    print_message("normal %llu ms, after recovery %llu ms\n", (unsigned long long)normal, (unsigned long long)after);
    assert_true(after <= 2 * normal);

    net_close(a);
    net_close(b);
    sim_destroy(&sim);
}

static struct net_sock *established_child(struct sim *sim, struct net_sock *ls)
{
    struct net_sock *b = NULL;
    for (int i = 0; i < 100 && !b; i++) {
        if (net_accept(ls, &b) < 0)
            b = NULL;
        if (!b)
            sim_advance(sim, 100 * SIM_MS);
    }
    assert_non_null(b);
    return b;
}

/*
 * RFC 6298 5.7: when the SYN or the SYN+ACK timed out (so there is no RTT
 * sample, and the RTO was backed off from its 1 s initial value), data
 * transmission starts with an RTO of 3 s: neither the 1 s initial value
 * nor the 2 s it had backed off to. The side that lost its segment is the
 * one whose first data retransmission is timed.
 */
static void check_rto_after_lost_handshake(uint64_t seed, bool lose_synack)
{
    struct sim sim;
    struct rto_tap t = {0};
    sim_init(&sim, seed, NULL);
    sim.tap = rto_tap;
    sim.tap_ctx = &t;
    struct net_sock *ls, *a;
    assert_int_equal(net_socket(sim.end[1].stack, NET_SOCK_TCP, &ls), 0);
    assert_int_equal(net_bind(ls, 0, 80), 0);
    assert_int_equal(net_listen(ls, 4), 0);
    assert_int_equal(net_socket(sim.end[0].stack, NET_SOCK_TCP, &a), 0);
    if (lose_synack)
        t.drop_synack = 1;
    else
        t.drop_syn = 1;
    int r = net_connect(a, SIM_IP_B, 80);
    assert_true(r == 0 || r == ERR_WOULD_BLOCK);
    struct net_sock *b = established_child(&sim, ls);
    assert_int_equal(net_tcp_state(a), TCP_ESTABLISHED);
    assert_int_equal(t.drop_syn, 0);
    assert_int_equal(t.drop_synack, 0);

    uint64_t gap = lose_synack ? retransmit_gap_ms(&sim, &t, 1, b)
                               : retransmit_gap_ms(&sim, &t, 0, a);
    print_message("RTO after the handshake: %llu ms\n", (unsigned long long)gap);
    assert_true(gap >= 2900 && gap <= 3100);

    net_close(a);
    net_close(b);
    net_close(ls);
    sim_destroy(&sim);
}

static void test_syn_timeout_rto_3s(void **state)
{
    (void)state;
    check_rto_after_lost_handshake(62, false);
}

/* The same on the passive side, whose SYN+ACK timed out. */
static void test_synack_timeout_rto_3s(void **state)
{
    (void)state;
    check_rto_after_lost_handshake(63, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_reset_after_recovery),
        cmocka_unit_test(test_syn_timeout_rto_3s),
        cmocka_unit_test(test_synack_timeout_rto_3s),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
