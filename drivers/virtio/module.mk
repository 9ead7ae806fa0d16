# drivers/virtio: the virtio-mmio transport and the devices on it.
KERNEL_SRCS += $(wildcard drivers/virtio/*.c)
