/*
 * The kernel file API (vfs.h): paths are normalized, matched against the
 * mount table, and the call runs on that mount's filesystem with its mutex
 * held (vfs_internal.h says what the mutex guards).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "services/vfs/vfs.h"
#include "services/vfs/vfs_internal.h"
#include "pus/err.h"

#define FILE_MAGIC 0x76666c65u   /* "vfle" */
#define DIR_MAGIC  0x76646972u   /* "vdir" */

struct vfs_file {
    uint32_t magic;
    struct mount *m;
    struct fs_file f;
};

struct vfs_dir {
    uint32_t magic;
    struct mount *m;             /* NULL: only mount points to list */
    struct fs_dir d;
    char path[VFS_PATH_MAX];     /* canonical, to find mount points below */
    int next_mount;              /* mount points listed after the entries */
};

struct mount vfs_mounts[VFS_MOUNTS];

/* The mount holding canonical path p (longest prefix); *inner is the path
 * inside that filesystem. */
static struct mount *lookup(const char *p, const char **inner)
{
    struct mount *best = NULL;
    size_t best_len = 0;
    for (int i = 0; i < VFS_MOUNTS; i++) {
        struct mount *m = &vfs_mounts[i];
        if (!m->path)
            continue;
        size_t n = strlen(m->path);
        bool match = n == 1 ? true
                            : strncmp(p, m->path, n) == 0 && (p[n] == '\0' || p[n] == '/');
        if (match && n >= best_len) {
            best = m;
            best_len = n;
        }
    }
    if (best && inner) {
        const char *rest = best_len == 1 ? p : p + best_len;
        *inner = *rest ? rest : "/";
    }
    return best;
}

void vfs_lock_mount(struct mount *m)
{
    mutex_acquire(&m->lock);
    if (m->create && !m->mounted) {
        int (*create)(struct mount *) = m->create;
        m->create = NULL;               /* one attempt; the log says why */
        create(m);
    }
}

/* Normalize and find the mount; locks it on success (unlock with done()). */
static int enter(const char *path, char *buf, struct mount **mp, const char **inner)
{
    int r = vfs_normalize(path, buf, VFS_PATH_MAX);
    if (r < 0)
        return r;
    struct mount *m = lookup(buf, inner);
    if (!m)
        return ERR_NO_DEVICE;
    vfs_lock_mount(m);
    if (!m->mounted) {
        mutex_release(&m->lock);
        return ERR_NO_DEVICE;
    }
    *mp = m;
    return 0;
}

static void done(struct mount *m)
{
    mutex_release(&m->lock);
}

/*
 * Most path calls are one library call on the mount that holds the path:
 * on_path() normalizes, finds and locks the mount, runs op with the path
 * inside that filesystem (and the canonical path, for mount-point checks),
 * and unlocks. arg carries the call's other arguments.
 */
typedef long (*path_op)(struct fs *fs, const char *inner, const char *canon, void *arg);

static long on_path(const char *path, path_op op, void *arg)
{
    char canon[VFS_PATH_MAX];
    struct mount *m;
    const char *inner;
    int r = enter(path, canon, &m, &inner);
    if (r < 0)
        return r;
    long result = op(&m->fs, inner, canon, arg);
    done(m);
    return result;
}

static bool is_mount_point(const char *canon)
{
    for (int i = 0; i < VFS_MOUNTS; i++)
        if (vfs_mounts[i].path && strlen(vfs_mounts[i].path) > 1 &&
            strcmp(vfs_mounts[i].path, canon) == 0)
            return true;
    return false;
}

static int to_int(long v)
{
    return v > INT_MAX ? INT_MAX : (int)v;
}

/* ---- files ---------------------------------------------------------- */

