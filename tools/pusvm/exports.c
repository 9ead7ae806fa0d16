/*
 * pusvm --run-all-exports module.wasm: calls every exported function of a
 * module without imports, with zero arguments, and prints one line each in
 * the format of wabt's `wasm-interp --run-all-exports`, e.g.
 *   fib() => i32:6765
 *   boom() => error: integer divide by zero
 * so the two interpreters can be compared line by line (tests/wasm).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pusvm.h"
#include "wasm/wasm.h"

static const char *type_name(uint8_t t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    }
    return "?";
}

static void print_value(uint8_t t, wasm_value v)
{
    switch (t) {
    case WASM_I32: printf("i32:%" PRIu32, (uint32_t)v); break;
    case WASM_I64: printf("i64:%" PRIu64, v); break;
    case WASM_F32: { uint32_t b = (uint32_t)v; float f; memcpy(&f, &b, 4); printf("f32:%g", (double)f); break; }
    case WASM_F64: { double d; memcpy(&d, &v, 8); printf("f64:%g", d); break; }
    default: printf("%s:%" PRIu64, type_name(t), v); break;
    }
}

int run_all_exports(const char *path)
{
    char err[512];
    wasm_module *m;
    int rc = load_module_file(path, &m, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pusvm: %s: %s\n", path, err);
        return 2;
    }
    if (wasm_module_import_count(m)) {
        fprintf(stderr, "pusvm: %s: --run-all-exports needs a module without imports\n", path);
        wasm_module_free(m);
        return 2;
    }
    wasm_store *s = wasm_store_new();
    wasm_instance *in;
    rc = wasm_instantiate(s, m, NULL, NULL, &in, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pusvm: %s: %s\n", path, err);
        wasm_store_free(s);
        wasm_module_free(m);
        return 2;
    }
    for (uint32_t i = 0; i < wasm_module_export_count(m); i++) {
        const char *name;
        wasm_func *f = wasm_instance_func_at(in, i, &name);
        if (!f)
            continue;
        wasm_functype t = wasm_func_type(f);
        wasm_value args[64] = {0};
        printf("%s(", name);
        for (uint32_t k = 0; k < t.nparams && k < 64; k++) {
            printf("%s", k ? ", " : "");
            print_value(t.types[k], 0);
        }
        printf(") => ");
        rc = t.nparams <= 64 ? wasm_call(in, f, args) : -1;
        if (rc == WASM_DONE) {
            const wasm_value *r = wasm_results(in);
            for (uint32_t k = 0; k < t.nresults; k++) {
                printf("%s", k ? ", " : "");
                print_value(t.types[t.nparams + k], r[k]);
            }
            printf("\n");
        } else {
            const wasm_trap_info *ti = wasm_trap(in);
            printf("error: %s\n", ti->message ? ti->message : "did not finish");
            wasm_reset(in);
        }
    }
    wasm_store_free(s);
    wasm_module_free(m);
    return 0;
}
