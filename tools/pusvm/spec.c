/*
 * pusvm --spec out/NAME.json: runs one spec-test file converted by wast2json.
 *
 * Every command (module, register, action, assert_*) is checked against the
 * runtime; the run ends with "N passed, M failed, K skipped". Commands that
 * need SIMD (v128 values) are skipped. All modules of a file share one store,
 * with the "spectest" host module of the reference interpreter.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pus/err.h"
#include "pusvm.h"
#include "wasm/wasm.h"

#define MAX_NAMED 512

struct named {
    char *name;
    wasm_instance *inst;
};

struct spec {
    const char *dir;
    wasm_store *store;
    wasm_instance *current;
    struct named named[MAX_NAMED];     /* $module names */
    int nnamed;
    struct named registered[MAX_NAMED]; /* register "as" names */
    int nregistered;
    wasm_instance *spectest;           /* placeholder: spectest is resolved by name */
    wasm_func *print[8];
    wasm_global *g_i32, *g_i64, *g_f32, *g_f64;
    wasm_table *table;
    wasm_memory *memory;
    int passed, failed, skipped;
    int line;
    const char *file;
};

static int host_print(wasm_instance *caller, void *user, wasm_value *args)
{
    (void)caller; (void)user; (void)args;
    return WASM_HOST_OK;
}

static void make_spectest(struct spec *s)
{
    static const uint8_t t_i32[] = {WASM_I32}, t_i64[] = {WASM_I64}, t_f32[] = {WASM_F32},
                         t_f64[] = {WASM_F64}, t_i32f32[] = {WASM_I32, WASM_F32},
                         t_f64f64[] = {WASM_F64, WASM_F64};
    wasm_functype types[] = {
        {0, 0, t_i32}, {1, 0, t_i32}, {1, 0, t_i64}, {1, 0, t_f32},
        {1, 0, t_f64}, {2, 0, t_i32f32}, {2, 0, t_f64f64},
    };
    for (int i = 0; i < 7; i++)
        s->print[i] = wasm_host_func_new(s->store, &types[i], host_print, NULL);
    s->g_i32 = wasm_global_new(s->store, WASM_I32, false, 666);
    s->g_i64 = wasm_global_new(s->store, WASM_I64, false, 666);
    float f = 666.6f;
    double d = 666.6;
    uint32_t fb;
    uint64_t db;
    memcpy(&fb, &f, 4);
    memcpy(&db, &d, 8);
    s->g_f32 = wasm_global_new(s->store, WASM_F32, false, fb);
    s->g_f64 = wasm_global_new(s->store, WASM_F64, false, db);
    s->table = wasm_table_new(s->store, WASM_FUNCREF, 10, 20);
    s->memory = wasm_memory_new(s->store, 1, 2);
}

static bool spectest_export(struct spec *s, const char *name, wasm_extern *x)
{
    static const char *const prints[] = {"print", "print_i32", "print_i64", "print_f32",
                                         "print_f64", "print_i32_f32", "print_f64_f64"};
    for (int i = 0; i < 7; i++) {
        if (!strcmp(name, prints[i])) {
            x->kind = WASM_EXTERN_FUNC;
            x->u.func = s->print[i];
            return true;
        }
    }
    x->kind = WASM_EXTERN_GLOBAL;
    if (!strcmp(name, "global_i32")) { x->u.global = s->g_i32; return true; }
    if (!strcmp(name, "global_i64")) { x->u.global = s->g_i64; return true; }
    if (!strcmp(name, "global_f32")) { x->u.global = s->g_f32; return true; }
    if (!strcmp(name, "global_f64")) { x->u.global = s->g_f64; return true; }
    if (!strcmp(name, "table")) { x->kind = WASM_EXTERN_TABLE; x->u.table = s->table; return true; }
    if (!strcmp(name, "memory")) { x->kind = WASM_EXTERN_MEMORY; x->u.memory = s->memory; return true; }
    return false;
}

static wasm_instance *find(struct named *list, int n, const char *name)
{
    for (int i = n - 1; i >= 0; i--)
        if (!strcmp(list[i].name, name))
            return list[i].inst;
    return NULL;
}

