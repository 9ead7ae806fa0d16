/*
 * WASI descriptors: stdio (0-2), the preopened directory (3) and files and
 * directories opened below it. Reads and writes go through the port; paths
 * are normalised by wasi_resolve first, so the port never sees "..".
 */
#include "wasi/internal.h"

#define CTX ((wasi_ctx *)user)
#define ARG32(i) ((uint32_t)a[i])
#define RET(v) do { a[0] = (uint32_t)(v); return WASM_HOST_OK; } while (0)

#define RIGHTS_ALL   0x1fffffffull
#define RIGHTS_STDIO ((1ull << 1) | (1ull << 6) | (1ull << 27))  /* read, write, poll */

static struct wasi_fd *get_fd(wasi_ctx *c, uint32_t fd)
{
    if (fd >= WASI_MAX_FDS || !c->fds[fd].used)
        return NULL;
    return &c->fds[fd];
}

/* The preamble of every path_* call: the directory descriptor in argument
 * dir_arg, the path's address and length in arguments name_arg and
 * name_arg + 1, copied out of the app's memory and resolved against the
 * directory into out. Returns a WASI errno. */
static int path_arg(wasm_instance *in, wasi_ctx *c, const wasm_value *a,
                    int dir_arg, int name_arg, char out[WASI_MAX_PATH])
{
    struct wasi_fd *d = get_fd(c, ARG32(dir_arg));
    if (!d)
        return WASI_EBADF;
    if (!d->is_dir)
        return WASI_ENOTDIR;
    uint32_t len = ARG32(name_arg + 1);
    const uint8_t *p = wmem(in, ARG32(name_arg), len);
    if (!p)
        return WASI_EFAULT;
    return wasi_resolve(d->path, (const char *)p, len, out, WASI_MAX_PATH);
}

/* One chunk of a read or write on fd (f its descriptor): bytes moved, or
 * a negative error. */
typedef long transfer_fn(wasi_ctx *c, uint32_t fd, struct wasi_fd *f, uint8_t *buf, uint32_t len);

static long write_chunk(wasi_ctx *c, uint32_t fd, struct wasi_fd *f, uint8_t *buf, uint32_t len)
{
    if (fd <= 2)
        return c->port.write_stdio ? c->port.write_stdio(c->port.ctx, (int)fd, buf, len) : (long)len;
    return c->port.write ? c->port.write(c->port.ctx, f->handle, buf, len) : ERR_NOT_SUPPORTED;
}

static long read_chunk(wasi_ctx *c, uint32_t fd, struct wasi_fd *f, uint8_t *buf, uint32_t len)
{
    if (fd == 0)
        return c->port.read_stdin ? c->port.read_stdin(c->port.ctx, buf, len) : 0;
    return c->port.read ? c->port.read(c->port.ctx, f->handle, buf, len) : ERR_NOT_SUPPORTED;
}

/* fd_read and fd_write: the app's iovec array (address, count in
 * arguments 1 and 2) is moved through chunk by chunk, stopping at the first
 * short transfer; the total goes to the address in argument 3. An error
 * after some bytes moved ends the call with those bytes, as POSIX does. */
static int transfer_iovs(wasm_instance *in, wasi_ctx *c, struct wasi_fd *f, wasm_value *a,
                         transfer_fn *chunk)
{
    uint32_t fd = ARG32(0), niov = ARG32(2);
    const uint8_t *iov = wmem(in, ARG32(1), (uint64_t)niov * 8);
    if (!iov)
        return WASI_EFAULT;
    uint64_t total = 0;
    for (uint32_t i = 0; i < niov; i++) {
        uint32_t len = get_u32(iov + 8 * i + 4);
        uint8_t *buf = wmem(in, get_u32(iov + 8 * i), len);
        if (!buf)
            return WASI_EFAULT;
        if (!len)
            continue;
        long n = chunk(c, fd, f, buf, len);
        if (n < 0) {
            if (total)
                break;
            return wasi_errno((int)n);
        }
        total += (uint64_t)n;
        if ((uint32_t)n < len)
            break;
    }
    return out_u32(in, ARG32(3), (uint32_t)total);
}

static int fd_write(wasm_instance *in, void *user, wasm_value *a)
{
    uint32_t fd = ARG32(0);
    struct wasi_fd *f = get_fd(CTX, fd);
    if (!f || fd == 0 || f->is_dir)
        RET(WASI_EBADF);
    RET(transfer_iovs(in, CTX, f, a, write_chunk));
}

