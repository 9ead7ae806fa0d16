/* Shared by the wasm fuzz targets: instantiate with stub imports and tight
 * limits, so hostile modules cannot ask for gigabytes or run forever. */
#ifndef WASM_FUZZ_COMMON_H
#define WASM_FUZZ_COMMON_H

#include <stdlib.h>

#include "wasm/wasm.h"

/* Stub host function: zero results; every third call suspends. */
static int fuzz_host(wasm_instance *caller, void *user, wasm_value *ar)
{
    (void)caller;
    uintptr_t nresults = (uintptr_t)user;
    const uintptr_t suspend_every = 3;
    for (uintptr_t i = 0; i < nresults; i++)
        ar[i] = 0;
    uintptr_t n = (uintptr_t)wasm_instance_user(caller);
    wasm_instance_set_user(caller, (void *)(n + 1));
    return n % suspend_every == 2 ? WASM_HOST_SUSPEND : WASM_HOST_OK;
}

static wasm_instance *fuzz_instantiate(wasm_store *s, const wasm_module *m)
{
    uint32_t n = wasm_module_import_count(m);
    wasm_extern *ims = calloc(n + 1, sizeof *ims);
    wasm_instance *in = NULL;
    if (!ims)
        goto out;
    for (uint32_t i = 0; i < n; i++) {
        const char *mod, *name;
        enum wasm_extern_kind kind;
        wasm_module_import(m, i, &mod, &name, &kind);
        ims[i].kind = kind;
        switch (kind) {
        case WASM_EXTERN_FUNC:
        {
            wasm_functype t = wasm_module_import_functype(m, i);
            ims[i].u.func = wasm_host_func_new(s, &t, fuzz_host, (void *)(uintptr_t)t.nresults);
        }
            break;
        case WASM_EXTERN_TABLE:
            ims[i].u.table = wasm_table_new(s, WASM_FUNCREF, 10, 20);
            break;
        case WASM_EXTERN_MEMORY:
            ims[i].u.memory = wasm_memory_new(s, 1, 2);
            break;
        case WASM_EXTERN_GLOBAL:
            ims[i].u.global = wasm_global_new(s, WASM_I32, false, 42);
            break;
        }
        if (!ims[i].u.func)
            goto out;
    }
    wasm_limits lim = {.max_pages = 16, .stack_slots = 4096, .max_depth = 200,
                       .max_table_elems = 10000};
    char err[256];
    if (wasm_instantiate(s, m, ims, &lim, &in, err, sizeof err))
        in = NULL;
out:
    free(ims);
    return in;
}

#endif
