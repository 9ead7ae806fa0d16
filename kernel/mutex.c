/*
 * Mutex. Correctness rests on a store-load pair on both sides, hence the
 * sequentially consistent atomics: a waiter publishes itself (waiters++)
 * before retrying the compare-and-swap, and a releaser clears holder before
 * reading waiters. Either the waiter's retry sees the lock free, or the
 * releaser sees the waiter and wakes it under thread_lock (which the waiter
 * only gives up once it is on the wait queue).
 */
#include "kernel/mutex.h"
#include "kernel/thread.h"
#include "kernel/clock.h"
#include "kernel/panic.h"
#include "kernel/cpu.h"
#include "pus/err.h"

#define MUTEX_MAGIC 0x6d757478u   /* "mutx" */

void mutex_init(struct mutex *m)
{
    m->holder = NULL;
    m->waiters = 0;
    wait_queue_init(&m->wq);
    m->magic = MUTEX_MAGIC;
}

void mutex_destroy(struct mutex *m)
{
    assert(m->holder == NULL);
    m->magic = 0;
}

static int try_take(struct mutex *m, struct thread *self)
{
    struct thread *expected = NULL;
    return __atomic_compare_exchange_n(&m->holder, &expected, self, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

int mutex_acquire_timeout(struct mutex *m, int64_t timeout_ns)
{
    struct thread *self = thread_current();
    assert(m->magic == MUTEX_MAGIC);
    if (try_take(m, self))
        return 0;
    if (__atomic_load_n(&m->holder, __ATOMIC_RELAXED) == self)
        panic("mutex %p: recursive acquire by %s", m, self->name);

    uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : clock_now_ns() + (uint64_t)timeout_ns;
    int result = 0;
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    __atomic_add_fetch(&m->waiters, 1, __ATOMIC_SEQ_CST);
    while (!try_take(m, self)) {
        int64_t left = -1;
        if (timeout_ns >= 0) {
            uint64_t now = clock_now_ns();
            left = now >= deadline ? 0 : (int64_t)(deadline - now);
        }
        int r = wait_queue_block(&m->wq, left);
        if (r == ERR_TIMED_OUT) {
            result = ERR_TIMED_OUT;
            break;
        }
    }
    __atomic_sub_fetch(&m->waiters, 1, __ATOMIC_SEQ_CST);
    spin_unlock_irqrestore(&thread_lock, state);
    return result;
}

bool mutex_try_acquire(struct mutex *m)
{
    assert(m->magic == MUTEX_MAGIC);
    /* From an interrupt it would take the mutex for the interrupted thread:
       only the idle thread, which never holds one, may lend itself. */
    assert(!arch_in_interrupt() || thread_interrupted_idle());
    return try_take(m, thread_current());
}

void mutex_acquire(struct mutex *m)
{
    mutex_acquire_timeout(m, TIMEOUT_INFINITE);
}

/* Inlined into both callers: an extra call and return on every release
   cost ~50 ns in kbench under QEMU (a return is an indirect jump there). */
static inline __attribute__((always_inline)) void release(struct mutex *m, bool yield)
{
    assert(m->magic == MUTEX_MAGIC);
    if (m->holder != thread_current())
        panic("mutex %p released by %s, which does not hold it", m, thread_current()->name);
    __atomic_store_n(&m->holder, NULL, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&m->waiters, __ATOMIC_SEQ_CST) > 0) {
        uint64_t state;
        spin_lock_irqsave(&thread_lock, state);
        wait_queue_wake_one(&m->wq, yield, 0);
        spin_unlock_irqrestore(&thread_lock, state);
    }
}

void mutex_release(struct mutex *m)
{
    release(m, true);
}

void mutex_release_no_yield(struct mutex *m)
{
    release(m, false);
}

int mutex_held(const struct mutex *m)
{
    return m->holder == thread_current();
}
