# arch/riscv: entry, traps, context switch, SBI, Sv39.
KERNEL_SRCS += $(wildcard arch/riscv/*.c) $(wildcard arch/riscv/*.S)
