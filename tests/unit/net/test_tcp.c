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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfect_link),
        cmocka_unit_test(test_loss_10),
        cmocka_unit_test(test_dup_reorder_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
