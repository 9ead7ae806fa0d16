/* Self-tests: thread create/join/detach, priority order, sleep ordering,
   round robin, preemption by a thread an interrupt wakes. */
#include "kernel/ktest.h"
#include "kernel/thread.h"
#include "kernel/cpu.h"
#include "kernel/clock.h"
#include "kernel/event.h"
#include "kernel/timer.h"
#include "pus/err.h"

static int return_arg(void *arg)
{
    return (int)(intptr_t)arg;
}

KTEST(thread_create_join)
{
    for (int i = 0; i < 20; i++) {
        struct thread *t = thread_spawn("kt-join", return_arg, (void *)(intptr_t)(i * 7), THREAD_PRIORITY_DEFAULT, 0);
        KT_ASSERT(t != NULL);
        int rc = -1;
        KT_ASSERT_EQ(thread_join(t, &rc, 1000000000ll), 0);
        KT_ASSERT_EQ(rc, i * 7);
    }
    /* Detached threads clean up after themselves. */
    for (int i = 0; i < 20; i++) {
        struct thread *t = thread_spawn("kt-detach", return_arg, NULL, THREAD_PRIORITY_DEFAULT, 0);
        KT_ASSERT(t != NULL);
        KT_ASSERT_EQ(thread_detach(t), 0);
    }
    thread_sleep_ms(20);
    return 0;
}

static int sleep_forever_ish(void *arg)
{
    thread_sleep_ms(200);
    return 5;
}

