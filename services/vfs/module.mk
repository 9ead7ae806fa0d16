# services/vfs: the kernel file API (vfs.h) over lib/fs: mount table, the
# virtio-blk block device, the RAM /tmp, and the file shell commands.
KERNEL_SRCS += $(wildcard services/vfs/*.c)
KERNEL_LIBS += fs blockdev crypto

# Path normalization has no kernel dependencies: unit-tested on the host.
# So are the disk adapter (blockdev_virtio.c; blockdev_virtio_port.c ties it
# to virtio-blk in the kernel) and fsbench's data pattern: tests/unit/vfs/.
HOST_EXTRA_CFLAGS_services_vfs_ := -I.
HOST_EXTRA_CFLAGS_services_vfs_tests_ := -I.
$(eval $(call unit_test,vfs_path,services/vfs/tests/test_path.c services/vfs/path.c,util))
$(eval $(call fuzz_target,vfs_path,services/vfs/tests/fuzz_path.c services/vfs/path.c,util))
