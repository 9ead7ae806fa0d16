/*
 * libFuzzer target for the boot argument parser: any string parses or is
 * refused with count 0, and a parsed one keeps every key and value inside
 * the options' own buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pus/err.h"
#include "util/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048)
        return 0;
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    static struct options o;
    int err = options_parse(&o, line);
    free(line);
    if (err) {
        if (o.count != 0 || (err != ERR_TOO_BIG && err != ERR_BAD_FORMAT))
            abort();
        return 0;
    }
    if (o.count < 0 || o.count > OPTIONS_MAX)
        abort();
    const char *lo = o.buf, *hi = o.buf + sizeof(o.buf);
    for (int i = 0; i < o.count; i++) {
        const char *k = o.items[i].key, *v = o.items[i].value;
        if (k < lo || k >= hi || v < lo || v >= hi || k[0] == '\0')
            abort();
        if (strnlen(k, (size_t)(hi - k)) == (size_t)(hi - k) ||
            strnlen(v, (size_t)(hi - v)) == (size_t)(hi - v))
            abort();
        if (!options_has(&o, k))
            abort();
        long x;
        options_get_long(&o, k, 0, &x);
    }
    return 0;
}
