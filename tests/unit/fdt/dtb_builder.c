/* Hand-made devicetree blobs for tests; see dtb_builder.h. */
#include "dtb_builder.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

void dtb_start(struct dtb *d)
{
    memset(d, 0, sizeof(*d));
}

void dtb_word(struct dtb *d, uint32_t w)
{
    assert(d->st_len + 4 <= DTB_MAX_STRUCT);
    put_be32(d->st + d->st_len, w);
    d->st_len += 4;
}

void dtb_bytes(struct dtb *d, const void *p, size_t n)
{
    assert(d->st_len + n + 3 <= DTB_MAX_STRUCT);
    memcpy(d->st + d->st_len, p, n);
    d->st_len += n;
    while (d->st_len % 4)
        d->st[d->st_len++] = 0;
}

void dtb_begin(struct dtb *d, const char *name)
{
    dtb_word(d, 1);
    dtb_bytes(d, name, strlen(name) + 1);
}

void dtb_end_node(struct dtb *d)
{
    dtb_word(d, 2);
}

void dtb_end(struct dtb *d)
{
    dtb_word(d, 9);
}

uint32_t dtb_string(struct dtb *d, const char *name)
{
    for (size_t off = 0; off < d->str_len; off += strlen(d->str + off) + 1)
        if (strcmp(d->str + off, name) == 0)
            return (uint32_t)off;
    size_t n = strlen(name) + 1;
    assert(d->str_len + n <= DTB_MAX_STRINGS);
    memcpy(d->str + d->str_len, name, n);
    d->str_len += n;
    return (uint32_t)(d->str_len - n);
}

void dtb_prop(struct dtb *d, const char *name, const void *val, size_t len)
{
    dtb_word(d, 3);
    dtb_word(d, (uint32_t)len);
    dtb_word(d, dtb_string(d, name));
    dtb_bytes(d, val, len);
}

void dtb_prop_u32(struct dtb *d, const char *name, uint32_t v)
{
    dtb_prop_cells(d, name, &v, 1);
}

void dtb_prop_cells(struct dtb *d, const char *name, const uint32_t *cells, size_t n)
{
    uint8_t buf[256];
    assert(n * 4 <= sizeof(buf));
    for (size_t i = 0; i < n; i++)
        put_be32(buf + 4 * i, cells[i]);
    dtb_prop(d, name, buf, n * 4);
}

void dtb_prop_str(struct dtb *d, const char *name, const char *s)
{
    dtb_prop(d, name, s, strlen(s) + 1);
}

uint8_t *dtb_finish(const struct dtb *d, size_t *len)
{
    size_t off_rsv = 40, off_struct = 56, off_strings = off_struct + d->st_len;
    size_t total = off_strings + d->str_len;
    uint8_t *b = calloc(1, total);
    assert(b);
    memcpy(b + off_struct, d->st, d->st_len);
    memcpy(b + off_strings, d->str, d->str_len);
    uint32_t h[10] = {0xd00dfeed, (uint32_t)total, (uint32_t)off_struct, (uint32_t)off_strings,
                      (uint32_t)off_rsv, 17, 16, 0, (uint32_t)d->str_len, (uint32_t)d->st_len};
    for (int i = 0; i < 10; i++)
        put_be32(b + 4 * i, h[i]);
    *len = total;
    return b;
}

void dtb_set_header(uint8_t *blob, int n, uint32_t v)
{
    put_be32(blob + 4 * n, v);
}

uint32_t dtb_get_header(const uint8_t *blob, int n)
{
    const uint8_t *p = blob + 4 * n;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
