/*
 * WASI context, import linking, and the process-level calls: arguments,
 * environment, clocks, randomness, exit, yield, and poll_oneoff (sleeping,
 * which suspends the app instead of blocking).
 */
#include <stdio.h>

#include "wasi/internal.h"

static char **copy_strings(int n, const char *const *v)
{
    char **out = calloc((size_t)n + 1, sizeof *out);
    if (!out)
        return NULL;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]);
        out[i] = malloc(len + 1);
        if (!out[i])
            return out;   /* freed by the caller through wasi_free */
        memcpy(out[i], v[i], len + 1);
    }
    return out;
}

static void free_strings(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

wasi_ctx *wasi_new(const struct wasi_port *port, int argc, const char *const *argv,
                   int envc, const char *const *envp)
{
    wasi_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->port = *port;
    c->argc = argc;
    c->envc = envc;
    c->argv = copy_strings(argc, argv);
    c->envp = copy_strings(envc, envp);
    bool ok = c->argv && c->envp;
    for (int i = 0; ok && i < argc; i++)
        ok = c->argv[i] != NULL;
    for (int i = 0; ok && i < envc; i++)
        ok = c->envp[i] != NULL;
    for (int i = 0; i < 3; i++)
        c->fds[i].used = true;
    c->fds[WASI_PREOPEN_FD].used = true;
    c->fds[WASI_PREOPEN_FD].is_dir = true;
    c->fds[WASI_PREOPEN_FD].handle = -1;
    c->fds[WASI_PREOPEN_FD].path = malloc(2);
    if (c->fds[WASI_PREOPEN_FD].path)
        strcpy(c->fds[WASI_PREOPEN_FD].path, ".");
    else
        ok = false;
    if (!c->port.preopen_name)
        c->port.preopen_name = ".";
    if (!ok) {
        wasi_free(c);
        return NULL;
    }
    return c;
}

void wasi_free(wasi_ctx *c)
{
    if (!c)
        return;
    for (int i = 3; i < WASI_MAX_FDS; i++) {
        struct wasi_fd *f = &c->fds[i];
        if (f->used && !f->is_dir && c->port.close)
            c->port.close(c->port.ctx, f->handle);
        wasi_listing_end(c, f);
        free(f->path);
    }
    free_strings(c->argv, c->argc);
    free_strings(c->envp, c->envc);
    free(c);
}

int wasi_errno(int err)
{
    switch (err) {
    case 0: return WASI_ESUCCESS;
    case ERR_NO_MEMORY: return WASI_ENOMEM;
    case ERR_INVALID_ARGS: return WASI_EINVAL;
    case ERR_NOT_FOUND: return WASI_ENOENT;
    case ERR_EXISTS: return WASI_EEXIST;
    case ERR_WOULD_BLOCK: return WASI_EAGAIN;
    case ERR_BUSY: return WASI_EBUSY;
    case ERR_NOT_SUPPORTED: return WASI_ENOTSUP;
    case ERR_NO_SPACE: return WASI_ENOSPC;
    case ERR_TOO_BIG: return WASI_EOVERFLOW;
    case ERR_NOT_DIR: return WASI_ENOTDIR;
    case ERR_IS_DIR: return WASI_EISDIR;
    case ERR_NOT_EMPTY: return WASI_ENOTEMPTY;
    case ERR_NAME_TOO_LONG: return WASI_ENAMETOOLONG;
    case ERR_READ_ONLY: return WASI_EROFS;
    case ERR_BAD_HANDLE: return WASI_EBADF;
    case ERR_RANGE: return WASI_EINVAL;
    case ERR_AUTH: return WASI_EACCES;
    default: return WASI_EIO;
    }
}

/*
 * dir + "/" + path, normalised: empty and "." components vanish, ".." pops
 * one; climbing above the preopen, absolute paths and NUL bytes are refused.
 */
int wasi_resolve(const char *dir, const char *path, size_t len, char *out, size_t outlen)
{
    char buf[WASI_MAX_PATH * 2 + 2];
    size_t dl = strlen(dir);
    if (len == 0)
        return WASI_ENOENT;
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    if (dl + 1 + len >= sizeof buf || len > WASI_MAX_PATH)
        return WASI_ENAMETOOLONG;
    if (memchr(path, 0, len))
        return WASI_EINVAL;
    memcpy(buf, dir, dl);
    buf[dl] = '/';
    memcpy(buf + dl + 1, path, len);
    buf[dl + 1 + len] = 0;

    size_t o = 0;
    char *save = buf, *comp;
    while ((comp = save) != NULL) {
        char *slash = strchr(comp, '/');
        if (slash) {
            *slash = 0;
            save = slash + 1;
        } else {
            save = NULL;
        }
        if (!*comp || !strcmp(comp, "."))
            continue;
        if (!strcmp(comp, "..")) {
            if (o == 0)
                return WASI_ENOTCAPABLE;
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;   /* the slash */
            continue;
        }
        size_t cl = strlen(comp);
        if (o + (o ? 1 : 0) + cl + 1 > outlen)
            return WASI_ENAMETOOLONG;
        if (o)
            out[o++] = '/';
        memcpy(out + o, comp, cl);
        o += cl;
    }
    if (o == 0) {
        if (outlen < 2)
            return WASI_ENAMETOOLONG;
        out[o++] = '.';
    }
    out[o] = 0;
    return 0;
}

int wasi_suspend(wasi_ctx *ctx, uint64_t wake_ns, uint32_t nresults, wasm_value result)
{
    ctx->sleeping = true;
    ctx->wake_ns = wake_ns;
    ctx->pending_nresults = nresults;
    ctx->pending_result = result;
    return WASM_HOST_SUSPEND;
}

bool wasi_wake_time(const wasi_ctx *ctx, uint64_t *wake_ns)
{
    if (!ctx->sleeping)
        return false;
    *wake_ns = ctx->wake_ns;
    return true;
}

int wasi_resume(wasi_ctx *ctx, wasm_instance *inst)
{
    if (!ctx->sleeping)
        return ERR_BAD_STATE;
    ctx->sleeping = false;
    return wasm_host_complete(inst, &ctx->pending_result);
}

int wasi_exit_code(const wasi_ctx *ctx) { return ctx->exit_code; }

/* ---- process-level calls ------------------------------------------------ */

#define CTX ((wasi_ctx *)user)
#define ARG32(i) ((uint32_t)a[i])
#define RET(v) do { a[0] = (uint32_t)(v); return WASM_HOST_OK; } while (0)

static int strings_sizes(wasm_instance *in, char **v, int n, uint32_t count_out, uint32_t size_out)
{
    uint64_t size = 0;
    for (int i = 0; i < n; i++)
        size += strlen(v[i]) + 1;
    int e = out_u32(in, count_out, (uint32_t)n);
    return e ? e : out_u32(in, size_out, (uint32_t)size);
}

static int strings_get(wasm_instance *in, char **v, int n, uint32_t ptrs, uint32_t buf)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        uint8_t *dst = wmem(in, buf, len);
        if (!dst || out_u32(in, ptrs + 4u * (uint32_t)i, buf))
            return WASI_EFAULT;
        memcpy(dst, v[i], len);
        buf += (uint32_t)len;
    }
    return 0;
}

