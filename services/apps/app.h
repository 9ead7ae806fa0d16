/*
 * The app manager: WebAssembly apps running inside the kernel.
 *
 * Each app is a WASI command module (lib/wasm + lib/wasi) run by a kernel
 * thread of its own at low priority. The thread runs the interpreter in
 * fuel slices and yields between them, so a runaway app cannot starve the
 * shell; an optional total fuel budget and a memory-page cap bound it
 * further. When the app sleeps (poll_oneoff, pus_sleep_ms) the interpreter
 * returns to the thread, which waits in the scheduler and resumes it: no
 * kernel thread ever blocks inside a host call.
 *
 * Other threads (the shell) pause, resume and stop an app through the
 * calls below; they take effect at the app's next safe point (loop
 * back-edge or call) or at once when it sleeps.
 *
 * Locking: app_lock (app.c) guards the app table and the fields marked
 * "shared" in struct app; the rest belongs to the app's thread.
 */
#ifndef SERVICES_APPS_APP_H
#define SERVICES_APPS_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APP_NAME_MAX 31
#define APP_MAX      16

enum app_state {
    APP_RUNNING,      /* runnable: in the interpreter or between slices */
    APP_SLEEPING,     /* suspended in a host call until a wake-up time */
    APP_PAUSED,       /* stopped at a safe point until resumed */
    APP_EXITED,       /* _start returned or proc_exit: exit_code */
    APP_TRAPPED,      /* trap: message */
    APP_OUT_OF_FUEL,  /* the total fuel budget ran out */
    APP_STOPPED,      /* stopped from the shell */
    APP_FAILED,       /* the runtime could not go on (message) */
};

struct app_config {
    uint32_t max_pages;    /* linear memory cap, 64 KiB pages (0: default) */
    int64_t fuel_slice;    /* fuel per slice before yielding (0: default) */
    int64_t fuel_budget;   /* total fuel; 0 or negative: unlimited */
    const char *dir;       /* preopened directory (NULL: "/") */
    bool quiet_end;        /* do not print the end-of-app line (foreground runs print their own) */
};

#define APP_DEFAULT_MAX_PAGES  512            /* 32 MiB */
#define APP_DEFAULT_FUEL_SLICE 1000000ll     /* ~0.1 s under QEMU */

/* What `wasm ps` shows: a consistent copy of an app's shared fields. */
struct app_info {
    char name[APP_NAME_MAX + 1];
    enum app_state state;
    uint64_t fuel_used;
    uint32_t pages;
    uint64_t started_ns, ended_ns;   /* ended_ns 0 while alive */
    uint64_t run_started_ns;         /* _start began: the load took run_started_ns - started_ns */
    int exit_code;
    char message[160];
};

struct app;

/*
 * Loads, links and instantiates a module and starts its thread. bytes are
 * copied. Errors (bad module, unknown import, name in use, table full) are
 * explained in err. On success *out (may be NULL) refers to the app until
 * app_release().
 */
int app_start(const char *name, const uint8_t *bytes, size_t len, int argc,
              const char *const *argv, const struct app_config *cfg,
              struct app **out, char *err, size_t errlen);

/* Looks up an app by name; the reference holds it until app_release(). */
struct app *app_find(const char *name);
void app_release(struct app *a);

int app_pause(struct app *a);     /* ERR_BAD_STATE unless running or sleeping */
int app_resume(struct app *a);    /* ERR_BAD_STATE unless paused */
int app_stop(struct app *a);      /* ERR_BAD_STATE if it already ended */
/* Waits up to timeout_ns (TIMEOUT_INFINITE) for the app to end: 0 or ERR_TIMED_OUT. */
int app_wait(struct app *a, int64_t timeout_ns);
/* Forgets an app that has ended (its name becomes free). */
int app_remove(struct app *a);

void app_get_info(struct app *a, struct app_info *out);
/* Calls fn for every app in the table, oldest first. */
void app_for_each(void (*fn)(const struct app_info *info, void *arg), void *arg);

bool app_state_is_final(enum app_state s);
const char *app_state_name(enum app_state s);

/* The built-in demos embedded in the kernel (demo_blobs.S). */
struct demo {
    const char *name;
    const uint8_t *start, *end;
};
const struct demo *demo_find(const char *name);
void demo_for_each(void (*fn)(const struct demo *d, void *arg), void *arg);

#endif
