# platform/qemu-virt: devicetree walk for QEMU's virt machine.
KERNEL_SRCS += $(wildcard platform/qemu-virt/*.c)
KERNEL_LIBS += fdt