static int args_sizes_get(wasm_instance *in, void *user, wasm_value *a)
{
    RET(strings_sizes(in, CTX->argv, CTX->argc, ARG32(0), ARG32(1)));
}

static int args_get(wasm_instance *in, void *user, wasm_value *a)
{
    RET(strings_get(in, CTX->argv, CTX->argc, ARG32(0), ARG32(1)));
}

static int environ_sizes_get(wasm_instance *in, void *user, wasm_value *a)
{
    RET(strings_sizes(in, CTX->envp, CTX->envc, ARG32(0), ARG32(1)));
}

static int environ_get(wasm_instance *in, void *user, wasm_value *a)
{
    RET(strings_get(in, CTX->envp, CTX->envc, ARG32(0), ARG32(1)));
}

static int clock_res_get(wasm_instance *in, void *user, wasm_value *a)
{
    uint32_t id = ARG32(0);
    if (id > 3)
        RET(WASI_EINVAL);
    uint64_t res = CTX->port.clock_res_ns ? CTX->port.clock_res_ns(CTX->port.ctx, id) : 1000;
    RET(out_u64(in, ARG32(1), res));
}

static int clock_time_get(wasm_instance *in, void *user, wasm_value *a)
{
    uint32_t id = ARG32(0);
    if (id > 3)
        RET(WASI_EINVAL);
    if (!CTX->port.clock_ns)
        RET(WASI_ENOSYS);
    RET(out_u64(in, ARG32(2), CTX->port.clock_ns(CTX->port.ctx, id)));
}

