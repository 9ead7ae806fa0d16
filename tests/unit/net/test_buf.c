/*
 * The TCP byte rings and the out-of-order range map, against simple models:
 * wrap-around copies, and every way a new range can meet the old ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/tcp_priv.h"

static void test_ring_wraps(void **state)
{
    (void)state;
    uint8_t mem[10], out[10];
    struct ring r = {.buf = mem, .cap = 10};
    assert_int_equal(ring_append(&r, "abcdefg", 7), 7);
    ring_consume(&r, 5);                 /* head at 5, "fg" left */
    assert_int_equal(ring_append(&r, "hijklmnopq", 10), 8);   /* only 8 fit */
    assert_int_equal(r.len, 10);
    ring_peek(&r, 0, out, 10);
    assert_memory_equal(out, "fghijklmno", 10);
    ring_peek(&r, 3, out, 5);
    assert_memory_equal(out, "ijklm", 5);
    ring_consume(&r, 9);
    assert_int_equal(r.len, 1);
    /* writing ahead of the data (out-of-order), across the wrap */
    ring_put_at(&r, 4, "XYZ", 3);
    ring_peek(&r, 4, out, 3);
    assert_memory_equal(out, "XYZ", 3);
}

static void check(const struct tcp_pcb *tp, const uint32_t *want, int n)
{
    assert_int_equal(tp->n_ooo, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(tp->ooo[i].start, want[2 * i]);
        assert_int_equal(tp->ooo[i].end, want[2 * i + 1]);
    }
}

static void test_ooo_merges(void **state)
{
    (void)state;
    struct tcp_pcb tp;
    memset(&tp, 0, sizeof tp);
    tp.rcv_nxt = 1000;
    assert_true(ooo_add(&tp, 2000, 2100));
    assert_true(ooo_add(&tp, 1500, 1600));           /* before */
    assert_true(ooo_add(&tp, 3000, 3100));           /* after */
    check(&tp, (uint32_t[]){1500, 1600, 2000, 2100, 3000, 3100}, 3);
    assert_true(ooo_add(&tp, 1600, 1700));           /* touches the end of one */
    check(&tp, (uint32_t[]){1500, 1700, 2000, 2100, 3000, 3100}, 3);
    assert_true(ooo_add(&tp, 1900, 2000));           /* touches the start */
    check(&tp, (uint32_t[]){1500, 1700, 1900, 2100, 3000, 3100}, 3);
    assert_true(ooo_add(&tp, 2050, 2080));           /* inside */
    check(&tp, (uint32_t[]){1500, 1700, 1900, 2100, 3000, 3100}, 3);
    assert_true(ooo_add(&tp, 1650, 3050));           /* bridges all three */
    check(&tp, (uint32_t[]){1500, 3100}, 1);
    /* the hole fills: everything becomes in-order */
    tp.rcv_nxt = 1500;
    assert_int_equal(ooo_advance(&tp), 1600);
    assert_int_equal(tp.rcv_nxt, 3100);
    assert_int_equal(tp.n_ooo, 0);
}

static void test_ooo_full_and_wrap(void **state)
{
    (void)state;
    struct tcp_pcb tp;
    memset(&tp, 0, sizeof tp);
    tp.rcv_nxt = 0xfffffff0u;   /* sequence numbers wrap past 2^32 */
    for (int i = 0; i < TCP_OOO_MAX; i++) {
        uint32_t s = 0xfffffff0u + 100 + (uint32_t)i * 100;
        assert_true(ooo_add(&tp, s, s + 10));
    }
    assert_false(ooo_add(&tp, 0xfffffff0u + 5000, 0xfffffff0u + 5010));   /* full */
    assert_true(ooo_add(&tp, 0xfffffff0u + 105, 0xfffffff0u + 200));     /* merge is fine */
    assert_int_equal(tp.n_ooo, TCP_OOO_MAX - 1);
    tp.rcv_nxt = 0xfffffff0u + 100;
    assert_int_equal(ooo_advance(&tp), 110);
    assert_int_equal(tp.rcv_nxt, 0xfffffff0u + 210);
}

/* Random ranges against a bitmap model. */
static void test_ooo_model(void **state)
{
    (void)state;
    uint32_t x = 99;
    for (int round = 0; round < 200; round++) {
        struct tcp_pcb tp;
        memset(&tp, 0, sizeof tp);
        uint8_t have[2000] = {0};
        tp.rcv_nxt = 0;
        for (int k = 0; k < 30; k++) {
            x = x * 1103515245u + 12345u;
            uint32_t s = 1 + (x >> 8) % 1900, l = 1 + (x >> 20) % 60;
            if (s + l > 2000)
                l = 2000 - s;
            if (ooo_add(&tp, s, s + l))
                memset(have + s, 1, l);
        }
        /* the ranges are sorted, disjoint, not touching, and match the model */
        uint8_t seen[2000] = {0};
        for (int i = 0; i < tp.n_ooo; i++) {
            if (i)
                assert_true(tp.ooo[i - 1].end < tp.ooo[i].start);
            memset(seen + tp.ooo[i].start, 1, tp.ooo[i].end - tp.ooo[i].start);
        }
        assert_memory_equal(seen, have, sizeof have);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_wraps),
        cmocka_unit_test(test_ooo_merges),
        cmocka_unit_test(test_ooo_full_and_wrap),
        cmocka_unit_test(test_ooo_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
