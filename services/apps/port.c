/*
 * The kernel's WASI port (struct wasi_port of lib/wasi) for one app:
 *
 *   clocks    realtime from clock_wall_ns (the RTC at boot plus the
 *             monotonic clock), monotonic from clock_now_ns, cputime as
 *             time since the app started
 *   random    the kernel random source (kernel/random.h, a ChaCha20
 *             CSPRNG): random_get gives apps key-quality bytes
 *   stdio     stdout and stderr lines go to the console prefixed with the
 *             app's name and into the kernel log ring (debug level, which
 *             the console does not echo by default); stdin is empty
 *   pus_log   one info record in the kernel log
 *   files     below the app's preopened directory, through services/vfs
 *
 * Every callback runs on the app's own thread, inside wasm_run(); none
 * blocks for longer than a file operation.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/random.h"
#include "pus/err.h"
#include "services/apps/internal.h"

static uint64_t port_clock_ns(void *ctx, uint32_t clock_id)
{
    struct app *a = ctx;
    switch (clock_id) {
    case 0: {
        uint64_t wall = clock_wall_ns();
        return wall ? wall : clock_now_ns();
    }
    case 1:
        return clock_now_ns();
    default:
        return clock_now_ns() - a->started_ns;
    }
}

static uint64_t port_clock_res_ns(void *ctx, uint32_t clock_id)
{
    uint64_t hz = clock_timebase_hz();
    return hz ? (1000000000ull + hz - 1) / hz : 1;
}

static void port_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    random_bytes(buf, len);
}

static void emit_line(struct app *a, int fd, const char *s, size_t n)
{
    kprintf("[%s%s] %.*s\n", a->name, fd == 2 ? ":err" : "", (int)n, s);
    log_write(LOG_DEBUG, "app %s%s: %.*s", a->name, fd == 2 ? " (stderr)" : "", (int)n, s);
}

static long port_write_stdio(void *ctx, int fd, const uint8_t *buf, size_t len)
{
    struct app *a = ctx;
    struct app_line *l = &a->out[fd == 2];
    for (size_t i = 0; i < len; i++) {
        char c = (char)buf[i];
        if (c == '\n' || l->len == sizeof l->buf) {
            emit_line(a, fd, l->buf, l->len);
            l->len = 0;
            if (c == '\n')
                continue;
        }
        l->buf[l->len++] = c;
    }
    return (long)len;
}

void app_port_flush(struct app *a)
{
    for (int i = 0; i < 2; i++) {
        if (a->out[i].len)
            emit_line(a, i + 1, a->out[i].buf, a->out[i].len);
        a->out[i].len = 0;
    }
}

static long port_read_stdin(void *ctx, uint8_t *buf, size_t len)
{
    return 0;
}

static void port_log(void *ctx, const uint8_t *msg, size_t len)
{
    struct app *a = ctx;
    log_info("app %s: %.*s", a->name, (int)len, (const char *)msg);
}

/* ---- files ----------------------------------------------------------- */

/* The absolute path of rel (clean, relative to the preopen; "." is the
 * preopen itself). */
static int full_path(struct app *a, const char *rel, char *out)
{
    int n;
    if (strcmp(rel, ".") == 0)
        n = snprintf(out, VFS_PATH_MAX, "%s", a->dir);
    else
        n = snprintf(out, VFS_PATH_MAX, "%s%s%s", a->dir,
                     a->dir[strlen(a->dir) - 1] == '/' ? "" : "/", rel);
    return n < 0 || n >= VFS_PATH_MAX ? ERR_NAME_TOO_LONG : 0;
}

static struct app_file *file_of(struct app *a, int handle)
{
    if (handle < 0 || handle >= APP_MAX_FILES || !a->files[handle].used)
        return NULL;
    return &a->files[handle];
}

/* A free handle slot of the app with path resolved into it (the slot is
   not taken yet: the caller marks it used once the open succeeds).
   Returns the slot or an error. */
