/* The register frame trap_entry.S saves, and the C side of trap handling. */
#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#include <stdint.h>

struct trap_frame {
    uint64_t regs[32];           /* x0..x31; regs[0] is unused */
    uint64_t sepc, sstatus, scause, stval;
};

void trap_handler(struct trap_frame *f);
const char *trap_cause_name(uint64_t scause);

/* Interrupt sources the kernel routes: external ones go through the PLIC. */
typedef void (*irq_handler_t)(void *arg);
void trap_set_external_handler(void (*handler)(void));

#endif
