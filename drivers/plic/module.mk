KERNEL_SRCS += drivers/plic/plic.c
