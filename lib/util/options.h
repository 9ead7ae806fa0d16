/*
 * The kernel command line (/chosen/bootargs), e.g.
 *
 *   node=3 ip=10.77.0.2/24 gw=10.77.0.1 panic=halt quiet name="my node"
 *
 * Words are separated by spaces or tabs; a word is `key=value` or a bare
 * `key` (a flag, whose value is ""). Double quotes group spaces and are
 * removed: name="my node" and "name=my node" both give name -> my node.
 * There are no escapes. The line is copied, so the options stay valid
 * after the caller's buffer goes away.
 */
#ifndef PUS_UTIL_OPTIONS_H
#define PUS_UTIL_OPTIONS_H

#include <stdbool.h>

#define OPTIONS_MAX 32

struct option_kv {
    const char *key;
    const char *value; /* "" for a bare flag */
};

struct options {
    char buf[512];
    int count;
    struct option_kv items[OPTIONS_MAX];
};

/* 0, or ERR_TOO_BIG (line longer than buf or more than OPTIONS_MAX words),
 * ERR_BAD_FORMAT (an empty key as in "=x", or an unterminated quote),
 * ERR_INVALID_ARGS (NULL). On error o->count is 0. */
int options_parse(struct options *o, const char *cmdline);
/* The value of key; when it appears more than once, the last one wins.
 * NULL if absent. */
const char *options_get(const struct options *o, const char *key);
/* *out = the value as a decimal or 0x-hex integer (optionally signed);
 * *out = dflt and 0 when absent; ERR_BAD_FORMAT if present but not an
 * integer (including a bare flag), ERR_RANGE if it does not fit a long. */
int options_get_long(const struct options *o, const char *key, long dflt, long *out);
bool options_has(const struct options *o, const char *key);

#endif
