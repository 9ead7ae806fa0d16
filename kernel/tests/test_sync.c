/* Self-tests: mutex contention across harts, semaphores, events, timeouts. */
#include "kernel/ktest.h"
#include "kernel/thread.h"
#include "kernel/mutex.h"
#include "kernel/semaphore.h"
#include "kernel/event.h"
#include "kernel/cpu.h"
#include "kernel/clock.h"
#include "pus/err.h"

/* Slack for "on time": QEMU's TCG on a busy 2-core host can be late. */
#define LATE_TOLERANCE_NS (250 * 1000000ull)

static struct mutex counter_lock;
static volatile uint64_t counter;
#define MUTEX_ITERATIONS 20000

static int hammer(void *arg)
{
    for (int i = 0; i < MUTEX_ITERATIONS; i++) {
        mutex_acquire(&counter_lock);
        /* A deliberately non-atomic read-modify-write with a gap, so that
           a broken mutex loses updates. */
        uint64_t v = counter;
        for (volatile int d = 0; d < 3; d++)
            ;
        counter = v + 1;
        mutex_release(&counter_lock);
    }
    return 0;
}

KTEST(mutex_contention)
{
    mutex_init(&counter_lock);
    counter = 0;
    int n = (int)cpu_count * 2;
    if (n > 16)
        n = 16;
    struct thread *ts[16];
    for (int i = 0; i < n; i++) {
        ts[i] = thread_create("kt-mutex", hammer, NULL, THREAD_PRIORITY_DEFAULT, 0);
        KT_ASSERT(ts[i] != NULL);
        thread_pin(ts[i], i % (int)cpu_count);   /* spread over every hart */
        thread_start(ts[i]);
    }
    for (int i = 0; i < n; i++)
        KT_ASSERT_EQ(thread_join(ts[i], NULL, TIMEOUT_INFINITE), 0);
    KT_ASSERT_EQ(counter, (uint64_t)n * MUTEX_ITERATIONS);
    mutex_destroy(&counter_lock);
    return 0;
}

static int hold_for_a_while(void *arg)
{
    struct mutex *m = arg;
    mutex_acquire(m);
    thread_sleep_ms(100);
    mutex_release(m);
    return 0;
}

KTEST(mutex_timeout)
{
    static struct mutex m;
    mutex_init(&m);
    struct thread *t = thread_spawn("kt-holder", hold_for_a_while, &m, THREAD_PRIORITY_HIGH, 0);
    KT_ASSERT(t != NULL);
    thread_sleep_ms(10);                       /* let it take the mutex */
    uint64_t start = clock_now_ns();
    KT_ASSERT_EQ(mutex_acquire_timeout(&m, 20 * 1000000ll), ERR_TIMED_OUT);
    uint64_t waited = clock_now_ns() - start;
    KT_ASSERT(waited >= 20 * 1000000ull);
    KT_ASSERT_EQ(mutex_acquire_timeout(&m, 2000 * 1000000ll), 0);   /* released at ~100 ms */
    mutex_release(&m);
    KT_ASSERT_EQ(thread_join(t, NULL, TIMEOUT_INFINITE), 0);
    return 0;
}

static volatile int try_result = -1;

static int try_from_other_thread(void *arg)
{
    try_result = mutex_try_acquire(arg);
    if (try_result)
        mutex_release(arg);
    return 0;
}

/* Try-acquire takes a free mutex, fails at once on a held one (also from
   another thread), and a failed try leaves the holder's mutex intact. */