int vfs_open(const char *path, int flags, struct vfs_file **out)
{
    if (!out)
        return ERR_INVALID_ARGS;
    *out = NULL;
    int acc = flags & 3;
    if (acc == 0 || (flags & ~(3 | VFS_O_CREATE | VFS_O_EXCL | VFS_O_TRUNC | VFS_O_APPEND)))
        return ERR_INVALID_ARGS;
    struct vfs_file *vf = calloc(1, sizeof(*vf));
    if (!vf)
        return ERR_NO_MEMORY;
    char buf[VFS_PATH_MAX];
    struct mount *m;
    const char *inner;
    int r = enter(path, buf, &m, &inner);
    if (r < 0) {
        free(vf);
        return r;
    }
    /* The VFS flag values are the library's; spelled out to keep them so. */
    int ff = (acc == VFS_O_RDONLY ? FS_O_RDONLY : acc == VFS_O_WRONLY ? FS_O_WRONLY : FS_O_RDWR) |
             (flags & VFS_O_CREATE ? FS_O_CREAT : 0) | (flags & VFS_O_EXCL ? FS_O_EXCL : 0) |
             (flags & VFS_O_TRUNC ? FS_O_TRUNC : 0) | (flags & VFS_O_APPEND ? FS_O_APPEND : 0);
    r = fs_file_open(&m->fs, &vf->f, inner, ff);
    if (r == 0)
        m->open++;
    done(m);
    if (r < 0) {
        free(vf);
        return r;
    }
    vf->m = m;
    vf->magic = FILE_MAGIC;
    *out = vf;
    return 0;
}

static int file_enter(struct vfs_file *f)
{
    if (!f || f->magic != FILE_MAGIC)
        return ERR_BAD_HANDLE;
    mutex_acquire(&f->m->lock);
    return 0;
}

int vfs_read(struct vfs_file *f, void *buf, size_t n)
{
    int r = file_enter(f);
    if (r < 0)
        return r;
    if (n > INT_MAX)
        n = INT_MAX;
    long got = fs_file_read(&f->m->fs, &f->f, buf, n);
    done(f->m);
    return to_int(got);
}

int vfs_write(struct vfs_file *f, const void *buf, size_t n)
{
    int r = file_enter(f);
    if (r < 0)
        return r;
    if (n > INT_MAX)
        n = INT_MAX;
    long put = fs_file_write(&f->m->fs, &f->f, buf, n);
    done(f->m);
    return to_int(put);
}

int64_t vfs_seek(struct vfs_file *f, int64_t offset, int whence)
{
    int r = file_enter(f);
    if (r < 0)
        return r;
    long pos;
    if (offset > LONG_MAX || offset < LONG_MIN || whence < 0 || whence > 2)
        pos = ERR_INVALID_ARGS;
    else
        pos = fs_file_seek(&f->m->fs, &f->f, (long)offset, whence);
    done(f->m);
    return pos;
}

int64_t vfs_tell(struct vfs_file *f)
{
    int r = file_enter(f);
    if (r < 0)
        return r;
    long pos = fs_file_tell(&f->m->fs, &f->f);
    done(f->m);
    return pos;
}

int vfs_truncate(struct vfs_file *f, uint64_t size)
{
    int r = file_enter(f);
    if (r < 0)
        return r;
    r = size > FS_FILE_MAX ? ERR_TOO_BIG : fs_file_truncate(&f->m->fs, &f->f, (uint32_t)size);
    done(f->m);
    return r;
}

int vfs_sync(struct vfs_file *f)
{
    int r = file_enter(f);
    if (r < 0)
        return r;
    r = fs_file_sync(&f->m->fs, &f->f);
    done(f->m);
    return r;
}

int vfs_close(struct vfs_file *f)
{
    int r = file_enter(f);
    if (r < 0)
        return r;
    struct mount *m = f->m;
    r = fs_file_close(&m->fs, &f->f);
    m->open--;
    f->magic = 0;
    done(m);
    free(f);
    return r;
}

int vfs_fstat(struct vfs_file *f, struct vfs_stat *st)
{
    if (!st)
        return ERR_INVALID_ARGS;
    int r = file_enter(f);
    if (r < 0)
        return r;
    long size = fs_file_size(&f->m->fs, &f->f);
    done(f->m);
    if (size < 0)
        return (int)size;
    st->type = VFS_TYPE_FILE;
    st->size = (uint64_t)size;
    return 0;
}

