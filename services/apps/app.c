/*
 * The app manager: the app table and each app's thread.
 *
 * An app's thread runs its _start in fuel slices (cfg.fuel_slice): after
 * each slice it records the fuel used and the memory size, yields, and
 * goes on, so a runaway app costs the shell at most one slice of latency
 * (and app threads run at low priority besides). Sleeping apps come back
 * here with WASM_SUSPENDED; the thread waits on its wake event until the
 * wake-up time (or until the shell pauses or stops it) and resumes them.
 *
 * Locking: app_lock guards the table and, in every app, the fields marked
 * shared in internal.h. The wasm objects belong to the app's thread; the
 * only cross-thread call into them is wasm_request_pause(), made under
 * app_lock while the app is alive (the thread frees them only after it has
 * marked the app ended, under the same lock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/mutex.h"
#include "kernel/page.h"
#include "kernel/thread.h"
#include "pus/err.h"
#include "services/apps/internal.h"

#define APP_STACK_SIZE (32 * 1024)
#define APP_STACK_SLOTS (64u * 1024)    /* 512 KiB value stack per app */

static struct mutex app_lock;
static struct app *app_table[APP_MAX];  /* guarded by app_lock; oldest first */

static int apps_init(void)
{
    mutex_init(&app_lock);
    return 0;
}
INIT_HOOK(apps, INIT_LEVEL_SERVICES, apps_init);

static const char *const state_names[] = {
    [APP_RUNNING] = "running",   [APP_SLEEPING] = "sleeping",
    [APP_PAUSED] = "paused",     [APP_EXITED] = "exited",
    [APP_TRAPPED] = "trapped",   [APP_OUT_OF_FUEL] = "out-of-fuel",
    [APP_STOPPED] = "stopped",   [APP_FAILED] = "failed",
};

const char *app_state_name(enum app_state s)
{
    return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

bool app_state_is_final(enum app_state s)
{
    return s >= APP_EXITED;
}

/* ---- references ------------------------------------------------------ */

static void app_free(struct app *a)
{
    /* The thread has ended (refs count it until then). */
    event_destroy(&a->wake);
    event_destroy(&a->done);
    free(a);
}

/* Drops one reference; app_lock held. Returns the app to free, if last. */
static struct app *unref_locked(struct app *a)
{
    return --a->refs == 0 ? a : NULL;
}

void app_release(struct app *a)
{
    mutex_acquire(&app_lock);
    struct app *dead = unref_locked(a);
    mutex_release(&app_lock);
    if (dead)
        app_free(dead);
}

struct app *app_find(const char *name)
{
    struct app *found = NULL;
    mutex_acquire(&app_lock);
    for (int i = 0; i < APP_MAX; i++) {
        if (app_table[i] && strcmp(app_table[i]->name, name) == 0) {
            found = app_table[i];
            found->refs++;
            break;
        }
    }
    mutex_release(&app_lock);
    return found;
}

/* ---- the app thread -------------------------------------------------- */

/* Marks the app ended (state and message) and prints/logs why. */
static void finish(struct app *a, enum app_state state, int exit_code, const char *msg)
{
    app_port_flush(a);
    mutex_acquire(&app_lock);
    a->state = state;
    a->exit_code = exit_code;
    a->ended_ns = clock_now_ns();
    snprintf(a->message, sizeof a->message, "%s", msg);
    mutex_release(&app_lock);
    double secs = (double)(a->ended_ns - a->started_ns) / 1e9;
    if (state == APP_EXITED)
        log_info("app %s: exited with status %d after %.3f s", a->name, exit_code, secs);
    else if (state == APP_STOPPED)
        log_info("app %s: stopped after %.3f s", a->name, secs);
    else
        log_error("app %s: %s: %s", a->name, app_state_name(state), msg);
    if (!a->cfg.quiet_end && state != APP_EXITED && state != APP_STOPPED)
        kprintf("app %s %s: %s\n", a->name, app_state_name(state), msg);
}

/* Waits for a pause to be lifted or a stop. Returns true to stop. */
static bool wait_while_paused(struct app *a)
{
    for (;;) {
        mutex_acquire(&app_lock);
        bool stop = a->want_stop, pause = a->want_pause;
        a->state = stop ? a->state : pause ? APP_PAUSED : APP_RUNNING;
        mutex_release(&app_lock);
        if (stop)
            return true;
        if (!pause)
            return false;
        event_wait(&a->wake);
    }
}

/* Sleeps until wake_ns unless paused or stopped first. True when the time has come. */
static bool sleep_until(struct app *a, uint64_t wake_ns)
{
    for (;;) {
        mutex_acquire(&app_lock);
        bool interrupted = a->want_stop || a->want_pause;
        if (!interrupted)
            a->state = APP_SLEEPING;
        mutex_release(&app_lock);
        if (interrupted)
            return false;
        uint64_t now = clock_now_ns();
        if (now >= wake_ns)
            return true;
        event_wait_timeout(&a->wake, (int64_t)(wake_ns - now));
    }
}

static void account(struct app *a, int64_t slice)
{
    int64_t left = wasm_get_fuel(a->inst);
    uint64_t used = (uint64_t)(slice - (left > 0 ? left : 0));
    uint32_t pages = (uint32_t)(wasm_memory_size(a->inst) / 65536);
    mutex_acquire(&app_lock);
    a->fuel_used += used;
    a->pages = pages;
    mutex_release(&app_lock);
}

static void run_app(struct app *a)
{
    wasm_extern start;
    if (!wasm_instance_export(a->inst, "_start", &start) || start.kind != WASM_EXTERN_FUNC) {
        finish(a, APP_FAILED, -1, "no _start function (not a WASI command)");
        return;
    }
    mutex_acquire(&app_lock);
    a->run_started_ns = clock_now_ns();
    mutex_release(&app_lock);
    int rc = wasm_call_start(a->inst, start.u.func, NULL);
    if (rc < 0) {
        finish(a, APP_FAILED, -1, err_str(rc));
        return;
    }
    bool sleeping = false;
    uint64_t wake_ns = 0;
    int64_t slice_scale = 1;            /* grows when a slice is too small to start a block */
    for (;;) {
        if (wait_while_paused(a)) {
            finish(a, APP_STOPPED, -1, "stopped");
            return;
        }
        if (sleeping) {
            if (!sleep_until(a, wake_ns))
                continue;               /* paused or stopped meanwhile */
            sleeping = false;
            wasi_resume(a->wasi, a->inst);
        }
        /* The last slice of a budget is what remains of it. The
         * interpreter stops when the next block costs more than the fuel
         * left, so running out in that slice means the budget is spent. */
        int64_t slice = a->cfg.fuel_slice * slice_scale;
        bool last_slice = false;
        if (a->cfg.fuel_budget > 0) {
            int64_t left = a->cfg.fuel_budget - (int64_t)a->fuel_used;
            if (left <= slice) {
                slice = left > 0 ? left : 0;
                last_slice = true;
            }
        }
        wasm_set_fuel(a->inst, slice);
        rc = wasm_run(a->inst);
        bool no_progress = rc == WASM_OUT_OF_FUEL && wasm_get_fuel(a->inst) == slice;
        account(a, slice);
        char msg[160];
        switch (rc) {
        case WASM_OUT_OF_FUEL:
            if (last_slice) {
                snprintf(msg, sizeof msg, "out of fuel after %llu units (budget %lld)",
                         (unsigned long long)a->fuel_used, (long long)a->cfg.fuel_budget);
                finish(a, APP_OUT_OF_FUEL, -1, msg);
                return;
            }
            /* The next block costs more than a whole slice (the
             * interpreter charges a block before running it): without
             * bigger slices the app would never move on. */
            if (no_progress && a->cfg.fuel_slice * slice_scale <= INT64_MAX / 2)
                slice_scale *= 2;
            else if (!no_progress)
                slice_scale = 1;        /* back to the asked size once it moves */
            thread_yield();             /* end of a slice: let others run */
            break;
        case WASM_PAUSED:
            break;                      /* wait_while_paused decides */
        case WASM_SUSPENDED:
            if (!wasi_wake_time(a->wasi, &wake_ns)) {
                finish(a, APP_FAILED, -1, "suspended with nothing to wait for");
                return;
            }
            sleeping = true;
            break;
        case WASM_DONE:
            finish(a, APP_EXITED, 0, "exited with status 0");
            return;
        case WASM_EXITED: {
            int code = wasi_exit_code(a->wasi);
            snprintf(msg, sizeof msg, "exited with status %d", code);
            finish(a, APP_EXITED, code, msg);
            return;
        }
        default:
            if (rc >= 0) {
                snprintf(msg, sizeof msg, "unexpected run status %d", rc);
                finish(a, APP_FAILED, -1, msg);
            } else {
                wasm_trap_format(a->inst, msg, sizeof msg);
                finish(a, APP_TRAPPED, -1, msg);
            }
            return;
        }
    }
}

static void free_runtime(struct app *a)
{
    app_port_close_files(a);
    if (a->store)
        wasm_store_free(a->store);     /* frees the instance too */
    if (a->wasi)
        wasi_free(a->wasi);
    if (a->module)
        wasm_module_free(a->module);
    free(a->imports);
    a->store = NULL;
    a->inst = NULL;
    a->wasi = NULL;
    a->module = NULL;
    a->imports = NULL;
}

static int app_thread(void *arg)
{
    struct app *a = arg;
    run_app(a);
    free_runtime(a);
    event_signal(&a->done);
    app_release(a);                     /* the thread's reference */
    return 0;
}

/* ---- starting -------------------------------------------------------- */

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > APP_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* Puts a into a free slot of the table; an ended app of the same name is
 * forgotten first. app_lock held. */
static int insert_locked(struct app *a, struct app **evicted)
{
    int free_slot = -1;
    *evicted = NULL;
    for (int i = 0; i < APP_MAX; i++) {
        struct app *o = app_table[i];
        if (!o) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (strcmp(o->name, a->name) == 0) {
            if (!app_state_is_final(o->state))
                return ERR_EXISTS;
            app_table[i] = NULL;
            o->in_table = false;
            *evicted = unref_locked(o);
            if (free_slot < 0 || free_slot > i)
                free_slot = i;
        }
    }
    if (free_slot < 0) {
        /* Full: make room by forgetting the oldest ended app. */
        for (int i = 0; i < APP_MAX && free_slot < 0; i++) {
            struct app *o = app_table[i];
            if (o && app_state_is_final(o->state) && !*evicted) {
                app_table[i] = NULL;
                o->in_table = false;
                *evicted = unref_locked(o);
                free_slot = i;
            }
        }
        if (free_slot < 0)
            return ERR_NO_SPACE;
    }
    /* Keep the table in start order: close the hole, append at the end. */
    for (int i = free_slot; i + 1 < APP_MAX; i++)
        app_table[i] = app_table[i + 1];
    app_table[APP_MAX - 1] = NULL;
    int last = 0;
    while (last < APP_MAX && app_table[last])
        last++;
    app_table[last] = a;
    a->in_table = true;
    return 0;
}

/* The preopened directory must exist and be a directory: an app given a
 * mistyped -d would otherwise start and fail at its first file call, far
 * from the cause. "/" is always accepted (it lists the mount points even
 * without a disk), and so is any path when the kernel has no file API
 * (vfs_fallback.c): the app's file calls then fail on their own. */
static int check_preopen(const char *dir, char *err, size_t errlen)
{
    if (strcmp(dir, "/") == 0)
        return 0;
    struct vfs_stat st;
    int rc = vfs_stat(dir, &st);
    if (rc == ERR_NOT_SUPPORTED)
        return 0;
    if (rc == 0 && st.type != VFS_TYPE_DIR)
        rc = ERR_NOT_DIR;
    if (rc < 0)
        snprintf(err, errlen, "preopened directory %s: %s", dir,
                 rc == ERR_NOT_FOUND ? "no such directory"
                 : rc == ERR_NOT_DIR ? "not a directory"
                 : rc == ERR_NO_DEVICE ? "no filesystem mounted there" : err_str(rc));
    return rc;
}

int app_start(const char *name, const uint8_t *bytes, size_t len, int argc,
              const char *const *argv, const struct app_config *cfg,
              struct app **out, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", "");
    if (!valid_name(name)) {
        snprintf(err, errlen, "bad app name '%s' (1-%d of A-Z a-z 0-9 - _ .)", name, APP_NAME_MAX);
        return ERR_INVALID_ARGS;
    }
    struct app *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return ERR_NO_MEMORY;
    }
    snprintf(a->name, sizeof a->name, "%s", name);
    a->cfg = *cfg;
    if (!a->cfg.max_pages)
        a->cfg.max_pages = APP_DEFAULT_MAX_PAGES;
    if (a->cfg.fuel_slice <= 0)
        a->cfg.fuel_slice = APP_DEFAULT_FUEL_SLICE;
    const char *dir = cfg->dir ? cfg->dir : "/";
    if (dir[0] != '/' || strlen(dir) >= sizeof a->dir) {
        snprintf(err, errlen, "bad directory '%s' (an absolute path)", dir);
        free(a);
        return ERR_INVALID_ARGS;
    }
    snprintf(a->dir, sizeof a->dir, "%s", dir);
    a->cfg.dir = a->dir;
    int rc = check_preopen(a->dir, err, errlen);
    if (rc) {
        free(a);
        return rc;
    }
    event_init(&a->wake, false, true);
    event_init(&a->done, false, false);
    a->state = APP_RUNNING;
    a->started_ns = clock_now_ns();

    rc = wasm_module_load(bytes, len, &a->module, err, errlen);
    if (rc)
        goto fail;
    app_port_init(a);
    a->wasi = wasi_new(&a->port, argc, argv, 0, NULL);
    a->store = wasm_store_new();
    a->imports = calloc(wasm_module_import_count(a->module) + 1, sizeof *a->imports);
    if (!a->wasi || !a->store || !a->imports) {
        snprintf(err, errlen, "out of memory");
        rc = ERR_NO_MEMORY;
        goto fail;
    }
    rc = wasi_link(a->wasi, a->store, a->module, a->imports, err, errlen);
    if (rc)
        goto fail;
    wasm_limits limits = {.max_pages = a->cfg.max_pages, .stack_slots = APP_STACK_SLOTS};
    rc = wasm_instantiate(a->store, a->module, a->imports, &limits, &a->inst, err, errlen);
    if (rc) {
        if (!err[0])
            snprintf(err, errlen, "cannot instantiate: %s", err_str(rc));
        goto fail;
    }
    wasm_instance_set_user(a->inst, a->wasi);
    a->pages = (uint32_t)(wasm_memory_size(a->inst) / 65536);

    /* References: the table, the thread, and the caller's if it wants one. */
    a->refs = 2 + (out != NULL);
    struct app *evicted;
    mutex_acquire(&app_lock);
    rc = insert_locked(a, &evicted);
    mutex_release(&app_lock);
    if (evicted)
        app_free(evicted);
    if (rc) {
        snprintf(err, errlen, rc == ERR_EXISTS ? "an app named '%s' is running"
                                               : "too many apps (%s not started)", name);
        goto fail;
    }
    a->thread = thread_create(a->name, app_thread, a, THREAD_PRIORITY_LOW, APP_STACK_SIZE);
    if (!a->thread) {
        /* It stays in the table as failed, so `wasm ps` tells why. */
        free_runtime(a);
        snprintf(err, errlen, "cannot create a thread");
        mutex_acquire(&app_lock);
        a->refs--;
        a->state = APP_FAILED;
        a->ended_ns = clock_now_ns();
        snprintf(a->message, sizeof a->message, "%s", err);
        mutex_release(&app_lock);
        event_signal(&a->done);
        if (out)
            app_release(a);
        return ERR_NO_MEMORY;
    }
    log_info("app %s: started (%u pages, fuel %s)", a->name, a->pages,
             a->cfg.fuel_budget > 0 ? "limited" : "unlimited");
    if (out)
        *out = a;
    /* Start, then detach: detaching a thread that never started frees it. */
    thread_start(a->thread);
    thread_detach(a->thread);
    return 0;

fail:
    free_runtime(a);
    event_destroy(&a->wake);
    event_destroy(&a->done);
    free(a);
    return rc < 0 ? rc : ERR_GENERIC;
}