static int fd_read(wasm_instance *in, void *user, wasm_value *a)
{
    uint32_t fd = ARG32(0);
    struct wasi_fd *f = get_fd(CTX, fd);
    if (!f || fd == 1 || fd == 2)
        RET(WASI_EBADF);
    if (f->is_dir)
        RET(WASI_EISDIR);
    RET(transfer_iovs(in, CTX, f, a, read_chunk));
}

static int fd_close(wasm_instance *in, void *user, wasm_value *a)
{
    wasi_ctx *c = CTX;
    uint32_t fd = ARG32(0);
    struct wasi_fd *f = get_fd(c, fd);
    if (!f)
        RET(WASI_EBADF);
    if (fd <= WASI_PREOPEN_FD)
        RET(0);     /* stdio and the preopen stay; closing them is harmless */
    int rc = 0;
    if (!f->is_dir && c->port.close)
        rc = c->port.close(c->port.ctx, f->handle);
    wasi_listing_end(c, f);
    free(f->path);
    memset(f, 0, sizeof *f);
    RET(wasi_errno(rc));
}

/* Seeks fd (whence: 0 set, 1 current, 2 end) and stores the new offset
 * at the app's address out. */
static int seek_fd(wasm_instance *in, wasi_ctx *c, uint32_t fd, int64_t offset,
                   uint32_t whence, uint32_t out)
{
    struct wasi_fd *f = get_fd(c, fd);
    if (!f)
        return WASI_EBADF;
    if (fd <= 2)
        return WASI_ESPIPE;
    if (f->is_dir)
        return WASI_EISDIR;
    if (whence > 2)
        return WASI_EINVAL;
    if (!c->port.seek)
        return WASI_ENOSYS;
    int64_t off = c->port.seek(c->port.ctx, f->handle, offset, (int)whence);
    if (off < 0)
        return wasi_errno((int)off);
    return out_u64(in, out, (uint64_t)off);
}

static int fd_seek(wasm_instance *in, void *user, wasm_value *a)
{
    RET(seek_fd(in, CTX, ARG32(0), (int64_t)a[1], ARG32(2), ARG32(3)));
}

static int fd_tell(wasm_instance *in, void *user, wasm_value *a)
{
    RET(seek_fd(in, CTX, ARG32(0), 0, 1, ARG32(1)));
}

/* The stat calls' preamble: the descriptor in argument 0 and the app's
 * buffer of size bytes at argument 1. Returns a WASI errno. */
static int stat_args(wasm_instance *in, wasi_ctx *c, wasm_value *a, uint32_t size,
                     struct wasi_fd **f, uint8_t **p)
{
    *f = get_fd(c, ARG32(0));
    if (!*f)
        return WASI_EBADF;
    *p = wmem(in, ARG32(1), size);
    return *p ? 0 : WASI_EFAULT;
}

static int fd_fdstat_get(wasm_instance *in, void *user, wasm_value *a)
{
    uint32_t fd = ARG32(0);
    struct wasi_fd *f;
    uint8_t *p;
    int e = stat_args(in, CTX, a, 24, &f, &p);
    if (e)
        RET(e);
    memset(p, 0, 24);
    p[0] = fd <= 2 ? WASI_FILETYPE_CHARACTER_DEVICE
                   : f->is_dir ? WASI_FILETYPE_DIRECTORY : WASI_FILETYPE_REGULAR_FILE;
    put_u16(p + 2, f->append ? 1 : 0);
    put_u64(p + 8, fd <= 2 ? RIGHTS_STDIO : RIGHTS_ALL);
    put_u64(p + 16, fd <= 2 ? 0 : RIGHTS_ALL);
    RET(0);
}

static void put_filestat(uint8_t *p, const struct wasi_filestat *st)
{
    memset(p, 0, 64);
    put_u64(p, st->dev);
    put_u64(p + 8, st->ino);
    p[16] = st->filetype;
    put_u64(p + 24, st->nlink);
    put_u64(p + 32, st->size);
    put_u64(p + 40, st->atim);
    put_u64(p + 48, st->mtim);
    put_u64(p + 56, st->ctim);
}

