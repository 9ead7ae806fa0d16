/*
 * libFuzzer target: decode, validate, compile and instantiate arbitrary
 * bytes. Imports are satisfied with stub objects of the right kind, so
 * element/data initialisation and the start function (under a fuel limit)
 * run too. Any crash, leak or sanitizer report is a bug.
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
    (void)in;
    wasm_store_free(s);
    wasm_module_free(m);
    return 0;
}
