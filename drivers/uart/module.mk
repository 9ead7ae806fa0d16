KERNEL_SRCS += drivers/uart/ns16550.c drivers/uart/cmd_console.c