static int fd_filestat_get(wasm_instance *in, void *user, wasm_value *a)
{
    wasi_ctx *c = CTX;
    uint32_t fd = ARG32(0);
    struct wasi_fd *f;
    uint8_t *p;
    int e = stat_args(in, c, a, 64, &f, &p);
    if (e)
        RET(e);
    struct wasi_filestat st;
    memset(&st, 0, sizeof st);
    int rc = 0;
    if (fd <= 2)
        st.filetype = WASI_FILETYPE_CHARACTER_DEVICE;
    else if (f->is_dir)
        rc = c->port.stat ? c->port.stat(c->port.ctx, f->path, &st) : ERR_NOT_SUPPORTED;
    else
        rc = c->port.fstat ? c->port.fstat(c->port.ctx, f->handle, &st) : ERR_NOT_SUPPORTED;
    if (rc < 0)
        RET(wasi_errno(rc));
    put_filestat(p, &st);
    RET(0);
}

/* The prestat calls' preamble: argument 0 must name the preopen, and the
 * app's buffer at argument 1 have room (bytes) for need bytes. */
static int prestat_args(wasm_instance *in, wasm_value *a, uint32_t room, size_t need, uint8_t **p)
{
    if (ARG32(0) != WASI_PREOPEN_FD)
        return WASI_EBADF;
    if (room < need)
        return WASI_ENAMETOOLONG;
    *p = wmem(in, ARG32(1), need);
    return *p ? 0 : WASI_EFAULT;
}

static int fd_prestat_get(wasm_instance *in, void *user, wasm_value *a)
{
    uint8_t *p;
    int e = prestat_args(in, a, 8, 8, &p);
    if (e)
        RET(e);
    memset(p, 0, 8);
    put_u32(p + 4, (uint32_t)strlen(CTX->port.preopen_name));
    RET(0);
}

static int fd_prestat_dir_name(wasm_instance *in, void *user, wasm_value *a)
{
    const char *name = CTX->port.preopen_name;
    size_t len = strlen(name);
    uint8_t *p;
    int e = prestat_args(in, a, ARG32(2), len, &p);
    if (e)
        RET(e);
    memcpy(p, name, len);
    RET(0);
}

/* ---- fd_readdir -------------------------------------------------------
 *
 * Cookies are entry numbers in the listing: the dirent of entry k carries
 * d_next = k + 1, and a call with cookie k resumes at entry k. WASI leaves
 * cookies opaque, so any scheme works as long as a cookie from a previous
 * call resumes after its entry. The descriptor keeps the port's listing
 * open between calls (struct wasi_listing), so reading a directory is one
 * pass, and the app sees the entries of one iteration: with a rescan per
 * call, removing an entry before the position made the next call skip one.
 * A cookie behind the listing (rewinddir, seekdir) starts a new one.
 */

void wasi_listing_end(wasi_ctx *c, struct wasi_fd *f)
{
    if (!f->listing)
        return;
    if (c->port.closedir)
        c->port.closedir(c->port.ctx, f->listing->handle);
    free(f->listing);
    f->listing = NULL;
}

/* Reads the listing's next entry into last_*. Returns a WASI errno. */
static int advance(wasi_ctx *c, struct wasi_listing *l)
{
    int rc = c->port.dir_next(c->port.ctx, l->handle, l->last_name, sizeof l->last_name,
                              &l->last_type, &l->last_ino);
    l->have_last = rc == 1;
    if (rc < 0)
        return wasi_errno(rc);
    l->at_end = rc == 0;
    l->next += rc == 1;
    return 0;
}

/* Makes f's listing ready to give entry `cookie`: from last_* (when it
 * holds that entry) or by reading on (a new listing when the cookie is
 * behind it; skipping entries when ahead). Returns a WASI errno. */
static int listing_seek(wasi_ctx *c, struct wasi_fd *f, uint64_t cookie)
{
    struct wasi_listing *l = f->listing;
    if (!l || cookie < l->next - (l->have_last ? 1 : 0)) {
        wasi_listing_end(c, f);
        l = calloc(1, sizeof *l);
        if (!l)
            return WASI_ENOMEM;
        int rc = c->port.opendir(c->port.ctx, f->path, &l->handle);
        if (rc < 0) {
            free(l);
            return wasi_errno(rc);
        }
        f->listing = l;
    }
    while (l->next < cookie && !l->at_end) {
        int e = advance(c, l);
        if (e)
            return e;
    }
    return 0;
}

/* Entry `cookie` of f's listing, positioned there by listing_seek (or
 * just past the entry before): 1 with *name etc. pointing into the
 * listing, 0 at the end, or a negative WASI errno. */
