/* Events (see event.h). */
#include "kernel/event.h"
#include "kernel/thread.h"
#include "kernel/cpu.h"
#include "kernel/clock.h"
#include "pus/err.h"

void event_init(struct event *e, bool signalled, bool auto_reset)
{
    e->signalled = signalled;
    e->auto_reset = auto_reset;
    wait_queue_init(&e->wq);
}

void event_destroy(struct event *e)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    wait_queue_destroy(&e->wq, true);
    spin_unlock_irqrestore(&thread_lock, state);
}

int event_wait_timeout(struct event *e, int64_t timeout_ns)
{
    uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : clock_now_ns() + (uint64_t)timeout_ns;
    uint64_t state;
    int r = 0;
    spin_lock_irqsave(&thread_lock, state);
    while (!e->signalled) {
        int64_t left = -1;
        if (timeout_ns >= 0) {
            uint64_t now = clock_now_ns();
            left = now >= deadline ? 0 : (int64_t)(deadline - now);
        }
        r = wait_queue_block(&e->wq, left);
        if (r < 0)
            break;
    }
    if (r == 0 && e->auto_reset)
        e->signalled = false;
    spin_unlock_irqrestore(&thread_lock, state);
    return r;
}

void event_wait(struct event *e)
{
    event_wait_timeout(e, TIMEOUT_INFINITE);
}

void event_signal(struct event *e)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    e->signalled = true;
    bool resched = !arch_in_interrupt();
    if (e->auto_reset)
        wait_queue_wake_one(&e->wq, resched, 0);
    else
        wait_queue_wake_all(&e->wq, resched, 0);
    spin_unlock_irqrestore(&thread_lock, state);
}

void event_unsignal(struct event *e)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    e->signalled = false;
    spin_unlock_irqrestore(&thread_lock, state);
}
