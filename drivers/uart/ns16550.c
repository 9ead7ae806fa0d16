/*
 * ns16550a driver. Registers (byte-wide, stride 1 on QEMU virt):
 *   0 RBR/THR  1 IER  2 IIR/FCR  3 LCR  4 MCR  5 LSR
 */
#include <stddef.h>
#include "drivers/uart/ns16550.h"
#include "drivers/plic/plic.h"
#include "kernel/console.h"
#include "kernel/event.h"
#include "kernel/init.h"
#include "kernel/thread.h"
#include "util/ring.h"
#include "pus/err.h"

#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DATA_READY 0x01
#define LSR_OVERRUN    0x02
#define LSR_THR_EMPTY  0x20
#define IER_RX_AVAILABLE 0x01

static volatile uint8_t *regs;
static uint32_t irq;
static struct ring rx_ring;                 /* producer: irq, consumer: shell */
static uint8_t rx_buf[1024];
static struct event rx_event;               /* signalled when bytes arrive */
static uint64_t rx_bytes, rx_overruns;
static int input_ready;

static void putc_polled(char c)
{
    while (!(regs[LSR] & LSR_THR_EMPTY))
        ;
    regs[THR] = (uint8_t)c;
}

static void write_polled(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            putc_polled('\r');
        putc_polled(s[i]);
    }
}

static int uart_read(char *buf, size_t n, int64_t timeout_ns)
{
    for (;;) {
        size_t got = ring_get(&rx_ring, buf, n);
        if (got)
            return (int)got;
        int r = event_wait_timeout(&rx_event, timeout_ns);
        if (r == ERR_TIMED_OUT)
            return 0;
        if (r < 0)
            return r;
    }
}

static const struct console_ops uart_console = {
    .write = write_polled,
    .write_polled = write_polled,
    .read = uart_read,
};

static void uart_irq(void *arg)
{
    int got = 0;
    uint8_t lsr;
    while ((lsr = regs[LSR]) & LSR_DATA_READY) {
        uint8_t c = regs[RBR];
        if (lsr & LSR_OVERRUN)
            rx_overruns++;
        if (ring_put(&rx_ring, &c, 1) == 0)
            rx_overruns++;
        rx_bytes++;
        got = 1;
    }
    if (got && input_ready)
        event_signal(&rx_event);
}

void uart_init_early(const struct mmio_device *dev, uint32_t clock_hz)
{
    regs = (volatile uint8_t *)dev->base;
    irq = dev->irq;
    /* QEMU's 16550 needs no baud setup; on hardware the firmware did it. */
    regs[IER] = 0;
    regs[FCR] = 0x07;          /* enable and clear FIFOs */
    ring_init(&rx_ring, rx_buf, sizeof(rx_buf));
    console_register(&uart_console);
}

/* Input needs the scheduler (events) and the PLIC: done as an init hook. */
static int uart_input_init(void)
{
    event_init(&rx_event, false, true);
    input_ready = 1;
    if (!irq)
        return ERR_NO_DEVICE;
    int r = plic_register(irq, uart_irq, NULL);
    if (r < 0)
        return r;
    regs[MCR] = 0x08;          /* OUT2: route the interrupt on real 16550s */
    regs[IER] = IER_RX_AVAILABLE;
    return 0;
}
INIT_HOOK(uart_input, INIT_LEVEL_PLATFORM, uart_input_init);

uint64_t uart_rx_bytes(void) { return rx_bytes; }
uint64_t uart_rx_overruns(void) { return rx_overruns; }
