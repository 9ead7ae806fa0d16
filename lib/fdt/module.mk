# lib/fdt: read-only, bounds-checked flattened devicetree reader.
LIB_fdt_SRCS := $(wildcard lib/fdt/*.c)
KERNEL_LIBS += fdt
