/*
 * Thread lifecycle: create, start, exit, join, detach, sleep, yield.
 *
 * Stack layout of a thread (low to high addresses):
 *   [guard page, unmapped] [stack ... grows down] [TLS block]
 * A stack overflow hits the guard page and faults; the trap entry notices
 * and moves to the hart's emergency stack to report it.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/thread.h"
#include "kernel/cpu.h"
#include "kernel/clock.h"
#include "kernel/page.h"
#include "kernel/panic.h"
#include "kernel/log.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/asm_offsets.h"
#include "pus/err.h"

_Static_assert(sizeof(struct arch_context) == CTX_SIZE, "context layout");

#define THREAD_MAGIC 0x74687264u   /* "thrd" */
#define STACK_FILL 0x5a

static struct list_node all_threads = LIST_INITIAL(all_threads);
/* Exited detached threads whose memory is freed by the next reaper. */
static struct list_node zombies = LIST_INITIAL(zombies);

extern char __tdata_start[], __tdata_end[], __tbss_start[], __tbss_end[];

static size_t tls_size(void)
{
    return (size_t)(__tbss_end - __tdata_start);
}

/*
 * A thread's TLS block: 16 bytes holding its struct thread pointer, then
 * the TLS image (errno). tp points at the image, as the RISC-V ABI wants,
 * so tp-16 finds the running thread: a per-thread register, unlike the
 * per-hart sscratch, it cannot change under a thread that migrates.
 */
#define TLS_HEADER 16

static size_t tls_block_size(void)
{
    return ((tls_size() + 15) & ~(size_t)15) + TLS_HEADER;
}

/* Fill a block; returns the value for tp. */
static uintptr_t tls_setup(void *block, struct thread *t)
{
    char *image = (char *)block + TLS_HEADER;
    size_t data = (size_t)(__tdata_end - __tdata_start);
    *(struct thread **)block = t;
    memcpy(image, __tdata_start, data);
    memset(image + data, 0, tls_size() - data);
    return (uintptr_t)image;
}

const char *thread_state_name(enum thread_state s)
{
    switch (s) {
    case THREAD_SUSPENDED: return "suspended";
    case THREAD_READY: return "ready";
    case THREAD_RUNNING: return "running";
    case THREAD_BLOCKED: return "blocked";
    case THREAD_SLEEPING: return "sleeping";
    case THREAD_DEAD: return "dead";
    }
    return "?";
}

struct thread *thread_current(void)
{
    struct thread *t;
    __asm__ volatile("ld %0, -16(tp)" : "=r"(t));
    return t;
}

bool thread_interrupted_idle(void)
{
    return arch_in_interrupt() && thread_current() == this_cpu()->idle;
}

static void thread_free(struct thread *t)
{
    if (t->stack_alloc) {
        mmu_set_guard((uintptr_t)t->stack_alloc, false);
        page_free(t->stack_alloc, t->stack_pages);
    }
    t->magic = 0;
    free(t);
}

static bool thread_on_any_cpu(struct thread *t)
{
    for (unsigned i = 0; i < cpu_count; i++)
        if (cpus[i].current == t)
            return true;
    return false;
}

/* Free exited detached threads. Their stacks are out of use once no hart
   has them as current, which thread_lock lets us check. */
static void reap_zombies(void)
{
    struct list_node done = LIST_INITIAL(done);
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    struct list_node *n, *tmp;
    list_for_each_safe(&zombies, n, tmp) {
        struct thread *t = container_of(n, struct thread, all_node);
        if (!thread_on_any_cpu(t)) {
            list_delete(n);
            list_add_tail(&done, n);
        }
    }
    spin_unlock_irqrestore(&thread_lock, state);
    while ((n = list_remove_head(&done)))
        thread_free(container_of(n, struct thread, all_node));
}

