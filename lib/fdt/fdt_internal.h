/*
 * Private helpers shared by the fdt reader's files: the token reader that
 * every walk goes through, so that bounds checks live in one place.
 */
#ifndef PUS_FDT_INTERNAL_H
#define PUS_FDT_INTERNAL_H

#include "fdt/fdt.h"

/* Structure block tokens (devicetree spec 5.4.1). */
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u

/* The v17 header: ten big-endian 32-bit words. */
#define FDT_HEADER_SIZE 40u

/* Far beyond any real blob; keeps every offset + padding inside an int. */
#define FDT_MAX_SIZE (1u << 30)

static inline uint32_t fdt_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline const uint8_t *fdt_struct_at(const struct fdt *fdt, int off)
{
    return fdt->base + fdt->off_struct + off;
}

/* Reads the token at struct-block offset off. Returns its tag and sets
 * *next to the offset of the following token, or returns ERR_CORRUPT if
 * the token (with its name or value) does not lie wholly inside the block. */
int fdt_token(const struct fdt *fdt, int off, int *next);

/* Offset just past a node's BEGIN_NODE token and name, where its
 * properties start. A negative node is returned as is. */
int fdt_node_body(const struct fdt *fdt, int node);

/* A property token at off: its name (NUL-terminated, checked by
 * fdt_token), value and length. Only valid for offsets fdt_token accepted. */
const char *fdt_prop_name_at(const struct fdt *fdt, int off);

/* The first node after offset `after` in document order for which match()
 * is true; ERR_NOT_FOUND at the end. Walks from the root, so nesting is
 * checked against FDT_MAX_DEPTH on every call. */
int fdt_scan(const struct fdt *fdt, int after,
             bool (*match)(const struct fdt *fdt, int node, const void *arg), const void *arg);

#endif
