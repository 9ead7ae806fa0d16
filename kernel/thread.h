/*
 * Kernel threads: the only unit of execution. There is no user mode; every
 * thread runs in S-mode with its own stack (guard page below it) and its own
 * TLS block (picolibc keeps errno there).
 *
 * Scheduling is preemptive by priority, round-robin inside a priority with
 * time slices of THREAD_QUANTUM_NS. All harts share one run queue guarded by
 * thread_lock, which also guards every thread's state and all wait queues.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/list.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"
#include "kernel/wait.h"
#include "arch/riscv/context.h"

struct cpu;

#define THREAD_PRIORITIES      32
#define THREAD_PRIORITY_IDLE    0
#define THREAD_PRIORITY_LOW     8
#define THREAD_PRIORITY_DEFAULT 16
#define THREAD_PRIORITY_HIGH    24
#define THREAD_PRIORITY_MAX     31

#define THREAD_STACK_DEFAULT   (16 * 1024)
#define THREAD_STACK_MAX       (1024 * 1024)
#define THREAD_NAME_MAX        24
#define THREAD_QUANTUM_NS      (10 * 1000 * 1000ull)

#define TIMEOUT_INFINITE       (-1ll)

enum thread_state {
    THREAD_SUSPENDED,    /* created, not started */
    THREAD_READY,        /* in the run queue */
    THREAD_RUNNING,
    THREAD_BLOCKED,      /* in a wait queue */
    THREAD_SLEEPING,
    THREAD_DEAD,         /* exited, waiting to be joined or reaped */
};

typedef int (*thread_entry_t)(void *arg);

struct thread {
    struct arch_context context;
    struct fpu_state fpu;
    bool fpu_saved;              /* fpu holds state to restore */

    char name[THREAD_NAME_MAX];
    int priority;
    enum thread_state state;
    int cpu;                     /* hart index it runs or last ran on */
    int pinned_cpu;              /* -1, or the only hart it may run on */

    struct list_node queue_node; /* run queue or wait queue */
    struct wait_queue *blocking_on;
    int wait_result;
    uint64_t wait_deadline;      /* ns; when the current wait or sleep ends */
    struct timer wait_timer;

    thread_entry_t entry;
    void *arg;
    int retcode;
    bool detached;
    struct wait_queue exit_wait; /* joiners */

    uint8_t *stack_alloc;        /* first page is the guard page */
    size_t stack_pages;          /* including the guard page */
    uintptr_t stack_low, stack_high;
    void *tls;

    uint64_t cpu_time_ns;
    uint64_t last_switch_in;
    uint64_t switches;

    struct list_node all_node;   /* all_threads, guarded by thread_lock */
    uint32_t magic;
};

extern spinlock_t thread_lock;

/* Create a suspended thread; start it with thread_start(). NULL on failure. */
struct thread *thread_create(const char *name, thread_entry_t entry, void *arg,
                             int priority, size_t stack_size);
int thread_start(struct thread *t);
/* Create and start in one call. */
struct thread *thread_spawn(const char *name, thread_entry_t entry, void *arg,
                            int priority, size_t stack_size);
void thread_exit(int retcode) __attribute__((noreturn));
/* Waits for t to exit and frees it. ERR_TIMED_OUT leaves it joinable. */
int thread_join(struct thread *t, int *retcode, int64_t timeout_ns);
/* The thread frees itself when it exits. */
int thread_detach(struct thread *t);
void thread_yield(void);
void thread_sleep_ns(uint64_t ns);
void thread_sleep_ms(uint64_t ms);
struct thread *thread_current(void);
/*
 * True in an interrupt handler that interrupted its hart's idle thread.
 * Such a handler may do a thread's short, non-sleeping work itself (take
 * a lock with mutex_try_acquire for the idle thread, which holds none)
 * instead of waking a thread for it: nobody waits on this hart, and the
 * switch to a thread and back is a good part of a reply's latency.
 */
bool thread_interrupted_idle(void);
/* True when every other online hart idles too (a hint: no lock taken). */
bool sched_others_idle(void);
void thread_set_priority(struct thread *t, int priority);
/* Restrict t to one hart (-1 for any); takes effect at its next switch. */
void thread_pin(struct thread *t, int cpu);

/* Stack bytes never touched since creation (for the threads command). */
size_t thread_stack_unused(const struct thread *t);

/* Visit every thread under thread_lock (fn must not block). */
void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg);
const char *thread_state_name(enum thread_state s);

/* --- scheduler internals, called with thread_lock held --------------- */
void sched_init_early(void);
void sched_init_cpu(struct cpu *c, struct thread *idle);
void sched_make_ready(struct thread *t);          /* insert and kick a hart */
bool sched_reschedule(void);                      /* current already queued or blocked; true if it switched */
void sched_preempt(void);                         /* from trap exit */
void sched_idle_loop(void) __attribute__((noreturn));
void thread_init_idle(struct cpu *c, const char *name);
void sched_make_ready_front(struct thread *t);    /* queue without kicking */
void sched_make_ready_tail(struct thread *t);
void sched_unqueue(struct thread *t);             /* remove a READY thread */

#endif