static void fail(struct spec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct spec *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%d: FAIL: ", s->file, s->line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    s->failed++;
}

/* Loads a module file; returns the load status. */
static int load(struct spec *s, const char *filename, wasm_module **m, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", s->dir, filename);
    return load_module_file(path, m, err, errlen);
}

/* Resolves imports from registered modules and spectest, then instantiates. */
static int instantiate(struct spec *s, wasm_module *m, wasm_instance **out, char *err, size_t errlen)
{
    uint32_t n = wasm_module_import_count(m);
    wasm_extern *ims = calloc(n + 1, sizeof *ims);
    if (!ims)
        return ERR_NO_MEMORY;
    for (uint32_t i = 0; i < n; i++) {
        const char *mod, *name;
        enum wasm_extern_kind kind;
        wasm_module_import(m, i, &mod, &name, &kind);
        bool ok = false;
        if (!strcmp(mod, "spectest")) {
            ok = spectest_export(s, name, &ims[i]);
        } else {
            wasm_instance *from = find(s->registered, s->nregistered, mod);
            ok = from && wasm_instance_export(from, name, &ims[i]);
        }
        if (!ok) {
            snprintf(err, errlen, "unknown import %s.%s", mod, name);
            free(ims);
            return ERR_NOT_FOUND;
        }
    }
    int rc = wasm_instantiate(s->store, m, ims, NULL, out, err, errlen);
    free(ims);
    return rc;
}

/* Modules stay alive until the end of the file (instances refer to them). */
struct modlist {
    wasm_module **mods;
    size_t n, cap;
};

static void keep(struct modlist *l, wasm_module *m)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->mods = realloc(l->mods, l->cap * sizeof *l->mods);
        if (!l->mods) {
            fprintf(stderr, "pusvm: out of memory\n");
            exit(1);
        }
    }
    l->mods[l->n++] = m;
}

static bool has_v128(const struct json *list)
{
    if (!list || list->kind != JSON_ARRAY)
        return false;
    for (size_t i = 0; i < list->n; i++) {
        const char *t = json_str(&list->items[i], "type");
        if (t && !strcmp(t, "v128"))
            return true;
    }
    return false;
}

static bool parse_value(const struct json *v, wasm_value *out)
{
    const char *type = json_str(v, "type"), *val = json_str(v, "value");
    if (!type || !val)
        return false;
    if (!strcmp(val, "null")) {
        *out = 0;
        return true;
    }
    errno = 0;
    unsigned long long x = strtoull(val, NULL, 10);
    if (!strcmp(type, "externref"))
        x += 1;            /* 0 is null; host reference N travels as N+1 */
    *out = x;
    return true;
}

/* Runs an action; returns the run status, results in *results. */
static int do_action(struct spec *s, const struct json *a, const wasm_value **results,
                     uint32_t *nresults, char *msg, size_t msglen)
{
    const char *type = json_str(a, "type"), *modname = json_str(a, "module");
    const char *field = json_str(a, "field");
    const struct json *fieldj = json_get(a, "field");
    wasm_instance *inst = modname ? find(s->named, s->nnamed, modname) : s->current;
    if (!inst || !field) {
        snprintf(msg, msglen, "no module for action");
        return ERR_NOT_FOUND;
    }
    wasm_extern x;
    if (!wasm_instance_export_n(inst, field, fieldj->len, &x)) {
        snprintf(msg, msglen, "no export \"%s\"", field);
        return ERR_NOT_FOUND;
    }
    if (!strcmp(type, "get")) {
        if (x.kind != WASM_EXTERN_GLOBAL) {
            snprintf(msg, msglen, "export \"%s\" is not a global", field);
            return ERR_NOT_FOUND;
        }
        static wasm_value gv;   /* single-threaded tool */
        gv = wasm_global_get(x.u.global);
        *results = &gv;
        *nresults = 1;
        return WASM_DONE;
    }
    if (x.kind != WASM_EXTERN_FUNC) {
        snprintf(msg, msglen, "export \"%s\" is not a function", field);
        return ERR_NOT_FOUND;
    }
    const struct json *args = json_get(a, "args");
    wasm_value argv[64];
    size_t nargs = args ? args->n : 0;
    if (nargs > 64)
        nargs = 64;
    for (size_t i = 0; i < nargs; i++)
        parse_value(&args->items[i], &argv[i]);
    wasm_functype ft = wasm_func_type(x.u.func);
    /* run the call on the instance that owns the export's module */
    int rc = wasm_call(inst, x.u.func, argv);
    if (rc < 0) {
        wasm_trap_format(inst, msg, msglen);
        return rc;
    }
    if (rc != WASM_DONE) {
        wasm_reset(inst);
        snprintf(msg, msglen, "call ended with status %d", rc);
        return ERR_GENERIC;
    }
    *results = wasm_results(inst);
    *nresults = ft.nresults;
    return rc;
}

