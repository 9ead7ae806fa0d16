# lib/cluster: heartbeat wire format, replay filter and node bootargs, shared
# by the in-kernel node agent and the host controller (tools/pusctl).
LIB_cluster_SRCS := $(wildcard lib/cluster/*.c)
KERNEL_LIBS += cluster
