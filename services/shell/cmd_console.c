/*
 * The `console` shell command: output statistics, and `console flood`,
 * which prints numbered lines from several threads at once (used by
 * tests/system/test_console.py to check that lines stay whole and in order).
 */
#include <stdlib.h>
#include <string.h>
#include "drivers/uart/ns16550.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/thread.h"
#include "services/shell/shell.h"
#include "pus/err.h"

#define FLOOD_MAX_THREADS 8

struct flood {
    int writer;
    long lines;
};

static int flood_thread(void *arg)
{
    const struct flood *f = arg;
    for (long i = 0; i < f->lines; i++)
        kprintf("flood %d %ld abcdefghijklmnopqrstuvwxyz0123456789 end %d %ld\n",
                f->writer, i, f->writer, i);
    return 0;
}

static int flood(int argc, char **argv)
{
    if (argc != 4)
        return shell_usage("console");
    long threads, lines;
    if (!shell_parse_long(argv[2], 1, FLOOD_MAX_THREADS, &threads) ||
        !shell_parse_long(argv[3], 0, 1000000, &lines)) {
        kprintf("error: console: flood takes 1..%d threads and 0..1000000 lines\n",
                FLOOD_MAX_THREADS);
        return SHELL_ERR_REPORTED;
    }
    static struct flood args[FLOOD_MAX_THREADS];
    struct thread *ts[FLOOD_MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        args[i] = (struct flood){ i, lines };
        ts[i] = thread_spawn("flood", flood_thread, &args[i], THREAD_PRIORITY_DEFAULT, 0);
        if (!ts[i]) {
            for (int j = 0; j < i; j++)
                thread_join(ts[j], NULL, TIMEOUT_INFINITE);
            return ERR_NO_MEMORY;
        }
    }
    for (int i = 0; i < threads; i++)
        thread_join(ts[i], NULL, TIMEOUT_INFINITE);
    kprintf("flood done\n");
    return 0;
}

/* Queue numbered lines (they fit in the ring: no waiting), then panic at
   once: the panic must send them, in order, before its own report. */
static int queue_and_panic(void)
{
    for (int i = 0; i < 50; i++)
        kprintf("queued before panic %02d ........................................\n", i);
    panic("console test: panic with output queued");
}

static int cmd_console(int argc, char **argv)
{
    /* Whole words: "console p" must not panic the node. */
    if (argc >= 2 && !strcmp(argv[1], "flood"))
        return flood(argc, argv);
    if (argc == 2 && !strcmp(argv[1], "panic"))
        return queue_and_panic();
    if (argc != 1)
        return shell_usage("console");
    struct console_stats s;
    console_get_stats(&s);
    kprintf("output: %s, FIFO %zu bytes\n",
            s.queued_mode ? "interrupt-driven" : "polled", uart_tx_fifo());
    kprintf("queued %llu, sent %llu, in ring %zu, dropped %llu\n",
            (unsigned long long)s.queued, (unsigned long long)s.sent, s.ring_used,
            (unsigned long long)s.dropped);
    kprintf("waits for room %llu (restarts %llu), transmit interrupts %llu, pauses %llu\n",
            (unsigned long long)s.waits, (unsigned long long)s.restarts,
            (unsigned long long)uart_tx_irqs(), (unsigned long long)uart_tx_pauses());
    kprintf("input: %llu bytes, %llu overruns\n",
            (unsigned long long)uart_rx_bytes(), (unsigned long long)uart_rx_overruns());
    return 0;
}
SHELL_COMMAND(console, "console [flood THREADS LINES | panic]",
              "console statistics; tests: flood prints numbered lines from threads, "
              "panic panics with output queued",
              cmd_console);
