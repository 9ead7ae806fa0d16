/*
 * Self-tests for console output: printing keeps interrupts on, and writers
 * that cannot sleep drop whole writes when the ring is full.
 *
 * console_print_keeps_interrupts_on is written against console_write()
 * alone so that it means the same on the old polled console, where it
 * fails: that console kept interrupts off for the whole write, so a timer
 * on the printing hart could fire at most twice (just before and just
 * after) during it.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/ktest.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/thread.h"
#include "kernel/timer.h"
#include "pus/err.h"

#define PRINT_BYTES (16 * 1024)   /* twice the ring: the writer must wait */
#define LINE_BYTES 64
#define TICK_NS (500 * 1000ull)
#define MIN_TICKS_DURING_PRINT 5

struct print_probe {
    struct timer timer;
    volatile int printing;
    volatile uint64_t ticks_during;   /* callbacks that saw printing set */
    volatile uint64_t last_ns, longest_gap_ns;
    const char *text;
    uint64_t print_ns;
};

static void count_tick(struct timer *t, uint64_t now_ns, void *arg)
{
    struct print_probe *p = arg;
    if (!p->printing)
        return;
    p->ticks_during++;
    if (now_ns - p->last_ns > p->longest_gap_ns)
        p->longest_gap_ns = now_ns - p->last_ns;
    p->last_ns = now_ns;
}

/* Runs pinned to hart 0, the hart that takes device interrupts. */
static int print_with_timer(void *arg)
{
    struct print_probe *p = arg;
    timer_init(&p->timer);
    timer_set_periodic(&p->timer, TICK_NS, count_tick, p);   /* on this hart */
    uint64_t start = clock_now_ns();
    p->last_ns = start;
    p->printing = 1;
    console_write(p->text, PRINT_BYTES);
    p->printing = 0;
    p->print_ns = clock_now_ns() - start;
    if (clock_now_ns() - p->last_ns > p->longest_gap_ns)
        p->longest_gap_ns = clock_now_ns() - p->last_ns;
    timer_cancel(&p->timer);
    return 0;
}

KTEST(console_print_keeps_interrupts_on)
{
    static struct print_probe probe;
    memset(&probe, 0, sizeof(probe));
    char *text = malloc(PRINT_BYTES);
    KT_ASSERT(text != NULL);
    for (int i = 0; i < PRINT_BYTES / LINE_BYTES; i++) {
        char *line = text + i * LINE_BYTES;
        memset(line, '.', LINE_BYTES - 1);
        memcpy(line, "console-print-test ", 19);
        line[LINE_BYTES - 1] = '\n';
    }
    probe.text = text;
    struct thread *t = thread_create("kt-print", print_with_timer, &probe,
                                     THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(t != NULL);
    thread_pin(t, 0);
    thread_start(t);
    KT_ASSERT_EQ(thread_join(t, NULL, TIMEOUT_INFINITE), 0);
    free(text);
    /* A figure for the log, not a check: the longest stretch without a
       tick (interrupts off, or the host not running us). */
    kprintf("    %d bytes in %llu us; %llu ticks during the print, longest gap %llu us\n",
            PRINT_BYTES, (unsigned long long)(probe.print_ns / 1000),
            (unsigned long long)probe.ticks_during,
            (unsigned long long)(probe.longest_gap_ns / 1000));
    KT_ASSERT(probe.ticks_during >= MIN_TICKS_DURING_PRINT);
    return 0;
}

/*
 * With interrupts off on hart 0 the ring cannot drain, so writes beyond
 * its room are dropped, whole, and counted; once there is room again the
 * console prints "[console: N bytes dropped]" (the system test reads it).
 */
static int overfill_with_interrupts_off(void *arg)
{
    uint64_t *dropped = arg;
    static const char line[] = "console-drop-test 0123456789abcdefghijklmnopqrstuvwxyz........\n";
    _Static_assert(sizeof(line) - 1 == LINE_BYTES - 1, "line size");
    struct console_stats before, after;
    console_get_stats(&before);
    uint64_t state = arch_irq_save();
    for (int i = 0; i < 2 * CONSOLE_TX_RING_SIZE / LINE_BYTES; i++)
        console_write(line, sizeof(line) - 1);
    arch_irq_restore(state);
    console_get_stats(&after);
    *dropped = after.dropped - before.dropped;
    return 0;
}

KTEST(console_drops_whole_writes_when_it_cannot_sleep)
{
    struct console_stats stats;
    console_get_stats(&stats);
    if (!stats.queued_mode) {
        kprintf("    output is polled: nothing to drop\n");
        return 0;
    }
    KT_ASSERT_EQ(console_flush(5000 * 1000000ll), 0);
    uint64_t dropped = 0;
    struct thread *t = thread_create("kt-drop", overfill_with_interrupts_off, &dropped,
                                     THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(t != NULL);
    thread_pin(t, 0);     /* where the transmit interrupt is taken */
    thread_start(t);
    KT_ASSERT_EQ(thread_join(t, NULL, TIMEOUT_INFINITE), 0);
    /* 256 lines of 63 bytes (64 in the ring) into 8 KiB: at least half
       could not fit. (That the lines printed are whole, and the notice,
       tests/system/test_console.py checks on the console.) */
    KT_ASSERT(dropped >= (uint64_t)CONSOLE_TX_RING_SIZE / LINE_BYTES * (LINE_BYTES - 1));
    KT_ASSERT_EQ(console_flush(5000 * 1000000ll), 0);
    console_get_stats(&stats);
    KT_ASSERT_EQ(stats.ring_used, 0);
    kprintf("    dropped %llu bytes as expected\n", (unsigned long long)dropped);
    return 0;
}
