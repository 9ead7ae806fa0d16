/* panic(): report, then reboot or halt according to the policy. */
#include <stdarg.h>
#include "kernel/panic.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/ksyms.h"
#include "kernel/thread.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/csr.h"

static enum panic_policy policy = PANIC_REBOOT;
static int panic_count;

void panic_set_policy(enum panic_policy p) { policy = p; }
enum panic_policy panic_get_policy(void) { return policy; }

static void print_symbol(unsigned long addr)
{
    uintptr_t off;
    const char *name = ksym_lookup(addr, &off);
    if (name)
        kprintf("  %016lx %s+0x%lx\n", addr, name, (unsigned long)off);
    else
        kprintf("  %016lx ?\n", addr);
}

/*
 * Walk the frame-pointer chain. With -fno-omit-frame-pointer on RISC-V,
 * s0 points just above the saved ra (s0-8) and the caller's s0 (s0-16).
 * Every step is checked against the kernel's RAM so a broken chain ends
 * the walk instead of faulting.
 */
void backtrace_print(unsigned long pc, unsigned long fp)
{
    extern char __kernel_start[];
    kprintf("backtrace:\n");
    print_symbol(pc);
    for (int depth = 0; depth < 32; depth++) {
        if (fp < (unsigned long)__kernel_start || (fp & 7) != 0)
            break;
        unsigned long ra = ((unsigned long *)fp)[-1];
        unsigned long next = ((unsigned long *)fp)[-2];
        if (ra == 0)
            break;
        print_symbol(ra >= 4 ? ra - 4 : ra);   /* the call, not the return point */
        if (next <= fp)
            break;
        fp = next;
    }
}

static void stop_or_reboot(void) __attribute__((noreturn));
static void stop_or_reboot(void)
{
    if (policy == PANIC_HALT) {
        kprintf("panic: halting (panic=halt)\n");
        for (;;) {
            arch_irq_disable();
            wfi();
        }
    }
    kprintf("panic: rebooting (panic=reboot)\n");
    sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_FAILURE);
}

static void enter(void)
{
    arch_irq_disable();
    console_panic_mode();
    if (__atomic_add_fetch(&panic_count, 1, __ATOMIC_SEQ_CST) > 1) {
        /* Nested panic, or another hart panicked too: do not recurse. */
        kprintf("\npanic: nested panic on hart %lu\n", this_cpu() ? this_cpu()->hartid : 0ul);
        stop_or_reboot();
    }
}

static void print_context(void)
{
    struct cpu *c = this_cpu();
    if (c && c->current)
        kprintf("hart %lu, thread '%s'\n", c->hartid, c->current->name);
}

void panic(const char *fmt, ...)
{
    enter();
    kprintf("\n*** KERNEL PANIC: ");
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    print_context();
    unsigned long fp;
    __asm__ volatile("mv %0, s0" : "=r"(fp));
    backtrace_print((unsigned long)__builtin_return_address(0), fp);
    stop_or_reboot();
}

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
    "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void panic_trap(struct trap_frame *f, const char *why)
{
    enter();
    kprintf("\n*** KERNEL PANIC: %s\n", why);
    kprintf("scause %016lx  stval %016lx  sepc %016lx  sstatus %016lx\n",
            (unsigned long)f->scause, (unsigned long)f->stval,
            (unsigned long)f->sepc, (unsigned long)f->sstatus);
    print_context();
    struct cpu *c = this_cpu();
    if (c && c->current && f->stval >= c->current->stack_low - 4096 &&
        f->stval < c->current->stack_low)
        kprintf("fault address is in the guard page below the stack: stack overflow\n");
    for (int i = 1; i < 32; i++) {
        kprintf("%4s %016lx%s", reg_names[i], (unsigned long)f->regs[i],
                (i % 4 == 3) ? "\n" : "  ");
    }
    kprintf("\n");
    backtrace_print(f->sepc, f->regs[8]);
    stop_or_reboot();
}