/* ---- names ------------------------------------------------------------ */

int vfs_stat(const char *path, struct vfs_stat *st)
{
    if (!st)
        return ERR_INVALID_ARGS;
    char buf[VFS_PATH_MAX];
    int r = vfs_normalize(path, buf, sizeof(buf));
    if (r < 0)
        return r;
    struct mount *m;
    const char *inner;
    if ((r = enter(path, buf, &m, &inner)) < 0) {
        /* "/" exists even without a disk: it holds the mount points. */
        if (r == ERR_NO_DEVICE && strcmp(buf, "/") == 0) {
            st->type = VFS_TYPE_DIR;
            st->size = 0;
            return 0;
        }
        return r;
    }
    struct fs_info info;
    r = fs_stat(&m->fs, inner, &info);
    done(m);
    if (r < 0)
        return r;
    st->type = info.type == FS_TYPE_DIR ? VFS_TYPE_DIR : VFS_TYPE_FILE;
    st->size = info.type == FS_TYPE_DIR ? 0 : info.size;
    return 0;
}

static long remove_op(struct fs *fs, const char *inner, const char *canon, void *arg)
{
    return is_mount_point(canon) || strcmp(canon, "/") == 0 ? ERR_BUSY : fs_remove(fs, inner);
}

int vfs_remove(const char *path)
{
    return (int)on_path(path, remove_op, NULL);
}

int vfs_rename(const char *from, const char *to)
{
    char a[VFS_PATH_MAX], b[VFS_PATH_MAX];
    int r = vfs_normalize(from, a, sizeof(a));
    if (r == 0)
        r = vfs_normalize(to, b, sizeof(b));
    if (r < 0)
        return r;
    const char *ia, *ib;
    struct mount *ma = lookup(a, &ia), *mb = lookup(b, &ib);
    if (!ma || !mb)
        return ERR_NO_DEVICE;
    if (is_mount_point(a) || is_mount_point(b) || !strcmp(a, "/") || !strcmp(b, "/"))
        return ERR_BUSY;
    if (ma != mb)
        return ERR_NOT_SUPPORTED;          /* no atomic move between disks */
    vfs_lock_mount(ma);
    r = ma->mounted ? fs_rename(&ma->fs, ia, ib) : ERR_NO_DEVICE;
    done(ma);
    return r;
}

static long mkdir_op(struct fs *fs, const char *inner, const char *canon, void *arg)
{
    return fs_mkdir(fs, inner);
}

int vfs_mkdir(const char *path)
{
    return (int)on_path(path, mkdir_op, NULL);
}

/* ---- directories ------------------------------------------------------ */

int vfs_opendir(const char *path, struct vfs_dir **out)
{
    if (!out)
        return ERR_INVALID_ARGS;
    *out = NULL;
    struct vfs_dir *d = calloc(1, sizeof(*d));
    if (!d)
        return ERR_NO_MEMORY;
    struct mount *m;
    const char *inner;
    int r = enter(path, d->path, &m, &inner);
    if (r == ERR_NO_DEVICE && strcmp(d->path, "/") == 0) {
        d->magic = DIR_MAGIC;             /* just the mount points */
        *out = d;
        return 0;
    }
    if (r < 0) {
        free(d);
        return r;
    }
    r = fs_dir_open(&m->fs, &d->d, inner);
    if (r == 0)
        m->open++;
    done(m);
    if (r < 0) {
        free(d);
        return r;
    }
    d->m = m;
    d->magic = DIR_MAGIC;
    *out = d;
    return 0;
}

/* Name of mount point i if it sits directly in directory dir, else NULL. */
static const char *child_mount(const char *dir, int i)
{
    const char *p = vfs_mounts[i].path;
    if (!p || strlen(p) <= 1)
        return NULL;
    const char *slash = strrchr(p, '/');
    size_t parent_len = slash == p ? 1 : (size_t)(slash - p);
    if (strlen(dir) != parent_len || strncmp(p, dir, parent_len) != 0)
        return NULL;
    return slash + 1;
}

