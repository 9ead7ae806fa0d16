/*
 * One-shot and periodic timers with callbacks. Each hart keeps its own
 * sorted timer list and programs its own SBI deadline (tickless: when a hart
 * has no timers and nothing to preempt, it sets no deadline at all).
 * Callbacks run in interrupt context on the hart that armed the timer, with
 * interrupts off: they must not block. A callback may re-arm its timer.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/list.h"

struct timer;
typedef void (*timer_callback_t)(struct timer *t, uint64_t now_ns, void *arg);

struct timer {
    struct list_node node;
    uint64_t deadline_ns;
    uint64_t period_ns;         /* 0 for one-shot */
    timer_callback_t callback;
    void *arg;
    int cpu;                    /* hart whose list holds it, -1 if idle */
    uint32_t magic;
};

void timer_init(struct timer *t);
void timer_set_oneshot(struct timer *t, uint64_t delay_ns, timer_callback_t cb, void *arg);
void timer_set_periodic(struct timer *t, uint64_t period_ns, timer_callback_t cb, void *arg);
/* Returns true if the timer was pending and is now cancelled. */
bool timer_cancel(struct timer *t);

/* Called from the timer interrupt; also reprograms the hart's deadline. */
void timer_tick(void);
/* Recompute and program this hart's next deadline. */
void timer_program(void);
/* Use the Sstc stimecmp CSR instead of SBI calls (all harts have it). */
void timer_use_sstc(bool enable);

#endif
