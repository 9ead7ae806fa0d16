/*
 * The shell's `wasm` command: run, start, list, pause, resume and stop
 * WebAssembly apps (services/apps/app.h).
 *
 *   wasm run [OPTS] FILE|DEMO [args...]         in the foreground
 *   wasm start [OPTS] NAME FILE|DEMO [args...]  in the background
 *   wasm ps | stop NAME | pause NAME | resume NAME | demos
 *   OPTS: -f FUEL (total budget)  -p PAGES (memory cap)  -s SLICE  -d DIR
 *
 * FILE is a path on the filesystem (services/vfs); a name without a '/'
 * that matches a built-in demo runs the demo. The shell has no current
 * directory: as with the file commands (`ls etc` is `ls /etc`), a FILE or
 * DIR without a leading '/' is taken from "/".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/thread.h"
#include "pus/err.h"
#include "services/apps/app.h"
#include "services/shell/shell.h"
#include "services/vfs/vfs.h"

#define WASM_FILE_MAX (16u << 20)
#define CTRL_C 0x03

/* The absolute path of a FILE or DIR argument, in buf when it needs the
 * leading '/'; NULL when that makes it too long. */
static const char *abs_path(const char *arg, char buf[VFS_PATH_MAX])
{
    if (arg[0] == '/')
        return arg;
    int n = snprintf(buf, VFS_PATH_MAX, "/%s", arg);
    return n >= 0 && n < VFS_PATH_MAX ? buf : NULL;
}

/* The module bytes of FILE|DEMO: a demo's are in the image (*owned NULL),
 * a file's are read into the heap (*owned to free). */
static int load_bytes(const char *what, const uint8_t **bytes, size_t *len, uint8_t **owned)
{
    *owned = NULL;
    const struct demo *d = strchr(what, '/') ? NULL : demo_find(what);
    if (d) {
        *bytes = d->start;
        *len = (size_t)(d->end - d->start);
        return 0;
    }
    struct vfs_file *f;
    int rc = vfs_open(what, VFS_O_RDONLY, &f);
    if (rc < 0)
        return rc;
    struct vfs_stat st;
    rc = vfs_fstat(f, &st);
    if (rc == 0 && st.size > WASM_FILE_MAX)
        rc = ERR_TOO_BIG;
    uint8_t *buf = rc == 0 ? malloc(st.size ? st.size : 1) : NULL;
    if (rc == 0 && !buf)
        rc = ERR_NO_MEMORY;
    size_t got = 0;
    while (rc == 0 && got < st.size) {
        int n = vfs_read(f, buf + got, st.size - got);
        if (n < 0)
            rc = n;
        else if (n == 0)
            break;
        else
            got += (size_t)n;
    }
    vfs_close(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *bytes = *owned = buf;
    *len = got;
    return 0;
}

/* Parses OPTS from argv[*i]; returns false (after printing) on a bad one.
 * A relative -d DIR is made absolute in dirbuf. */
static bool parse_options(const char *cmd, int argc, char **argv, int *i, struct app_config *cfg,
                          char dirbuf[VFS_PATH_MAX])
{
    memset(cfg, 0, sizeof *cfg);
    while (*i < argc && argv[*i][0] == '-' && argv[*i][1]) {
        const char *opt = argv[*i];
        if (*i + 1 >= argc || strlen(opt) != 2 || !strchr("fpsd", opt[1])) {
            kprintf("error: wasm %s: bad option '%s' (-f FUEL, -p PAGES, -s SLICE, -d DIR)\n",
                    cmd, opt);
            return false;
        }
        const char *val = argv[*i + 1];
        char *end;
        long long v = strtoll(val, &end, 0);
        if (opt[1] != 'd' && (*end || v <= 0)) {
            kprintf("error: wasm %s: %s needs a positive number, not '%s'\n", cmd, opt, val);
            return false;
        }
        switch (opt[1]) {
        case 'f': cfg->fuel_budget = v; break;
        case 'p': cfg->max_pages = v > 65536 ? 65536 : (uint32_t)v; break;
        case 's': cfg->fuel_slice = v; break;
        case 'd':
            cfg->dir = abs_path(val, dirbuf);
            if (!cfg->dir) {
                kprintf("error: wasm %s: -d %s: path too long\n", cmd, val);
                return false;
            }
            break;
        }
        *i += 2;
    }
    return true;
}

/* The app's name for `wasm run`: the file's base name without ".wasm". */
static void name_of(const char *what, char *name, size_t cap)
{
    const char *base = strrchr(what, '/');
    base = base ? base + 1 : what;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".wasm") == 0)
        n -= 5;
    if (n >= cap)
        n = cap - 1;
    memcpy(name, base, n);
    name[n] = '\0';
}

