/* Self-tests of the kernel random source: many threads on every hart drawing
 * at once get no repeated value, calls from interrupt context work, bounded
 * draws stay in range, and reseeding works. */
#include <stdlib.h>
#include <string.h>
#include "kernel/ktest.h"
#include "kernel/clock.h"
#include "kernel/cpu.h"
#include "kernel/event.h"
#include "kernel/random.h"
#include "kernel/thread.h"
#include "kernel/timer.h"

#define DRAWS 500
#define MAX_DRAWERS 8

static uint64_t *drawn;      /* DRAWS per thread */

static int draw(void *arg)
{
    uint64_t *out = drawn + (uintptr_t)arg * DRAWS;
    uint8_t buf[24];
    for (int i = 0; i < DRAWS; i++) {
        random_bytes(buf, sizeof(buf));
        memcpy(&out[i], buf + (i % 16), sizeof(uint64_t));
    }
    return 0;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

KTEST(random_threads)
{
    int n = (int)cpu_count * 2;
    if (n > MAX_DRAWERS)
        n = MAX_DRAWERS;
    drawn = calloc((size_t)n * DRAWS, sizeof(uint64_t));
    KT_ASSERT(drawn != NULL);
    struct thread *ts[MAX_DRAWERS];
    for (int i = 0; i < n; i++) {
        ts[i] = thread_create("kt-random", draw, (void *)(uintptr_t)i, THREAD_PRIORITY_DEFAULT, 0);
        KT_ASSERT(ts[i] != NULL);
        thread_pin(ts[i], i % (int)cpu_count);
        thread_start(ts[i]);
    }
    for (int i = 0; i < n; i++)
        KT_ASSERT_EQ(thread_join(ts[i], NULL, TIMEOUT_INFINITE), 0);
    /* 64-bit values: any repeat among a few thousand means shared output. */
    qsort(drawn, (size_t)n * DRAWS, sizeof(uint64_t), compare_u64);
    int repeats = 0;
    for (int i = 1; i < n * DRAWS; i++)
        repeats += drawn[i] == drawn[i - 1];
    free(drawn);
    KT_ASSERT_EQ(repeats, 0);
    return 0;
}

static struct timer irq_timer;
static struct event irq_done;
static volatile uint64_t irq_value[2];

static void in_irq(struct timer *t, uint64_t now_ns, void *arg)
{
    irq_value[0] = random_u64();
    uint64_t sample = now_ns;
    random_add_entropy_from("ktest", &sample, sizeof(sample), 0);
    irq_value[1] = random_u64();
    event_signal(&irq_done);
}

KTEST(random_from_interrupt)
{
    event_init(&irq_done, false, false);
    irq_value[0] = irq_value[1] = 0;
    timer_init(&irq_timer);
    timer_set_oneshot(&irq_timer, 1000000, in_irq, NULL);
    KT_ASSERT_EQ(event_wait_timeout(&irq_done, 5000ll * 1000000), 0);
    KT_ASSERT(irq_value[0] != irq_value[1]);
    KT_ASSERT(irq_value[0] != 0 || irq_value[1] != 0);
    return 0;
}

KTEST(random_below)
{
    static const uint32_t bounds[] = { 1, 2, 3, 7, 100, 1000003, 0x80000001u };
    for (unsigned b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
        for (int i = 0; i < 200; i++)
            KT_ASSERT(random_below(bounds[b]) < bounds[b]);
    KT_ASSERT_EQ(random_below(0), 0);
    /* Every value of a small range shows up. */
    unsigned seen = 0;
    for (int i = 0; i < 400 && seen != 0xff; i++)
        seen |= 1u << random_below(8);
    KT_ASSERT_EQ(seen, 0xff);
    return 0;
}

/* The pooling rules are unit-tested on the host (tests/unit/crypto); here,
   that the kernel wrapper reseeds and keeps its counters. No entropy is
   credited: a self-test must not inflate the node's estimate. */
KTEST(random_reseed)
{
    struct random_stats before, after;
    random_get_stats(&before);
    uint64_t sample = clock_now_ns();
    random_add_entropy_from("ktest", &sample, sizeof(sample), 0);
    random_reseed();
    random_get_stats(&after);
    KT_ASSERT(after.reseeds > before.reseeds);
    KT_ASSERT_EQ(after.credited_bits, before.credited_bits);
    KT_ASSERT_EQ(after.pool_bits, 0);
    uint8_t a[32], b[32];
    random_bytes(a, sizeof(a));
    random_bytes(b, sizeof(b));
    KT_ASSERT(memcmp(a, b, sizeof(a)) != 0);
    return 0;
}