struct thread *thread_create(const char *name, thread_entry_t entry, void *arg,
                             int priority, size_t stack_size)
{
    if (!entry || priority < 0 || priority > THREAD_PRIORITY_MAX)
        return NULL;
    if (stack_size == 0)
        stack_size = THREAD_STACK_DEFAULT;
    if (stack_size > THREAD_STACK_MAX)
        return NULL;
    reap_zombies();

    struct thread *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;

    size_t tls = tls_block_size();
    size_t pages = (stack_size + tls + PAGE_SIZE - 1) / PAGE_SIZE + 1;
    uint8_t *mem = page_alloc(pages);
    if (!mem) {
        free(t);
        return NULL;
    }
    if (mmu_set_guard((uintptr_t)mem, true) < 0) {
        page_free(mem, pages);
        free(t);
        return NULL;
    }
    t->stack_alloc = mem;
    t->stack_pages = pages;
    t->stack_low = (uintptr_t)mem + PAGE_SIZE;
    uintptr_t top = (uintptr_t)mem + pages * PAGE_SIZE;
    t->tls = (void *)(top - tls);
    t->stack_high = (uintptr_t)t->tls;
    memset((void *)t->stack_low, STACK_FILL, t->stack_high - t->stack_low);
    uintptr_t tp = tls_setup(t->tls, t);

    strncpy(t->name, name ? name : "?", THREAD_NAME_MAX - 1);
    t->priority = priority;
    t->state = THREAD_SUSPENDED;
    t->cpu = -1;
    t->pinned_cpu = -1;
    t->entry = entry;
    t->arg = arg;
    list_init(&t->queue_node);
    timer_init(&t->wait_timer);
    wait_queue_init(&t->exit_wait);
    t->magic = THREAD_MAGIC;

    memset(&t->context, 0, sizeof(t->context));
    t->context.ra = (uint64_t)arch_thread_trampoline;
    t->context.sp = t->stack_high & ~(uintptr_t)15;
    t->context.s[1] = (uint64_t)t;
    t->context.tp = tp;

    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    list_add_tail(&all_threads, &t->all_node);
    spin_unlock_irqrestore(&thread_lock, state);
    return t;
}

int thread_start(struct thread *t)
{
    if (!t || t->magic != THREAD_MAGIC)
        return ERR_INVALID_ARGS;
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    if (t->state != THREAD_SUSPENDED) {
        spin_unlock_irqrestore(&thread_lock, state);
        return ERR_BAD_STATE;
    }
    sched_make_ready(t);
    bool resched = this_cpu()->need_resched;
    if (resched) {
        struct thread *cur = this_cpu()->current;
        if (cur != this_cpu()->idle) {
            sched_make_ready_front(cur);
            sched_reschedule();
        }
    }
    spin_unlock_irqrestore(&thread_lock, state);
    return 0;
}

struct thread *thread_spawn(const char *name, thread_entry_t entry, void *arg,
                            int priority, size_t stack_size)
{
    struct thread *t = thread_create(name, entry, arg, priority, stack_size);
    if (t && thread_start(t) < 0) {
        thread_detach(t);
        return NULL;
    }
    return t;
}

/* Every new thread starts here (via arch_thread_trampoline) holding
   thread_lock, which the thread that switched to it took. */
void thread_start_c(struct thread *t);
void thread_start_c(struct thread *t)
{
    spin_unlock(&thread_lock);
    arch_irq_enable();
    thread_exit(t->entry(t->arg));
}

void thread_exit(int retcode)
{
    struct thread *t = thread_current();
    arch_irq_disable();
    spin_lock(&thread_lock);
    t->retcode = retcode;
    t->state = THREAD_DEAD;
    if (t->detached) {
        list_delete(&t->all_node);
        list_add_tail(&zombies, &t->all_node);
    } else {
        wait_queue_wake_all(&t->exit_wait, false, 0);
    }
    sched_reschedule();
    panic("dead thread %s was scheduled again", t->name);
}

int thread_join(struct thread *t, int *retcode, int64_t timeout_ns)
{
    if (!t || t->magic != THREAD_MAGIC || t == thread_current())
        return ERR_INVALID_ARGS;
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    if (t->detached) {
        spin_unlock_irqrestore(&thread_lock, state);
        return ERR_BAD_STATE;
    }
    while (t->state != THREAD_DEAD) {
        int r = wait_queue_block(&t->exit_wait, timeout_ns);
        if (r < 0) {
            spin_unlock_irqrestore(&thread_lock, state);
            return r;
        }
    }
    /* It is dead; wait until its hart has switched off its stack. */
    while (thread_on_any_cpu(t)) {
        spin_unlock_irqrestore(&thread_lock, state);
        cpu_relax();
        spin_lock_irqsave(&thread_lock, state);
    }
    if (retcode)
        *retcode = t->retcode;
    list_delete(&t->all_node);
    spin_unlock_irqrestore(&thread_lock, state);
    thread_free(t);
    return 0;
}

