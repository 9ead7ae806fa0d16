/*
 * Console output: polled in early boot and panics, otherwise queued in a
 * transmit ring that the driver's interrupt drains (see console.h).
 *
 * Locks:
 *  - console_lock (spinlock, interrupts off) guards the producer side of
 *    tx_ring, tx_running, drops_unreported and the statistics except
 *    `sent`; in polled mode it is held across the whole device write, as
 *    nothing else can run then anyway (early boot). It is never held while
 *    taking thread_lock, so code holding thread_lock may print.
 *  - writer_lock (mutex) orders threads that may sleep for room: one of
 *    them at a time fills the ring, the others queue behind it in order.
 *  - The consumer side of tx_ring belongs to the transmit interrupt alone
 *    (one handler at a time: the PLIC does not deliver a source again
 *    before it is completed), and to a panic, which stops it first.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "kernel/console.h"
#include "kernel/clock.h"
#include "kernel/cpu.h"
#include "kernel/event.h"
#include "kernel/mutex.h"
#include "kernel/spinlock.h"
#include "kernel/thread.h"
#include "arch/riscv/sbi.h"
#include "util/ring.h"
#include "pus/err.h"

/* How long a thread waits for room before it suspects a lost interrupt
   and restarts the transmitter (a safety net, not the normal path). */
#define ROOM_WAIT_NS (200 * 1000000ll)

static const struct console_ops *ops;
static spinlock_t console_lock = SPINLOCK_INITIAL;
static volatile int panicking;

static struct ring tx_ring;
static uint8_t tx_buf[CONSOLE_TX_RING_SIZE];
static bool queued_mode;          /* set once, under console_lock */
static bool tx_running;           /* the driver's transmit interrupt is on */
static uint64_t drops_unreported; /* bytes dropped since the last notice */
static struct console_stats stats;

static struct mutex writer_lock;
static struct event tx_room;      /* auto-reset; the interrupt made room */
static size_t room_needed;        /* atomic; what the sleeping writer waits for */

void console_register(const struct console_ops *o)
{
    ops = o;
}

/* --- polled output ---------------------------------------------------- */

