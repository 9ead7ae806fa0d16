/*
 * The kernel log: every message is kept in a ring buffer (the shell's `log`
 * prints it) and those at or above the console level are also printed.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vwrite(enum log_level level, const char *fmt, va_list ap);
void log_set_console_level(enum log_level level);
/* Parse "error", "warn", "info" or "debug"; -1 if none. */
int log_level_from_name(const char *name);
const char *log_level_name(enum log_level level);
/* Calls fn for each retained line at or above min_level, oldest first. */
void log_dump(enum log_level min_level, void (*fn)(const char *line, void *arg), void *arg);
size_t log_dropped(void);

#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_write(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)

#endif
