# lib/net: the portable TCP/IP stack (see lib/net/net.h and docs/net.md).
LIB_net_SRCS := $(wildcard lib/net/*.c)
KERNEL_LIBS += net
