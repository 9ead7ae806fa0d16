/*
 * C side of every trap. Interrupts: timer (per-hart deadlines), software
 * (IPIs from other harts asking us to reschedule) and external (the PLIC).
 * Exceptions: there is no user mode, so every exception is a kernel bug and
 * panics with a register dump.
 */
#include <stddef.h>
#include "arch/riscv/trap.h"
#include "arch/riscv/asm_offsets.h"
#include "arch/riscv/csr.h"
#include "kernel/cpu.h"
#include "kernel/timer.h"
#include "kernel/thread.h"
#include "kernel/panic.h"

_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "frame layout");
_Static_assert(offsetof(struct trap_frame, sepc) == FRAME_SEPC, "frame layout");
_Static_assert(offsetof(struct trap_frame, stval) == FRAME_STVAL, "frame layout");

static void (*external_handler)(void);

void trap_set_external_handler(void (*handler)(void))
{
    external_handler = handler;
}

const char *trap_cause_name(uint64_t scause)
{
    switch (scause) {
    case EXC_INST_MISALIGNED: return "instruction address misaligned";
    case EXC_INST_ACCESS: return "instruction access fault";
    case EXC_ILLEGAL_INST: return "illegal instruction";
    case EXC_BREAKPOINT: return "breakpoint";
    case EXC_LOAD_MISALIGNED: return "load address misaligned";
    case EXC_LOAD_ACCESS: return "load access fault";
    case EXC_STORE_MISALIGNED: return "store address misaligned";
    case EXC_STORE_ACCESS: return "store access fault";
    case EXC_ECALL_U: return "environment call from U-mode";
    case EXC_ECALL_S: return "environment call from S-mode";
    case EXC_INST_PAGE_FAULT: return "instruction page fault";
    case EXC_LOAD_PAGE_FAULT: return "load page fault";
    case EXC_STORE_PAGE_FAULT: return "store page fault";
    default: return "unknown exception";
    }
}

void trap_handler(struct trap_frame *f)
{
    struct cpu *c = this_cpu();
    uint64_t cause = f->scause;

    if (!(cause & SCAUSE_INTERRUPT)) {
        panic_trap(f, trap_cause_name(cause));
    }

    c->irq_depth++;
    c->irqs++;
    switch (cause & ~SCAUSE_INTERRUPT) {
    case IRQ_S_TIMER:
        timer_tick();
        break;
    case IRQ_S_SOFT:
        csr_clear(sip, SIP_SSIP);
        c->ipis++;
        c->need_resched = true;    /* someone queued work for us */
        break;
    case IRQ_S_EXT:
        if (external_handler)
            external_handler();
        break;
    default:
        panic_trap(f, "unexpected interrupt");
    }
    c->irq_depth--;

    if (c->need_resched)
        sched_preempt();
}
