/*
 * The built-in demo apps, embedded into the kernel image: the example apps
 * of apps/ and the test apps of services/apps/testapps/, as copied without
 * debug sections into build/demos/ (module.mk puts that directory on the
 * assembler's include path and makes this object depend on the files).
 *
 * demo_table holds one {name, start, end} triple of pointers per demo;
 * demos.c looks names up in it.
 */

.macro demo name
    .section .rodata.demo_blobs, "a"
    .balign 8
.Lstart_\name:
    .incbin "\name\().wasm"
.Lend_\name:
    .section .rodata.demo_names, "a"
.Lname_\name:
    .asciz "\name"
    .section .rodata.demo_table, "a"
    .balign 8
    .dword .Lname_\name, .Lstart_\name, .Lend_\name
.endm

    .section .rodata.demo_table, "a"
    .balign 8
    .globl demo_table
demo_table:

    demo hello
    demo counter
    demo sieve
    demo matmul
    demo sha256
    demo sort
    demo fib
    demo trap
    demo spin
    demo files

    .section .rodata.demo_table, "a"
    .globl demo_table_end
demo_table_end:
