/*
 * WASI preview 1 (module "wasi_snapshot_preview1") and the PusOS "pus"
 * module, as host functions for lib/wasm. Portable: every OS service comes
 * through struct wasi_port, whose host (POSIX) version lives in tools/pusvm
 * and whose kernel version lives with the app manager.
 *
 * Blocking calls never block inside the runtime: poll_oneoff on clocks and
 * pus_sleep_ms record a wake-up time and suspend the app (wasm_run returns
 * WASM_SUSPENDED). The embedder waits until wasi_wake_time(), then calls
 * wasi_resume() and wasm_run() again. A suspended app is a snapshot-able one.
 *
 * Files: one preopened directory (fd 3, named by the port). Paths from the
 * app are normalised here ("a/./b/../c" -> "a/c"); any path that would climb
 * out of the preopen is refused with ENOTCAPABLE before the port sees it, so
 * ports receive only clean relative paths ("." is the preopen itself).
 */
#ifndef PUS_WASI_H
#define PUS_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm/wasm.h"

/* File metadata as WASI describes it. */
enum wasi_filetype {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
};

struct wasi_filestat {
    uint64_t dev, ino;
    uint8_t filetype;           /* enum wasi_filetype */
    uint64_t nlink, size;
    uint64_t atim, mtim, ctim;  /* ns since the epoch */
};

/* open flags given to the port (WASI oflags plus access) */
#define WASI_O_CREAT     1u
#define WASI_O_DIRECTORY 2u
#define WASI_O_EXCL      4u
#define WASI_O_TRUNC     8u
#define WASI_O_READ      0x100u
#define WASI_O_WRITE     0x200u
#define WASI_O_APPEND    0x400u

/*
 * OS services. Functions return >= 0 on success and a negative pus/err.h
 * code on failure (mapped to WASI errno values here). Paths are relative to
 * the preopened directory and already normalised. Any callback may be NULL:
 * the WASI call then fails with ENOSYS (or, for files, ENOTCAPABLE).
 */
struct wasi_port {
    void *ctx;
    /* clock_id: 0 realtime, 1 monotonic, 2 process cputime, 3 thread cputime */
    uint64_t (*clock_ns)(void *ctx, uint32_t clock_id);
    uint64_t (*clock_res_ns)(void *ctx, uint32_t clock_id);
    void (*random)(void *ctx, uint8_t *buf, size_t len);
    /* stdout (1) and stderr (2); returns bytes written */
    long (*write_stdio)(void *ctx, int fd, const uint8_t *buf, size_t len);
    /* stdin; returns bytes read, 0 at end of input */
    long (*read_stdin)(void *ctx, uint8_t *buf, size_t len);
    /* pus_log: one log record */
    void (*log)(void *ctx, const uint8_t *msg, size_t len);

    /* files in the preopened directory; handles are the port's own */
    const char *preopen_name;       /* what the app sees, e.g. "." or "/data" */
    int (*open)(void *ctx, const char *path, uint32_t flags, int *handle, bool *is_dir);
    int (*close)(void *ctx, int handle);
    long (*read)(void *ctx, int handle, uint8_t *buf, size_t len);
    long (*write)(void *ctx, int handle, const uint8_t *buf, size_t len);
    /* whence: 0 set, 1 cur, 2 end; returns the new offset */
    int64_t (*seek)(void *ctx, int handle, int64_t offset, int whence);
    int (*fstat)(void *ctx, int handle, struct wasi_filestat *st);
    int (*stat)(void *ctx, const char *path, struct wasi_filestat *st);
    /* Directory listings, through a handle that stays open between
     * fd_readdir calls (preferred when given): opendir starts a listing of
     * path, dir_next writes its next entry's name (NUL-ended, at most
     * namecap bytes) and type and returns 1, or 0 at the end; closedir ends
     * the listing. The listing is the OS's iteration of the directory, so
     * an entry before the position removed meanwhile does not make the
     * listing skip one. */
    int (*opendir)(void *ctx, const char *path, int *handle);
    int (*dir_next)(void *ctx, int handle, char *name, size_t namecap, uint8_t *filetype,
                    uint64_t *ino);
    int (*closedir)(void *ctx, int handle);
    /* Without opendir: entry number `index` of directory `path` (same
     * outputs as dir_next). A listing then costs a rescan per entry. */
    int (*readdir)(void *ctx, const char *path, uint64_t index, char *name, size_t namecap,
                   uint8_t *filetype, uint64_t *ino);
    int (*mkdir)(void *ctx, const char *path);
    int (*unlink)(void *ctx, const char *path);
    int (*rmdir)(void *ctx, const char *path);
    int (*rename)(void *ctx, const char *from, const char *to);
};

typedef struct wasi_ctx wasi_ctx;

/* A WASI context for one app: arguments and environment are copied. */
wasi_ctx *wasi_new(const struct wasi_port *port, int argc, const char *const *argv,
                   int envc, const char *const *envp);
/* Closes any files still open through the port and frees the context. */
void wasi_free(wasi_ctx *ctx);

/*
 * Resolves the imports of m from "wasi_snapshot_preview1" and "pus" into
 * imports[] (wasm_module_import_count entries), creating host functions in
 * store s. WASI functions this runtime lacks are linked to a stub returning
 * ENOSYS. Returns 0, or ERR_NOT_FOUND naming the first unknown import in err.
 */
int wasi_link(wasi_ctx *ctx, wasm_store *s, const wasm_module *m, wasm_extern *imports,
              char *err, size_t errlen);

/* After WASM_SUSPENDED: true if the app sleeps until *wake_ns (monotonic). */
bool wasi_wake_time(const wasi_ctx *ctx, uint64_t *wake_ns);
/* Completes the suspended call (the sleep is over); run the app again next. */
int wasi_resume(wasi_ctx *ctx, wasm_instance *inst);
/* After WASM_EXITED: the status passed to proc_exit. */
int wasi_exit_code(const wasi_ctx *ctx);

#endif