KTEST(thread_join_timeout)
{
    struct thread *t = thread_spawn("kt-slow", sleep_forever_ish, NULL, THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(t != NULL);
    KT_ASSERT_EQ(thread_join(t, NULL, 10 * 1000000ll), ERR_TIMED_OUT);
    int rc = 0;
    KT_ASSERT_EQ(thread_join(t, &rc, TIMEOUT_INFINITE), 0);
    KT_ASSERT_EQ(rc, 5);
    return 0;
}

/* Priority order: several ready threads pinned to one hart run highest
   priority first, whatever order they were started in. */
static int order[8];
static int order_n;
static spinlock_t order_lock = SPINLOCK_INITIAL;

static int record_priority(void *arg)
{
    uint64_t s;
    spin_lock_irqsave(&order_lock, s);
    order[order_n++] = thread_current()->priority;
    spin_unlock_irqrestore(&order_lock, s);
    return 0;
}

KTEST(priority_order)
{
    struct thread *self = thread_current();
    int my_prio = self->priority;
    int hart = (int)this_cpu()->index;
    thread_pin(self, hart);
    thread_yield();                    /* make sure we sit on that hart */
    hart = (int)this_cpu()->index;
    thread_pin(self, hart);
    thread_set_priority(self, THREAD_PRIORITY_MAX);
    order_n = 0;
    static const int prios[] = { 10, 20, 5, 25, 15 };
    struct thread *ts[5];
    for (int i = 0; i < 5; i++) {
        ts[i] = thread_create("kt-prio", record_priority, NULL, prios[i], 0);
        KT_ASSERT(ts[i] != NULL);
        thread_pin(ts[i], hart);
        KT_ASSERT_EQ(thread_start(ts[i]), 0);
    }
    /* Still at top priority: none of them can have run yet on our hart. */
    KT_ASSERT_EQ(order_n, 0);
    thread_set_priority(self, 1);       /* step aside: they all run now */
    thread_yield();
    thread_set_priority(self, my_prio);
    thread_pin(self, -1);
    for (int i = 0; i < 5; i++)
        KT_ASSERT_EQ(thread_join(ts[i], NULL, TIMEOUT_INFINITE), 0);
    KT_ASSERT_EQ(order_n, 5);
    static const int expected[] = { 25, 20, 15, 10, 5 };
    for (int i = 0; i < 5; i++)
        KT_ASSERT_EQ(order[i], expected[i]);
    return 0;
}

/* Sleep ordering: threads that sleep for shorter times wake first. All
   sleepers sit on one hart, so their timers share one sorted list and the
   result does not depend on how promptly the host runs each virtual hart;
   they sleep towards absolute deadlines from one common start. */
static int wake_order[4];
static int wake_n;
static uint64_t sleep_start_ns;

static int sleeper(void *arg)
{
    int ms = (int)(intptr_t)arg;
    uint64_t deadline = sleep_start_ns + (uint64_t)ms * 1000000ull;
    uint64_t now = clock_now_ns();
    if (deadline > now)
        thread_sleep_ns(deadline - now);
    uint64_t s;
    spin_lock_irqsave(&order_lock, s);
    wake_order[wake_n++] = ms;
    spin_unlock_irqrestore(&order_lock, s);
    return 0;
}

KTEST(sleep_ordering)
{
    static const int ms[] = { 120, 40, 80, 10 };
    struct thread *ts[4];
    int hart = (int)(cpu_count - 1);
    wake_n = 0;
    /* Start well ahead so every sleeper is asleep before the first wakes. */
    sleep_start_ns = clock_now_ns() + 200 * 1000000ull;
    for (int i = 0; i < 4; i++) {
        ts[i] = thread_create("kt-sleep", sleeper, (void *)(intptr_t)ms[i], THREAD_PRIORITY_HIGH, 0);
        KT_ASSERT(ts[i] != NULL);
        thread_pin(ts[i], hart);
        KT_ASSERT_EQ(thread_start(ts[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        KT_ASSERT_EQ(thread_join(ts[i], NULL, TIMEOUT_INFINITE), 0);
    uint64_t elapsed_ms = (clock_now_ns() - sleep_start_ns) / 1000000ull;
    KT_ASSERT_EQ(wake_n, 4);
    KT_ASSERT_EQ(wake_order[0], 10);
    KT_ASSERT_EQ(wake_order[1], 40);
    KT_ASSERT_EQ(wake_order[2], 80);
    KT_ASSERT_EQ(wake_order[3], 120);
    KT_ASSERT(elapsed_ms >= 120);
    return 0;
}

/* Time slicing: two busy threads of equal priority on one hart both progress. */
static volatile uint64_t spins[2];
static volatile int stop_spinning;

static int spinner(void *arg)
{
    int i = (int)(intptr_t)arg;
    while (!stop_spinning)
        spins[i]++;
    return 0;
}

KTEST(round_robin)
{
    int hart = (int)(cpu_count - 1);
    stop_spinning = 0;
    spins[0] = spins[1] = 0;
    struct thread *a = thread_create("kt-rr-a", spinner, (void *)0, THREAD_PRIORITY_DEFAULT - 1, 0);
    struct thread *b = thread_create("kt-rr-b", spinner, (void *)1, THREAD_PRIORITY_DEFAULT - 1, 0);
    KT_ASSERT(a && b);
    thread_pin(a, hart);
    thread_pin(b, hart);
    thread_start(a);
    thread_start(b);
    thread_sleep_ms(100);               /* 10 time slices */
    stop_spinning = 1;
    thread_join(a, NULL, TIMEOUT_INFINITE);
    thread_join(b, NULL, TIMEOUT_INFINITE);
    KT_ASSERT(spins[0] > 0);
    KT_ASSERT(spins[1] > 0);
    return 0;
}

/*
 * A thread an interrupt readies, more important than the thread the
 * interrupt came in on, runs on that hart at once; it is not handed to an
 * idle hart (under QEMU that costs a host thread wake-up, and the woken
 * hart can stall this one on thread_lock while the host has it
 * descheduled). With one hart the test holds trivially.
 */
static struct event woken_event;
static volatile int woken_on;
static struct thread *waiter_thread;

static int wait_for_interrupt(void *arg)
{
    (void)arg;
    event_wait(&woken_event);
    woken_on = (int)this_cpu()->index;
    return 0;
}

static void signal_from_interrupt(struct timer *t, uint64_t now_ns, void *arg)
{
    (void)t;
    (void)now_ns;
    (void)arg;
    event_signal(&woken_event);
}

/* Once waiter_thread sleeps (so that the interrupt is what readies it),
   a timer interrupt on this hart signals woken_event 1 ms later. */
static void wake_waiter_from_this_hart(void)
{
    while (__atomic_load_n(&waiter_thread->state, __ATOMIC_ACQUIRE) != THREAD_BLOCKED)
        thread_yield();
    static struct timer tm;
    timer_init(&tm);
    timer_set_oneshot(&tm, 1000000, signal_from_interrupt, NULL);
}

static int busy_until_woken(void *arg)
{
    (void)arg;
    wake_waiter_from_this_hart();
    uint64_t give_up = clock_now_ns() + 1000000000ull;
    while (woken_on < 0 && clock_now_ns() < give_up)
        ;
    return (int)this_cpu()->index;
}

KTEST(interrupt_wakeup_preempts_on_its_hart)
{
    event_init(&woken_event, false, true);
    woken_on = -1;
    int hart = (int)(cpu_count - 1);
    waiter_thread = thread_spawn("kt-waiter", wait_for_interrupt, NULL, THREAD_PRIORITY_HIGH, 0);
    struct thread *busy = thread_create("kt-busy", busy_until_woken, NULL, THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(waiter_thread && busy);
    thread_pin(busy, hart);
    thread_start(busy);
    int busy_hart = -1;
    KT_ASSERT_EQ(thread_join(busy, &busy_hart, 5000000000ll), 0);
    KT_ASSERT_EQ(thread_join(waiter_thread, NULL, 5000000000ll), 0);
    KT_ASSERT_EQ(busy_hart, hart);
    KT_ASSERT_EQ(woken_on, hart);
    return 0;
}
