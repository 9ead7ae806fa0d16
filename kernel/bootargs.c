/* Boot options, parsed once at boot by lib/util/options. */
#include <stdio.h>
#include <string.h>
#include "kernel/bootargs.h"
#include "kernel/log.h"
#include "util/options.h"

static struct options opts;
static char line[512];

int bootargs_init(const char *cmdline)
{
    strncpy(line, cmdline ? cmdline : "", sizeof(line) - 1);
    return options_parse(&opts, line);
}

const char *bootarg(const char *key)
{
    return options_get(&opts, key);
}

long bootarg_long(const char *key, long dflt)
{
    long v;
    if (options_get_long(&opts, key, dflt, &v) < 0) {
        log_warn("bootargs: %s=%s is not a number, using %ld", key, bootarg(key), dflt);
        return dflt;
    }
    return v;
}

bool bootarg_has(const char *key)
{
    return options_has(&opts, key);
}

const char *bootargs_line(void)
{
    return line;
}

/* Secrets in bootargs (key=...) must not reach the console or the log. */
static bool is_secret(const char *word, size_t n)
{
    static const char *const secrets[] = { "key=", "password=", "token=" };
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        size_t k = strlen(secrets[i]);
        if (n >= k && strncmp(word, secrets[i], k) == 0)
            return true;
    }
    return false;
}

void bootargs_redacted(char *out, size_t cap)
{
    size_t o = 0;
    const char *p = line;
    if (cap == 0)
        return;
    while (*p && o + 1 < cap) {
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t n = (size_t)(p - w);
        if (is_secret(w, n)) {
            size_t k = (size_t)(strchr(w, '=') - w) + 1;
            int m = snprintf(out + o, cap - o, "%.*s***", (int)k, w);
            o += m > 0 ? (size_t)m : 0;
        } else {
            for (size_t i = 0; i < n && o + 1 < cap; i++)
                out[o++] = w[i];
        }
        while (*p == ' ' && o + 1 < cap)
            out[o++] = *p++;
    }
    out[o < cap ? o : cap - 1] = '\0';
}
