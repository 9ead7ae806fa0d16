/*
 * PusOS app SDK: the host functions of the "pus" import module.
 *
 * Apps are C programs built for wasm32-wasi (clang-14 --target=wasm32-wasi);
 * ordinary libc (printf, fopen on the preopened directory, nanosleep) works
 * through WASI. These calls add what WASI lacks or does differently:
 *
 *   pus_log      one record in the node's log (not the app's stdout)
 *   pus_time_ns  the node's monotonic clock, in nanoseconds
 *   pus_sleep_ms sleep; the app is suspended (and may be checkpointed or
 *                migrated meanwhile), never blocking a kernel thread
 */
#ifndef PUS_SDK_H
#define PUS_SDK_H

#include <stddef.h>
#include <stdint.h>

#define PUS_IMPORT(name) __attribute__((import_module("pus"), import_name(#name)))

PUS_IMPORT(pus_log) void pus_log(const char *msg, size_t len);
PUS_IMPORT(pus_time_ns) uint64_t pus_time_ns(void);
PUS_IMPORT(pus_sleep_ms) void pus_sleep_ms(uint32_t ms);

/* Log a NUL-terminated string. */
static inline void pus_log_str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    pus_log(s, n);
}

#endif
