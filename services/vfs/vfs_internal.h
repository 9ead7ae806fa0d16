/*
 * Inside the VFS: the mount table and what the shell commands need beyond
 * vfs.h (format, fsck, df, the disk adapter's statistics).
 *
 * Locking: each struct mount has one mutex that guards its struct fs, every
 * handle opened on it, its block device and its open counter. The table
 * itself is written only at boot (INIT_LEVEL_FS) and by format, which holds
 * the root's mutex and refuses while handles are open.
 */
#ifndef SERVICES_VFS_VFS_INTERNAL_H
#define SERVICES_VFS_VFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "fs/fs.h"
#include "kernel/mutex.h"
#include "services/vfs/blockdev_virtio.h"
#include "services/vfs/path.h"

#define VFS_MOUNTS 2            /* "/" and "/tmp" */

struct mount {
    const char *path;           /* "/" or "/tmp" */
    const char *source;         /* "virtio-blk0", "ram" */
    struct mutex lock;
    bool mounted;
    bool read_only;
    const char *state;          /* why it is (not) mounted, for df */
    struct fs fs;
    struct fs_config cfg;
    struct blockdev *bd;
    struct vblk_bdev *vblk;     /* disk mounts only */
    int open;                   /* open files and directories */
    int (*create)(struct mount *m);  /* set up on first use (RAM /tmp) */
};

/* Lock m, setting it up first if it waits for its first use. */
void vfs_lock_mount(struct mount *m);

extern struct mount vfs_mounts[VFS_MOUNTS];


/* Erase the first disk and make an empty filesystem on it; mounted after. */
int vfs_format_root(void);
/* fs_fsck on one mount, under its lock. */
int vfs_fsck_mount(struct mount *m);
/* The root disk's adapter statistics; false when there is none. */
bool vfs_root_disk_stats(struct vblk_stats *out);

#endif
