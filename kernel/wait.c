/* Wait queues (see wait.h). Everything here runs under thread_lock. */
#include "kernel/wait.h"
#include "kernel/thread.h"
#include "kernel/cpu.h"
#include "kernel/panic.h"
#include "kernel/clock.h"
#include "pus/err.h"

void wait_queue_init(struct wait_queue *wq)
{
    list_init(&wq->waiters);
    wq->count = 0;
    wq->magic = WAIT_QUEUE_MAGIC;
}

static void wait_timeout_fired(struct timer *tm, uint64_t now, void *arg)
{
    struct thread *t = arg;
    spin_lock(&thread_lock);
    /* A stale firing (from a wait that already ended before the thread
       blocked again) is harmless: the current wait's deadline decides. */
    if (t->state == THREAD_BLOCKED && t->blocking_on && clock_now_ns() >= t->wait_deadline) {
        list_delete(&t->queue_node);
        t->blocking_on->count--;
        t->blocking_on = NULL;
        t->wait_result = ERR_TIMED_OUT;
        sched_make_ready(t);
    }
    spin_unlock(&thread_lock);
}

int wait_queue_block(struct wait_queue *wq, int64_t timeout_ns)
{
    struct thread *t = thread_current();
    assert(spin_held(&thread_lock));
    assert(wq->magic == WAIT_QUEUE_MAGIC);
    if (timeout_ns == 0)
        return ERR_TIMED_OUT;
    /* an interrupt handler would put the thread it interrupted to sleep */
    assert(!arch_in_interrupt());

    list_add_tail(&wq->waiters, &t->queue_node);
    wq->count++;
    t->blocking_on = wq;
    t->wait_result = 0;
    t->state = THREAD_BLOCKED;
    if (timeout_ns > 0) {
        t->wait_deadline = clock_now_ns() + (uint64_t)timeout_ns;
        timer_set_oneshot(&t->wait_timer, (uint64_t)timeout_ns, wait_timeout_fired, t);
    }
    sched_reschedule();
    if (timeout_ns > 0)
        timer_cancel(&t->wait_timer);
    return t->wait_result;
}

static void wake(struct thread *t, int result)
{
    list_delete(&t->queue_node);
    t->blocking_on->count--;
    t->blocking_on = NULL;
    t->wait_result = result;
    sched_make_ready(t);
}

static void maybe_reschedule(bool reschedule)
{
    struct cpu *c = this_cpu();
    if (reschedule && c->need_resched && c->current != c->idle) {
        sched_make_ready_front(c->current);
        sched_reschedule();
    }
}

int wait_queue_wake_one(struct wait_queue *wq, bool reschedule, int result)
{
    assert(spin_held(&thread_lock));
    struct list_node *n = wq->waiters.next;
    if (n == &wq->waiters)
        return 0;
    wake(container_of(n, struct thread, queue_node), result);
    maybe_reschedule(reschedule);
    return 1;
}

int wait_queue_wake_all(struct wait_queue *wq, bool reschedule, int result)
{
    assert(spin_held(&thread_lock));
    int woken = 0;
    while (wq->waiters.next != &wq->waiters) {
        wake(container_of(wq->waiters.next, struct thread, queue_node), result);
        woken++;
    }
    if (woken)
        maybe_reschedule(reschedule);
    return woken;
}

void wait_queue_destroy(struct wait_queue *wq, bool reschedule)
{
    wait_queue_wake_all(wq, reschedule, ERR_CANCELLED);
    wq->magic = 0;
}
