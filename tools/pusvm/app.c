/*
 * pusvm app.wasm args...: runs a WASI command module on the host.
 *
 * The run loop is the model for the kernel's app thread: call _start, and
 * whenever the app suspends (sleep), wait until its wake time and resume.
 * Exit status: the app's proc_exit code, 0 when _start returns; a trap
 * prints its message with function index and offset and exits 134;
 * load or link errors exit 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pus/err.h"
#include "pusvm.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

#define EXIT_TRAP 134
#define EXIT_USAGE 2

extern char **environ;

static int usage(void)
{
    fprintf(stderr, "usage: pusvm [--dir DIR] [--fuel N] [--max-pages N] app.wasm args...\n"
                    "       pusvm --spec out/NAME.json\n");
    return EXIT_USAGE;
}

static void sleep_until(uint64_t wake_ns)
{
    struct timespec ts = {(time_t)(wake_ns / 1000000000u), (long)(wake_ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* Runs the app from rc (0: ready to run) to its end, sleeping through its
 * waits and carrying on after pauses. Returns pusvm's exit status. */
static int run_to_end(wasm_instance *inst, wasi_ctx *wasi, int rc, const char *path)
{
    for (;; rc = 0) {
        if (rc == 0)
            rc = wasm_run(inst);
        switch (rc) {
        case WASM_DONE:
            return 0;
        case WASM_EXITED:
            return wasi_exit_code(wasi) & 0xff;
        case WASM_PAUSED:
            continue;
        case WASM_SUSPENDED: {
            uint64_t wake;
            if (!wasi_wake_time(wasi, &wake)) {
                fprintf(stderr, "pusvm: app suspended with nothing to wait for\n");
                return EXIT_TRAP;
            }
            sleep_until(wake);
            wasi_resume(wasi, inst);
            continue;
        }
        case WASM_OUT_OF_FUEL:
            fprintf(stderr, "pusvm: %s: trap: out of fuel\n", path);
            return EXIT_TRAP;
        default: {
            char err[512];
            wasm_trap_format(inst, err, sizeof err);
            fprintf(stderr, "pusvm: %s: %s\n", path, err);
            return EXIT_TRAP;
        }
        }
    }
}

int run_app(int argc, char **argv)
{
    const char *dir = ".";
    long long fuel = -1;
    wasm_limits limits = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--fuel") && i + 1 < argc)
            fuel = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--max-pages") && i + 1 < argc)
            limits.max_pages = (uint32_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--"))
            { i++; break; }
        else
            return usage();
    }
    if (i >= argc)
        return usage();
    const char *path = argv[i];

    char err[512];
    wasm_module *m;
    int rc = load_module_file(path, &m, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pusvm: %s: %s\n", path, err);
        return EXIT_USAGE;
    }

    struct wasi_port port;
    int dirfd;
    if (posix_port_init(&port, &dirfd, dir)) {
        fprintf(stderr, "pusvm: cannot open directory %s: %s\n", dir, strerror(errno));
        return EXIT_USAGE;
    }
    int envc = 0;
    while (environ[envc])
        envc++;
    wasi_ctx *wasi = wasi_new(&port, argc - i, (const char *const *)argv + i, envc,
                              (const char *const *)environ);
    wasm_store *store = wasm_store_new();
    wasm_extern *imports = calloc(wasm_module_import_count(m) + 1, sizeof *imports);
    if (!wasi || !store || !imports) {
        fprintf(stderr, "pusvm: out of memory\n");
        return EXIT_USAGE;
    }
    rc = wasi_link(wasi, store, m, imports, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pusvm: %s: %s\n", path, err);
        return EXIT_USAGE;
    }
    wasm_instance *inst;
    rc = wasm_instantiate(store, m, imports, &limits, &inst, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pusvm: %s: %s\n", path, err);
        return rc == ERR_TRAP || rc == ERR_EXHAUSTED ? EXIT_TRAP : EXIT_USAGE;
    }
    wasm_instance_set_user(inst, wasi);
    wasm_extern start;
    if (!wasm_instance_export(inst, "_start", &start) || start.kind != WASM_EXTERN_FUNC) {
        fprintf(stderr, "pusvm: %s: no _start function (not a WASI command)\n", path);
        return EXIT_USAGE;
    }
    wasm_set_fuel(inst, fuel);
    int status = run_to_end(inst, wasi, wasm_call_start(inst, start.u.func, NULL), path);
    fflush(stdout);
    wasm_store_free(store);
    wasi_free(wasi);
    wasm_module_free(m);
    free(imports);
    close(dirfd);
    return status;
}
