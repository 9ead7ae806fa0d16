/*
 * The console: where kernel output goes and shell input comes from. A
 * driver (the ns16550 UART) registers itself; before that, output falls
 * back to the SBI debug console.
 *
 * Output has two modes:
 *  - polled: every byte is written to the device with a busy loop. Used
 *    in early boot, before the driver's interrupt is up, and in a panic.
 *  - queued: console_write() copies into an 8 KiB transmit ring and the
 *    driver's transmit interrupt drains it (console_tx_pull). The driver
 *    switches to it with console_tx_enable() once its interrupt works.
 *
 * In queued mode a writer holds console_lock (interrupts off) only for the
 * ring copy. When the ring lacks room:
 *  - a thread with interrupts on sleeps until the interrupt has made room
 *    (writes of up to CONSOLE_WHOLE_WRITE bytes go in whole, so lines from
 *    different writers never mix);
 *  - interrupt handlers, code with interrupts off and idle threads cannot
 *    sleep: their write is dropped whole and counted, and the console
 *    prints "[console: N bytes dropped]" as soon as there is room again.
 * '\n' becomes "\r\n" on the way into the ring (or the device).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_TX_RING_SIZE 8192
/* Writes up to this size (after "\r\n" expansion) are never split. */
#define CONSOLE_WHOLE_WRITE (CONSOLE_TX_RING_SIZE / 2)

struct console_ops {
    /* Busy-wait output with "\n" -> "\r\n"; no locks (panics, early boot). */
    void (*write_polled)(const char *s, size_t n);
    /* Busy-wait output of bytes already converted (draining the ring). */
    void (*write_raw_polled)(const char *s, size_t n);
    int (*read)(char *buf, size_t n, int64_t timeout_ns); /* bytes, 0 on timeout */
    /* Queued mode: turn the transmit interrupt on (it should fire at once
       if the transmitter is idle) or off. Called under console_lock. */
    void (*tx_start)(void);
    void (*tx_stop)(void);
    /* Panic: stop, and wait (bounded) for a handler on another hart to
       finish the chunk it is writing. No locks. */
    void (*tx_panic_stop)(void);
    /* Busy-wait until the device has sent what it holds (optional). */
    void (*tx_wait_sent)(void);
};

void console_register(const struct console_ops *ops);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
int console_read(char *buf, size_t n, int64_t timeout_ns);
/* Used by panic: stop the interrupt path, send what is queued (polled),
   then write directly, without locks. */
void console_panic_mode(void);

/* For the driver: its transmit interrupt is registered; queue from now on. */
void console_tx_enable(void);
/* For the driver's transmit interrupt: up to max bytes to send. Returns 0
   when the ring is empty, having called tx_stop() (under console_lock, so a
   writer that queues afterwards restarts it). */
size_t console_tx_pull(char *buf, size_t max);
/* Thread context: wait until everything queued has been sent (e.g. before
   a reboot). 0, ERR_TIMED_OUT, or ERR_BAD_STATE where it cannot sleep. */
int console_flush(int64_t timeout_ns);

struct console_stats {
    int queued_mode;        /* 1 once console_tx_enable() ran */
    uint64_t queued;        /* bytes put in the ring (after "\r\n") */
    uint64_t sent;          /* bytes pulled by the transmit interrupt */
    uint64_t dropped;       /* bytes dropped by writers that could not wait */
    uint64_t waits;         /* times a thread slept for room */
    uint64_t restarts;      /* waits that timed out and restarted transmission */
    size_t ring_used;
};
void console_get_stats(struct console_stats *out);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
