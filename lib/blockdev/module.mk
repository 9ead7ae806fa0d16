# lib/blockdev: the block-device interface, a RAM device and the adapter a
# sector driver (virtio-blk) uses. The file-backed device in host/ uses
# POSIX and is a separate list (blockdev_host) the kernel never links.
LIB_blockdev_SRCS := $(wildcard lib/blockdev/*.c)
LIB_blockdev_host_SRCS := $(wildcard lib/blockdev/host/*.c)
KERNEL_LIBS += blockdev