static bool is_nan32(uint32_t b) { return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu); }
static bool is_nan64(uint64_t b) { return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x000fffffffffffffull); }

static bool match(const struct json *want, wasm_value got)
{
    const char *type = json_str(want, "type"), *val = json_str(want, "value");
    if (!type)
        return false;
    bool f32 = !strcmp(type, "f32"), f64 = !strcmp(type, "f64");
    if (!val)   /* a non-null reference of this type */
        return got != 0;
    if (f32 && !strcmp(val, "nan:canonical"))
        return ((uint32_t)got & 0x7fffffffu) == 0x7fc00000u;
    if (f32 && !strcmp(val, "nan:arithmetic"))
        return is_nan32((uint32_t)got) && (got & 0x00400000u);
    if (f64 && !strcmp(val, "nan:canonical"))
        return (got & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    if (f64 && !strcmp(val, "nan:arithmetic"))
        return is_nan64(got) && (got & 0x0008000000000000ull);
    wasm_value w;
    parse_value(want, &w);
    if (!strcmp(type, "i32") || f32)
        return (uint32_t)w == (uint32_t)got;
    return w == got;
}

/* assert_return: as many results as expected, each matching; else a failure. */
static bool results_match(struct spec *s, const struct json *action, const struct json *expected,
                          const wasm_value *res, uint32_t nres)
{
    if (!expected || expected->n != nres) {
        fail(s, "%s: %u results, expected %zu", json_str(action, "field"), nres,
             expected ? expected->n : 0);
        return false;
    }
    for (uint32_t i = 0; i < nres; i++) {
        if (!match(&expected->items[i], res[i])) {
            fail(s, "%s: result %u is 0x%llx, expected %s %s", json_str(action, "field"), i,
                 (unsigned long long)res[i], json_str(&expected->items[i], "type"),
                 json_str(&expected->items[i], "value"));
            return false;
        }
    }
    return true;
}

static void command(struct spec *s, const struct json *c, struct modlist *mods)
{
    const char *type = json_str(c, "type");
    const struct json *line = json_get(c, "line");
    s->line = line ? (int)line->num : 0;
    char err[512] = "";
    if (!type)
        return;

    if (!strcmp(type, "module")) {
        wasm_module *m;
        wasm_instance *inst;
        int rc = load(s, json_str(c, "filename"), &m, err, sizeof err);
        if (rc) {
            fail(s, "module did not load: %s", err);
            s->current = NULL;
            return;
        }
        keep(mods, m);
        rc = instantiate(s, m, &inst, err, sizeof err);
        if (rc) {
            fail(s, "module did not instantiate: %s", err);
            s->current = NULL;
            return;
        }
        s->current = inst;
        const char *name = json_str(c, "name");
        if (name && s->nnamed < MAX_NAMED) {
            s->named[s->nnamed].name = (char *)name;
            s->named[s->nnamed++].inst = inst;
        }
        s->passed++;
        return;
    }
    if (!strcmp(type, "register")) {
        const char *as = json_str(c, "as"), *name = json_str(c, "name");
        wasm_instance *inst = name ? find(s->named, s->nnamed, name) : s->current;
        if (!inst || !as || s->nregistered >= MAX_NAMED) {
            fail(s, "register: no module");
            return;
        }
        s->registered[s->nregistered].name = (char *)as;
        s->registered[s->nregistered++].inst = inst;
        return;
    }
    const struct json *action = json_get(c, "action");
    const struct json *expected = json_get(c, "expected");
    if (has_v128(expected) || (action && has_v128(json_get(action, "args")))) {
        s->skipped++;
        return;
    }
    if (!strcmp(type, "action") || !strcmp(type, "assert_return")) {
        const wasm_value *res;
        uint32_t nres;
        int rc = do_action(s, action, &res, &nres, err, sizeof err);
        if (rc != WASM_DONE) {
            fail(s, "%s: %s", json_str(action, "field"), err);
            return;
        }
        if (!strcmp(type, "assert_return") && !results_match(s, action, expected, res, nres))
            return;
        s->passed++;
        return;
    }
    if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
        const wasm_value *res;
        uint32_t nres;
        int rc = do_action(s, action, &res, &nres, err, sizeof err);
        bool want_exh = !strcmp(type, "assert_exhaustion");
        if (rc >= 0 || rc == ERR_NOT_FOUND || rc == ERR_GENERIC) {
            fail(s, "%s: expected trap \"%s\", got %s", json_str(action, "field"),
                 json_str(c, "text"), rc >= 0 ? "a result" : err);
            return;
        }
        if (want_exh != (rc == ERR_EXHAUSTED)) {
            fail(s, "%s: expected \"%s\", got %s", json_str(action, "field"),
                 json_str(c, "text"), err);
            return;
        }
        s->passed++;
        return;
    }
    if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed")) {
        wasm_module *m;
        int rc = load(s, json_str(c, "filename"), &m, err, sizeof err);
        if (rc == 0) {
            wasm_module_free(m);
            fail(s, "%s module loaded; expected \"%s\"", type + 7, json_str(c, "text"));
            return;
        }
        if (verbose)
            printf("%s:%d: ok (%s): %s\n", s->file, s->line, json_str(c, "text"), err);
        s->passed++;
        return;
    }
    if (!strcmp(type, "assert_unlinkable") || !strcmp(type, "assert_uninstantiable")) {
        wasm_module *m;
        wasm_instance *inst;
        int rc = load(s, json_str(c, "filename"), &m, err, sizeof err);
        if (rc) {
            fail(s, "module did not load: %s", err);
            return;
        }
        keep(mods, m);
        rc = instantiate(s, m, &inst, err, sizeof err);
        bool want_trap = !strcmp(type, "assert_uninstantiable");
        if (rc == 0 || (want_trap && rc != ERR_TRAP && rc != ERR_EXHAUSTED) ||
            (!want_trap && (rc == ERR_TRAP || rc == ERR_EXHAUSTED))) {
            fail(s, "%s: expected \"%s\", got %s", type, json_str(c, "text"),
                 rc ? err : "success");
            return;
        }
        s->passed++;
        return;
    }
    printf("%s:%d: skipped unknown command %s\n", s->file, s->line, type);
    s->skipped++;
}

