/*
 * ns16550a driver. Registers (byte-wide, stride 1 on QEMU virt):
 *   0 RBR/THR  1 IER  2 IIR/FCR  3 LCR  4 MCR  5 LSR
 *
 * Output is polled until the interrupt is registered, and in a panic.
 * After that the console queues output in its ring and the "transmitter
 * holding register empty" interrupt (IER.ETBEI) drains it: each time the
 * transmitter is empty we load up to a FIFO's worth (16 bytes on a 16550A,
 * 1 without a FIFO). The console turns the interrupt off when its ring is
 * empty, so an idle console raises no interrupts.
 *
 * Pacing: QEMU's UART sends a byte the moment it is written, so the FIFO
 * is empty again before the handler returns and the interrupt would fire
 * back to back. RISC-V takes a pending external interrupt before a pending
 * timer interrupt, so that would starve the boot hart's timers and threads
 * for as long as the ring has data. So when a burst leaves the transmitter
 * already empty, the handler turns the interrupt off and a one-shot timer
 * turns it on again after a pause as long as the burst took (at least
 * TX_PAUSE_MIN_NS): output then uses at most about half of the hart. A
 * slow host (or a real UART) paces itself: the FIFO is not empty yet.
 */
#include <stddef.h>
#include "drivers/uart/ns16550.h"
#include "drivers/plic/plic.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/event.h"
#include "kernel/init.h"
#include "kernel/thread.h"
#include "kernel/timer.h"
#include "util/ring.h"
#include "pus/err.h"

#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define IIR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DATA_READY 0x01
#define LSR_OVERRUN    0x02
#define LSR_THR_EMPTY  0x20
#define LSR_TX_IDLE    0x40          /* holding register and shifter empty */
#define IER_RX_AVAILABLE 0x01
#define IER_THR_EMPTY    0x02
#define IIR_FIFO_ENABLED 0xc0        /* a 16550A reports its working FIFO */
#define FIFO_SIZE 16
/* FIFO loads per interrupt: bounds how long the handler keeps interrupts
   off (each load is up to 16 device writes) while sparing the interrupt
   entry and PLIC claim for every 16 bytes when the host keeps up. */
#define TX_LOADS_PER_IRQ 2
#define TX_PAUSE_MIN_NS 20000

static volatile uint8_t *regs;
static uint32_t irq;
static struct ring rx_ring;                 /* producer: irq, consumer: shell */
static uint8_t rx_buf[1024];
static struct event rx_event;               /* signalled when bytes arrive */
static uint64_t rx_bytes, rx_overruns;
static int input_ready;
static size_t tx_load = 1;                  /* bytes per THR-empty: FIFO size */
static volatile int tx_irq_on;              /* ETBEI set; changed under console_lock */
static volatile int tx_paused;              /* ETBEI off until tx_resume runs */
static struct timer tx_pause_timer;         /* runs on the interrupt's hart */
static volatile int tx_loading;             /* transmit() is writing a chunk */
static uint64_t tx_irqs, tx_pauses;

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

static void write_raw_polled(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        putc_polled(s[i]);
}

/* Called by the console under console_lock. Writing IER with ETBEI off and
   then on makes a 16550 (and QEMU's) raise the interrupt at once if the
   transmitter is already empty; without that edge nothing would start. */
static void tx_start(void)
{
    tx_irq_on = 1;
    tx_paused = 0;
    regs[IER] = IER_RX_AVAILABLE;
    regs[IER] = IER_RX_AVAILABLE | IER_THR_EMPTY;
}

static void tx_stop(void)
{
    tx_irq_on = 0;
    regs[IER] = IER_RX_AVAILABLE;
}

/* A panic takes over the ring: stop the interrupt and let a handler that
   is writing its chunk on another hart finish, so bytes do not interleave.
   Bounded, in case that hart is the one that died. */
static void tx_panic_stop(void)
{
    tx_stop();
    for (long spins = 0; spins < 1000000 && __atomic_load_n(&tx_loading, __ATOMIC_SEQ_CST); spins++)
        cpu_relax();
}

static void tx_wait_sent(void)
{
    for (long spins = 0; spins < 10000000 && !(regs[LSR] & LSR_TX_IDLE); spins++)
        cpu_relax();
}

/* Pause over (timer callback, interrupt context on the same hart). */
static void tx_resume(struct timer *t, uint64_t now_ns, void *arg)
{
    if (tx_irq_on && tx_paused) {
        tx_paused = 0;
        regs[IER] = IER_RX_AVAILABLE | IER_THR_EMPTY;   /* fires at once: empty */
    }
}

/* The transmit half of the interrupt: refill the empty FIFO from the ring. */
static void transmit(void)
{
    char chunk[FIFO_SIZE];
    uint64_t start = clock_now_ns();
    for (int load = 0; load < TX_LOADS_PER_IRQ; load++) {
        if (!tx_irq_on || tx_paused || !(regs[LSR] & LSR_THR_EMPTY))
            return;
        __atomic_store_n(&tx_loading, 1, __ATOMIC_SEQ_CST);   /* before pull looks */
        size_t n = console_tx_pull(chunk, tx_load);
        for (size_t i = 0; i < n; i++)
            regs[THR] = (uint8_t)chunk[i];
        __atomic_store_n(&tx_loading, 0, __ATOMIC_RELEASE);
        if (n < tx_load)
            return;            /* ring empty (the console stopped us) */
    }
    if (tx_irq_on && (regs[LSR] & LSR_THR_EMPTY)) {
        /* Sent already: the device is not pacing us; pause (see above). */
        uint64_t took = clock_now_ns() - start;
        tx_paused = 1;
        tx_pauses++;
        regs[IER] = IER_RX_AVAILABLE;
        timer_set_oneshot(&tx_pause_timer, took > TX_PAUSE_MIN_NS ? took : TX_PAUSE_MIN_NS,
                          tx_resume, NULL);
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
    .write_polled = write_polled,
    .write_raw_polled = write_raw_polled,
    .read = uart_read,
    .tx_start = tx_start,
    .tx_stop = tx_stop,
    .tx_panic_stop = tx_panic_stop,
    .tx_wait_sent = tx_wait_sent,
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
    if (tx_irq_on) {
        tx_irqs++;
        transmit();
    }
}

void uart_init_early(const struct mmio_device *dev, uint32_t clock_hz)
{
    regs = (volatile uint8_t *)dev->base;
    irq = dev->irq;
    /* QEMU's 16550 needs no baud setup; on hardware the firmware did it. */
    regs[IER] = 0;
    regs[FCR] = 0x07;          /* enable and clear FIFOs */
    tx_load = (regs[IIR] & IIR_FIFO_ENABLED) == IIR_FIFO_ENABLED ? FIFO_SIZE : 1;
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
    timer_init(&tx_pause_timer);
    int r = plic_register(irq, uart_irq, NULL);
    if (r < 0)
        return r;
    regs[MCR] = 0x08;          /* OUT2: route the interrupt on real 16550s */
    regs[IER] = IER_RX_AVAILABLE;
    console_tx_enable();       /* output through the ring from now on */
    return 0;
}
INIT_HOOK(uart_input, INIT_LEVEL_PLATFORM, uart_input_init);

uint64_t uart_rx_bytes(void) { return rx_bytes; }
uint64_t uart_rx_overruns(void) { return rx_overruns; }
uint64_t uart_tx_irqs(void) { return tx_irqs; }
uint64_t uart_tx_pauses(void) { return tx_pauses; }
size_t uart_tx_fifo(void) { return tx_load; }
