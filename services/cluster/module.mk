# services/cluster: the node agent (heartbeats to pusctl).
KERNEL_SRCS += $(wildcard services/cluster/*.c)
KERNEL_LIBS += cluster crypto
