/*
 * lib/fs: a flash filesystem in the littlefs v2 on-disk format (disk
 * version 2.1; 2.0 images are read and upgraded on first write).
 *
 * Written from the published format description; images interoperate with
 * the reference littlefs tools. Every change is a copy-on-write commit, so
 * a power cut at any instant leaves each file in its state before or after
 * the interrupted operation. docs/fs.md describes the design.
 *
 * Threads: the library has no locks. A struct fs and everything opened on
 * it belong to one caller at a time; the kernel VFS holds one mutex per
 * mounted fs around every call. The library blocks only inside the block
 * device callbacks, allocates with malloc/free, and keeps stack use small
 * (no recursion).
 *
 * Errors are the negative codes of pus/err.h.
 */
#ifndef PUS_FS_H
#define PUS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blockdev/blockdev.h"

#define FS_NAME_MAX   255          /* longest name we write or accept */
#define FS_FILE_MAX   0x7fffffff   /* largest file */
#define FS_ATTR_MAX   1022         /* largest custom attribute */
#define FS_ALLOC_HELD 16           /* allocations tracked between checkpoints */
#define FS_READ_WINDOW 64          /* block addresses a reader looks up at once */

#define FS_DISK_VERSION     0x00020001u
#define FS_DISK_VERSION_2_0 0x00020000u

/* open flags */
#define FS_O_RDONLY   1
#define FS_O_WRONLY   2
#define FS_O_RDWR     3
#define FS_O_ACCMODE  3
#define FS_O_CREAT    0x0100
#define FS_O_EXCL     0x0200
#define FS_O_TRUNC    0x0400
#define FS_O_APPEND   0x0800

/* seek whence */
#define FS_SEEK_SET   0
#define FS_SEEK_CUR   1
#define FS_SEEK_END   2

enum fs_type { FS_TYPE_FILE = 1, FS_TYPE_DIR = 2 };

struct fs_config {
    struct blockdev *bd;      /* geometry: read/prog/block size, count */
    uint32_t block_count;     /* 0: the device's (format) / the disk's (mount) */
    uint32_t cache_size;      /* per cache; multiple of read and prog size,
                                 divides block_size; 0: max(read,prog,256)
                                 capped at block_size */
    uint32_t lookahead_size;  /* bytes of allocator bitmap, multiple of 8;
                                 0: enough for the whole device, max 256 */
    int32_t block_cycles;     /* erases before a metadata pair moves;
                                 0 or -1: no wear-leveling moves */
    uint32_t inline_max;      /* 0: min(cache_size, block_size/8, 1022) */
    uint32_t disk_version;    /* format only: 0 = 2.1; FS_DISK_VERSION_2_0 */
    bool read_only;           /* mount: never write the device */
};

/* Everything below is private to the library; callers allocate these
 * structs (e.g. embedded in a VFS node) but never touch the fields. */

struct fs_cache {
    uint32_t block;           /* FS_BLOCK_NULL: empty */
    uint32_t off;
    uint32_t size;
    uint8_t *buf;
};

struct fs_mdir {
    uint32_t pair[2];         /* pair[0] holds the newest revision */
    uint32_t rev;
    uint32_t off;             /* end of the last valid commit */
    uint32_t etag;            /* tag the next commit is XORed with */
    uint16_t count;           /* entries (ids) */
    bool erased;              /* may append at off */
    bool split;               /* tail is a hard tail (same directory) */
    uint32_t tail[2];
};

struct fs_gstate {
    uint32_t tag;
    uint32_t pair[2];
};

/* Open files and directories are linked so commits can fix their ids. */
struct fs_handle {
    struct fs_handle *next;
    uint16_t id;
    uint8_t type;             /* FS_TYPE_FILE or FS_TYPE_DIR */
    struct fs_mdir m;
};

struct fs_file {
    struct fs_handle h;
    uint32_t flags;
    uint32_t head, size;      /* committed or pending CTZ list / inline size */
    uint32_t pos;
    uint32_t block, off;      /* position of pos in the CTZ list */
    uint32_t cur_block;       /* a block of the list we know, so a seek */
    uint32_t cur_index;       /* backwards walks from it, not the head */
    struct fs_cache cache;    /* file data being written (or inline data) */
    /* Addresses of blocks win_first.. of the list (head, size) being read:
     * lists only point backwards, so a reader finds a run of blocks ahead
     * with one walk to the furthest and one pointer per block back from
     * it, instead of a walk from the head for every block. */
    uint32_t win_head, win_size, win_first, win_count;
    uint32_t win[FS_READ_WINDOW];
};

