/*
 * The scheduler: one run queue per priority, shared by all harts and guarded
 * by thread_lock. The highest priority ready thread runs next; threads of
 * equal priority take turns in time slices (armed only while a peer waits).
 * When a thread becomes ready it runs on the hart an interrupt just woke from
 * idle, or we kick an idle hart, or preempt the hart running the least
 * important thread if the new one outranks it.
 */
#include <string.h>
#include "kernel/thread.h"
#include "kernel/cpu.h"
#include "kernel/clock.h"
#include "kernel/panic.h"
#include "arch/riscv/csr.h"

spinlock_t thread_lock = SPINLOCK_INITIAL;

static struct list_node run_queue[THREAD_PRIORITIES];
static uint32_t run_queue_bitmap;     /* bit p set: run_queue[p] not empty */
/* Bit i set: hart index i is idle. Set under thread_lock (with the run
   queue check, so no wake-up is lost); cleared atomically, by the hart
   itself on waking or by whoever claims it for a thread. */
static unsigned idle_cpu_mask;

void sched_init_early(void)
{
    for (int i = 0; i < THREAD_PRIORITIES; i++)
        list_init(&run_queue[i]);
}

static void run_queue_insert(struct thread *t, bool at_head)
{
    t->state = THREAD_READY;
    if (at_head)
        list_add_head(&run_queue[t->priority], &t->queue_node);
    else
        list_add_tail(&run_queue[t->priority], &t->queue_node);
    run_queue_bitmap |= 1u << t->priority;
}

void sched_make_ready_front(struct thread *t) { run_queue_insert(t, true); }
void sched_make_ready_tail(struct thread *t) { run_queue_insert(t, false); }

void sched_unqueue(struct thread *t)
{
    list_delete(&t->queue_node);
    if (list_empty(&run_queue[t->priority]))
        run_queue_bitmap &= ~(1u << t->priority);
}

/* Highest priority thread this hart may run, removed from the queue. */
static struct thread *run_queue_pick(struct cpu *c)
{
    uint32_t bits = run_queue_bitmap;
    while (bits) {
        int prio = 31 - __builtin_clz(bits);
        struct list_node *n;
        list_for_each(&run_queue[prio], n) {
            struct thread *t = container_of(n, struct thread, queue_node);
            if (t->pinned_cpu < 0 || t->pinned_cpu == (int)c->index) {
                list_delete(n);
                if (list_empty(&run_queue[prio]))
                    run_queue_bitmap &= ~(1u << prio);
                return t;
            }
        }
        bits &= ~(1u << prio);
    }
    return NULL;
}

static int running_priority(struct cpu *c)
{
    return c->current == c->idle ? -1 : c->current->priority;
}

/*
 * When the time slice of thread t, starting now on hart c, must end: only
 * if another thread of its priority waits for a hart. With nobody to take
 * turns with, no slice is armed: a more important thread preempts anyway
 * (sched_make_ready), and one of equal priority arriving later starts the
 * slice (start_slice). This keeps the timer off the path of a thread
 * woken from idle (the stimecmp write is a host timer update under QEMU,
 * about 10 us) and saves the pointless interrupt when the slice would end.
 */
static uint64_t slice_end(struct cpu *c, struct thread *t, uint64_t now)
{
    if (t == c->idle || !(run_queue_bitmap & (1u << t->priority)))
        return UINT64_MAX;
    return now + THREAD_QUANTUM_NS;
}

/*
 * t waits behind threads of its own priority: make one hart running such
 * a thread without a slice start one, so they take turns. True if found.
 */
static bool start_slice(struct thread *t)
{
    struct cpu *self = this_cpu();
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        if (!c->online || (t->pinned_cpu >= 0 && t->pinned_cpu != (int)i))
            continue;
        if (c->current == c->idle || c->current->priority != t->priority ||
            c->preempt_deadline != UINT64_MAX)
            continue;
        if (c == self) {
            c->preempt_deadline = clock_now_ns() + THREAD_QUANTUM_NS;
            timer_program();
        } else {
            cpu_kick(c);   /* its reschedule sees t waiting and arms one */
        }
        return true;
    }
    return false;
}

