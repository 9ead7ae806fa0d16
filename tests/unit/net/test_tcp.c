/*
 * TCP between two stacks over the simulated link: transfers under loss,
 * duplication, reordering and corruption; handshakes, closes and resets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "pus/err.h"

static size_t mib(size_t n) { return n << 20; }

static void transfer_case(uint64_t seed, unsigned loss, unsigned dup, unsigned reorder,
                          unsigned corrupt, size_t len)
{
    struct sim sim;
    sim_init(&sim, seed, NULL);
    struct net_sock *a, *b;
    assert_int_equal(sim_connect_pair(&sim, 80, &a, &b, sim.now + 10 * SIM_S), 0);
    sim.loss_pct = loss;
    sim.dup_pct = dup;
    sim.reorder_pct = reorder;
    sim.jitter_ns = 5 * SIM_MS;
    sim.corrupt_pct = corrupt;
    size_t got = sim_transfer(&sim, a, b, len, sim.now + 3600 * SIM_S);
    assert_int_equal(got, len);
    const struct net_proto_stats *st = net_proto_stats(sim.end[0].stack);
    if (loss >= 10)   /* NewReno did its share of the repairs */
        assert_true(st->tcp_fast_retrans > 0 && st->tcp_retrans > st->tcp_rto);
    /* and back the other way */
    got = sim_transfer(&sim, b, a, len / 4, sim.now + 3600 * SIM_S);
    assert_int_equal(got, len / 4);
    net_close(a);
    net_close(b);
    sim.loss_pct = sim.dup_pct = sim.corrupt_pct = 0;
    sim_advance(&sim, 200 * SIM_S);
    struct net_sock_info info[4];
    assert_int_equal(net_sock_list(sim.end[0].stack, info, 4), 0);
    assert_int_equal(net_sock_list(sim.end[1].stack, info, 4), 0);
    sim_destroy(&sim);
}

static void test_perfect_link(void **state)
{
    (void)state;
    transfer_case(1, 0, 0, 0, 0, mib(4));
}

static void test_loss_10(void **state)
{
    (void)state;
    transfer_case(2, 10, 0, 0, 0, mib(4));
    transfer_case(3, 10, 0, 0, 0, mib(2));
}

static void test_dup_reorder_corrupt(void **state)
{
    (void)state;
    transfer_case(4, 0, 10, 0, 0, mib(2));
    transfer_case(5, 0, 0, 30, 0, mib(2));
    transfer_case(6, 0, 0, 0, 5, mib(2));
    transfer_case(7, 5, 5, 20, 3, mib(3));
}

/* Several connections at once, both ways, over a bad link. */
struct multi {
    struct net_sock *tx[8], *rx[8];
    size_t sent[8], got[8], len;
    int n;
    bool bad;
};

static uint8_t mpattern(int c, size_t i)
{
    return (uint8_t)(i * 7 + (size_t)c * 31 + (i >> 11));
}

static bool multi_step(struct sim *sim, void *ctx)
{
    (void)sim;
    struct multi *m = ctx;
    uint8_t buf[8192];
    bool done = true;
    for (int c = 0; c < m->n; c++) {
        while (m->sent[c] < m->len) {
            size_t n = m->len - m->sent[c] < sizeof buf ? m->len - m->sent[c] : sizeof buf;
            for (size_t i = 0; i < n; i++)
                buf[i] = mpattern(c, m->sent[c] + i);
            int r = net_send(m->tx[c], buf, n);
            if (r <= 0)
                break;
            m->sent[c] += (size_t)r;
        }
        int r;
        while ((r = net_recv(m->rx[c], buf, sizeof buf)) > 0) {
            for (int i = 0; i < r; i++)
                if (buf[i] != mpattern(c, m->got[c] + (size_t)i))
                    m->bad = true;
            m->got[c] += (size_t)r;
        }
        done = done && m->got[c] == m->len;
    }
    return m->bad || done;
}

static void test_concurrent_lossy(void **state)
{
    (void)state;
    struct net_config cfg;
    net_config_default(&cfg);
    cfg.tcp_rcvbuf = cfg.tcp_sndbuf = 64 << 10;
    struct sim sim;
    sim_init(&sim, 8, &cfg);
    size_t base[2] = {net_mem_used(sim.end[0].stack), net_mem_used(sim.end[1].stack)};
    static struct multi m;
    memset(&m, 0, sizeof m);
    m.n = 8;
    m.len = 512 << 10;
    for (int c = 0; c < m.n; c++) {
        struct net_sock *a, *b;
        assert_int_equal(sim_connect_pair(&sim, (uint16_t)(100 + c), &a, &b,
                                          sim.now + 10 * SIM_S), 0);
        /* half the streams go each way */
        m.tx[c] = c & 1 ? b : a;
        m.rx[c] = c & 1 ? a : b;
    }
    sim.loss_pct = 5;
    sim.dup_pct = 2;
    sim.reorder_pct = 10;
    sim.jitter_ns = 3 * SIM_MS;
    sim.corrupt_pct = 1;
    assert_true(sim_run(&sim, sim.now + 3600 * SIM_S, multi_step, &m));
    assert_false(m.bad);
    for (int c = 0; c < m.n; c++) {
        net_close(m.tx[c]);
        net_close(m.rx[c]);
    }
    sim.loss_pct = sim.dup_pct = sim.corrupt_pct = sim.reorder_pct = 0;
    sim_advance(&sim, 300 * SIM_S);
    assert_int_equal(net_mem_used(sim.end[0].stack), base[0]);
    assert_int_equal(net_mem_used(sim.end[1].stack), base[1]);
    sim_destroy(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfect_link),
        cmocka_unit_test(test_loss_10),
        cmocka_unit_test(test_dup_reorder_corrupt),
        cmocka_unit_test(test_concurrent_lossy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
