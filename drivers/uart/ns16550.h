/*
 * The console UART (ns16550a). Output is polled: a 16550 in QEMU drains
 * instantly, and polled output keeps working in a panic. Input is
 * interrupt-driven into a ring buffer that the shell reads.
 */
#ifndef DRIVERS_UART_NS16550_H
#define DRIVERS_UART_NS16550_H

#include <stdint.h>
#include "platform/qemu-virt/platform.h"

void uart_init_early(const struct mmio_device *dev, uint32_t clock_hz);
/* Input statistics for the shell. */
uint64_t uart_rx_bytes(void);
uint64_t uart_rx_overruns(void);

#endif