int thread_detach(struct thread *t)
{
    if (!t || t->magic != THREAD_MAGIC)
        return ERR_INVALID_ARGS;
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    if (t->detached) {
        spin_unlock_irqrestore(&thread_lock, state);
        return ERR_BAD_STATE;
    }
    t->detached = true;
    if (t->state == THREAD_DEAD || t->state == THREAD_SUSPENDED) {
        /* Already gone, or never going to run: free it now or soon. */
        if (t->state == THREAD_SUSPENDED)
            t->state = THREAD_DEAD;
        list_delete(&t->all_node);
        list_add_tail(&zombies, &t->all_node);
        wait_queue_wake_all(&t->exit_wait, false, ERR_CANCELLED);
    }
    spin_unlock_irqrestore(&thread_lock, state);
    return 0;
}

void thread_yield(void)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    struct thread *t = thread_current();
    if (t != this_cpu()->idle) {
        sched_make_ready_tail(t);
        sched_reschedule();
    }
    spin_unlock_irqrestore(&thread_lock, state);
}

static void sleep_timer_fired(struct timer *tm, uint64_t now, void *arg)
{
    struct thread *t = arg;
    spin_lock(&thread_lock);
    /* Ignore a stale firing that belongs to an earlier sleep. */
    if (t->state == THREAD_SLEEPING && clock_now_ns() >= t->wait_deadline)
        sched_make_ready(t);
    spin_unlock(&thread_lock);
}

void thread_sleep_ns(uint64_t ns)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    struct thread *t = thread_current();
    t->state = THREAD_SLEEPING;
    t->wait_deadline = clock_now_ns() + ns;
    timer_set_oneshot(&t->wait_timer, ns, sleep_timer_fired, t);
    sched_reschedule();
    spin_unlock_irqrestore(&thread_lock, state);
}

void thread_sleep_ms(uint64_t ms)
{
    thread_sleep_ns(ms * 1000000ull);
}

void thread_set_priority(struct thread *t, int priority)
{
    if (priority < 1)
        priority = 1;   /* 0 belongs to the idle threads */
    if (priority > THREAD_PRIORITY_MAX)
        priority = THREAD_PRIORITY_MAX;
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    if (t->state == THREAD_READY) {
        sched_unqueue(t);
        t->priority = priority;
        sched_make_ready(t);
    } else {
        t->priority = priority;
    }
    spin_unlock_irqrestore(&thread_lock, state);
}

void thread_pin(struct thread *t, int cpu)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    t->pinned_cpu = (cpu >= 0 && cpu < (int)cpu_count) ? cpu : -1;
    spin_unlock_irqrestore(&thread_lock, state);
}

size_t thread_stack_unused(const struct thread *t)
{
    const uint8_t *p = (const uint8_t *)t->stack_low;
    const uint8_t *end = (const uint8_t *)t->stack_high;
    size_t n = 0;
    if (!t->stack_alloc)
        return 0;
    while (p + n < end && p[n] == STACK_FILL)
        n++;
    return n;
}

void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    struct list_node *n;
    list_for_each(&all_threads, n)
        fn(container_of(n, struct thread, all_node), arg);
    spin_unlock_irqrestore(&thread_lock, state);
}

/*
 * Turn the code running on this hart's boot stack into its idle thread, so
 * that it can create and start threads. It enters the idle loop later with
 * sched_idle_loop().
 */
void thread_init_idle(struct cpu *c, const char *name)
{
    struct thread *t = calloc(1, sizeof(*t));
    if (!t)
        panic("no memory for idle thread");
    strncpy(t->name, name, THREAD_NAME_MAX - 1);
    t->priority = THREAD_PRIORITY_IDLE;
    t->state = THREAD_RUNNING;
    t->cpu = (int)c->index;
    t->pinned_cpu = (int)c->index;
    t->detached = true;
    list_init(&t->queue_node);
    timer_init(&t->wait_timer);
    wait_queue_init(&t->exit_wait);
    t->magic = THREAD_MAGIC;
    t->stack_low = c->stack_limit;
    t->stack_high = c->stack_top;
    t->last_switch_in = clock_now_ns();
    /* The idle thread's TLS block lives on the heap (its stack is the
       hart's boot stack). */
    void *tls = calloc(1, tls_block_size());
    if (!tls)
        panic("no memory for the idle thread's TLS");
    t->tls = tls;
    uintptr_t tp = tls_setup(tls, t);
    __asm__ volatile("mv tp, %0" :: "r"(tp));

    uint64_t state;
    spin_lock_irqsave(&thread_lock, state);
    c->idle = t;
    c->current = t;
    c->online = true;
    list_add_tail(&all_threads, &t->all_node);
    spin_unlock_irqrestore(&thread_lock, state);
}
