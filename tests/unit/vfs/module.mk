# tests/unit/vfs: the node's disk adapter (services/vfs/blockdev_virtio.c)
# on a fake disk that records requests, lib/fs on top of it, and fsbench's
# data pattern. Both sources are free of kernel headers (the adapter reaches
# the disk through struct vblk_disk; blockdev_virtio_port.c is kernel only).
HOST_EXTRA_CFLAGS_tests_unit_vfs_ := -I.
$(eval $(call unit_test,vfs_blockdev_virtio,tests/unit/vfs/test_blockdev_virtio.c tests/unit/vfs/fakedisk.c services/vfs/blockdev_virtio.c,fs blockdev util))
$(eval $(call unit_test,vfs_fsbench_pattern,tests/unit/vfs/test_fsbench_pattern.c services/vfs/fsbench_pattern.c,))