KTEST(mutex_try_acquire)
{
    static struct mutex m;
    mutex_init(&m);
    KT_ASSERT(mutex_try_acquire(&m));
    KT_ASSERT(mutex_held(&m));
    uint64_t start = clock_now_ns();
    struct thread *t = thread_spawn("kt-try", try_from_other_thread, &m, THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(t != NULL);
    KT_ASSERT_EQ(thread_join(t, NULL, TIMEOUT_INFINITE), 0);
    KT_ASSERT_EQ(try_result, 0);
    KT_ASSERT(clock_now_ns() - start < LATE_TOLERANCE_NS);   /* did not wait */
    KT_ASSERT(mutex_held(&m));
    mutex_release(&m);
    try_result = -1;
    t = thread_spawn("kt-try", try_from_other_thread, &m, THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(t != NULL);
    KT_ASSERT_EQ(thread_join(t, NULL, TIMEOUT_INFINITE), 0);
    KT_ASSERT_EQ(try_result, 1);
    KT_ASSERT(mutex_try_acquire(&m));   /* released by the other thread */
    mutex_release(&m);
    mutex_destroy(&m);
    return 0;
}

/* A more important waiter that mutex_release wakes on the same hart takes
   the hart at once; with mutex_release_no_yield the releaser goes on first. */
static volatile int waiter_took;

static int take_and_note(void *arg)
{
    mutex_acquire(arg);
    waiter_took = 1;
    mutex_release(arg);
    return 0;
}

/* Returns whether the waiter ran before the releaser's next instruction. */
static int release_with_waiter(void *arg)
{
    bool yield = arg != NULL;
    static struct mutex m;
    mutex_init(&m);
    mutex_acquire(&m);
    waiter_took = 0;
    struct thread *w = thread_create("kt-waiter", take_and_note, &m, THREAD_PRIORITY_HIGH, 0);
    if (!w)
        return -1;
    thread_pin(w, thread_current()->pinned_cpu);
    thread_start(w);                /* it runs, finds the mutex held, sleeps */
    if (yield)
        mutex_release(&m);
    else
        mutex_release_no_yield(&m);
    int saw = waiter_took;
    thread_join(w, NULL, TIMEOUT_INFINITE);
    mutex_destroy(&m);
    return saw;
}

KTEST(mutex_release_no_yield)
{
    int hart = (int)(cpu_count - 1);
    for (int yield = 0; yield < 2; yield++) {
        struct thread *t = thread_create("kt-release", release_with_waiter,
                                         yield ? (void *)1 : NULL, THREAD_PRIORITY_DEFAULT, 0);
        KT_ASSERT(t != NULL);
        thread_pin(t, hart);
        thread_start(t);
        int saw = -1;
        KT_ASSERT_EQ(thread_join(t, &saw, TIMEOUT_INFINITE), 0);
        KT_ASSERT_EQ(saw, yield);
    }
    return 0;
}

static struct semaphore items, slots;
static volatile int ring[4];
static volatile int produced_sum, consumed_sum;

static int producer(void *arg)
{
    for (int i = 1; i <= 500; i++) {
        sem_wait(&slots);
        ring[i % 4] = i;
        produced_sum += i;
        sem_post(&items);
    }
    return 0;
}

static int consumer(void *arg)
{
    for (int i = 1; i <= 500; i++) {
        sem_wait(&items);
        consumed_sum += ring[i % 4];
        sem_post(&slots);
    }
    return 0;
}

KTEST(semaphore_producer_consumer)
{
    sem_init(&items, 0);
    sem_init(&slots, 4);
    produced_sum = consumed_sum = 0;
    struct thread *p = thread_spawn("kt-prod", producer, NULL, THREAD_PRIORITY_DEFAULT, 0);
    struct thread *c = thread_spawn("kt-cons", consumer, NULL, THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(p && c);
    KT_ASSERT_EQ(thread_join(p, NULL, TIMEOUT_INFINITE), 0);
    KT_ASSERT_EQ(thread_join(c, NULL, TIMEOUT_INFINITE), 0);
    KT_ASSERT_EQ(produced_sum, 500 * 501 / 2);
    KT_ASSERT_EQ(consumed_sum, 500 * 501 / 2);
    /* Empty semaphore: try fails at once, a timed wait times out. */
    KT_ASSERT_EQ(sem_trywait(&items), ERR_TIMED_OUT);
    KT_ASSERT_EQ(sem_wait_timeout(&items, 5 * 1000000ll), ERR_TIMED_OUT);
    return 0;
}

KTEST(timeouts_on_time)
{
    static struct event e;
    event_init(&e, false, true);
    static const int64_t waits_ms[] = { 10, 50, 100 };
    for (int i = 0; i < 3; i++) {
        uint64_t start = clock_now_ns();
        KT_ASSERT_EQ(event_wait_timeout(&e, waits_ms[i] * 1000000ll), ERR_TIMED_OUT);
        uint64_t took = clock_now_ns() - start;
        uint64_t want = (uint64_t)waits_ms[i] * 1000000ull;
        if (took < want || took > want + LATE_TOLERANCE_NS) {
            kprintf("    waited %llu us for a %lld ms timeout\n", (unsigned long long)(took / 1000), (long long)waits_ms[i]);
            return -1;
        }
    }
    return 0;
}

static int signal_later(void *arg)
{
    thread_sleep_ms(30);
    event_signal(arg);
    return 0;
}

KTEST(event_signal_wakes)
{
    static struct event e;
    event_init(&e, false, false);
    struct thread *t = thread_spawn("kt-signal", signal_later, &e, THREAD_PRIORITY_DEFAULT, 0);
    KT_ASSERT(t != NULL);
    KT_ASSERT_EQ(event_wait_timeout(&e, 5000 * 1000000ll), 0);
    /* Manual reset: stays signalled. */
    KT_ASSERT_EQ(event_wait_timeout(&e, 0), 0);
    event_unsignal(&e);
    KT_ASSERT_EQ(event_wait_timeout(&e, 0), ERR_TIMED_OUT);
    KT_ASSERT_EQ(thread_join(t, NULL, TIMEOUT_INFINITE), 0);
    return 0;
}

static volatile int periodic_hits;

static void count_hit(struct timer *t, uint64_t now, void *arg)
{
    periodic_hits++;
    if (periodic_hits == 5)
        event_signal(arg);
}

KTEST(timer_periodic)
{
    static struct timer tm;
    static struct event done;
    event_init(&done, false, true);
    periodic_hits = 0;
    timer_init(&tm);
    uint64_t start = clock_now_ns();
    timer_set_periodic(&tm, 10 * 1000000ull, count_hit, &done);
    KT_ASSERT_EQ(event_wait_timeout(&done, 5000 * 1000000ll), 0);
    timer_cancel(&tm);
    uint64_t took = clock_now_ns() - start;
    KT_ASSERT(took >= 50 * 1000000ull);
    int hits = periodic_hits;
    thread_sleep_ms(30);
    KT_ASSERT_EQ(periodic_hits, hits);   /* cancelled: no more hits */
    return 0;
}
