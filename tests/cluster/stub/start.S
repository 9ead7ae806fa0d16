/* Entry of the stub node kernel: OpenSBI jumps here in S-mode at 0x80200000. */
    .section .text.start
    .globl _start
_start:
    la sp, stack_top
    call stub_main
1:  wfi
    j 1b

    .bss
    .balign 16
    .space 4096
stack_top:
