/*
 * The console UART (ns16550a). Input is interrupt-driven into a ring buffer
 * that the shell reads. Output is polled in early boot and in a panic, and
 * otherwise drained from the console's transmit ring by the THR-empty
 * interrupt (see kernel/console.h).
 */
#ifndef DRIVERS_UART_NS16550_H
#define DRIVERS_UART_NS16550_H

#include <stddef.h>
#include <stdint.h>
#include "platform/qemu-virt/platform.h"

void uart_init_early(const struct mmio_device *dev, uint32_t clock_hz);
/* Input statistics for the shell. */
uint64_t uart_rx_bytes(void);
uint64_t uart_rx_overruns(void);
/* Output statistics: interrupts that had the transmitter on, pauses
   (see ns16550.c), the FIFO load. */
uint64_t uart_tx_irqs(void);
uint64_t uart_tx_pauses(void);
size_t uart_tx_fifo(void);

#endif
