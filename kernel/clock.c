/* Monotonic and wall-clock time. Scaling uses 64x64->128 multiplies with
   factors precomputed at boot, so reading the clock never divides. */
#include "kernel/clock.h"
#include "arch/riscv/csr.h"

static uint64_t timebase;
static uint64_t ns_per_tick_q32;   /* 1e9 / timebase, as a 32.32 fixed point */
static uint64_t ticks_per_ns_q32;  /* timebase / 1e9, as a 32.32 fixed point */
static uint64_t boot_ticks;
static uint64_t wall_at_boot_ns;

void clock_init(uint64_t timebase_hz)
{
    timebase = timebase_hz ? timebase_hz : 10000000;
    ns_per_tick_q32 = (uint64_t)(((unsigned __int128)1000000000ull << 32) / timebase);
    ticks_per_ns_q32 = (uint64_t)(((unsigned __int128)timebase << 32) / 1000000000ull);
    boot_ticks = 0;   /* count from the hart's reset, like the firmware does */
}

uint64_t clock_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_q32) >> 32);
}

uint64_t clock_ns_to_ticks(uint64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * ticks_per_ns_q32) >> 32);
}

uint64_t clock_now_ns(void)
{
    return clock_ticks_to_ns(rdtime() - boot_ticks);
}

uint64_t clock_timebase_hz(void)
{
    return timebase;
}

void clock_set_wall_ns(uint64_t unix_ns)
{
    wall_at_boot_ns = unix_ns - clock_now_ns();
}

uint64_t clock_wall_ns(void)
{
    if (wall_at_boot_ns == 0)
        return 0;
    return wall_at_boot_ns + clock_now_ns();
}
