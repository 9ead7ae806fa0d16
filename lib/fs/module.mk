# lib/fs: the littlefs-format filesystem (portable; see docs/fs.md).
LIB_fs_SRCS := $(wildcard lib/fs/*.c)
KERNEL_LIBS += fs
