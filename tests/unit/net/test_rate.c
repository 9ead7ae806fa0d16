/*
 * The token bucket behind ICMP error and challenge-ACK rate limits: it
 * grants its configured rate over time whatever the call spacing, and
 * never more than its burst at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/priv.h"

#define MS 1000000ull

/* Events granted when asked every `step_ms` for `seconds`, bucket empty. */
static unsigned granted(unsigned step_ms, unsigned seconds)
{
    static struct net_stack s;           /* only `now` is read */
    memset(&s, 0, sizeof(s));
    struct rate r = {.per_sec = 100, .burst = 50, .tokens = 0, .last = 0};
    unsigned n = 0;
    for (s.now = step_ms * MS; s.now <= seconds * 1000 * MS; s.now += step_ms * MS)
        n += net_rate_ok(&s, &r);
    return n;
}

static void test_rate_kept_at_any_spacing(void **state)
{
    (void)state;
    /* 7 ms apart earns 0.7 tokens per call: a bucket that dropped the
     * fraction when it refilled granted 71 per second instead of 100.
     * Calls further apart than 10 ms are all granted. */
    unsigned steps[] = {1, 3, 7, 9, 15, 25};
    for (unsigned i = 0; i < 6; i++) {
        unsigned calls = 10000 / steps[i];
        unsigned want = calls < 1000 ? calls : 1000;
        unsigned n = granted(steps[i], 10);
        print_message("every %u ms: %u of %u calls in 10 s\n", steps[i], n, calls);
        assert_true(n + 2 >= want && n <= want);
    }
}

static void test_burst_is_the_cap(void **state)
{
    (void)state;
    static struct net_stack s;
    memset(&s, 0, sizeof(s));
    struct rate r = {.per_sec = 100, .burst = 50, .tokens = 0, .last = 0};
    s.now = 60 * 1000 * MS;              /* a minute idle: full, not 6000 */
    unsigned n = 0;
    while (net_rate_ok(&s, &r))
        n++;
    assert_int_equal(n, 50);
    s.now += 10 * MS;                    /* one more token, exactly */
    assert_true(net_rate_ok(&s, &r));
    assert_false(net_rate_ok(&s, &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_kept_at_any_spacing),
        cmocka_unit_test(test_burst_is_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
