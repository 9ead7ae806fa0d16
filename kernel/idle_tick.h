/*
 * An optional periodic wake-up of the boot hart (bootarg idle_tick_us=N,
 * off by default: the kernel is tickless). It trades host CPU for network
 * latency under an emulator; see idle_tick.c.
 */
#ifndef KERNEL_IDLE_TICK_H
#define KERNEL_IDLE_TICK_H

#include <stdint.h>

/* The period in microseconds, 0 when off. */
unsigned idle_tick_period_us(void);
/* How many times it has fired. */
uint64_t idle_tick_count(void);

#endif
