/*
 * The one trap vector (stvec, direct mode) for exceptions and interrupts,
 * all taken in S-mode: there is no user mode.
 *
 * sscratch holds this hart's struct cpu. The frame goes on the interrupted
 * stack unless that stack has run into its guard page (or sp is wild), in
 * which case we switch to the hart's emergency stack: that is how a stack
 * overflow becomes a clean register dump instead of a silent reset.
 * Interrupts stay disabled (the hardware cleared SIE) until sret; a context
 * switch inside trap_handler leaves this frame on the old thread's stack.
 */
#include "arch/riscv/asm_offsets.h"

    .section .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw   t0, sscratch, t0            /* t0 = cpu, sscratch = old t0 */
    sd      t1, CPU_SCRATCH_T1(t0)
    sd      sp, CPU_SCRATCH_SP(t0)
    addi    sp, sp, -FRAME_SIZE
    ld      t1, CPU_STACK_LIMIT(t0)
    bltu    sp, t1, 1f                  /* frame would hit the guard page */
    ld      t1, CPU_STACK_TOP(t0)
    bgeu    sp, t1, 1f                  /* sp is not on this thread's stack */
    j       2f
1:  ld      sp, CPU_EMERGENCY_TOP(t0)
    addi    sp, sp, -FRAME_SIZE
2:
    sd      ra, FRAME_REG(1)(sp)
    sd      gp, FRAME_REG(3)(sp)
    sd      tp, FRAME_REG(4)(sp)
    sd      t2, FRAME_REG(7)(sp)
    sd      s0, FRAME_REG(8)(sp)
    sd      s1, FRAME_REG(9)(sp)
    sd      a0, FRAME_REG(10)(sp)
    sd      a1, FRAME_REG(11)(sp)
    sd      a2, FRAME_REG(12)(sp)
    sd      a3, FRAME_REG(13)(sp)
    sd      a4, FRAME_REG(14)(sp)
    sd      a5, FRAME_REG(15)(sp)
    sd      a6, FRAME_REG(16)(sp)
    sd      a7, FRAME_REG(17)(sp)
    sd      s2, FRAME_REG(18)(sp)
    sd      s3, FRAME_REG(19)(sp)
    sd      s4, FRAME_REG(20)(sp)
    sd      s5, FRAME_REG(21)(sp)
    sd      s6, FRAME_REG(22)(sp)
    sd      s7, FRAME_REG(23)(sp)
    sd      s8, FRAME_REG(24)(sp)
    sd      s9, FRAME_REG(25)(sp)
    sd      s10, FRAME_REG(26)(sp)
    sd      s11, FRAME_REG(27)(sp)
    sd      t3, FRAME_REG(28)(sp)
    sd      t4, FRAME_REG(29)(sp)
    sd      t5, FRAME_REG(30)(sp)
    sd      t6, FRAME_REG(31)(sp)
    ld      t1, CPU_SCRATCH_T1(t0)
    sd      t1, FRAME_REG(6)(sp)
    ld      t1, CPU_SCRATCH_SP(t0)
    sd      t1, FRAME_REG(2)(sp)
    csrr    t1, sscratch
    sd      t1, FRAME_REG(5)(sp)
    csrw    sscratch, t0                /* a nested trap finds its cpu again */

    csrr    t1, sepc
    sd      t1, FRAME_SEPC(sp)
    csrr    t1, sstatus
    sd      t1, FRAME_SSTATUS(sp)
    csrr    t1, scause
    sd      t1, FRAME_SCAUSE(sp)
    csrr    t1, stval
    sd      t1, FRAME_STVAL(sp)

    mv      a0, sp
    /* A fake frame so that backtraces walk from the handler into the
       interrupted code: s0 points just above a (ra, fp) pair. */
    ld      t1, FRAME_SEPC(sp)
    addi    sp, sp, -16
    sd      t1, 8(sp)
    ld      t2, FRAME_REG(8)(a0)
    sd      t2, 0(sp)
    addi    s0, sp, 16
    call    trap_handler
    addi    sp, sp, 16

    ld      t1, FRAME_SEPC(sp)
    csrw    sepc, t1
    ld      t1, FRAME_SSTATUS(sp)
    csrw    sstatus, t1

    ld      ra, FRAME_REG(1)(sp)
    ld      gp, FRAME_REG(3)(sp)
    ld      tp, FRAME_REG(4)(sp)
    ld      t0, FRAME_REG(5)(sp)
    ld      t1, FRAME_REG(6)(sp)
    ld      t2, FRAME_REG(7)(sp)
    ld      s0, FRAME_REG(8)(sp)
    ld      s1, FRAME_REG(9)(sp)
    ld      a0, FRAME_REG(10)(sp)
    ld      a1, FRAME_REG(11)(sp)
    ld      a2, FRAME_REG(12)(sp)
    ld      a3, FRAME_REG(13)(sp)
    ld      a4, FRAME_REG(14)(sp)
    ld      a5, FRAME_REG(15)(sp)
    ld      a6, FRAME_REG(16)(sp)
    ld      a7, FRAME_REG(17)(sp)
    ld      s2, FRAME_REG(18)(sp)
    ld      s3, FRAME_REG(19)(sp)
    ld      s4, FRAME_REG(20)(sp)
    ld      s5, FRAME_REG(21)(sp)
    ld      s6, FRAME_REG(22)(sp)
    ld      s7, FRAME_REG(23)(sp)
    ld      s8, FRAME_REG(24)(sp)
    ld      s9, FRAME_REG(25)(sp)
    ld      s10, FRAME_REG(26)(sp)
    ld      s11, FRAME_REG(27)(sp)
    ld      t3, FRAME_REG(28)(sp)
    ld      t4, FRAME_REG(29)(sp)
    ld      t5, FRAME_REG(30)(sp)
    ld      t6, FRAME_REG(31)(sp)
    ld      sp, FRAME_REG(2)(sp)
    sret
