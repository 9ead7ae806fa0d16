/*
 * lib/util: status names, the SPSC byte ring (including a two-thread
 * stress test on the host) and the boot argument parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "pus/err.h"
#include "util/options.h"
#include "util/ring.h"

/* ---- err_str ------------------------------------------------------------ */

static void test_err_str(void **state)
{
    assert_string_equal(err_str(0), "ok");
    assert_string_equal(err_str(5), "ok");
    assert_string_equal(err_str(ERR_NO_MEMORY), "out of memory");
    assert_string_equal(err_str(ERR_NOT_FOUND), "not found");
    assert_string_equal(err_str(ERR_LAST - 1), "unknown error");
    assert_string_equal(err_str(INT_MIN), "unknown error");
    /* every code up to ERR_LAST has its own name */
    for (int e = ERR_GENERIC; e >= ERR_LAST; e--) {
        assert_string_not_equal(err_str(e), "unknown error");
        for (int f = e - 1; f >= ERR_LAST; f--)
            assert_string_not_equal(err_str(e), err_str(f));
    }
}

/* ---- ring ---------------------------------------------------------------- */

static void test_ring_basic(void **state)
{
    struct ring r;
    uint8_t buf[8], out[16];
    assert_int_equal(ring_init(&r, buf, 6), ERR_INVALID_ARGS);
    assert_int_equal(ring_init(&r, buf, 0), ERR_INVALID_ARGS);
    assert_int_equal(ring_init(&r, NULL, 8), ERR_INVALID_ARGS);
    assert_int_equal(ring_init(&r, buf, 8), 0);
    assert_int_equal(ring_used(&r), 0);
    assert_int_equal(ring_space(&r), 8);
    assert_int_equal(ring_get(&r, out, 4), 0);
    assert_int_equal(ring_put(&r, "abcde", 5), 5);
    assert_int_equal(ring_put(&r, "fghij", 5), 3); /* full */
    assert_int_equal(ring_space(&r), 0);
    assert_int_equal(ring_put(&r, "x", 1), 0);
    assert_int_equal(ring_get(&r, out, 3), 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(ring_put(&r, "klm", 3), 3); /* wraps */
    assert_int_equal(ring_used(&r), 8);
    assert_int_equal(ring_get(&r, out, 16), 8);
    assert_memory_equal(out, "defghklm", 8);
    assert_int_equal(ring_used(&r), 0);
    assert_int_equal(ring_put(&r, NULL, 0), 0);
    assert_int_equal(ring_get(&r, NULL, 0), 0);
}

/* Indices that wrap around SIZE_MAX keep working. */
static void test_ring_index_wrap(void **state)
{
    struct ring r;
    uint8_t buf[16], out[16];
    assert_int_equal(ring_init(&r, buf, 16), 0);
    r.head = r.tail = SIZE_MAX - 5;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(ring_put(&r, "0123456789", 10), 10);
        assert_int_equal(ring_used(&r), 10);
        assert_int_equal(ring_get(&r, out, 16), 10);
        assert_memory_equal(out, "0123456789", 10);
    }
    assert_true(r.head < 100); /* really wrapped */
}

#define STRESS_BYTES (8u << 20)

static struct ring stress_ring;

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + (i >> 8) * 13 + (i >> 16));
}

static void *producer(void *arg)
{
    size_t sent = 0, chunk = 1;
    uint8_t tmp[97];
    while (sent < STRESS_BYTES) {
        size_t n = chunk;
        if (n > STRESS_BYTES - sent)
            n = STRESS_BYTES - sent;
        for (size_t i = 0; i < n; i++)
            tmp[i] = pattern(sent + i);
        size_t put = ring_put(&stress_ring, tmp, n);
        sent += put;
        if (put == 0)
            sched_yield();
        chunk = chunk % 97 + 1;
    }
    return NULL;
}

/* One producer thread and this consumer, a 64-byte ring, 8 MiB in odd
 * chunk sizes: every byte must come out once, in order. */
static void test_ring_two_threads(void **state)
{
    static uint8_t buf[64];
    assert_int_equal(ring_init(&stress_ring, buf, sizeof(buf)), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, NULL), 0);
    size_t got = 0, chunk = 1, empty = 0;
    uint8_t tmp[61];
    while (got < STRESS_BYTES) {
        size_t n = ring_get(&stress_ring, tmp, chunk);
        for (size_t i = 0; i < n; i++)
            if (tmp[i] != pattern(got + i))
                fail_msg("byte %zu: got %u, want %u", got + i, tmp[i], pattern(got + i));
        got += n;
        if (n == 0) {
            empty++;
            sched_yield();
        }
        chunk = chunk % 61 + 1;
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(ring_used(&stress_ring), 0);
    print_message("ring: %u bytes in order, consumer found it empty %zu times\n", STRESS_BYTES, empty);
}

/* ---- options ------------------------------------------------------------- */