bool sched_others_idle(void)
{
    unsigned idle = __atomic_load_n(&idle_cpu_mask, __ATOMIC_RELAXED);
    struct cpu *self = this_cpu();
    for (unsigned i = 0; i < cpu_count; i++)
        if (&cpus[i] != self && cpus[i].online && !(idle & (1u << i)))
            return false;
    return true;
}

/* Claim an idle hart t may run on and get it to look at the run queue
   (this hart just gets need_resched). False if none is idle. */
static bool wake_idle_hart_for(struct thread *t)
{
    struct cpu *self = this_cpu();
    for (unsigned i = 0; i < cpu_count; i++) {
        if (!(__atomic_load_n(&idle_cpu_mask, __ATOMIC_RELAXED) & (1u << i)))
            continue;
        if (t->pinned_cpu >= 0 && t->pinned_cpu != (int)i)
            continue;
        /* The hart may be clearing its own bit as it wakes: whoever
           clears it first owns the wake-up. */
        if (!(__atomic_fetch_and(&idle_cpu_mask, ~(1u << i), __ATOMIC_ACQ_REL) & (1u << i)))
            continue;
        if (&cpus[i] == self)
            self->need_resched = true;
        else
            cpu_kick(&cpus[i]);
        return true;
    }
    return false;
}

/* Make a thread ready and get some hart to look at it. */
void sched_make_ready(struct thread *t)
{
    struct cpu *self = this_cpu();
    run_queue_insert(t, false);

    /*
     * An interrupt readied the thread: run it here, on the way out of the
     * trap, if this hart was idle or ran something less important, rather
     * than waking another hart. Under QEMU a wake-up is an SBI call, a
     * trap there and a host thread to schedule; and while the host keeps
     * that thread descheduled it may hold thread_lock and stall this hart
     * too (a node pinging out saw one reply in ten take 1-5 ms that way).
     * (The idle loop has already taken this hart out of idle_cpu_mask, so
     * the search below would pick another hart.) Only the first thread an
     * interrupt readies: the others go to an idle hart below instead of
     * queueing behind it.
     */
    bool here = t->pinned_cpu < 0 || t->pinned_cpu == (int)self->index;
    if (arch_in_interrupt() && here && !self->need_resched &&
        (self->current == self->idle || t->priority > running_priority(self))) {
        self->need_resched = true;
        return;
    }

    /* An idle hart it may run on takes it. */
    if (wake_idle_hart_for(t))
        return;
    /* Otherwise preempt the least important running thread it outranks. */
    struct cpu *victim = NULL;
    int lowest = t->priority;
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        if (!c->online || (t->pinned_cpu >= 0 && t->pinned_cpu != (int)i))
            continue;
        int p = running_priority(c);
        if (p < lowest) {
            lowest = p;
            victim = c;
        }
    }
    if (!victim) {
        start_slice(t);
        return;
    }
    if (victim == self)
        self->need_resched = true;
    else
        cpu_kick(victim);
}

/*
 * Lazy FPU switching: save only if the outgoing thread dirtied the FPU,
 * restore only if the incoming one has state, and leave sstatus alone when
 * neither happened (every CSR write is costly under emulation).
 */
