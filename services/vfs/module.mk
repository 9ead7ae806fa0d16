# services/vfs: the kernel file API (vfs.h) over lib/fs: mount table, the
# virtio-blk block device, the RAM /tmp, and the file shell commands.
KERNEL_SRCS += $(wildcard services/vfs/*.c)
KERNEL_LIBS += fs blockdev crypto
