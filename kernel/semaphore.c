/* Counting semaphores. */
#include "kernel/semaphore.h"
#include "kernel/thread.h"
#include "kernel/cpu.h"
#include "kernel/clock.h"
#include "pus/err.h"

void sem_init(struct semaphore *s, int count)
{
    s->count = count;
    wait_queue_init(&s->wq);
}

void sem_destroy(struct semaphore *s)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    wait_queue_destroy(&s->wq, true);
    spin_unlock_irqrestore(&thread_lock, state);
}

int sem_wait_timeout(struct semaphore *s, int64_t timeout_ns)
{
    uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : clock_now_ns() + (uint64_t)timeout_ns;
    uint64_t state;
    int r = 0;
    spin_lock_irqsave(&thread_lock, state);
    while (s->count <= 0) {
        int64_t left = -1;
        if (timeout_ns >= 0) {
            uint64_t now = clock_now_ns();
            left = now >= deadline ? 0 : (int64_t)(deadline - now);
        }
        r = wait_queue_block(&s->wq, left);
        if (r < 0)
            break;
    }
    if (r == 0)
        s->count--;
    spin_unlock_irqrestore(&thread_lock, state);
    return r;
}

void sem_wait(struct semaphore *s)
{
    sem_wait_timeout(s, TIMEOUT_INFINITE);
}

int sem_trywait(struct semaphore *s)
{
    return sem_wait_timeout(s, 0);
}

void sem_post(struct semaphore *s)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    s->count++;
    wait_queue_wake_one(&s->wq, !arch_in_interrupt(), 0);
    spin_unlock_irqrestore(&thread_lock, state);
}