static bool shadowed(const struct vfs_dir *d, const char *name)
{
    for (int i = 0; i < VFS_MOUNTS; i++) {
        const char *c = child_mount(d->path, i);
        if (c && strcmp(c, name) == 0)
            return true;
    }
    return false;
}

int vfs_readdir(struct vfs_dir *d, struct vfs_dirent *e)
{
    if (!d || d->magic != DIR_MAGIC)
        return ERR_BAD_HANDLE;
    if (!e)
        return ERR_INVALID_ARGS;
    if (d->m && d->next_mount == 0) {
        struct fs_info info;
        mutex_acquire(&d->m->lock);
        int r;
        do
            r = fs_dir_read(&d->m->fs, &d->d, &info);
        while (r == 1 && shadowed(d, info.name));
        done(d->m);
        if (r < 0)
            return r;
        if (r == 1) {
            e->type = info.type == FS_TYPE_DIR ? VFS_TYPE_DIR : VFS_TYPE_FILE;
            e->size = info.type == FS_TYPE_DIR ? 0 : info.size;
            strncpy(e->name, info.name, sizeof(e->name) - 1);
            e->name[sizeof(e->name) - 1] = '\0';
            return 1;
        }
    }
    while (d->next_mount < VFS_MOUNTS) {
        const char *c = child_mount(d->path, d->next_mount++);
        if (c) {
            e->type = VFS_TYPE_DIR;
            e->size = 0;
            strncpy(e->name, c, sizeof(e->name) - 1);
            e->name[sizeof(e->name) - 1] = '\0';
            return 1;
        }
    }
    return 0;
}

int vfs_closedir(struct vfs_dir *d)
{
    if (!d || d->magic != DIR_MAGIC)
        return ERR_BAD_HANDLE;
    int r = 0;
    if (d->m) {
        mutex_acquire(&d->m->lock);
        r = fs_dir_close(&d->m->fs, &d->d);
        d->m->open--;
        done(d->m);
    }
    d->magic = 0;
    free(d);
    return r;
}

static long statfs_op(struct fs *fs, const char *inner, const char *canon, void *arg)
{
    return fs_statfs(fs, arg);
}

int vfs_statfs(const char *path, struct vfs_statfs *out)
{
    if (!out)
        return ERR_INVALID_ARGS;
    struct fs_stats st;
    int r = (int)on_path(path, statfs_op, &st);
    if (r < 0)
        return r;
    out->block_size = st.block_size;
    out->blocks_total = st.block_count;
    out->blocks_used = st.blocks_used;
    return 0;
}

/* ---- attributes ------------------------------------------------------- */

struct attr_call {
    uint8_t type;
    void *buf;                   /* getattr fills it, setattr reads it */
    size_t n;
};

static long getattr_op(struct fs *fs, const char *inner, const char *canon, void *arg)
{
    struct attr_call *a = arg;
    return fs_getattr(fs, inner, a->type, a->buf, a->n);
}

static long setattr_op(struct fs *fs, const char *inner, const char *canon, void *arg)
{
    struct attr_call *a = arg;
    return fs_setattr(fs, inner, a->type, a->buf, a->n);
}

static long removeattr_op(struct fs *fs, const char *inner, const char *canon, void *arg)
{
    struct attr_call *a = arg;
    return fs_removeattr(fs, inner, a->type);
}

int vfs_getattr(const char *path, uint8_t type, void *buf, size_t n)
{
    struct attr_call a = {type, buf, n};
    return to_int(on_path(path, getattr_op, &a));
}

int vfs_setattr(const char *path, uint8_t type, const void *buf, size_t n)
{
    struct attr_call a = {type, (void *)buf, n};
    return (int)on_path(path, setattr_op, &a);
}

int vfs_removeattr(const char *path, uint8_t type)
{
    struct attr_call a = {type, NULL, 0};
    return (int)on_path(path, removeattr_op, &a);
}

bool vfs_root_mounted(void)
{
    return vfs_mounts[0].mounted;
}
