# lib/alloc: the kernel heap (TLSF-style segregated fit, boundary tags).
LIB_alloc_SRCS := $(wildcard lib/alloc/*.c)
KERNEL_LIBS += alloc
