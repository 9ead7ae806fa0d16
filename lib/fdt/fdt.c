/*
 * Devicetree blob header checks and the token reader.
 *
 * Every byte the reader looks at is reached through fdt_token() or a
 * property value it returned, and fdt_token() checks the whole token
 * against the structure block, which fdt_init() checked against
 * totalsize, which it checked against the bytes the caller can read.
 */
#include <string.h>

#include "fdt/fdt_internal.h"
#include "pus/err.h"

/* Header word n (0 = magic). */
static uint32_t header_word(const uint8_t *blob, int n)
{
    return fdt_be32(blob + 4 * n);
}

/* Is [off, off + size) inside [start, total)? In 64 bits: no overflow. */
static bool block_inside(uint32_t off, uint32_t size, uint32_t start, uint32_t total)
{
    return off >= start && (uint64_t)off + size <= total;
}

int fdt_init(struct fdt *fdt, const void *blob, size_t avail)
{
    if (!fdt || !blob)
        return ERR_INVALID_ARGS;
    memset(fdt, 0, sizeof(*fdt));
    const uint8_t *b = blob;
    if (avail < 4)
        return ERR_CORRUPT;
    if (header_word(b, 0) != FDT_MAGIC)
        return ERR_BAD_FORMAT;
    if (avail < FDT_HEADER_SIZE)
        return ERR_CORRUPT;

    uint32_t totalsize = header_word(b, 1);
    uint32_t off_struct = header_word(b, 2);
    uint32_t off_strings = header_word(b, 3);
    uint32_t off_rsvmap = header_word(b, 4);
    uint32_t version = header_word(b, 5);
    uint32_t last_comp = header_word(b, 6);
    uint32_t size_strings = header_word(b, 8);
    uint32_t size_struct = header_word(b, 9);

    /* Version 16 blobs are read the same way as 17; only the structure
     * block size word is new in 17, so for 16 the block runs to the
     * strings block or to the end. */
    if (version < 16 || last_comp > 17)
        return ERR_BAD_FORMAT;
    if (totalsize < FDT_HEADER_SIZE || totalsize > avail || totalsize > FDT_MAX_SIZE)
        return ERR_CORRUPT;
    if (version == 16) {
        uint32_t end = off_strings > off_struct ? off_strings : totalsize;
        size_struct = end >= off_struct ? end - off_struct : 0;
    }
    if (!block_inside(off_struct, size_struct, FDT_HEADER_SIZE, totalsize) ||
        !block_inside(off_strings, size_strings, FDT_HEADER_SIZE, totalsize) ||
        !block_inside(off_rsvmap, 16, FDT_HEADER_SIZE, totalsize) ||
        off_struct % 4 != 0 || off_rsvmap % 8 != 0 || size_struct < 8)
        return ERR_CORRUPT;

    fdt->base = b;
    fdt->totalsize = totalsize;
    fdt->off_struct = off_struct;
    fdt->size_struct = size_struct;
    fdt->off_strings = off_strings;
    fdt->size_strings = size_strings;
    fdt->off_rsvmap = off_rsvmap;
    return 0;
}

static uint32_t align4(uint64_t x)
{
    return (uint32_t)((x + 3) & ~(uint64_t)3);
}

int fdt_token(const struct fdt *fdt, int off, int *next)
{
    uint32_t size = fdt->size_struct;
    if (!fdt->base || off < 0 || off % 4 != 0 || (uint64_t)off + 4 > size)
        return ERR_CORRUPT;
    const uint8_t *p = fdt_struct_at(fdt, off);
    uint32_t tag = fdt_be32(p);
    uint64_t end;

    switch (tag) {
    case FDT_BEGIN_NODE: {
        const uint8_t *name = p + 4;
        const uint8_t *nul = memchr(name, 0, size - (uint32_t)off - 4);
        if (!nul)
            return ERR_CORRUPT;
        end = (uint64_t)off + 4 + (uint64_t)(nul - name) + 1;
        break;
    }
    case FDT_PROP: {
        if ((uint64_t)off + 12 > size)
            return ERR_CORRUPT;
        uint32_t len = fdt_be32(p + 4);
        uint32_t nameoff = fdt_be32(p + 8);
        end = (uint64_t)off + 12 + len;
        if (end > size || nameoff >= fdt->size_strings)
            return ERR_CORRUPT;
        const uint8_t *strings = fdt->base + fdt->off_strings;
        if (!memchr(strings + nameoff, 0, fdt->size_strings - nameoff))
            return ERR_CORRUPT;
        break;
    }
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        end = (uint64_t)off + 4;
        break;
    default:
        return ERR_CORRUPT;
    }
    /* The next token may start at most at the block's end (where reading
     * it fails); padding past the end of the block is harmless. */
    *next = (int)align4(end);
    return (int)tag;
}

const char *fdt_prop_name_at(const struct fdt *fdt, int off)
{
    uint32_t nameoff = fdt_be32(fdt_struct_at(fdt, off) + 8);
    return (const char *)fdt->base + fdt->off_strings + nameoff;
}

int fdt_rsv_entry(const struct fdt *fdt, int index, uint64_t *addr, uint64_t *size)
{
    if (!fdt || !fdt->base || index < 0)
        return ERR_INVALID_ARGS;
    /* The block is a list of (address, size) pairs ended by (0, 0); every
     * entry before index must be non-zero for index to exist. */
    for (int i = 0; i <= index; i++) {
        uint64_t off = (uint64_t)fdt->off_rsvmap + 16 * (uint64_t)i;
        if (off + 16 > fdt->totalsize)
            return ERR_CORRUPT;
        const uint8_t *p = fdt->base + off;
        uint64_t a = (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4);
        uint64_t s = (uint64_t)fdt_be32(p + 8) << 32 | fdt_be32(p + 12);
        if (a == 0 && s == 0)
            return ERR_NOT_FOUND;
        if (i == index) {
            if (addr)
                *addr = a;
            if (size)
                *size = s;
        }
    }
    return 0;
}