static int random_get(wasm_instance *in, void *user, wasm_value *a)
{
    uint8_t *p = wmem(in, ARG32(0), ARG32(1));
    if (!p)
        RET(WASI_EFAULT);
    if (!CTX->port.random)
        RET(WASI_ENOSYS);
    CTX->port.random(CTX->port.ctx, p, ARG32(1));
    RET(0);
}

static int proc_exit(wasm_instance *in, void *user, wasm_value *a)
{
    CTX->exit_code = (int)ARG32(0);
    return WASM_HOST_EXIT;
}

static int sched_yield(wasm_instance *in, void *user, wasm_value *a)
{
    RET(0);
}

/*
 * poll_oneoff: clock subscriptions sleep (by suspending the app until the
 * earliest deadline); fd subscriptions are reported ready at once, as stdio
 * and files never block here.
 */
static int poll_oneoff(wasm_instance *in, void *user, wasm_value *a)
{
    wasi_ctx *c = CTX;
    uint32_t nsubs = ARG32(2);
    if (nsubs == 0)
        RET(WASI_EINVAL);
    if (nsubs > 4096)
        RET(WASI_EINVAL);
    const uint8_t *subs = wmem(in, ARG32(0), (uint64_t)nsubs * 48);
    uint8_t *events = wmem(in, ARG32(1), (uint64_t)nsubs * 32);
    if (!subs || !events || out_u32(in, ARG32(3), 0))
        RET(WASI_EFAULT);
    if (!c->port.clock_ns)
        RET(WASI_ENOSYS);
    uint64_t now = c->port.clock_ns(c->port.ctx, 1);
    uint64_t earliest = UINT64_MAX;
    uint32_t nevents = 0, earliest_i = 0;
    bool fd_ready = false;
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *s = subs + 48 * i;
        uint8_t tag = s[8];
        if (tag == 0) {
            uint32_t id = get_u32(s + 16);
            uint64_t timeout = get_u64(s + 24);
            uint16_t flags;
            memcpy(&flags, s + 40, 2);
            uint64_t deadline;
            if (flags & 1) {   /* absolute time on clock id */
                uint64_t cnow = c->port.clock_ns(c->port.ctx, id);
                deadline = timeout > cnow ? now + (timeout - cnow) : now;
            } else {
                deadline = now + timeout < now ? UINT64_MAX : now + timeout;
            }
            if (deadline < earliest) {
                earliest = deadline;
                earliest_i = i;
            }
        } else if (tag == 1 || tag == 2) {
            uint8_t *e = events + 32 * nevents++;
            memset(e, 0, 32);
            memcpy(e, s, 8);
            e[10] = tag;
            fd_ready = true;
        } else {
            RET(WASI_EINVAL);
        }
    }
    if (!fd_ready) {
        /* the clock subscription that fires first */
        uint8_t *e = events + 32 * nevents++;
        memset(e, 0, 32);
        memcpy(e, subs + 48 * earliest_i, 8);
    }
    out_u32(in, ARG32(3), nevents);
    if (fd_ready || earliest <= now)
        RET(0);
    return wasi_suspend(c, earliest, 1, 0);
}

