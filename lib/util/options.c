/* Boot argument parsing; see options.h. */
#include "util/options.h"

#include <limits.h>
#include <string.h>

#include "pus/err.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits the copy in o->buf in place: quotes are squeezed out, each word
 * ends with a NUL, and its first '=' (quoted or not) becomes a NUL too. */
static int split(struct options *o)
{
    char *in = o->buf, *out = o->buf;
    for (;;) {
        while (is_space(*in))
            in++;
        if (*in == '\0')
            return 0;
        if (o->count == OPTIONS_MAX)
            return ERR_TOO_BIG;
        char *key = out, *value = NULL;
        bool quoted = false;
        while (*in && (quoted || !is_space(*in))) {
            char c = *in++;
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '=' && !value) {
                *out++ = '\0';
                value = out;
            } else {
                *out++ = c;
            }
        }
        if (quoted)
            return ERR_BAD_FORMAT;
        /* The word's end may be where the next word starts; writing the
         * NUL is safe because out never passes in. */
        bool at_end = *in == '\0';
        *out++ = '\0';
        if (!at_end)
            in++;
        if (*key == '\0')
            return ERR_BAD_FORMAT; /* "=x" or "" */
        o->items[o->count].key = key;
        o->items[o->count].value = value ? value : out - 1;
        o->count++;
        if (at_end)
            return 0;
    }
}

int options_parse(struct options *o, const char *cmdline)
{
    if (!o)
        return ERR_INVALID_ARGS;
    o->count = 0;
    o->buf[0] = '\0';
    if (!cmdline)
        return ERR_INVALID_ARGS;
    size_t len = strlen(cmdline);
    if (len >= sizeof(o->buf))
        return ERR_TOO_BIG;
    memcpy(o->buf, cmdline, len + 1);
    int err = split(o);
    if (err) {
        o->count = 0;
        o->buf[0] = '\0';
    }
    return err;
}

const char *options_get(const struct options *o, const char *key)
{
    if (!o || !key)
        return NULL;
    for (int i = o->count - 1; i >= 0; i--)
        if (strcmp(o->items[i].key, key) == 0)
            return o->items[i].value;
    return NULL;
}

bool options_has(const struct options *o, const char *key)
{
    return options_get(o, key) != NULL;
}

/* A strict integer: [+-](decimal | 0x hex), nothing else, no overflow. */
static int parse_long(const char *s, long *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return ERR_BAD_FORMAT;
    unsigned long v = 0, limit = neg ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return ERR_BAD_FORMAT;
        if (v > (limit - d) / base)
            return ERR_RANGE;
        v = v * base + d;
    }
    *out = neg ? (long)(0 - v) : (long)v;
    return 0;
}

int options_get_long(const struct options *o, const char *key, long dflt, long *out)
{
    const char *v = options_get(o, key);
    if (!v) {
        if (out)
            *out = dflt;
        return 0;
    }
    long x;
    int err = parse_long(v, &x);
    if (err)
        return err;
    if (out)
        *out = x;
    return 0;
}
