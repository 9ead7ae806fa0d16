/*
 * Per-hart state. sscratch always holds this hart's struct cpu (the trap
 * entry borrows it for an instant), so this_cpu() is one CSR read.
 * The first six fields are used by arch/riscv/trap_entry.S and start.S.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/csr.h"
#include "kernel/list.h"
#include "kernel/spinlock.h"

#define MAX_CPUS 8
#define EMERGENCY_STACK_SIZE 8192
#define CPU_BOOT_STACK_SIZE 16384

struct thread;

struct cpu {
    uint64_t scratch_t1;         /* trap entry scratch */
    uint64_t scratch_sp;
    uintptr_t stack_limit;       /* lowest usable byte of the running stack */
    uintptr_t stack_top;         /* one past its highest byte */
    uintptr_t emergency_top;     /* stack for traps that overflowed */
    uintptr_t boot_sp;           /* initial sp of a secondary hart */

    unsigned index;              /* 0..cpu_count-1 */
    unsigned long hartid;        /* as the firmware numbers it */
    bool online;

    struct thread *current;      /* guarded by thread_lock */
    struct thread *idle;
    bool need_resched;           /* set by interrupt-time wakeups */
    int irq_depth;               /* > 0 while in a trap handler */
    uint64_t preempt_deadline;   /* end of the running thread's time slice, ns */

    spinlock_t timer_lock;       /* guards timers and programmed_deadline */
    struct list_node timers;     /* sorted by deadline */
    uint64_t programmed_deadline;

    /* statistics */
    uint64_t idle_ns;
    uint64_t idle_since;
    uint64_t irqs, context_switches, timer_irqs, ipis;

    uint8_t emergency_stack[EMERGENCY_STACK_SIZE] __attribute__((aligned(16)));
    uint8_t boot_stack[CPU_BOOT_STACK_SIZE] __attribute__((aligned(16)));
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned cpu_count;

static inline struct cpu *this_cpu(void)
{
    return (struct cpu *)csr_read(sscratch);
}

/* True inside a trap handler (interrupt or exception) on this hart. */
static inline bool arch_in_interrupt(void)
{
    /* Handlers run with interrupts off; with them on we are a thread, and
       reading this_cpu() then could race with migration. */
    if (arch_irq_enabled())
        return false;
    struct cpu *c = this_cpu();
    return c && c->irq_depth > 0;
}

/* Bind the running hart to its struct cpu (sets sscratch). */
void cpu_bind(struct cpu *c, unsigned long hartid, unsigned index);
struct cpu *cpu_by_hartid(unsigned long hartid);
/* Ask another hart to look at its run queue (SBI IPI). */
void cpu_kick(struct cpu *c);

#endif
