/*
 * void arch_context_switch(struct arch_context *from, struct arch_context *to)
 *
 * Saves the callee-saved registers of the running thread into *from and
 * loads those of the next thread from *to; the caller-saved ones are already
 * on the stack by the calling convention. tp is each thread's TLS pointer.
 * FP registers are handled lazily in C (kernel/thread.c).
 */
#include "arch/riscv/asm_offsets.h"

    .section .text
    .globl arch_context_switch
arch_context_switch:
    sd      ra, CTX_RA(a0)
    sd      sp, CTX_SP(a0)
    sd      s0, CTX_S(0)(a0)
    sd      s1, CTX_S(1)(a0)
    sd      s2, CTX_S(2)(a0)
    sd      s3, CTX_S(3)(a0)
    sd      s4, CTX_S(4)(a0)
    sd      s5, CTX_S(5)(a0)
    sd      s6, CTX_S(6)(a0)
    sd      s7, CTX_S(7)(a0)
    sd      s8, CTX_S(8)(a0)
    sd      s9, CTX_S(9)(a0)
    sd      s10, CTX_S(10)(a0)
    sd      s11, CTX_S(11)(a0)
    sd      tp, CTX_TP(a0)

    ld      ra, CTX_RA(a1)
    ld      sp, CTX_SP(a1)
    ld      s0, CTX_S(0)(a1)
    ld      s1, CTX_S(1)(a1)
    ld      s2, CTX_S(2)(a1)
    ld      s3, CTX_S(3)(a1)
    ld      s4, CTX_S(4)(a1)
    ld      s5, CTX_S(5)(a1)
    ld      s6, CTX_S(6)(a1)
    ld      s7, CTX_S(7)(a1)
    ld      s8, CTX_S(8)(a1)
    ld      s9, CTX_S(9)(a1)
    ld      s10, CTX_S(10)(a1)
    ld      s11, CTX_S(11)(a1)
    ld      tp, CTX_TP(a1)
    ret

/* First instructions of every new thread: s1 holds its struct thread. */
    .globl arch_thread_trampoline
arch_thread_trampoline:
    mv      a0, s1
    li      s0, 0
    call    thread_start_c
1:  j       1b

/* Save and restore the 32 FP registers and fcsr (struct fpu_state). */
    .globl arch_fpu_save
arch_fpu_save:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd     f\n, (\n * 8)(a0)
    .endr
    frcsr   t0
    sd      t0, 256(a0)
    ret

    .globl arch_fpu_restore
arch_fpu_restore:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld     f\n, (\n * 8)(a0)
    .endr
    ld      t0, 256(a0)
    fscsr   t0
    ret
