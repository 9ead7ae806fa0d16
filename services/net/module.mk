# services/net: the kernel glue of the network stack (lib/net), the socket
# API for kernel services (ksock.h), echo, the node HTTP server and the
# network shell commands. See docs/net-service.md.
KERNEL_SRCS += $(wildcard services/net/*.c)
KERNEL_LIBS += net http json
