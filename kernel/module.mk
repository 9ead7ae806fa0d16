# kernel/: threads, scheduler, timers, wait queues, sync, memory, log, panic.
KERNEL_SRCS += $(wildcard kernel/*.c) $(wildcard kernel/tests/*.c)
KERNEL_LIBS += alloc
