KERNEL_SRCS += drivers/rtc/goldfish.c