static void test_options_basic(void **state)
{
    struct options o;
    assert_int_equal(options_parse(&o, "node=3 ip=10.77.0.2/24 gw=10.77.0.1 panic=halt quiet "
                                       "name=\"my node\""), 0);
    assert_int_equal(o.count, 6);
    assert_string_equal(options_get(&o, "node"), "3");
    assert_string_equal(options_get(&o, "ip"), "10.77.0.2/24");
    assert_string_equal(options_get(&o, "gw"), "10.77.0.1");
    assert_string_equal(options_get(&o, "panic"), "halt");
    assert_string_equal(options_get(&o, "quiet"), "");
    assert_string_equal(options_get(&o, "name"), "my node");
    assert_true(options_has(&o, "quiet"));
    assert_false(options_has(&o, "loud"));
    assert_null(options_get(&o, "nod"));
    assert_string_equal(o.items[4].key, "quiet");
    long v = 0;
    assert_int_equal(options_get_long(&o, "node", 1, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(options_get_long(&o, "missing", 42, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(options_get_long(&o, "ip", 0, &v), ERR_BAD_FORMAT);
    assert_int_equal(options_get_long(&o, "quiet", 0, &v), ERR_BAD_FORMAT);
    assert_int_equal(v, 42); /* untouched on error */

    /* the copy outlives the caller's buffer */
    char line[] = "a=1 b";
    assert_int_equal(options_parse(&o, line), 0);
    memset(line, 'x', sizeof(line) - 1);
    assert_string_equal(options_get(&o, "a"), "1");
    assert_true(options_has(&o, "b"));
}

static void test_options_syntax(void **state)
{
    struct options o;
    assert_int_equal(options_parse(&o, ""), 0);
    assert_int_equal(o.count, 0);
    assert_int_equal(options_parse(&o, "   \t  "), 0);
    assert_int_equal(o.count, 0);
    assert_int_equal(options_parse(&o, "  a=1\t\tb=2  a=3 "), 0);
    assert_int_equal(o.count, 3);
    assert_string_equal(options_get(&o, "a"), "3"); /* last wins */
    assert_string_equal(options_get(&o, "b"), "2");
    assert_int_equal(options_parse(&o, "\"name=my node\" x=\"a=b c\" y= z=\"\" e=f=g"), 0);
    assert_string_equal(options_get(&o, "name"), "my node");
    assert_string_equal(options_get(&o, "x"), "a=b c");
    assert_string_equal(options_get(&o, "y"), "");
    assert_string_equal(options_get(&o, "z"), "");
    assert_string_equal(options_get(&o, "e"), "f=g");
    assert_int_equal(options_parse(&o, "path=/a\"b c\"d next"), 0);
    assert_string_equal(options_get(&o, "path"), "/ab cd");
    assert_true(options_has(&o, "next"));

    assert_int_equal(options_parse(&o, "a=1 =x"), ERR_BAD_FORMAT);
    assert_int_equal(o.count, 0);
    assert_null(options_get(&o, "a"));
    assert_int_equal(options_parse(&o, "a=1 b=\"open"), ERR_BAD_FORMAT);
    assert_int_equal(o.count, 0);
    assert_int_equal(options_parse(&o, "\"\""), ERR_BAD_FORMAT);
    assert_int_equal(options_parse(&o, NULL), ERR_INVALID_ARGS);
    assert_int_equal(options_parse(NULL, "a"), ERR_INVALID_ARGS);

    char many[512] = "";
    for (int i = 0; i < OPTIONS_MAX; i++)
        strcat(many, "k ");
    assert_int_equal(options_parse(&o, many), 0);
    assert_int_equal(o.count, OPTIONS_MAX);
    strcat(many, "k");
    assert_int_equal(options_parse(&o, many), ERR_TOO_BIG);
    assert_int_equal(o.count, 0);

    char longline[600];
    memset(longline, 'a', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    assert_int_equal(options_parse(&o, longline), ERR_TOO_BIG);
    assert_int_equal(o.count, 0);
    longline[511] = '\0';
    assert_int_equal(options_parse(&o, longline), 0);
    assert_int_equal(o.count, 1);
    assert_int_equal(strlen(o.items[0].key), 511);
    longline[511] = 'a';
    longline[512] = '\0';
    assert_int_equal(options_parse(&o, longline), ERR_TOO_BIG);
}

static void test_options_numbers(void **state)
{
    struct options o;
    assert_int_equal(options_parse(&o, "a=0 b=-17 c=0x1F d=0XfF e=+5 f=9223372036854775807 "
                                       "g=-9223372036854775808 h=9223372036854775808 i=0x "
                                       "j=12x k=- l=0x8000000000000000 m=1.5 n=\" 1\""), 0);
    struct { const char *key; int err; long want; } cases[] = {
        {"a", 0, 0}, {"b", 0, -17}, {"c", 0, 31}, {"d", 0, 255}, {"e", 0, 5},
        {"f", 0, LONG_MAX}, {"g", 0, LONG_MIN}, {"h", ERR_RANGE, 0}, {"i", ERR_BAD_FORMAT, 0},
        {"j", ERR_BAD_FORMAT, 0}, {"k", ERR_BAD_FORMAT, 0}, {"l", ERR_RANGE, 0},
        {"m", ERR_BAD_FORMAT, 0}, {"n", ERR_BAD_FORMAT, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long v = 12345;
        assert_int_equal(options_get_long(&o, cases[i].key, 0, &v), cases[i].err);
        assert_int_equal(v, cases[i].err ? 12345 : cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_str),         cmocka_unit_test(test_ring_basic),
        cmocka_unit_test(test_ring_index_wrap), cmocka_unit_test(test_ring_two_threads),
        cmocka_unit_test(test_options_basic),   cmocka_unit_test(test_options_syntax),
        cmocka_unit_test(test_options_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
