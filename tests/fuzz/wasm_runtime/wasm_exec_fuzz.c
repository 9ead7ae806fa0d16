/*
 * libFuzzer target: run every exported function of an arbitrary module with
 * zero arguments under a fuel limit, small memory and stack limits, and
 * resume after each out-of-fuel stop a few times (so pause points land all
 * over the code). Traps are fine; crashes and sanitizer reports are bugs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wasm/wasm.h"
#include "wasm_fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    wasm_module *m;
    if (wasm_module_load(data, size, &m, err, sizeof err))
        return 0;
    wasm_store *s = wasm_store_new();
    wasm_instance *in = fuzz_instantiate(s, m);
    if (in) {
        for (uint32_t i = 0; i < wasm_module_export_count(m); i++) {
            const char *name;
            wasm_func *f = wasm_instance_func_at(in, i, &name);
            if (!f)
                continue;
            wasm_functype t = wasm_func_type(f);
            wasm_value args[16] = {0};
            if (t.nparams > 16)
                continue;
            wasm_set_fuel(in, 3000);
            int rc = wasm_call(in, f, args);
            for (int resumes = 0; resumes < 4 && rc == WASM_OUT_OF_FUEL; resumes++) {
                wasm_set_fuel(in, 1 + (size + (size_t)resumes * 977) % 2000);
                rc = wasm_run(in);
            }
            /* suspended host calls: complete a bounded number of them,
             * keeping the remaining fuel, so loops of host calls end */
            for (int n = 0; n < 16 && rc == WASM_SUSPENDED; n++) {
                wasm_value zeros[16] = {0};
                wasm_host_complete(in, zeros);
                rc = wasm_run(in);
            }
            if (rc == WASM_DONE) {
                const wasm_value *r = wasm_results(in);
                volatile wasm_value sink = t.nresults ? r[0] : 0;
                (void)sink;
            }
            wasm_reset(in);
        }
    }
    wasm_store_free(s);
    wasm_module_free(m);
    return 0;
}
