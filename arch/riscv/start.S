/*
 * Entry from OpenSBI. The boot hart arrives at _start in S-mode with the MMU
 * off, a0 = its hart id and a1 = the physical address of the devicetree.
 * Other harts stay parked in OpenSBI until kmain starts them through the
 * HSM extension at secondary_start, with a1 = their struct cpu.
 */
#include "arch/riscv/asm_offsets.h"

    .section .text.boot, "ax"
    .globl _start
_start:
    /* Only one hart may run the boot path, even with firmware that
       releases every hart at once: the losers park for good. */
    la      t0, boot_lottery
    li      t1, 1
    amoswap.w t1, t1, (t0)
    bnez    t1, park

    csrw    sie, zero
    csrw    sscratch, zero
    la      t0, trap_entry
    csrw    stvec, t0

    /* Zero .bss with registers only: the boot stack lives there. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    la      sp, boot_stack_top
    li      s0, 0               /* end of the frame-pointer chain */
    li      tp, 0
    call    kmain               /* kmain(hartid, dtb) never returns */
park:
    wfi
    j       park

    .globl secondary_start
secondary_start:
    /* a0 = hart id, a1 = struct cpu * (its boot stack is inside it). */
    csrw    sie, zero
    la      t0, trap_entry
    csrw    stvec, t0
    ld      sp, CPU_BOOT_SP(a1)
    li      s0, 0
    li      tp, 0
    call    secondary_main      /* secondary_main(hartid, cpu) never returns */
    j       park

    .section .data
    .balign 4
boot_lottery:
    .word 0

    .section .bss
    .balign 16
boot_stack:
    .space 16384
    .globl boot_stack_top
boot_stack_top:
