/* File helpers for pusvm. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pus/err.h"
#include "wasm/wasm.h"

#include "pusvm.h"

int verbose;

uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        uint8_t *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = 0;
    *len = n;
    return buf;
}

int load_module_file(const char *path, wasm_module **m, char *err, size_t errlen)
{
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        snprintf(err, errlen, "cannot read %.400s: %s", path, strerror(errno));
        return ERR_NOT_FOUND;
    }
    int rc = wasm_module_load(bytes, len, m, err, errlen);
    free(bytes);
    return rc;
}