static int slot_for(struct app *a, const char *path, struct app_file **out)
{
    int slot = 0;
    while (slot < APP_MAX_FILES && a->files[slot].used)
        slot++;
    if (slot == APP_MAX_FILES)
        return ERR_NO_SPACE;
    int rc = full_path(a, path, a->files[slot].path);
    if (rc)
        return rc;
    *out = &a->files[slot];
    return slot;
}

static int port_open(void *ctx, const char *path, uint32_t flags, int *handle, bool *is_dir)
{
    struct app *a = ctx;
    struct app_file *f = NULL;
    int slot = slot_for(a, path, &f);
    if (slot < 0)
        return slot;

    struct vfs_stat st;
    int rc = vfs_stat(f->path, &st);
    if (rc == 0 && st.type == VFS_TYPE_DIR) {
        if ((flags & WASI_O_CREAT) && (flags & WASI_O_EXCL))
            return ERR_EXISTS;
        if ((flags & WASI_O_WRITE) && !(flags & WASI_O_DIRECTORY))
            return ERR_IS_DIR;
        f->used = true;
        f->is_dir = true;
        f->file = NULL;
        *handle = slot;
        *is_dir = true;
        return 0;
    }
    if (flags & WASI_O_DIRECTORY)
        return rc == 0 ? ERR_NOT_DIR : rc;
    if (rc < 0 && rc != ERR_NOT_FOUND)
        return rc;

    int vf = (flags & WASI_O_WRITE) ? ((flags & WASI_O_READ) ? VFS_O_RDWR : VFS_O_WRONLY)
                                    : VFS_O_RDONLY;
    if (flags & WASI_O_CREAT) vf |= VFS_O_CREATE;
    if (flags & WASI_O_EXCL) vf |= VFS_O_EXCL;
    if (flags & WASI_O_TRUNC) vf |= VFS_O_TRUNC;
    if (flags & WASI_O_APPEND) vf |= VFS_O_APPEND;
    rc = vfs_open(f->path, vf, &f->file);
    if (rc < 0)
        return rc;
    f->used = true;
    f->is_dir = false;
    *handle = slot;
    *is_dir = false;
    return 0;
}

static int port_close(void *ctx, int handle)
{
    struct app_file *f = file_of(ctx, handle);
    if (!f)
        return ERR_BAD_HANDLE;
    int rc = f->file ? vfs_close(f->file) : f->dir ? vfs_closedir(f->dir) : 0;
    f->used = false;
    f->file = NULL;
    f->dir = NULL;
    return rc;
}

void app_port_close_files(struct app *a)
{
    for (int i = 0; i < APP_MAX_FILES; i++)
        if (a->files[i].used)
            port_close(a, i);
}

static long port_read(void *ctx, int handle, uint8_t *buf, size_t len)
{
    struct app_file *f = file_of(ctx, handle);
    if (!f)
        return ERR_BAD_HANDLE;
    if (f->is_dir)
        return ERR_IS_DIR;
    return vfs_read(f->file, buf, len);
}

static long port_write(void *ctx, int handle, const uint8_t *buf, size_t len)
{
    struct app_file *f = file_of(ctx, handle);
    if (!f)
        return ERR_BAD_HANDLE;
    if (f->is_dir)
        return ERR_IS_DIR;
    return vfs_write(f->file, buf, len);
}

static int64_t port_seek(void *ctx, int handle, int64_t offset, int whence)
{
    struct app_file *f = file_of(ctx, handle);
    if (!f)
        return ERR_BAD_HANDLE;
    if (f->is_dir)
        return ERR_IS_DIR;
    return vfs_seek(f->file, offset, whence == 0 ? VFS_SEEK_SET
                                     : whence == 1 ? VFS_SEEK_CUR : VFS_SEEK_END);
}

static void fill_stat(const struct vfs_stat *v, struct wasi_filestat *st)
{
    memset(st, 0, sizeof *st);
    st->filetype = v->type == VFS_TYPE_DIR ? WASI_FILETYPE_DIRECTORY
                                           : WASI_FILETYPE_REGULAR_FILE;
    st->nlink = 1;
    st->size = v->size;
}

