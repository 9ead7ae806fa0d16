/*
 * PLIC register map (RISC-V PLIC specification):
 *   0x000000 + 4*src          priority of each source (0 = never)
 *   0x002000 + 0x80*ctx       enable bits of a context, one per source
 *   0x200000 + 0x1000*ctx     threshold (+0) and claim/complete (+4)
 */
#include <stddef.h>
#include "drivers/plic/plic.h"
#include "arch/riscv/trap.h"
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "pus/err.h"

#define PLIC_MAX_SOURCES 128

static volatile uint32_t *plic_base;
static uint32_t nsources;
/* Contexts by platform hart index (as the devicetree lists harts), and by
   cpu index (the kernel's numbering, boot hart first): they differ when the
   firmware boots on another hart than the first. */
static unsigned long hart_ids[PLATFORM_MAX_HARTS];
static int context_by_hart[PLATFORM_MAX_HARTS];
static int context_of[PLATFORM_MAX_HARTS];
static unsigned nharts;

static struct {
    plic_handler_t handler;
    void *arg;
    uint64_t count;
} sources[PLIC_MAX_SOURCES];

/*
 * Every source is enabled on one hart only, the boot hart (cpu index 0).
 * Enabled on all harts, each interrupt woke every idle hart; all but one
 * then found nothing to claim. Under QEMU each such wake-up is a host
 * thread woken and a trip through QEMU's global lock for the claim, and on
 * a busy host that cost up to half the network throughput (host->node
 * 24 -> 48 MiB/s at load 3.6 on 2 CPUs). The scheduler still runs the
 * woken thread on another hart when this one is busy.
 */
#define IRQ_CPU 0

/* The context interrupts are routed to: IRQ_CPU's, or -1 before it is known. */
static int irq_context(void)
{
    return context_of[IRQ_CPU];
}

static inline volatile uint32_t *reg(uintptr_t off)
{
    return (volatile uint32_t *)((uintptr_t)plic_base + off);
}

static void dispatch(void)
{
    struct cpu *c = this_cpu();
    int ctx = context_of[c->index];
    if (ctx < 0)
        return;
    for (;;) {
        uint32_t irq = *reg(0x200004 + 0x1000 * (uintptr_t)ctx);
        if (irq == 0)
            break;
        if (irq < PLIC_MAX_SOURCES && sources[irq].handler) {
            sources[irq].count++;
            sources[irq].handler(sources[irq].arg);
        }
        *reg(0x200004 + 0x1000 * (uintptr_t)ctx) = irq;
    }
}

void plic_init(const struct mmio_device *dev, uint32_t n, const unsigned long *hartids,
               const int *s_context, unsigned harts)
{
    plic_base = (volatile uint32_t *)dev->base;
    nsources = n < PLIC_MAX_SOURCES ? n : PLIC_MAX_SOURCES - 1;
    nharts = harts;
    for (unsigned i = 0; i < PLATFORM_MAX_HARTS; i++) {
        hart_ids[i] = i < harts ? hartids[i] : 0;
        context_by_hart[i] = i < harts ? s_context[i] : -1;
        context_of[i] = -1;
    }
    for (uint32_t s = 1; s <= nsources; s++)
        *reg(4 * s) = 0;
    trap_set_external_handler(dispatch);
}

void plic_init_hart(unsigned cpu_index, unsigned long hartid)
{
    for (unsigned i = 0; i < nharts; i++)
        if (hart_ids[i] == hartid)
            context_of[cpu_index] = context_by_hart[i];
    int ctx = context_of[cpu_index];
    if (ctx < 0)
        return;
    *reg(0x200000 + 0x1000 * (uintptr_t)ctx) = 0;   /* threshold: take everything */
    for (uint32_t s = 1; s <= nsources; s++) {
        volatile uint32_t *en = reg(0x2000 + 0x80 * (uintptr_t)ctx + 4 * (s / 32));
        if (sources[s].handler && (cpu_index == IRQ_CPU || irq_context() < 0))
            *en |= 1u << (s % 32);
        else
            *en &= ~(1u << (s % 32));
    }
}

int plic_register(uint32_t irq, plic_handler_t handler, void *arg)
{
    if (irq == 0 || irq > nsources)
        return ERR_INVALID_ARGS;
    sources[irq].handler = handler;
    sources[irq].arg = arg;
    *reg(4 * irq) = 1;
    int ctx = irq_context();
    for (unsigned h = 0; h < nharts; h++) {
        /* If the boot hart has no S-mode context (not on QEMU virt): all. */
        if (context_by_hart[h] >= 0 && (ctx < 0 || context_by_hart[h] == ctx))
            *reg(0x2000 + 0x80 * (uintptr_t)context_by_hart[h] + 4 * (irq / 32)) |=
                1u << (irq % 32);
    }
    return 0;
}

void plic_mask(uint32_t irq, int masked)
{
    if (irq == 0 || irq > nsources)
        return;
    *reg(4 * irq) = masked ? 0 : 1;
}

uint64_t plic_count(uint32_t irq)
{
    return irq < PLIC_MAX_SOURCES ? sources[irq].count : 0;
}
