/*
 * The kernel's file API, for services and for apps (through WASI).
 *
 * A mount table maps path prefixes to filesystems: "/" is the littlefs
 * filesystem on the first virtio-blk disk (formatted on first boot when
 * blank), "/tmp" a littlefs filesystem on a RAM block device. Paths are
 * absolute, '/'-separated; "." and ".." components are resolved here and
 * may not climb above "/". Every call is thread-safe (one mutex per mounted
 * filesystem) and returns 0 / a byte count, or a negative status from
 * pus/err.h.
 */
#ifndef SERVICES_VFS_VFS_H
#define SERVICES_VFS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VFS_PATH_MAX 256
#define VFS_NAME_MAX 255

/* open flags */
#define VFS_O_RDONLY 0x0001
#define VFS_O_WRONLY 0x0002
#define VFS_O_RDWR   0x0003
#define VFS_O_CREATE 0x0100
#define VFS_O_EXCL   0x0200
#define VFS_O_TRUNC  0x0400
#define VFS_O_APPEND 0x0800

/* seek whence */
#define VFS_SEEK_SET 0
#define VFS_SEEK_CUR 1
#define VFS_SEEK_END 2

enum vfs_type { VFS_TYPE_FILE = 1, VFS_TYPE_DIR = 2 };

struct vfs_stat {
    enum vfs_type type;
    uint64_t size;
};

struct vfs_dirent {
    enum vfs_type type;
    uint64_t size;
    char name[VFS_NAME_MAX + 1];
};

struct vfs_statfs {
    uint64_t block_size;
    uint64_t blocks_total;
    uint64_t blocks_used;
};

struct vfs_file;
struct vfs_dir;

int vfs_open(const char *path, int flags, struct vfs_file **out);
int vfs_read(struct vfs_file *f, void *buf, size_t n);          /* bytes, 0 at end */
int vfs_write(struct vfs_file *f, const void *buf, size_t n);   /* bytes */
int64_t vfs_seek(struct vfs_file *f, int64_t offset, int whence); /* new position */
int64_t vfs_tell(struct vfs_file *f);
int vfs_truncate(struct vfs_file *f, uint64_t size);
int vfs_sync(struct vfs_file *f);
int vfs_close(struct vfs_file *f);
int vfs_fstat(struct vfs_file *f, struct vfs_stat *st);

int vfs_stat(const char *path, struct vfs_stat *st);
int vfs_remove(const char *path);                 /* file or empty directory */
int vfs_rename(const char *from, const char *to); /* atomic, also over an existing file */
int vfs_mkdir(const char *path);
int vfs_opendir(const char *path, struct vfs_dir **out);
int vfs_readdir(struct vfs_dir *d, struct vfs_dirent *e);   /* 1 entry, 0 at end */
int vfs_closedir(struct vfs_dir *d);
int vfs_statfs(const char *path, struct vfs_statfs *out);

/* Custom attributes (littlefs user attributes, type 0..255). */
int vfs_getattr(const char *path, uint8_t type, void *buf, size_t n);   /* bytes */
int vfs_setattr(const char *path, uint8_t type, const void *buf, size_t n);
int vfs_removeattr(const char *path, uint8_t type);

/* True once "/" is mounted (boot goes on without a disk, with a warning). */
bool vfs_root_mounted(void);

#endif