static int listing_entry(wasi_ctx *c, struct wasi_fd *f, uint64_t cookie, const char **name,
                         uint8_t *type, uint64_t *ino)
{
    struct wasi_listing *l = f->listing;
    if (!(l->have_last && cookie + 1 == l->next)) {
        if (cookie != l->next || l->at_end)
            return 0;
        int e = advance(c, l);
        if (e)
            return -e;
        if (!l->have_last)
            return 0;
    }
    *name = l->last_name;
    *type = l->last_type;
    *ino = l->last_ino;
    return 1;
}

/* Without a listing API in the port: entry `cookie` by a rescan. */
static int rescan_entry(wasi_ctx *c, struct wasi_fd *f, uint64_t cookie, char *name,
                        size_t namecap, uint8_t *type, uint64_t *ino)
{
    int rc = c->port.readdir(c->port.ctx, f->path, cookie, name, namecap, type, ino);
    return rc < 0 ? -wasi_errno(rc) : rc;
}

/* fd_readdir: dirents (24-byte header + name) from entry `cookie` on; the
 * last one may be cut short, which tells libc to call again. */
static int fd_readdir(wasm_instance *in, void *user, wasm_value *a)
{
    wasi_ctx *c = CTX;
    struct wasi_fd *f = get_fd(c, ARG32(0));
    if (!f)
        RET(WASI_EBADF);
    if (!f->is_dir)
        RET(WASI_ENOTDIR);
    uint32_t buflen = ARG32(2);
    uint8_t *buf = wmem(in, ARG32(1), buflen);
    if (!buf)
        RET(WASI_EFAULT);
    bool listing = c->port.opendir && c->port.dir_next && c->port.closedir;
    if (!listing && !c->port.readdir)
        RET(WASI_ENOSYS);
    uint64_t cookie = a[3];
    if (listing) {
        int e = listing_seek(c, f, cookie);
        if (e)
            RET(e);
    }
    uint32_t used = 0;
    char scan_name[256];
    while (used < buflen) {
        const char *name = scan_name;
        uint8_t type = 0;
        uint64_t ino = 0;
        int rc = listing ? listing_entry(c, f, cookie, &name, &type, &ino)
                         : rescan_entry(c, f, cookie, scan_name, sizeof scan_name, &type, &ino);
        if (rc < 0)
            RET(-rc);
        if (rc == 0)
            break;
        uint32_t nlen = (uint32_t)strnlen(name, 255);
        uint8_t ent[24];
        memset(ent, 0, sizeof ent);
        put_u64(ent, cookie + 1);
        put_u64(ent + 8, ino);
        put_u32(ent + 16, nlen);
        ent[20] = type;
        uint32_t n = buflen - used < 24 ? buflen - used : 24;
        memcpy(buf + used, ent, n);
        used += n;
        n = buflen - used < nlen ? buflen - used : nlen;
        memcpy(buf + used, name, n);
        used += n;
        cookie++;
    }
    RET(out_u32(in, ARG32(4), used));
}

/* fd_sync, fd_datasync, fd_advise, fd_fdstat_set_flags: accepted for any
 * open descriptor and nothing to do (the port's writes are synchronous;
 * append is fixed at open). */
static int fd_accept(wasm_instance *in, void *user, wasm_value *a)
{
    if (!get_fd(CTX, ARG32(0)))
        RET(WASI_EBADF);
    RET(0);
}

static int path_open(wasm_instance *in, void *user, wasm_value *a)
{
    wasi_ctx *c = CTX;
    char path[WASI_MAX_PATH];
    int e = path_arg(in, c, a, 0, 2, path);
    if (e)
        RET(e);
    uint32_t oflags = ARG32(4) & 0xf;
    uint64_t rights = a[5];
    uint32_t fdflags = ARG32(7);
    int slot = -1;
    for (int i = WASI_PREOPEN_FD + 1; i < WASI_MAX_FDS; i++) {
        if (!c->fds[i].used) {
            slot = i;
            break;
        }
    }
    if (slot < 0)
        RET(33);   /* EMFILE */
    if (!c->port.open)
        RET(WASI_ENOTCAPABLE);
    uint32_t flags = oflags;
    if (rights & (1ull << 1))
        flags |= WASI_O_READ;
    if (rights & ((1ull << 6) | (1ull << 22)))   /* fd_write, fd_filestat_set_size */
        flags |= WASI_O_WRITE;
    if (fdflags & 1)
        flags |= WASI_O_APPEND | WASI_O_WRITE;
    if (oflags & (WASI_O_CREAT | WASI_O_TRUNC))
        flags |= WASI_O_WRITE;
    int handle = -1;
    bool is_dir = false;
    int rc = c->port.open(c->port.ctx, path, flags, &handle, &is_dir);
    if (rc < 0)
        RET(wasi_errno(rc));
    struct wasi_fd *f = &c->fds[slot];
    size_t plen = strlen(path);
    f->path = malloc(plen + 1);
    if (!f->path) {
        if (!is_dir && c->port.close)
            c->port.close(c->port.ctx, handle);
        RET(WASI_ENOMEM);
    }
    memcpy(f->path, path, plen + 1);
    f->used = true;
    f->is_dir = is_dir;
    f->handle = is_dir ? -1 : handle;
    f->append = fdflags & 1;
    if (is_dir && handle >= 0 && c->port.close)
        c->port.close(c->port.ctx, handle);
    RET(out_u32(in, ARG32(8), (uint32_t)slot));
}

