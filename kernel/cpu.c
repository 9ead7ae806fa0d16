/* Per-hart structures and inter-processor interrupts. */
#include <stddef.h>
#include "kernel/cpu.h"
#include "arch/riscv/asm_offsets.h"
#include "arch/riscv/sbi.h"

_Static_assert(offsetof(struct cpu, scratch_t1) == CPU_SCRATCH_T1, "asm offset");
_Static_assert(offsetof(struct cpu, scratch_sp) == CPU_SCRATCH_SP, "asm offset");
_Static_assert(offsetof(struct cpu, stack_limit) == CPU_STACK_LIMIT, "asm offset");
_Static_assert(offsetof(struct cpu, stack_top) == CPU_STACK_TOP, "asm offset");
_Static_assert(offsetof(struct cpu, emergency_top) == CPU_EMERGENCY_TOP, "asm offset");
_Static_assert(offsetof(struct cpu, boot_sp) == CPU_BOOT_SP, "asm offset");

struct cpu cpus[MAX_CPUS];
unsigned cpu_count;

void cpu_bind(struct cpu *c, unsigned long hartid, unsigned index)
{
    c->index = index;
    c->hartid = hartid;
    c->emergency_top = (uintptr_t)(c->emergency_stack + EMERGENCY_STACK_SIZE);
    spin_init(&c->timer_lock);
    list_init(&c->timers);
    c->programmed_deadline = UINT64_MAX;
    c->preempt_deadline = UINT64_MAX;
    csr_write(sscratch, (uintptr_t)c);
}

struct cpu *cpu_by_hartid(unsigned long hartid)
{
    for (unsigned i = 0; i < cpu_count; i++)
        if (cpus[i].hartid == hartid)
            return &cpus[i];
    return NULL;
}

void cpu_kick(struct cpu *c)
{
    /* hart_mask_base = hartid, bit 0 selects exactly that hart. */
    sbi_send_ipi(1ul, c->hartid);
}
