/* The app manager's private structures, shared by app.c and port.c. */
#ifndef SERVICES_APPS_INTERNAL_H
#define SERVICES_APPS_INTERNAL_H

#include "kernel/event.h"
#include "services/apps/app.h"
#include "services/vfs/vfs.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

#define APP_MAX_FILES 16
#define APP_LINE_MAX  256

/* One open file or directory, or a directory listing, of an app (port
 * handle = index). */
struct app_file {
    bool used, is_dir;
    struct vfs_file *file;          /* NULL for directories */
    struct vfs_dir *dir;            /* a listing (opendir), else NULL */
    uint64_t entries;               /* entries the listing gave so far */
    char path[VFS_PATH_MAX];        /* absolute, for fstat of directories */
};

/* A partial output line (stdout or stderr) waiting for its newline. */
struct app_line {
    size_t len;
    char buf[APP_LINE_MAX];
};

struct app {
    char name[APP_NAME_MAX + 1];
    int refs;                       /* shared: table + app_find holders */
    bool in_table;                  /* shared */

    /* shared (app_lock) */
    enum app_state state;
    bool want_pause, want_stop;
    uint64_t fuel_used;
    uint32_t pages;
    uint64_t started_ns, ended_ns;
    uint64_t run_started_ns;        /* when _start began (after loading) */
    int exit_code;
    char message[160];

    struct event wake;              /* auto: pause/resume/stop for the thread */
    struct event done;              /* manual: the thread has finished */
    struct thread *thread;

    /* the app thread's own */
    struct app_config cfg;
    char dir[VFS_PATH_MAX];
    wasm_module *module;
    wasm_store *store;
    wasm_instance *inst;
    wasi_ctx *wasi;
    wasm_extern *imports;
    struct wasi_port port;
    struct app_line out[2];         /* stdout, stderr */
    struct app_file files[APP_MAX_FILES];
};

/* port.c */
void app_port_init(struct app *a);
void app_port_flush(struct app *a);
void app_port_close_files(struct app *a);

#endif
