/*
 * Weak stand-ins for the kernel file API (services/vfs/vfs.h), so the app
 * manager links and runs in a kernel built without services/vfs: every file
 * call fails with ERR_NOT_SUPPORTED, which apps see as a WASI error. When
 * services/vfs is linked in, its (strong) definitions replace these.
 */
#include "pus/err.h"
#include "services/vfs/vfs.h"

#define WEAK __attribute__((weak))

WEAK int vfs_open(const char *path, int flags, struct vfs_file **out) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_read(struct vfs_file *f, void *buf, size_t n) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_write(struct vfs_file *f, const void *buf, size_t n) { return ERR_NOT_SUPPORTED; }
WEAK int64_t vfs_seek(struct vfs_file *f, int64_t offset, int whence) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_close(struct vfs_file *f) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_fstat(struct vfs_file *f, struct vfs_stat *st) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_stat(const char *path, struct vfs_stat *st) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_remove(const char *path) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_rename(const char *from, const char *to) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_mkdir(const char *path) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_opendir(const char *path, struct vfs_dir **out) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_readdir(struct vfs_dir *d, struct vfs_dirent *e) { return ERR_NOT_SUPPORTED; }
WEAK int vfs_closedir(struct vfs_dir *d) { return ERR_NOT_SUPPORTED; }
