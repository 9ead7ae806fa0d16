/* Console output with a lock so that lines from different harts do not mix. */
#include <stdio.h>
#include <string.h>
#include "kernel/console.h"
#include "kernel/spinlock.h"
#include "arch/riscv/sbi.h"
#include "pus/err.h"

static const struct console_ops *ops;
static spinlock_t console_lock = SPINLOCK_INITIAL;
static volatile int panicking;

void console_register(const struct console_ops *o)
{
    ops = o;
}

void console_panic_mode(void)
{
    panicking = 1;
}

static void raw_write(const char *s, size_t n)
{
    if (ops && panicking && ops->write_polled) {
        ops->write_polled(s, n);
    } else if (ops) {
        ops->write(s, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\n')
                sbi_console_putchar('\r');
            sbi_console_putchar(s[i]);
        }
    }
}

void console_write(const char *s, size_t n)
{
    if (panicking) {
        raw_write(s, n);
        return;
    }
    uint64_t state;
    spin_lock_irqsave(&console_lock, state);
    raw_write(s, n);
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
