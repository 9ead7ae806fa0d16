/*
 * A read-only reader for flattened devicetree blobs (DTB, devicetree
 * specification v0.4 chapter 5), the table OpenSBI hands the kernel in a1.
 *
 * The reader never copies and never allocates: names and property values
 * are returned as pointers into the blob. It trusts nothing in the blob.
 * fdt_init() checks that every block lies inside totalsize, and every later
 * read is checked against its block, so a truncated or hostile blob yields
 * an error code, never a read outside [blob, blob + totalsize). Every loop
 * advances by at least one 4-byte token, and nesting deeper than
 * FDT_MAX_DEPTH is refused, so every call terminates.
 *
 * Nodes are named by the byte offset of their BEGIN_NODE token inside the
 * structure block (always >= 0). Functions that return a node return a
 * negative status code (pus/err.h) instead when there is none. Functions
 * that take a node return ERR_INVALID_ARGS for an offset that is not the
 * start of a node, and pass a negative node straight back, so that
 * fdt_first_child(fdt, fdt_path(fdt, "/nope")) is ERR_NOT_FOUND.
 *
 * Not thread-safe only in the sense that struct fdt must not change while
 * in use; it is never written after fdt_init(), so readers may share it.
 */
#ifndef PUS_FDT_H
#define PUS_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC      0xd00dfeedu
#define FDT_MAX_DEPTH  32

struct fdt {
    const uint8_t *base;
    uint32_t totalsize, off_struct, size_struct, off_strings, size_strings, off_rsvmap;
};

/* avail = bytes known readable at blob. 0, ERR_BAD_FORMAT (magic/version),
 * ERR_CORRUPT (blocks outside the blob), ERR_INVALID_ARGS (NULL). */
int fdt_init(struct fdt *fdt, const void *blob, size_t avail);

int fdt_root(const struct fdt *fdt);
/* "/", "/cpus", "/soc/serial@10000000", "/soc/serial" (first serial@...). */
int fdt_path(const struct fdt *fdt, const char *path);
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
int fdt_parent(const struct fdt *fdt, int node);
/* Full name including @unit; "" for the root; NULL for a bad node. */
const char *fdt_name(const struct fdt *fdt, int node);

/* Raw value of a property; NULL if absent or malformed. *len when non-NULL. */
const void *fdt_prop(const struct fdt *fdt, int node, const char *name, int *len);
/* One big-endian cell: ERR_NOT_FOUND, or ERR_BAD_FORMAT if not 4 bytes. */
int fdt_prop_u32(const struct fdt *fdt, int node, const char *name, uint32_t *out);
/* A 4- or 8-byte big-endian value. */
int fdt_prop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *out);
/* The value as a C string; NULL unless a NUL lies inside the property. */
const char *fdt_prop_str(const struct fdt *fdt, int node, const char *name);
/* The n-th string (from 0) of a string-list property such as "compatible". */
const char *fdt_prop_str_index(const struct fdt *fdt, int node, const char *name, int index);

/* Iterating over a node's properties (for dumps): a property is named by
 * the offset of its token. fdt_first_prop / fdt_next_prop return the next
 * property's offset or ERR_NOT_FOUND after the last (ERR_CORRUPT on a
 * malformed block); fdt_prop_at gives its name, value and length. */
int fdt_first_prop(const struct fdt *fdt, int node);
int fdt_next_prop(const struct fdt *fdt, int prop);
const void *fdt_prop_at(const struct fdt *fdt, int prop, const char **name, int *len);

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);
/* The next node in depth-first order after offset `after` (-1 to start)
 * that is compatible with compat; ERR_NOT_FOUND at the end. */
int fdt_next_compatible(const struct fdt *fdt, int after, const char *compat);
/* The index-th (address, size) pair of "reg", decoded with the parent's
 * #address-cells / #size-cells (defaults 2 / 1). addr or size may be NULL.
 * ERR_NOT_FOUND if there is no such entry, ERR_BAD_FORMAT if the cell
 * counts do not fit 64 bits or do not divide the property. */
int fdt_reg(const struct fdt *fdt, int node, int index, uint64_t *addr, uint64_t *size);
int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle);
/* A one-cell property of this node (e.g. "#address-cells"), dflt if absent
 * or malformed. */
uint32_t fdt_cells(const struct fdt *fdt, int node, const char *name, uint32_t dflt);

/* The index-th entry of the memory reservation block; ERR_NOT_FOUND past
 * its end, ERR_CORRUPT if the block runs off the blob. */
int fdt_rsv_entry(const struct fdt *fdt, int index, uint64_t *addr, uint64_t *size);

#endif
