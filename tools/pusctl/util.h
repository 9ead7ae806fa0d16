/* Small host helpers shared by every part of pusctl. */
#ifndef PUSCTL_UTIL_H
#define PUSCTL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

uint64_t mono_ms(void);          /* CLOCK_MONOTONIC in ms */
uint64_t wall_ms(void);          /* CLOCK_REALTIME in ms since 1970 */

/* Timestamped line on stderr (the daemon's stderr is its log file). */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "path/part" into out; false if it does not fit. */
bool path_join(char *out, size_t cap, const char *dir, const char *name);

int  hex_decode(const char *hex, uint8_t *out, size_t cap);   /* bytes or -1 */
void hex_encode(const uint8_t *in, size_t n, char *out);      /* 2n+1 bytes */

/* Reads a small text file into a fresh buffer (NUL-terminated), or NULL. */
char *read_text(const char *path, size_t max);
/* Writes text to path atomically (temp file + rename) with the given mode. */
int write_text(const char *path, const char *text, mode_t mode);

/* True if pid is alive and its command line contains needle: guards against
 * signalling a recycled pid that now belongs to someone else. */
bool pid_matches(pid_t pid, const char *needle);

/* Parses a decimal in [lo, hi]; false on junk. */
bool parse_long(const char *s, long lo, long hi, long *out);

/* The options of a command whose only option is --NAME VALUE: *value gets
 * it (NULL when absent). Returns the index of the first argument, or -1
 * on any other option. */
int parse_one_option(int argc, char **argv, const char *name, const char **value);

/* "HOST:PORT" or "PORT" (the --api and --hb forms the client side takes):
 * *port, and host when s names one (else host is left as it is). PORT is
 * the whole rest of s, in decimal, 1..65535, and HOST must fit in cap:
 * otherwise nothing changes and the result is false. */
bool parse_host_port(const char *s, char *host, size_t cap, int *port);

#endif