static int path_filestat_get(wasm_instance *in, void *user, wasm_value *a)
{
    wasi_ctx *c = CTX;
    char path[WASI_MAX_PATH];
    int e = path_arg(in, c, a, 0, 2, path);
    if (e)
        RET(e);
    uint8_t *p = wmem(in, ARG32(4), 64);
    if (!p)
        RET(WASI_EFAULT);
    if (!c->port.stat)
        RET(WASI_ENOSYS);
    struct wasi_filestat st;
    memset(&st, 0, sizeof st);
    int rc = c->port.stat(c->port.ctx, path, &st);
    if (rc < 0)
        RET(wasi_errno(rc));
    put_filestat(p, &st);
    RET(0);
}

/* path_create_directory, path_unlink_file, path_remove_directory */
static int path_simple(wasm_instance *in, wasi_ctx *c, wasm_value *a,
                       int (*op)(void *, const char *))
{
    char path[WASI_MAX_PATH];
    int e = path_arg(in, c, a, 0, 1, path);
    if (e)
        return e;
    if (!op)
        return WASI_ENOSYS;
    if (!strcmp(path, "."))
        return WASI_EBUSY;   /* never remove or recreate the preopen itself */
    return wasi_errno(op(c->port.ctx, path));
}

static int path_create_directory(wasm_instance *in, void *user, wasm_value *a)
{
    int e = path_simple(in, CTX, a, CTX->port.mkdir);
    RET(e == WASI_EBUSY ? WASI_EEXIST : e);
}

static int path_unlink_file(wasm_instance *in, void *user, wasm_value *a)
{
    RET(path_simple(in, CTX, a, CTX->port.unlink));
}

static int path_remove_directory(wasm_instance *in, void *user, wasm_value *a)
{
    RET(path_simple(in, CTX, a, CTX->port.rmdir));
}

static int path_rename(wasm_instance *in, void *user, wasm_value *a)
{
    wasi_ctx *c = CTX;
    char from[WASI_MAX_PATH], to[WASI_MAX_PATH];
    int e = path_arg(in, c, a, 0, 1, from);
    if (!e)
        e = path_arg(in, c, a, 3, 4, to);
    if (e)
        RET(e);
    if (!c->port.rename)
        RET(WASI_ENOSYS);
    if (!strcmp(from, ".") || !strcmp(to, "."))
        RET(WASI_EBUSY);
    RET(wasi_errno(c->port.rename(c->port.ctx, from, to)));
}

const struct wasi_hostdef wasi_fs_defs[] = {
    {"fd_write", "iiii:i", fd_write},
    {"fd_read", "iiii:i", fd_read},
    {"fd_close", "i:i", fd_close},
    {"fd_seek", "iIii:i", fd_seek},
    {"fd_tell", "ii:i", fd_tell},
    {"fd_fdstat_get", "ii:i", fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii:i", fd_accept},
    {"fd_filestat_get", "ii:i", fd_filestat_get},
    {"fd_prestat_get", "ii:i", fd_prestat_get},
    {"fd_prestat_dir_name", "iii:i", fd_prestat_dir_name},
    {"fd_readdir", "iiiIi:i", fd_readdir},
    {"fd_sync", "i:i", fd_accept},
    {"fd_datasync", "i:i", fd_accept},
    {"fd_advise", "iIIi:i", fd_accept},
    {"path_open", "iiiiiIIii:i", path_open},
    {"path_filestat_get", "iiiii:i", path_filestat_get},
    {"path_create_directory", "iii:i", path_create_directory},
    {"path_unlink_file", "iii:i", path_unlink_file},
    {"path_remove_directory", "iii:i", path_remove_directory},
    {"path_rename", "iiiiii:i", path_rename},
    {NULL, NULL, NULL},
};
