KERNEL_SRCS += drivers/uart/ns16550.c
