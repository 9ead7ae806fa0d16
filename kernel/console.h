/*
 * The console: where kernel output goes and shell input comes from. A
 * driver (the ns16550 UART) registers itself; before that, and whenever the
 * kernel is panicking, output falls back to the SBI debug console.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct console_ops {
    void (*write)(const char *s, size_t n);        /* may be called with irqs off */
    void (*write_polled)(const char *s, size_t n); /* for panics: no locks */
    int (*read)(char *buf, size_t n, int64_t timeout_ns); /* bytes, 0 on timeout */
};

void console_register(const struct console_ops *ops);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
int console_read(char *buf, size_t n, int64_t timeout_ns);
/* Used by panic: drop locks and write directly. */
void console_panic_mode(void);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
