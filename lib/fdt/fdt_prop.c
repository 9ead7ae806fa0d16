/*
 * Properties: raw values, cells, strings, "compatible", "reg", phandles.
 * Values are big-endian and returned as pointers into the blob, which may
 * be unaligned, so cells are assembled byte by byte.
 */
#include <string.h>

#include "fdt/fdt_internal.h"
#include "pus/err.h"

const void *fdt_prop(const struct fdt *fdt, int node, const char *name, int *len)
{
    int off = fdt_node_body(fdt, node), next;
    if (off < 0 || !name)
        return NULL;
    /* A node's properties come before its children; stop at the first
     * token that is neither a property nor a NOP. */
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        if (tag == FDT_PROP) {
            if (strcmp(fdt_prop_name_at(fdt, off), name) == 0) {
                const uint8_t *p = fdt_struct_at(fdt, off);
                if (len)
                    *len = (int)fdt_be32(p + 4);
                return p + 12;
            }
        } else if (tag != FDT_NOP) {
            return NULL;
        }
        off = next;
    }
}

/* The first property token at or after off (skipping NOPs). */
static int prop_from(const struct fdt *fdt, int off)
{
    int next;
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        if (tag == FDT_PROP)
            return off;
        if (tag == FDT_BEGIN_NODE || tag == FDT_END_NODE)
            return ERR_NOT_FOUND;
        if (tag != FDT_NOP)
            return ERR_CORRUPT;
        off = next;
    }
}

int fdt_first_prop(const struct fdt *fdt, int node)
{
    int off = fdt_node_body(fdt, node);
    return off < 0 ? off : prop_from(fdt, off);
}

int fdt_next_prop(const struct fdt *fdt, int prop)
{
    int next;
    if (!fdt || !fdt->base || prop < 0)
        return ERR_INVALID_ARGS;
    if (fdt_token(fdt, prop, &next) != FDT_PROP)
        return ERR_INVALID_ARGS;
    return prop_from(fdt, next);
}

const void *fdt_prop_at(const struct fdt *fdt, int prop, const char **name, int *len)
{
    int next;
    if (!fdt || !fdt->base || prop < 0 || fdt_token(fdt, prop, &next) != FDT_PROP)
        return NULL;
    const uint8_t *p = fdt_struct_at(fdt, prop);
    if (name)
        *name = fdt_prop_name_at(fdt, prop);
    if (len)
        *len = (int)fdt_be32(p + 4);
    return p + 12;
}

int fdt_prop_u32(const struct fdt *fdt, int node, const char *name, uint32_t *out)
{
    int len;
    const uint8_t *p = fdt_prop(fdt, node, name, &len);
    if (!p)
        return ERR_NOT_FOUND;
    if (len != 4)
        return ERR_BAD_FORMAT;
    if (out)
        *out = fdt_be32(p);
    return 0;
}

int fdt_prop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *out)
{
    int len;
    const uint8_t *p = fdt_prop(fdt, node, name, &len);
    if (!p)
        return ERR_NOT_FOUND;
    uint64_t v;
    if (len == 4)
        v = fdt_be32(p);
    else if (len == 8)
        v = (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4);
    else
        return ERR_BAD_FORMAT;
    if (out)
        *out = v;
    return 0;
}

const char *fdt_prop_str(const struct fdt *fdt, int node, const char *name)
{
    return fdt_prop_str_index(fdt, node, name, 0);
}

const char *fdt_prop_str_index(const struct fdt *fdt, int node, const char *name, int index)
{
    int len;
    const char *p = fdt_prop(fdt, node, name, &len);
    if (!p || index < 0)
        return NULL;
    /* Each string must end with a NUL inside the value; an unterminated
     * tail is not a string. */
    const char *end = p + len;
    for (int i = 0; p < end; i++) {
        const char *nul = memchr(p, 0, (size_t)(end - p));
        if (!nul)
            return NULL;
        if (i == index)
            return p;
        p = nul + 1;
    }
    return NULL;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
    int len;
    const char *p = fdt_prop(fdt, node, "compatible", &len);
    if (!p || !compat)
        return false;
    const char *end = p + len;
    size_t want = strlen(compat);
    while (p < end) {
        const char *nul = memchr(p, 0, (size_t)(end - p));
        if (!nul)
            return false;
        if ((size_t)(nul - p) == want && memcmp(p, compat, want) == 0)
            return true;
        p = nul + 1;
    }
    return false;
}

static bool match_compatible(const struct fdt *fdt, int node, const void *arg)
{
    return fdt_is_compatible(fdt, node, arg);
}

int fdt_next_compatible(const struct fdt *fdt, int after, const char *compat)
{
    if (!fdt || !fdt->base || !compat)
        return ERR_INVALID_ARGS;
    return fdt_scan(fdt, after, match_compatible, compat);
}

static bool match_phandle(const struct fdt *fdt, int node, const void *arg)
{
    uint32_t want = *(const uint32_t *)arg, have;
    if (fdt_prop_u32(fdt, node, "phandle", &have) == 0 && have == want)
        return true;
    return fdt_prop_u32(fdt, node, "linux,phandle", &have) == 0 && have == want;
}

int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle)
{
    if (!fdt || !fdt->base)
        return ERR_INVALID_ARGS;
    if (phandle == 0 || phandle == 0xffffffffu)
        return ERR_NOT_FOUND;
    return fdt_scan(fdt, -1, match_phandle, &phandle);
}

uint32_t fdt_cells(const struct fdt *fdt, int node, const char *name, uint32_t dflt)
{
    uint32_t v;
    return fdt_prop_u32(fdt, node, name, &v) == 0 ? v : dflt;
}

/* n big-endian cells (n <= 2) as one number. */
static uint64_t read_cells(const uint8_t *p, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v = v << 32 | fdt_be32(p + 4 * i);
    return v;
}

int fdt_reg(const struct fdt *fdt, int node, int index, uint64_t *addr, uint64_t *size)
{
    int err = fdt_node_body(fdt, node);
    if (err < 0)
        return err;
    /* The cell counts describing a node's reg live in its parent; the
     * root's own reg (rare) uses the defaults. */
    uint32_t ac = 2, sc = 1;
    int parent = fdt_parent(fdt, node);
    if (parent >= 0) {
        ac = fdt_cells(fdt, parent, "#address-cells", 2);
        sc = fdt_cells(fdt, parent, "#size-cells", 1);
    } else if (parent != ERR_NOT_FOUND) {
        return parent;
    }
    if (ac < 1 || ac > 2 || sc > 2)
        return ERR_BAD_FORMAT;

    int len;
    const uint8_t *p = fdt_prop(fdt, node, "reg", &len);
    if (!p)
        return ERR_NOT_FOUND;
    uint32_t entry = 4 * (ac + sc);
    if ((uint32_t)len % entry != 0)
        return ERR_BAD_FORMAT;
    if (index < 0 || (uint32_t)index >= (uint32_t)len / entry)
        return ERR_NOT_FOUND;
    p += (size_t)index * entry;
    if (addr)
        *addr = read_cells(p, ac);
    if (size)
        *size = read_cells(p + 4 * ac, sc);
    return 0;
}
