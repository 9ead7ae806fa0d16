/*
 * Time. One monotonic clock in nanoseconds since boot, read from the RISC-V
 * time CSR scaled by the devicetree's timebase-frequency; wall-clock time is
 * the RTC reading at boot plus the monotonic clock since then.
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <stdint.h>

void clock_init(uint64_t timebase_hz);
uint64_t clock_now_ns(void);
uint64_t clock_ns_to_ticks(uint64_t ns);
uint64_t clock_ticks_to_ns(uint64_t ticks);
uint64_t clock_timebase_hz(void);
/* Wall-clock nanoseconds since the Unix epoch; 0 when no RTC was found. */
uint64_t clock_wall_ns(void);
void clock_set_wall_ns(uint64_t unix_ns);

#endif
