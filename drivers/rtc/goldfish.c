/*
 * Goldfish RTC (QEMU virt): reading TIME_LOW latches the 64-bit nanosecond
 * count since the Unix epoch, then TIME_HIGH gives the upper half. It sets
 * the wall clock once at boot; the monotonic clock carries it from there.
 */
#include <stdint.h>
#include "platform/qemu-virt/platform.h"
#include "kernel/clock.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "pus/err.h"

#define TIME_LOW  0x00
#define TIME_HIGH 0x04

static int goldfish_rtc_init(void)
{
    if (!platform.rtc.base)
        return ERR_NO_DEVICE;
    volatile uint32_t *r = (volatile uint32_t *)platform.rtc.base;
    uint64_t lo = r[TIME_LOW / 4];
    uint64_t hi = r[TIME_HIGH / 4];
    uint64_t ns = (hi << 32) | lo;
    clock_set_wall_ns(ns);
    log_debug("rtc: wall clock %llu s since the epoch", (unsigned long long)(ns / 1000000000ull));
    return 0;
}
INIT_HOOK(goldfish_rtc, INIT_LEVEL_PLATFORM, goldfish_rtc_init);