static void write_polled(const char *s, size_t n)
{
    if (ops && ops->write_polled) {
        ops->write_polled(s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            sbi_console_putchar('\r');
        sbi_console_putchar(s[i]);
    }
}

void console_panic_mode(void)
{
    __atomic_store_n(&panicking, 1, __ATOMIC_SEQ_CST);   /* before tx_panic_stop looks */
    if (!ops || !__atomic_load_n(&queued_mode, __ATOMIC_ACQUIRE))
        return;
    /* The interrupt pulls nothing more once panicking is set; send what it
       left, in order, before the panic's own lines. */
    if (ops->tx_panic_stop)
        ops->tx_panic_stop();
    else
        ops->tx_stop();
    char chunk[64];
    size_t got;
    while ((got = ring_get(&tx_ring, chunk, sizeof(chunk))) > 0)
        ops->write_raw_polled(chunk, got);
}

/* --- the ring, producer side (console_lock held) ----------------------- */

/* Bytes s[0..n) take in the ring. */
static size_t expanded_size(const char *s, size_t n)
{
    size_t size = n;
    for (size_t i = 0; i < n; i++)
        size += s[i] == '\n';
    return size;
}

/* Queue the longest prefix of s that fits in room bytes; returns its length. */
static size_t put_prefix(const char *s, size_t n, size_t room)
{
    size_t done = 0;
    while (done < n) {
        const char *nl = memchr(s + done, '\n', n - done);
        size_t plain = (nl ? (size_t)(nl - s) : n) - done;
        if (plain > room)
            plain = room;
        ring_put(&tx_ring, s + done, plain);
        done += plain;
        room -= plain;
        stats.queued += plain;
        if (!nl || done < (size_t)(nl - s) || room < 2)
            break;
        ring_put(&tx_ring, "\r\n", 2);
        done++;
        room -= 2;
        stats.queued += 2;
    }
    return done;
}

static void kick(void)
{
    if (!tx_running) {
        tx_running = true;
        ops->tx_start();
    }
}

/* Report drops once there is room for the notice; returns false if not yet. */
static bool report_drops(size_t room, size_t reserve)
{
    if (!drops_unreported)
        return true;
    char notice[64];
    int len = snprintf(notice, sizeof(notice), "[console: %llu bytes dropped]\r\n",
                       (unsigned long long)drops_unreported);
    if (len <= 0 || (size_t)len >= sizeof(notice) || (size_t)len + reserve > room)
        return false;
    ring_put(&tx_ring, notice, (size_t)len);
    stats.queued += (size_t)len;
    drops_unreported = 0;
    return true;
}

/* --- the ring, consumer side (the transmit interrupt) ------------------ */

size_t console_tx_pull(char *buf, size_t max)
{
    if (__atomic_load_n(&panicking, __ATOMIC_SEQ_CST))
        return 0;           /* the panic drains the ring itself */
    size_t got = ring_get(&tx_ring, buf, max);
    if (got == 0) {
        /* Decide "idle" under the lock, so that a writer queueing now
           either sees tx_running false and restarts, or we see its bytes. */
        uint64_t state;
        spin_lock_irqsave(&console_lock, state);
        report_drops(ring_space(&tx_ring), 0);
        got = ring_get(&tx_ring, buf, max);
        if (got == 0) {
            tx_running = false;
            ops->tx_stop();
        }
        spin_unlock_irqrestore(&console_lock, state);
    }
    __atomic_add_fetch(&stats.sent, got, __ATOMIC_RELAXED);
    size_t need = __atomic_load_n(&room_needed, __ATOMIC_ACQUIRE);
    if (need && ring_space(&tx_ring) >= need) {
        __atomic_store_n(&room_needed, 0, __ATOMIC_RELAXED);
        event_signal(&tx_room);
    }
    return got;
}

/* --- writers ---------------------------------------------------------- */

/* A thread with interrupts on, not an idle thread: it may sleep. */
static bool can_sleep(void)
{
    if (!arch_irq_enabled())
        return false;
    uint64_t state = arch_irq_save();    /* no migration while we look */
    struct cpu *c = this_cpu();
    bool ok = c && c->current && c->current != c->idle;
    arch_irq_restore(state);
    return ok;
}

/* Cannot sleep: all or nothing, so a line is never cut. */
static void write_or_drop(const char *s, size_t n)
{
    size_t size = expanded_size(s, n);
    uint64_t state;
    spin_lock_irqsave(&console_lock, state);
    size_t room = ring_space(&tx_ring);
    if (report_drops(room, size) && size <= ring_space(&tx_ring)) {
        put_prefix(s, n, size);
        kick();
    } else {
        drops_unreported += n;
        stats.dropped += n;
        if (n)
            kick();
    }
    spin_unlock_irqrestore(&console_lock, state);
}

/* May sleep: waits for room; writes up to CONSOLE_WHOLE_WRITE go in whole. */
static void write_or_wait(const char *s, size_t n)
{
    mutex_acquire(&writer_lock);
    while (n > 0) {
        size_t need = expanded_size(s, n);
        if (need > CONSOLE_WHOLE_WRITE)
            need = CONSOLE_WHOLE_WRITE;
        uint64_t state;
        spin_lock_irqsave(&console_lock, state);
        size_t room = ring_space(&tx_ring);
        if (room >= need && report_drops(room, need)) {
            size_t done = put_prefix(s, n, ring_space(&tx_ring));
            s += done;
            n -= done;
            kick();
            spin_unlock_irqrestore(&console_lock, state);
            continue;
        }
        size_t want = need + 64;                 /* and a drop notice */
        if (want > CONSOLE_TX_RING_SIZE)
            want = CONSOLE_TX_RING_SIZE;
        __atomic_store_n(&room_needed, want, __ATOMIC_RELEASE);
        stats.waits++;
        kick();
        spin_unlock_irqrestore(&console_lock, state);
        if (event_wait_timeout(&tx_room, ROOM_WAIT_NS) == ERR_TIMED_OUT) {
            /* No interrupt for a long time: the host may be slow, or an
               interrupt got lost. Turning it on again is harmless. */
            spin_lock_irqsave(&console_lock, state);
            stats.restarts++;
            tx_running = true;
            ops->tx_start();
            spin_unlock_irqrestore(&console_lock, state);
        }
    }
    mutex_release(&writer_lock);
}

void console_tx_enable(void)
{
    if (!ops || !ops->tx_start || !ops->tx_stop || !ops->write_raw_polled)
        return;
    ring_init(&tx_ring, tx_buf, sizeof(tx_buf));
    mutex_init(&writer_lock);
    event_init(&tx_room, false, true);
    uint64_t state;
    spin_lock_irqsave(&console_lock, state);
    __atomic_store_n(&queued_mode, true, __ATOMIC_RELEASE);
    stats.queued_mode = 1;
    spin_unlock_irqrestore(&console_lock, state);
}

void console_write(const char *s, size_t n)
{
    if (panicking) {
        write_polled(s, n);
        return;
    }
    if (!__atomic_load_n(&queued_mode, __ATOMIC_ACQUIRE)) {
        uint64_t state;
        spin_lock_irqsave(&console_lock, state);
        if (!queued_mode) {
            write_polled(s, n);
            spin_unlock_irqrestore(&console_lock, state);
            return;
        }
        spin_unlock_irqrestore(&console_lock, state);
    }
    if (can_sleep())
        write_or_wait(s, n);
    else
        write_or_drop(s, n);
}

int console_flush(int64_t timeout_ns)
{
    if (!__atomic_load_n(&queued_mode, __ATOMIC_ACQUIRE) || panicking)
        return 0;
    if (!can_sleep())
        return ERR_BAD_STATE;
    uint64_t start = clock_now_ns();
    for (;;) {
        if (ring_used(&tx_ring) == 0)
            break;
        if (timeout_ns >= 0 && clock_now_ns() - start >= (uint64_t)timeout_ns)
            return ERR_TIMED_OUT;
        /* Wake when the ring is empty. */
        mutex_acquire(&writer_lock);
        __atomic_store_n(&room_needed, CONSOLE_TX_RING_SIZE, __ATOMIC_RELEASE);
        uint64_t state;
        spin_lock_irqsave(&console_lock, state);
        kick();
        spin_unlock_irqrestore(&console_lock, state);
        event_wait_timeout(&tx_room, 10 * 1000000ll);
        mutex_release(&writer_lock);
    }
    if (ops->tx_wait_sent)
        ops->tx_wait_sent();
    return 0;
}

void console_get_stats(struct console_stats *out)
{
    uint64_t state;
    spin_lock_irqsave(&console_lock, state);
    *out = stats;
    out->sent = __atomic_load_n(&stats.sent, __ATOMIC_RELAXED);
    out->ring_used = queued_mode ? ring_used(&tx_ring) : 0;
    spin_unlock_irqrestore(&console_lock, state);
}

void console_puts(const char *s)
{
    console_write(s, strlen(s));
}

int console_read(char *buf, size_t n, int64_t timeout_ns)
{
    if (!ops || !ops->read)
        return ERR_NO_DEVICE;
    return ops->read(buf, n, timeout_ns);
}

int kvprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return n;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    console_write(buf, (size_t)n);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
