/*
 * The RISC-V Platform-Level Interrupt Controller: routes device interrupts
 * (sources 1..N) to harts. We use each hart's S-mode context, found in the
 * devicetree; every source is routed to the boot hart only (see plic.c).
 */
#ifndef DRIVERS_PLIC_PLIC_H
#define DRIVERS_PLIC_PLIC_H

#include <stdint.h>
#include "platform/qemu-virt/platform.h"

typedef void (*plic_handler_t)(void *arg);

/* s_context[i] is the S-mode context of the hart with id hartids[i]. */
void plic_init(const struct mmio_device *dev, uint32_t sources, const unsigned long *hartids,
               const int *s_context, unsigned harts);
/* Called on each hart as it comes up: binds its cpu index to its context. */
void plic_init_hart(unsigned cpu_index, unsigned long hartid);
/* Route source irq to handler and enable it (on the boot hart). */
int plic_register(uint32_t irq, plic_handler_t handler, void *arg);
void plic_mask(uint32_t irq, int masked);
uint64_t plic_count(uint32_t irq);

#endif
