/*
 * Offsets shared between C structures and the assembly that touches them.
 * kernel/cpu.c and kernel/thread.c check each one with _Static_assert.
 */
#ifndef ARCH_RISCV_ASM_OFFSETS_H
#define ARCH_RISCV_ASM_OFFSETS_H

/* struct cpu (kernel/cpu.h): the first fields belong to the trap entry. */
#define CPU_SCRATCH_T1     0
#define CPU_SCRATCH_SP     8
#define CPU_STACK_LIMIT   16
#define CPU_STACK_TOP     24
#define CPU_EMERGENCY_TOP 32
#define CPU_BOOT_SP       40

/* struct trap_frame (arch/riscv/trap.h): x0..x31, then four CSRs. */
#define FRAME_REG(n)   ((n) * 8)
#define FRAME_SEPC     256
#define FRAME_SSTATUS  264
#define FRAME_SCAUSE   272
#define FRAME_STVAL    280
#define FRAME_SIZE     288

/* struct arch_context (arch/riscv/context.h): callee-saved state. */
#define CTX_RA   0
#define CTX_SP   8
#define CTX_S(n) (16 + (n) * 8)
#define CTX_TP   112
#define CTX_SIZE 120

#endif