int run_spec(const char *json_path)
{
    size_t len;
    char *text = (char *)read_file(json_path, &len);
    if (!text) {
        fprintf(stderr, "pusvm: cannot read %s\n", json_path);
        return 2;
    }
    struct json *root = json_parse(text);
    free(text);
    const struct json *cmds = json_get(root, "commands");
    if (!cmds || cmds->kind != JSON_ARRAY) {
        fprintf(stderr, "pusvm: %s is not a wast2json command file\n", json_path);
        return 2;
    }
    struct spec *s = calloc(1, sizeof *s);
    char *dir = strdup(json_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    s->dir = dir;
    s->file = json_str(root, "source_filename");
    if (!s->file)
        s->file = json_path;
    s->store = wasm_store_new();
    make_spectest(s);
    struct modlist mods = {0};
    for (size_t i = 0; i < cmds->n; i++)
        command(s, &cmds->items[i], &mods);
    printf("%d passed, %d failed, %d skipped\n", s->passed, s->failed, s->skipped);
    int rc = s->failed ? 1 : 0;
    wasm_store_free(s->store);
    for (size_t i = 0; i < mods.n; i++)
        wasm_module_free(mods.mods[i]);
    free(mods.mods);
    json_free(root);
    free(root);
    free(dir);
    free(s);
    return rc;
}
