/*
 * Wait queues: the one blocking primitive. Mutexes, semaphores, events,
 * sockets and sleeps are all built on them. All calls need thread_lock held
 * (with interrupts off); wait_queue_block releases it while the thread
 * sleeps and holds it again when it returns.
 */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/list.h"

struct wait_queue {
    struct list_node waiters;
    int count;
    uint32_t magic;
};

#define WAIT_QUEUE_MAGIC 0x77617471u   /* "watq" */

void wait_queue_init(struct wait_queue *wq);
/* Destroy: waiters wake with ERR_CANCELLED. */
void wait_queue_destroy(struct wait_queue *wq, bool reschedule);
/* Block the current thread. timeout_ns: 0 = fail at once, TIMEOUT_INFINITE.
   Returns the result passed to the waker (0 usually) or ERR_TIMED_OUT. */
int wait_queue_block(struct wait_queue *wq, int64_t timeout_ns);
/* Wake one or all waiters with result; returns how many woke. With
   reschedule, the caller yields if a woken thread should run here now. */
int wait_queue_wake_one(struct wait_queue *wq, bool reschedule, int result);
int wait_queue_wake_all(struct wait_queue *wq, bool reschedule, int result);

#endif
