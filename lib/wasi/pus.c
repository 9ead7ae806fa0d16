/*
 * The "pus" import module: PusOS's own small host API for apps (see
 * sdk/include/pus.h). pus_sleep_ms suspends the app like poll_oneoff.
 */
#include "wasi/internal.h"

#define CTX ((wasi_ctx *)user)

static int pus_log(wasm_instance *in, void *user, wasm_value *a)
{
    uint32_t len = (uint32_t)a[1];
    const uint8_t *p = wmem(in, (uint32_t)a[0], len);
    if (!p) {
        wasm_host_trap(in, "pus_log: buffer outside memory");
        return WASM_HOST_TRAP;
    }
    if (CTX->port.log)
        CTX->port.log(CTX->port.ctx, p, len);
    return WASM_HOST_OK;
}

static int pus_time_ns(wasm_instance *in, void *user, wasm_value *a)
{
    a[0] = CTX->port.clock_ns ? CTX->port.clock_ns(CTX->port.ctx, 1) : 0;
    return WASM_HOST_OK;
}

static int pus_sleep_ms(wasm_instance *in, void *user, wasm_value *a)
{
    uint32_t ms = (uint32_t)a[0];
    if (!CTX->port.clock_ns)
        return WASM_HOST_OK;
    uint64_t now = CTX->port.clock_ns(CTX->port.ctx, 1);
    return wasi_suspend(CTX, now + (uint64_t)ms * 1000000u, 0, 0);
}

const struct wasi_hostdef wasi_pus_defs[] = {
    {"pus_log", "ii:", pus_log},
    {"pus_time_ns", ":I", pus_time_ns},
    {"pus_sleep_ms", "i:", pus_sleep_ms},
    {NULL, NULL, NULL},
};