/* ---- control from other threads -------------------------------------- */

int app_pause(struct app *a)
{
    int rc = 0;
    mutex_acquire(&app_lock);
    if (app_state_is_final(a->state) || a->want_stop)
        rc = ERR_BAD_STATE;
    else if (a->want_pause)
        rc = ERR_ALREADY;
    else {
        a->want_pause = true;
        wasm_request_pause(a->inst);
    }
    mutex_release(&app_lock);
    if (rc == 0)
        event_signal(&a->wake);
    return rc;
}

int app_resume(struct app *a)
{
    int rc = 0;
    mutex_acquire(&app_lock);
    if (app_state_is_final(a->state) || !a->want_pause)
        rc = ERR_BAD_STATE;
    else
        a->want_pause = false;
    mutex_release(&app_lock);
    if (rc == 0)
        event_signal(&a->wake);
    return rc;
}

int app_stop(struct app *a)
{
    int rc = 0;
    mutex_acquire(&app_lock);
    if (app_state_is_final(a->state))
        rc = ERR_BAD_STATE;
    else {
        a->want_stop = true;
        wasm_request_pause(a->inst);
    }
    mutex_release(&app_lock);
    if (rc == 0)
        event_signal(&a->wake);
    return rc;
}

int app_wait(struct app *a, int64_t timeout_ns)
{
    return event_wait_timeout(&a->done, timeout_ns) < 0 ? ERR_TIMED_OUT : 0;
}