static int port_fstat(void *ctx, int handle, struct wasi_filestat *st)
{
    struct app_file *f = file_of(ctx, handle);
    if (!f)
        return ERR_BAD_HANDLE;
    struct vfs_stat v;
    int rc = f->file ? vfs_fstat(f->file, &v) : vfs_stat(f->path, &v);
    if (rc < 0)
        return rc;
    fill_stat(&v, st);
    return 0;
}

static int port_stat(void *ctx, const char *path, struct wasi_filestat *st)
{
    char full[VFS_PATH_MAX];
    int rc = full_path(ctx, path, full);
    struct vfs_stat v;
    if (rc == 0)
        rc = vfs_stat(full, &v);
    if (rc < 0)
        return rc;
    fill_stat(&v, st);
    return 0;
}

/* Directory listings hold a vfs_dir open in a handle slot between
 * fd_readdir calls, so a listing is one pass over the directory. */
static int port_opendir(void *ctx, const char *path, int *handle)
{
    struct app *a = ctx;
    struct app_file *f = NULL;
    int slot = slot_for(a, path, &f);
    if (slot < 0)
        return slot;
    int rc = vfs_opendir(f->path, &f->dir);
    if (rc < 0)
        return rc;
    f->used = true;
    f->is_dir = true;
    f->file = NULL;
    f->entries = 0;
    *handle = slot;
    return 0;
}

static int port_dir_next(void *ctx, int handle, char *name, size_t namecap, uint8_t *filetype,
                         uint64_t *ino)
{
    struct app_file *f = file_of(ctx, handle);
    if (!f || !f->dir)
        return ERR_BAD_HANDLE;
    struct vfs_dirent e;    /* 272 bytes: app threads have APP_STACK_SIZE stacks */
    int rc = vfs_readdir(f->dir, &e);
    if (rc != 1)
        return rc;
    snprintf(name, namecap, "%s", e.name);
    *filetype = e.type == VFS_TYPE_DIR ? WASI_FILETYPE_DIRECTORY : WASI_FILETYPE_REGULAR_FILE;
    *ino = ++f->entries;    /* the VFS has no inode numbers: the position will do */
    return 1;
}

static int path_op(void *ctx, const char *path, int (*op)(const char *), int want_type)
{
    char full[VFS_PATH_MAX];
    int rc = full_path(ctx, path, full);
    if (rc)
        return rc;
    if (want_type) {
        struct vfs_stat st;
        rc = vfs_stat(full, &st);
        if (rc < 0)
            return rc;
        if ((int)st.type != want_type)
            return want_type == VFS_TYPE_DIR ? ERR_NOT_DIR : ERR_IS_DIR;
    }
    return op(full);
}

static int port_mkdir(void *ctx, const char *path) { return path_op(ctx, path, vfs_mkdir, 0); }
static int port_unlink(void *ctx, const char *path) { return path_op(ctx, path, vfs_remove, VFS_TYPE_FILE); }
static int port_rmdir(void *ctx, const char *path) { return path_op(ctx, path, vfs_remove, VFS_TYPE_DIR); }

static int port_rename(void *ctx, const char *from, const char *to)
{
    char f[VFS_PATH_MAX], t[VFS_PATH_MAX];
    int rc = full_path(ctx, from, f);
    if (rc == 0)
        rc = full_path(ctx, to, t);
    return rc ? rc : vfs_rename(f, t);
}

void app_port_init(struct app *a)
{
    struct wasi_port *p = &a->port;
    memset(p, 0, sizeof *p);
    p->ctx = a;
    p->clock_ns = port_clock_ns;
    p->clock_res_ns = port_clock_res_ns;
    p->random = port_random;
    p->write_stdio = port_write_stdio;
    p->read_stdin = port_read_stdin;
    p->log = port_log;
    p->preopen_name = a->dir;
    p->open = port_open;
    p->close = port_close;
    p->read = port_read;
    p->write = port_write;
    p->seek = port_seek;
    p->fstat = port_fstat;
    p->stat = port_stat;
    p->opendir = port_opendir;
    p->dir_next = port_dir_next;
    p->closedir = port_close;
    p->mkdir = port_mkdir;
    p->unlink = port_unlink;
    p->rmdir = port_rmdir;
    p->rename = port_rename;
}
