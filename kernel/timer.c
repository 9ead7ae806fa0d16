/*
 * Per-hart timer lists and the hart's SBI deadline. A hart's deadline is the
 * earlier of its first timer and the end of the running thread's time slice;
 * when there is neither, no deadline is set at all (tickless idle).
 *
 * Lock order: thread_lock, then a hart's timer_lock. Callbacks run with no
 * timer lock held so that they may take thread_lock or re-arm timers.
 */
#include "kernel/timer.h"
#include "kernel/cpu.h"
#include "kernel/clock.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/csr.h"

#define TIMER_MAGIC 0x74696d72u   /* "timr" */

void timer_init(struct timer *t)
{
    list_init(&t->node);
    t->deadline_ns = 0;
    t->period_ns = 0;
    t->callback = NULL;
    t->arg = NULL;
    t->cpu = -1;
    t->magic = TIMER_MAGIC;
}

static void insert_sorted(struct cpu *c, struct timer *t)
{
    struct list_node *n;
    list_for_each(&c->timers, n) {
        struct timer *other = container_of(n, struct timer, node);
        if (other->deadline_ns > t->deadline_ns) {
            list_insert_after(n->prev, &t->node);
            return;
        }
    }
    list_add_tail(&c->timers, &t->node);
}

static bool use_sstc;

/* With Sstc the hart's own stimecmp CSR raises the supervisor timer
   interrupt; otherwise an SBI call asks the firmware to. */
void timer_use_sstc(bool enable)
{
    use_sstc = enable;
}

static void set_hw_deadline(uint64_t ticks)
{
    if (use_sstc)
        csr_write(0x14d, ticks);          /* stimecmp */
    else
        sbi_set_timer(ticks);
}

/*
 * Program this hart's deadline; its timer_lock must be held. Moving the
 * deadline later is skipped while an earlier one is armed: the early
 * interrupt finds nothing due and programs the right time then. That keeps
 * the firmware or CSR write off the context switch path, where the time
 * slice end moves later on every switch.
 */
static void program_locked(struct cpu *c)
{
    uint64_t deadline = c->preempt_deadline;
    if (!list_empty(&c->timers)) {
        struct timer *first = container_of(c->timers.next, struct timer, node);
        if (first->deadline_ns < deadline)
            deadline = first->deadline_ns;
    }
    if (deadline >= c->programmed_deadline)
        return;
    c->programmed_deadline = deadline;
    set_hw_deadline(clock_ns_to_ticks(deadline));
}

void timer_program(void)
{
    struct cpu *c = this_cpu();
    uint64_t state;
    spin_lock_irqsave(&c->timer_lock, state);
    program_locked(c);
    spin_unlock_irqrestore(&c->timer_lock, state);
}

bool timer_cancel(struct timer *t)
{
    for (;;) {
        int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
        if (cpu < 0)
            return false;
        struct cpu *c = &cpus[cpu];
        uint64_t state;
        spin_lock_irqsave(&c->timer_lock, state);
        if (t->cpu != cpu) {          /* moved while we took the lock */
            spin_unlock_irqrestore(&c->timer_lock, state);
            continue;
        }
        list_delete(&t->node);
        t->cpu = -1;
        t->period_ns = 0;
        if (c == this_cpu())
            program_locked(c);
        spin_unlock_irqrestore(&c->timer_lock, state);
        return true;
    }
}

static void arm(struct timer *t, uint64_t delay_ns, uint64_t period_ns,
                timer_callback_t cb, void *arg)
{
    timer_cancel(t);
    /* Interrupts off before choosing the hart: a thread moved to another
       hart in between would put the timer on one hart's list and program
       the other's deadline. */
    uint64_t state = arch_irq_save();
    struct cpu *c = this_cpu();
    spin_lock(&c->timer_lock);
    t->callback = cb;
    t->arg = arg;
    t->period_ns = period_ns;
    t->deadline_ns = clock_now_ns() + delay_ns;
    t->cpu = (int)c->index;
    insert_sorted(c, t);
    program_locked(c);
    spin_unlock(&c->timer_lock);
    arch_irq_restore(state);
}

void timer_set_oneshot(struct timer *t, uint64_t delay_ns, timer_callback_t cb, void *arg)
{
    arm(t, delay_ns, 0, cb, arg);
}

void timer_set_periodic(struct timer *t, uint64_t period_ns, timer_callback_t cb, void *arg)
{
    arm(t, period_ns, period_ns, cb, arg);
}

/* Timer interrupt: run every expired timer, then set the next deadline. */
void timer_tick(void)
{
    struct cpu *c = this_cpu();
    c->timer_irqs++;
    spin_lock(&c->timer_lock);
    /* The deadline has passed: silence the interrupt until we set another. */
    c->programmed_deadline = UINT64_MAX;
    set_hw_deadline(UINT64_MAX);
    for (;;) {
        uint64_t now = clock_now_ns();
        if (list_empty(&c->timers))
            break;
        struct timer *t = container_of(c->timers.next, struct timer, node);
        if (t->deadline_ns > now)
            break;
        list_delete(&t->node);
        timer_callback_t cb = t->callback;
        void *arg = t->arg;
        if (t->period_ns) {
            t->deadline_ns += t->period_ns;
            if (t->deadline_ns <= now)        /* we fell behind: skip ahead */
                t->deadline_ns = now + t->period_ns;
            insert_sorted(c, t);
        } else {
            __atomic_store_n(&t->cpu, -1, __ATOMIC_RELEASE);
        }
        spin_unlock(&c->timer_lock);
        cb(t, now, arg);
        spin_lock(&c->timer_lock);
    }
    if (clock_now_ns() >= c->preempt_deadline)
        c->need_resched = true;
    program_locked(c);
    spin_unlock(&c->timer_lock);
}
