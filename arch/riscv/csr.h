/*
 * RISC-V supervisor CSRs and the handful of instructions the kernel needs
 * as inline functions. Field names follow the privileged spec.
 */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#include <stdint.h>

#define SSTATUS_SIE   (1ul << 1)
#define SSTATUS_SPIE  (1ul << 5)
#define SSTATUS_SPP   (1ul << 8)
#define SSTATUS_FS    (3ul << 13)
#define SSTATUS_FS_OFF     (0ul << 13)
#define SSTATUS_FS_INITIAL (1ul << 13)
#define SSTATUS_FS_CLEAN   (2ul << 13)
#define SSTATUS_FS_DIRTY   (3ul << 13)
#define SSTATUS_SUM   (1ul << 18)

#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)
#define SIP_SSIP (1ul << 1)

#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_SOFT   1
#define IRQ_S_TIMER  5
#define IRQ_S_EXT    9

#define EXC_INST_MISALIGNED  0
#define EXC_INST_ACCESS      1
#define EXC_ILLEGAL_INST     2
#define EXC_BREAKPOINT       3
#define EXC_LOAD_MISALIGNED  4
#define EXC_LOAD_ACCESS      5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS     7
#define EXC_ECALL_U          8
#define EXC_ECALL_S          9
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

#define csr_read(csr) ({ uint64_t __v; \
    __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) \
    __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, bits) \
    __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(bits)) : "memory")
#define csr_clear(csr, bits) \
    __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(bits)) : "memory")
#define csr_read_clear(csr, bits) ({ uint64_t __v; \
    __asm__ volatile("csrrc %0, " #csr ", %1" : "=r"(__v) : "rK"((uint64_t)(bits)) : "memory"); __v; })

static inline uint64_t rdtime(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

static inline uint64_t rdcycle(void)
{
    uint64_t c;
    __asm__ volatile("rdcycle %0" : "=r"(c));
    return c;
}

static inline uint64_t rdinstret(void)
{
    uint64_t c;
    __asm__ volatile("rdinstret %0" : "=r"(c));
    return c;
}

static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }
static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }
static inline void sfence_vma(void) { __asm__ volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma_addr(uintptr_t va)
{
    __asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}
static inline void cpu_relax(void) { __asm__ volatile("nop" ::: "memory"); }

/* Interrupt enable state of this hart: save-and-disable, and restore. */
static inline uint64_t arch_irq_save(void)
{
    return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}
static inline void arch_irq_restore(uint64_t state)
{
    if (state)
        csr_set(sstatus, SSTATUS_SIE);
}
static inline void arch_irq_enable(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void arch_irq_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline int arch_irq_enabled(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }

#endif