static void fpu_switch(struct thread *old, struct thread *new)
{
    uint64_t s = csr_read(sstatus);
    bool touched = false;
    if ((s & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
        arch_fpu_save(&old->fpu);
        old->fpu_saved = true;
        touched = true;
    }
    if (new->fpu_saved) {
        arch_fpu_restore(&new->fpu);
        touched = true;
    } else if (touched) {
        /* No state of its own: give it a clean rounding mode and flags. */
        __asm__ volatile("fscsr zero");
    }
    if (touched) {
        csr_clear(sstatus, SSTATUS_FS);
        csr_set(sstatus, SSTATUS_FS_CLEAN);
    }
}

/*
 * Switch to the best ready thread. The caller holds thread_lock and has
 * already put the current thread where it belongs (run queue, wait queue,
 * or nowhere if it is dead or idle).
 */
bool sched_reschedule(void)
{
    struct cpu *c = this_cpu();
    struct thread *old = c->current;
    struct thread *new = run_queue_pick(c);

    if (!new) {
        if (old->state == THREAD_RUNNING || old->state == THREAD_READY) {
            /* Nothing else: keep running (it may have queued itself). */
            if (old->state == THREAD_READY) {
                list_delete(&old->queue_node);
                if (list_empty(&run_queue[old->priority]))
                    run_queue_bitmap &= ~(1u << old->priority);
            }
            new = old;
        } else {
            new = c->idle;
        }
    }

    uint64_t now = clock_now_ns();
    c->need_resched = false;
    if (new == old) {
        old->state = THREAD_RUNNING;
        c->preempt_deadline = slice_end(c, old, now);
        timer_program();
        return false;
    }

    old->cpu_time_ns += now - old->last_switch_in;
    if (old == c->idle)
        c->idle_ns += now - old->last_switch_in;
    new->last_switch_in = now;
    new->state = THREAD_RUNNING;
    new->cpu = (int)c->index;
    new->switches++;
    c->context_switches++;
    c->current = new;
    c->stack_limit = new->stack_low;
    c->stack_top = new->stack_high;
    c->preempt_deadline = slice_end(c, new, now);
    /* Only this hart writes programmed_deadline, so the check needs no lock. */
    if (c->preempt_deadline < c->programmed_deadline)
        timer_program();

    fpu_switch(old, new);
    arch_context_switch(&old->context, &new->context);
    /* Back in old, possibly on another hart. */
    return true;
}

/* Called at trap exit when an interrupt asked for a reschedule. */
void sched_preempt(void)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    struct cpu *c = this_cpu();
    struct thread *t = c->current;
    if (t != c->idle) {
        /* Round-robin: a thread whose slice is used up goes behind its
           peers; one preempted early by a more important thread keeps its
           place at the front. */
        bool slice_over = clock_now_ns() >= c->preempt_deadline;
        run_queue_insert(t, !slice_over);
        /*
         * t waits here even if another hart idles, until the thread that
         * bumped it blocks. Handing it to the idle hart at once (an IPI)
         * was tried: it brought back the lock-holder stalls that
         * sched_make_ready avoids (a node's pings to the host: 21% over
         * 1 ms instead of none). A lazy hand-over, after t has waited a
         * while, would not; not done.
         */
    }
    sched_reschedule();
    spin_unlock_irqrestore(&thread_lock, state);
}

/*
 * The idle thread of every hart: run whatever is ready, otherwise wait for
 * an interrupt with no timer armed unless one is due (tickless idle).
 */
void sched_idle_loop(void)
{
    struct cpu *c = this_cpu();
    for (;;) {
        arch_irq_disable();
        spin_lock(&thread_lock);
        if (run_queue_bitmap != 0 && sched_reschedule()) {
            spin_unlock(&thread_lock);
            arch_irq_enable();
            continue;
        }
        __atomic_fetch_or(&idle_cpu_mask, 1u << c->index, __ATOMIC_ACQ_REL);
        c->idle_since = clock_now_ns();
        spin_unlock(&thread_lock);
        /* wfi wakes on a pending enabled interrupt even with SIE clear, so
           no wakeup can slip between the check above and the wait. */
        wfi();
        /* No thread_lock here: a hart the host deschedules right after
           waking would hold it and stall the others. */
        __atomic_fetch_and(&idle_cpu_mask, ~(1u << c->index), __ATOMIC_ACQ_REL);
        arch_irq_enable();   /* take the interrupt that woke us */
    }
}
