/* Counting semaphore on a wait queue. post() may be called from interrupts. */
#ifndef KERNEL_SEMAPHORE_H
#define KERNEL_SEMAPHORE_H

#include <stdint.h>
#include "kernel/wait.h"

struct semaphore {
    int count;               /* guarded by thread_lock */
    struct wait_queue wq;
};

void sem_init(struct semaphore *s, int count);
void sem_destroy(struct semaphore *s);
void sem_wait(struct semaphore *s);
/* 0, ERR_TIMED_OUT, or ERR_CANCELLED if destroyed while waiting. */
int sem_wait_timeout(struct semaphore *s, int64_t timeout_ns);
int sem_trywait(struct semaphore *s);
void sem_post(struct semaphore *s);

#endif
