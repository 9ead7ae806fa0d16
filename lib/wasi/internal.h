/* Internal pieces of lib/wasi shared by its files. */
#ifndef PUS_WASI_INTERNAL_H
#define PUS_WASI_INTERNAL_H

#include <stdlib.h>
#include <string.h>

#include "pus/err.h"
#include "wasi/wasi.h"

/* WASI errno values used here (preview 1 numbering). */
enum {
    WASI_ESUCCESS = 0, WASI_EACCES = 2, WASI_EAGAIN = 6, WASI_EBADF = 8,
    WASI_EBUSY = 10, WASI_EEXIST = 20, WASI_EFAULT = 21, WASI_EINVAL = 28,
    WASI_EIO = 29, WASI_EISDIR = 31, WASI_ENAMETOOLONG = 37, WASI_ENOENT = 44,
    WASI_ENOMEM = 48, WASI_ENOSPC = 51, WASI_ENOSYS = 52, WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55, WASI_ENOTSUP = 58, WASI_EOVERFLOW = 61, WASI_EPERM = 63,
    WASI_EROFS = 69, WASI_ESPIPE = 70, WASI_ENOTCAPABLE = 76,
};

#define WASI_MAX_FDS  64
#define WASI_MAX_PATH 1024
#define WASI_PREOPEN_FD 3

/*
 * A directory listing in progress on a descriptor (fs.c): the port's
 * listing handle and the cookie of the entry it gives next. The entry
 * before that one is kept too: when it did not fit in the app's buffer,
 * libc asks for it again (by its cookie) in the next call.
 */
struct wasi_listing {
    int handle;                 /* the port's listing handle */
    uint64_t next;              /* cookie (entry number) dir_next gives next */
    bool at_end;                /* dir_next said 0: nothing follows `next` */
    bool have_last;             /* last_* hold entry next - 1 */
    uint8_t last_type;
    uint64_t last_ino;
    char last_name[256];
};

struct wasi_fd {
    bool used, is_dir;
    int handle;                 /* the port's handle (files) */
    char *path;                 /* normalised path (directories and files) */
    bool append;
    struct wasi_listing *listing;   /* directories being read, else NULL */
};

/* Ends the directory listing of f, if any (fs.c). */
void wasi_listing_end(wasi_ctx *c, struct wasi_fd *f);

struct wasi_ctx {
    struct wasi_port port;
    char **argv, **envp;
    int argc, envc;
    struct wasi_fd fds[WASI_MAX_FDS];
    int exit_code;
    bool sleeping;              /* a suspended call waits for wake_ns */
    uint64_t wake_ns;
    uint32_t pending_nresults;  /* results the suspended call returns */
    wasm_value pending_result;
};

/* Maps a pus/err.h code to a WASI errno. */
int wasi_errno(int err);

/* Joins dir and path and normalises; fails with a WASI errno. */
int wasi_resolve(const char *dir, const char *path, size_t len, char *out, size_t outlen);

/* Host function tables of each module: name, signature, function.
 * Signatures are "params:results" with i = i32, I = i64. */
struct wasi_hostdef {
    const char *name, *sig;
    wasm_host_fn fn;
};
extern const struct wasi_hostdef wasi_core_defs[];
extern const struct wasi_hostdef wasi_fs_defs[];
extern const struct wasi_hostdef wasi_pus_defs[];

/* Memory access helpers: NULL when out of bounds. */
static inline uint8_t *wmem(wasm_instance *in, uint32_t addr, uint64_t len)
{
    return wasm_memory_ptr(in, addr, len);
}

static inline void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline uint32_t get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Write a u32/u64 result to app memory (little-endian host, as the put_
 * helpers); returns a WASI errno. */
static inline int out_le(wasm_instance *in, uint32_t addr, uint64_t v, uint32_t size)
{
    uint8_t *p = wmem(in, addr, size);
    if (!p)
        return WASI_EFAULT;
    memcpy(p, &v, size);
    return 0;
}

static inline int out_u32(wasm_instance *in, uint32_t addr, uint32_t v) { return out_le(in, addr, v, 4); }
static inline int out_u64(wasm_instance *in, uint32_t addr, uint64_t v) { return out_le(in, addr, v, 8); }

/* Suspends the current call until wake_ns, returning result afterwards. */
int wasi_suspend(wasi_ctx *ctx, uint64_t wake_ns, uint32_t nresults, wasm_value result);

#endif
