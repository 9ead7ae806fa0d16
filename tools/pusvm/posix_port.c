/*
 * The host (POSIX) implementation of the WASI port: stdio, clocks,
 * /dev/urandom, and files below one preopened directory (all opened with
 * openat() relative to it; lib/wasi has already refused any ".." escape).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pus/err.h"
#include "pusvm.h"
#include "wasi/wasi.h"

static int dirfd_of(void *ctx) { return *(int *)ctx; }

static int err_of(int e)
{
    switch (e) {
    case ENOENT: return ERR_NOT_FOUND;
    case EEXIST: return ERR_EXISTS;
    case ENOTDIR: return ERR_NOT_DIR;
    case EISDIR: return ERR_IS_DIR;
    case ENOTEMPTY: return ERR_NOT_EMPTY;
    case ENAMETOOLONG: return ERR_NAME_TOO_LONG;
    case EBADF: return ERR_BAD_HANDLE;
    case EINVAL: return ERR_INVALID_ARGS;
    case ENOSPC: return ERR_NO_SPACE;
    case ENOMEM: return ERR_NO_MEMORY;
    case EROFS: return ERR_READ_ONLY;
    case EACCES: case EPERM: return ERR_AUTH;
    default: return ERR_IO;
    }
}

static uint64_t clock_ns(void *ctx, uint32_t id)
{
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
                                    CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    struct timespec ts;
    clock_gettime(ids[id & 3], &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_res_ns(void *ctx, uint32_t id)
{
    return 1;
}

static void random_fill(void *ctx, uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = getrandom(buf, len, 0);
        if (n <= 0)
            break;
        buf += n;
        len -= (size_t)n;
    }
}

static long write_stdio(void *ctx, int fd, const uint8_t *buf, size_t len)
{
    ssize_t n = write(fd, buf, len);
    return n < 0 ? err_of(errno) : n;
}

static long read_stdin(void *ctx, uint8_t *buf, size_t len)
{
    ssize_t n = read(0, buf, len);
    return n < 0 ? err_of(errno) : n;
}

static void log_msg(void *ctx, const uint8_t *msg, size_t len)
{
    fprintf(stderr, "[pus_log] %.*s\n", (int)len, (const char *)msg);
}

static int p_open(void *ctx, const char *path, uint32_t flags, int *handle, bool *is_dir)
{
    int of = O_CLOEXEC | O_NOFOLLOW;
    if ((flags & WASI_O_WRITE) && !(flags & WASI_O_DIRECTORY))
        of |= (flags & WASI_O_READ) ? O_RDWR : O_WRONLY;
    else
        of |= O_RDONLY;
    if (flags & WASI_O_CREAT) of |= O_CREAT;
    if (flags & WASI_O_EXCL) of |= O_EXCL;
    if (flags & WASI_O_TRUNC) of |= O_TRUNC;
    if (flags & WASI_O_DIRECTORY) of |= O_DIRECTORY;
    if (flags & WASI_O_APPEND) of |= O_APPEND;
    int fd = openat(dirfd_of(ctx), path, of, 0644);
    if (fd < 0 && errno == EISDIR)
        fd = openat(dirfd_of(ctx), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_of(errno);
    struct stat st;
    fstat(fd, &st);
    *is_dir = S_ISDIR(st.st_mode);
    *handle = fd;
    return 0;
}

static int p_close(void *ctx, int h) { return close(h) ? err_of(errno) : 0; }

static long p_read(void *ctx, int h, uint8_t *buf, size_t len)
{
    ssize_t n = read(h, buf, len);
    return n < 0 ? err_of(errno) : n;
}

static long p_write(void *ctx, int h, const uint8_t *buf, size_t len)
{
    ssize_t n = write(h, buf, len);
    return n < 0 ? err_of(errno) : n;
}

static int64_t p_seek(void *ctx, int h, int64_t off, int whence)
{
    off_t r = lseek(h, off, whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : SEEK_END);
    return r < 0 ? err_of(errno) : r;
}

static void fill_stat(const struct stat *s, struct wasi_filestat *st)
{
    st->dev = s->st_dev;
    st->ino = s->st_ino;
    st->filetype = S_ISDIR(s->st_mode) ? WASI_FILETYPE_DIRECTORY
                 : S_ISREG(s->st_mode) ? WASI_FILETYPE_REGULAR_FILE : WASI_FILETYPE_UNKNOWN;
    st->nlink = s->st_nlink;
    st->size = (uint64_t)s->st_size;
    st->atim = (uint64_t)s->st_atim.tv_sec * 1000000000u + (uint64_t)s->st_atim.tv_nsec;
    st->mtim = (uint64_t)s->st_mtim.tv_sec * 1000000000u + (uint64_t)s->st_mtim.tv_nsec;
    st->ctim = (uint64_t)s->st_ctim.tv_sec * 1000000000u + (uint64_t)s->st_ctim.tv_nsec;
}

static int p_fstat(void *ctx, int h, struct wasi_filestat *st)
{
    struct stat s;
    if (fstat(h, &s))
        return err_of(errno);
    fill_stat(&s, st);
    return 0;
}

static int p_stat(void *ctx, const char *path, struct wasi_filestat *st)
{
    struct stat s;
    if (fstatat(dirfd_of(ctx), path, &s, AT_SYMLINK_NOFOLLOW))
        return err_of(errno);
    fill_stat(&s, st);
    return 0;
}

static int p_readdir(void *ctx, const char *path, uint64_t index, char *name, size_t namecap,
                     uint8_t *type, uint64_t *ino)
{
    int fd = openat(dirfd_of(ctx), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_of(errno);
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return ERR_IO;
    }
    struct dirent *e;
    uint64_t i = 0;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (i++ < index)
            continue;
        snprintf(name, namecap, "%s", e->d_name);
        *ino = e->d_ino;
        *type = e->d_type == DT_DIR ? WASI_FILETYPE_DIRECTORY
              : e->d_type == DT_REG ? WASI_FILETYPE_REGULAR_FILE : WASI_FILETYPE_UNKNOWN;
        rc = 1;
        break;
    }
    closedir(d);
    return rc;
}

static int p_mkdir(void *ctx, const char *path)
{
    return mkdirat(dirfd_of(ctx), path, 0755) ? err_of(errno) : 0;
}

static int p_unlink(void *ctx, const char *path)
{
    return unlinkat(dirfd_of(ctx), path, 0) ? err_of(errno) : 0;
}

static int p_rmdir(void *ctx, const char *path)
{
    return unlinkat(dirfd_of(ctx), path, AT_REMOVEDIR) ? err_of(errno) : 0;
}

static int p_rename(void *ctx, const char *from, const char *to)
{
    return renameat(dirfd_of(ctx), from, dirfd_of(ctx), to) ? err_of(errno) : 0;
}

int posix_port_init(struct wasi_port *port, int *dirfd, const char *dir)
{
    memset(port, 0, sizeof *port);
    *dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*dirfd < 0)
        return -1;
    port->ctx = dirfd;
    port->clock_ns = clock_ns;
    port->clock_res_ns = clock_res_ns;
    port->random = random_fill;
    port->write_stdio = write_stdio;
    port->read_stdin = read_stdin;
    port->log = log_msg;
    port->preopen_name = ".";
    port->open = p_open;
    port->close = p_close;
    port->read = p_read;
    port->write = p_write;
    port->seek = p_seek;
    port->fstat = p_fstat;
    port->stat = p_stat;
    port->readdir = p_readdir;
    port->mkdir = p_mkdir;
    port->unlink = p_unlink;
    port->rmdir = p_rmdir;
    port->rename = p_rename;
    return 0;
}
