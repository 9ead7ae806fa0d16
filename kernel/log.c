/*
 * Log ring: lines of text, each stored as [level byte][text][NUL], in a
 * circular buffer that overwrites the oldest lines when full.
 */
#include <stdio.h>
#include <string.h>
#include "kernel/log.h"
#include "kernel/console.h"
#include "kernel/clock.h"
#include "kernel/spinlock.h"

#define LOG_RING_SIZE (64 * 1024)

static char ring[LOG_RING_SIZE];
static size_t head;        /* next byte to write; grows forever */
static size_t tail;        /* first byte of the oldest line */
static size_t dropped;
static spinlock_t log_lock = SPINLOCK_INITIAL;   /* guards ring, head, tail */
static enum log_level console_level = LOG_INFO;

static const char *const names[] = { "error", "warn", "info", "debug" };

const char *log_level_name(enum log_level level)
{
    return (unsigned)level < 4 ? names[level] : "?";
}

int log_level_from_name(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void log_set_console_level(enum log_level level)
{
    console_level = level;
}

size_t log_dropped(void)
{
    return dropped;
}

/* Drop whole lines from the tail until `need` bytes are free. */
static void make_room(size_t need)
{
    while (head + need - tail > LOG_RING_SIZE) {
        while (ring[tail % LOG_RING_SIZE] != '\0')
            tail++;
        tail++;
        dropped++;
    }
}

static void append(enum log_level level, const char *text, size_t n)
{
    uint64_t state;
    spin_lock_irqsave(&log_lock, state);
    make_room(n + 2);
    ring[head++ % LOG_RING_SIZE] = (char)('0' + level);
    for (size_t i = 0; i < n; i++)
        ring[head++ % LOG_RING_SIZE] = text[i] ? text[i] : ' ';
    ring[head++ % LOG_RING_SIZE] = '\0';
    spin_unlock_irqrestore(&log_lock, state);
}

void log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
    char line[256];
    uint64_t ns = clock_now_ns();
    int prefix = snprintf(line, sizeof(line), "[%5llu.%06llu] ",
                          (unsigned long long)(ns / 1000000000ull),
                          (unsigned long long)(ns / 1000ull % 1000000ull));
    int n = vsnprintf(line + prefix, sizeof(line) - (size_t)prefix, fmt, ap);
    size_t len = (size_t)prefix + (n < 0 ? 0 : (size_t)n);
    if (len >= sizeof(line) - 1)
        len = sizeof(line) - 2;
    while (len > 0 && line[len - 1] == '\n')
        len--;
    append(level, line, len);
    if (level <= console_level) {
        line[len] = '\n';
        console_write(line, len + 1);
    }
}

void log_write(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(level, fmt, ap);
    va_end(ap);
}

void log_dump(enum log_level min_level, void (*fn)(const char *line, void *arg), void *arg)
{
    /* Copy lines out one at a time so fn runs without the lock. */
    size_t pos;
    uint64_t state;
    spin_lock_irqsave(&log_lock, state);
    pos = tail;
    spin_unlock_irqrestore(&log_lock, state);
    char line[258];
    for (;;) {
        spin_lock_irqsave(&log_lock, state);
        if (pos < tail)
            pos = tail;           /* overwritten while we printed */
        if (pos >= head) {
            spin_unlock_irqrestore(&log_lock, state);
            return;
        }
        size_t n = 0;
        int level = ring[pos++ % LOG_RING_SIZE] - '0';
        while (ring[pos % LOG_RING_SIZE] != '\0' && n < sizeof(line) - 1)
            line[n++] = ring[pos++ % LOG_RING_SIZE];
        while (ring[pos % LOG_RING_SIZE] != '\0')
            pos++;
        pos++;
        line[n] = '\0';
        spin_unlock_irqrestore(&log_lock, state);
        if (level <= (int)min_level)
            fn(line, arg);
    }
}