static int start_app(const char *cmd, const char *name, const char *what, int argc, char **argv,
                     struct app_config *cfg, struct app **out)
{
    char pathbuf[VFS_PATH_MAX];
    if (strchr(what, '/') || !demo_find(what)) {
        const char *path = abs_path(what, pathbuf);
        if (!path) {
            kprintf("error: wasm %s: %s: path too long\n", cmd, what);
            return SHELL_ERR_REPORTED;
        }
        what = path;
    }
    const uint8_t *bytes;
    size_t len;
    uint8_t *owned;
    int rc = load_bytes(what, &bytes, &len, &owned);
    if (rc < 0) {
        kprintf("error: wasm %s: cannot read %s: %s\n", cmd, what, err_str(rc));
        return SHELL_ERR_REPORTED;
    }
    /* argv[0] of the app is what was asked for, as a shell would pass it. */
    char err[200];
    rc = app_start(name, bytes, len, argc, (const char *const *)argv, cfg, out, err, sizeof err);
    free(owned);
    if (rc < 0) {
        kprintf("error: wasm %s: %s: %s\n", cmd, what, err[0] ? err : err_str(rc));
        return SHELL_ERR_REPORTED;
    }
    return 0;
}

static void print_end(const struct app_info *in)
{
    double secs = (double)(in->ended_ns - in->started_ns) / 1e9;
    double run = in->run_started_ns ? (double)(in->ended_ns - in->run_started_ns) / 1e9 : 0;
    if (in->state == APP_EXITED)
        kprintf("app %s exited with status %d after %.3f s (run %.3f s, fuel %llu)\n", in->name,
                in->exit_code, secs, run, (unsigned long long)in->fuel_used);
    else
        kprintf("app %s %s: %s (after %.3f s, run %.3f s, fuel %llu)\n", in->name,
                app_state_name(in->state), in->message, secs, run,
                (unsigned long long)in->fuel_used);
}

/* wasm run: start, then wait, watching the console for Ctrl-C. Other
 * input typed meanwhile is dropped, as the shell is not reading lines. */
static int wasm_run(int argc, char **argv)
{
    struct app_config cfg;
    char dirbuf[VFS_PATH_MAX];
    int i = 2;
    if (!parse_options("run", argc, argv, &i, &cfg, dirbuf))
        return SHELL_ERR_REPORTED;
    if (i >= argc)
        return shell_usage("wasm");
    char name[APP_NAME_MAX + 1];
    name_of(argv[i], name, sizeof name);
    cfg.quiet_end = true;
    struct app *a;
    int rc = start_app("run", name, argv[i], argc - i, argv + i, &cfg, &a);
    if (rc)
        return rc;
    bool interrupted = false;
    while (app_wait(a, 0) == ERR_TIMED_OUT) {
        char buf[16];
        int n = console_read(buf, sizeof buf, 50 * 1000 * 1000ll);
        if (n > 0 && memchr(buf, CTRL_C, (size_t)n) && !interrupted) {
            interrupted = true;
            kprintf("^C\n");
            app_stop(a);
        }
    }
    struct app_info info;
    app_get_info(a, &info);
    print_end(&info);
    app_remove(a);
    app_release(a);
    return info.state == APP_EXITED || info.state == APP_STOPPED ? 0 : SHELL_ERR_REPORTED;
}