int app_remove(struct app *a)
{
    struct app *dead = NULL;
    int rc = 0;
    mutex_acquire(&app_lock);
    if (!app_state_is_final(a->state)) {
        rc = ERR_BAD_STATE;
    } else if (a->in_table) {
        for (int i = 0; i < APP_MAX; i++) {
            if (app_table[i] == a) {
                for (int j = i; j + 1 < APP_MAX; j++)
                    app_table[j] = app_table[j + 1];
                app_table[APP_MAX - 1] = NULL;
                break;
            }
        }
        a->in_table = false;
        dead = unref_locked(a);
    }
    mutex_release(&app_lock);
    if (dead)
        app_free(dead);
    return rc;
}

static void info_locked(struct app *a, struct app_info *out)
{
    snprintf(out->name, sizeof out->name, "%s", a->name);
    out->state = a->state;
    out->fuel_used = a->fuel_used;
    out->pages = a->pages;
    out->started_ns = a->started_ns;
    out->ended_ns = a->ended_ns;
    out->run_started_ns = a->run_started_ns;
    out->exit_code = a->exit_code;
    snprintf(out->message, sizeof out->message, "%s", a->message);
}

void app_get_info(struct app *a, struct app_info *out)
{
    mutex_acquire(&app_lock);
    info_locked(a, out);
    mutex_release(&app_lock);
}

void app_for_each(void (*fn)(const struct app_info *info, void *arg), void *arg)
{
    struct app_info *copy = malloc(APP_MAX * sizeof *copy);   /* off the shell's stack */
    if (!copy)
        return;
    int n = 0;
    mutex_acquire(&app_lock);
    for (int i = 0; i < APP_MAX; i++)
        if (app_table[i])
            info_locked(app_table[i], &copy[n++]);
    mutex_release(&app_lock);
    for (int i = 0; i < n; i++)
        fn(&copy[i], arg);
    free(copy);
}
