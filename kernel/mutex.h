/*
 * Sleeping mutex. The uncontended path is one atomic compare-and-swap and
 * never touches thread_lock; contended waiters block on a wait queue.
 * Not recursive. Must not be used from interrupt handlers.
 */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/wait.h"

struct thread;

struct mutex {
    struct thread *holder;   /* atomic; NULL when free */
    int waiters;             /* atomic; threads inside the slow path */
    struct wait_queue wq;    /* guarded by thread_lock */
    uint32_t magic;
};

void mutex_init(struct mutex *m);
void mutex_destroy(struct mutex *m);
void mutex_acquire(struct mutex *m);
/* Takes m if it is free, without waiting: true when taken. Never blocks,
   so a thread that must not sleep on m can do something else instead.
   Not from interrupts, except one that interrupted its hart's idle thread
   (thread_interrupted_idle), which then holds m until it releases it. */
bool mutex_try_acquire(struct mutex *m);
/* 0, or ERR_TIMED_OUT when the timeout (ns) passed first. */
int mutex_acquire_timeout(struct mutex *m, int64_t timeout_ns);
void mutex_release(struct mutex *m);
/* The same, but a more important waiter it wakes does not take this hart
   before the caller returns: for a caller with work to finish at once
   (the net lock notifies devices right after letting go). */
void mutex_release_no_yield(struct mutex *m);
int mutex_held(const struct mutex *m);

#endif
