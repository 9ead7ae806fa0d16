/* Boot options, parsed once at boot by lib/util/options. */
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