/* Unknown WASI functions link to this and fail with ENOSYS. */
static int wasi_nosys(wasm_instance *in, void *user, wasm_value *a)
{
    a[0] = WASI_ENOSYS;
    return WASM_HOST_OK;
}

const struct wasi_hostdef wasi_core_defs[] = {
    {"args_get", "ii:i", args_get},
    {"args_sizes_get", "ii:i", args_sizes_get},
    {"environ_get", "ii:i", environ_get},
    {"environ_sizes_get", "ii:i", environ_sizes_get},
    {"clock_res_get", "ii:i", clock_res_get},
    {"clock_time_get", "iIi:i", clock_time_get},
    {"random_get", "ii:i", random_get},
    {"proc_exit", "i:", proc_exit},
    {"sched_yield", ":i", sched_yield},
    {"poll_oneoff", "iiii:i", poll_oneoff},
    {NULL, NULL, NULL},
};

/* ---- linking -------------------------------------------------------------- */

static bool sig_matches(const char *sig, wasm_functype t)
{
    uint8_t types[16];
    uint32_t np = 0, nr = 0;
    bool results = false;
    for (const char *p = sig; *p; p++) {
        if (*p == ':') {
            results = true;
            continue;
        }
        if (np + nr >= sizeof types)
            return false;
        types[np + nr] = *p == 'I' ? WASM_I64 : WASM_I32;
        if (results)
            nr++;
        else
            np++;
    }
    return t.nparams == np && t.nresults == nr && !memcmp(t.types, types, np + nr);
}

static const struct wasi_hostdef *lookup(const struct wasi_hostdef *defs, const char *name)
{
    for (; defs->name; defs++)
        if (!strcmp(defs->name, name))
            return defs;
    return NULL;
}

int wasi_link(wasi_ctx *ctx, wasm_store *s, const wasm_module *m, wasm_extern *imports,
              char *err, size_t errlen)
{
    uint32_t n = wasm_module_import_count(m);
    for (uint32_t i = 0; i < n; i++) {
        const char *mod, *name;
        enum wasm_extern_kind kind;
        wasm_module_import(m, i, &mod, &name, &kind);
        const struct wasi_hostdef *d = NULL;
        bool wasi = !strcmp(mod, "wasi_snapshot_preview1") || !strcmp(mod, "wasi_unstable");
        if (kind == WASM_EXTERN_FUNC && wasi)
            d = lookup(wasi_core_defs, name) ? lookup(wasi_core_defs, name)
                                             : lookup(wasi_fs_defs, name);
        else if (kind == WASM_EXTERN_FUNC && !strcmp(mod, "pus"))
            d = lookup(wasi_pus_defs, name);
        wasm_functype t = kind == WASM_EXTERN_FUNC ? wasm_module_import_functype(m, i)
                                                   : (wasm_functype){0, 0, NULL};
        wasm_host_fn fn = NULL;
        if (d && sig_matches(d->sig, t))
            fn = d->fn;
        else if (!d && wasi && kind == WASM_EXTERN_FUNC && t.nresults == 1 &&
                 t.types[t.nparams] == WASM_I32)
            fn = wasi_nosys;
        if (!fn) {
            snprintf(err, errlen, "unknown import %s.%s%s", mod, name,
                     d ? " (signature differs)" : "");
            return ERR_NOT_FOUND;
        }
        imports[i].kind = WASM_EXTERN_FUNC;
        imports[i].u.func = wasm_host_func_new(s, &t, fn, ctx);
        if (!imports[i].u.func)
            return ERR_NO_MEMORY;
    }
    return 0;
}