struct fs_dir {
    struct fs_handle h;
    uint32_t pos;
    uint32_t head[2];
};

struct fs {
    struct blockdev *bd;
    uint32_t read_size, prog_size, block_size, block_count;
    uint32_t cache_size, inline_max, lookahead_size;
    int32_t block_cycles;
    uint32_t name_max, file_max, attr_max;
    uint32_t disk_version;    /* of the mounted image */
    bool read_only, mounted;

    struct fs_cache rcache, pcache;
    uint32_t root[2];
    struct fs_handle *open;   /* open files and directories */
    struct fs_gstate gstate;  /* what the global state should be */
    struct fs_gstate gdisk;   /* what is on disk */
    struct fs_gstate gdelta;  /* state moving with a dropped pair */
    int orphans;              /* RAM count behind the gstate orphan bit */
    bool need_superblock;     /* 2.0 image: rewrite version on first write */
    uint8_t commit_depth;     /* nested commits (bounds stack use) */
    uint32_t seed;

    /* The allocator (alloc.c): a bitmap of the window of blocks from
     * start, filled by a walk of everything in use; blocks handed out since
     * the last checkpoint (held) are remembered so a later walk in the same
     * operation sees them too. */
    struct {
        uint32_t start, size, next;
        uint32_t ckpoint;         /* blocks looked at since the checkpoint: left */
        uint32_t fresh_left;      /* the same, through windows walked since it */
        bool fresh;               /* this window was walked since the checkpoint */
        bool overflow;            /* more allocations than held[] holds */
        uint8_t nheld;
        uint32_t held[FS_ALLOC_HELD];
        uint8_t *bits;
    } lookahead;
};

struct fs_info {
    enum fs_type type;
    uint32_t size;            /* files only */
    char name[FS_NAME_MAX + 1];
};

struct fs_stats {
    uint32_t block_size, block_count;
    uint32_t blocks_used;
    uint32_t name_max, file_max, attr_max;
    uint32_t disk_version;
};

int fs_format(struct fs *fs, const struct fs_config *cfg);
int fs_mount(struct fs *fs, const struct fs_config *cfg);
/* Close every file and directory first: their handles point into fs. */
int fs_unmount(struct fs *fs);

int fs_file_open(struct fs *fs, struct fs_file *f, const char *path,
                 int flags);
int fs_file_close(struct fs *fs, struct fs_file *f);
long fs_file_read(struct fs *fs, struct fs_file *f, void *buf, size_t size);
long fs_file_write(struct fs *fs, struct fs_file *f, const void *buf,
                   size_t size);
long fs_file_seek(struct fs *fs, struct fs_file *f, long off, int whence);
long fs_file_tell(struct fs *fs, struct fs_file *f);
long fs_file_size(struct fs *fs, struct fs_file *f);
int fs_file_truncate(struct fs *fs, struct fs_file *f, uint32_t size);
int fs_file_sync(struct fs *fs, struct fs_file *f);

int fs_stat(struct fs *fs, const char *path, struct fs_info *info);
int fs_remove(struct fs *fs, const char *path);
int fs_rename(struct fs *fs, const char *from, const char *to);
int fs_mkdir(struct fs *fs, const char *path);

int fs_dir_open(struct fs *fs, struct fs_dir *d, const char *path);
/* 1 and *info filled, 0 at the end, or an error. No "." or "..". */
int fs_dir_read(struct fs *fs, struct fs_dir *d, struct fs_info *info);
int fs_dir_close(struct fs *fs, struct fs_dir *d);
/* Start reading the directory from its first entry again. */
int fs_dir_rewind(struct fs *fs, struct fs_dir *d);

/* Custom attributes: type 0..255, up to attr_max bytes. getattr returns
 * the attribute's full size (copying at most size bytes). */
long fs_getattr(struct fs *fs, const char *path, uint8_t type, void *buf,
                size_t size);
int fs_setattr(struct fs *fs, const char *path, uint8_t type,
               const void *buf, size_t size);
int fs_removeattr(struct fs *fs, const char *path, uint8_t type);

int fs_statfs(struct fs *fs, struct fs_stats *st);
/* Blocks in use (metadata pairs and file blocks). */
long fs_used_blocks(struct fs *fs);
/* Walk every pair, entry and CTZ list; ERR_CORRUPT on the first problem. */
int fs_fsck(struct fs *fs);

#endif