static int wasm_start(int argc, char **argv)
{
    struct app_config cfg;
    char dirbuf[VFS_PATH_MAX];
    int i = 2;
    if (!parse_options("start", argc, argv, &i, &cfg, dirbuf))
        return SHELL_ERR_REPORTED;
    if (i + 1 >= argc)
        return shell_usage("wasm");
    int rc = start_app("start", argv[i], argv[i + 1], argc - i - 1, argv + i + 1, &cfg, NULL);
    if (rc == 0)
        kprintf("app %s started\n", argv[i]);
    return rc;
}

static void print_ps_line(const struct app_info *in, void *arg)
{
    uint64_t end = in->ended_ns ? in->ended_ns : clock_now_ns();
    uint64_t ms = (end - in->started_ns) / 1000000;
    kprintf("%-16s %-11s %14llu %6u %7llu.%03llu  %s\n", in->name, app_state_name(in->state),
            (unsigned long long)in->fuel_used, in->pages,
            (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
            app_state_is_final(in->state) ? in->message : "");
}

static int wasm_ps(void)
{
    kprintf("%-16s %-11s %14s %6s %11s  %s\n", "NAME", "STATE", "FUEL", "PAGES", "UPTIME s",
            "NOTE");
    app_for_each(print_ps_line, NULL);
    return 0;
}

static void print_demo(const struct demo *d, void *arg)
{
    kprintf("  %-10s %6zu bytes\n", d->name, (size_t)(d->end - d->start));
}

/* pause, resume, stop: one app by name. stop on an ended app forgets it. */
static int wasm_control(const char *cmd, const char *name)
{
    struct app *a = app_find(name);
    if (!a) {
        kprintf("error: wasm %s: no app named '%s'\n", cmd, name);
        return SHELL_ERR_REPORTED;
    }
    int rc;
    if (strcmp(cmd, "pause") == 0)
        rc = app_pause(a);
    else if (strcmp(cmd, "resume") == 0)
        rc = app_resume(a);
    else {
        rc = app_stop(a);
        if (rc == ERR_BAD_STATE)
            rc = app_remove(a);         /* already ended: forget it */
        else if (rc == 0 && app_wait(a, 5000ll * 1000 * 1000) == 0)
            app_remove(a);
    }
    /* Report the state the request led to: the app's thread gets there at
     * its next safe point or wake-up, normally within milliseconds. */
    struct app_info info;
    app_get_info(a, &info);
    for (int i = 0; rc == 0 && i < 400 && !app_state_is_final(info.state) &&
                    (cmd[0] == 'p') != (info.state == APP_PAUSED); i++) {
        thread_sleep_ms(5);
        app_get_info(a, &info);
    }
    app_release(a);
    if (rc < 0) {
        kprintf("error: wasm %s: %s is %s\n", cmd, name, app_state_name(info.state));
        return SHELL_ERR_REPORTED;
    }
    kprintf("app %s %s\n", name, app_state_name(info.state));
    return 0;
}

static int cmd_wasm(int argc, char **argv)
{
    if (argc < 2)
        return shell_usage("wasm");
    const char *sub = argv[1];
    if (strcmp(sub, "run") == 0)
        return wasm_run(argc, argv);
    if (strcmp(sub, "start") == 0)
        return wasm_start(argc, argv);
    if (strcmp(sub, "ps") == 0 && argc == 2)
        return wasm_ps();
    if (strcmp(sub, "demos") == 0 && argc == 2) {
        kprintf("built-in demos (wasm run NAME):\n");
        demo_for_each(print_demo, NULL);
        return 0;
    }
    if ((strcmp(sub, "stop") == 0 || strcmp(sub, "pause") == 0 || strcmp(sub, "resume") == 0) &&
        argc == 3)
        return wasm_control(sub, argv[2]);
    return shell_usage("wasm");
}
SHELL_COMMAND(wasm,
              "wasm run [-f FUEL] [-p PAGES] [-s SLICE] [-d DIR] FILE|DEMO [args...]\n"
              "     wasm start [OPTS] NAME FILE|DEMO [args...] | ps | stop NAME | pause NAME\n"
              "     wasm resume NAME | demos",
              "run WebAssembly apps (FILE on the filesystem or a built-in demo)", cmd_wasm);
