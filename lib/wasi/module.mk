# lib/wasi: WASI preview 1 and the pus host module, portable, OS services via a port.
LIB_wasi_SRCS := $(wildcard lib/wasi/*.c)
KERNEL_LIBS += wasi
