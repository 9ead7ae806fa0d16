/*
 * Walking the node tree: root, children, siblings, parents, paths.
 *
 * The structure block is the tree written out depth-first, so the next
 * sibling of a node is whatever follows its matching END_NODE, and a
 * node's parent is found by walking from the root with a stack.
 */
#include <string.h>

#include "fdt/fdt_internal.h"
#include "pus/err.h"

int fdt_root(const struct fdt *fdt)
{
    if (!fdt || !fdt->base)
        return ERR_INVALID_ARGS;
    int off = 0, next;
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        if (tag == FDT_BEGIN_NODE)
            return off;
        if (tag != FDT_NOP)
            return ERR_CORRUPT;
        off = next;
    }
}

int fdt_node_body(const struct fdt *fdt, int node)
{
    if (node < 0)
        return node;
    if (!fdt || !fdt->base || node % 4 != 0 || (uint64_t)node + 4 > fdt->size_struct)
        return ERR_INVALID_ARGS;
    /* Anything but a BEGIN_NODE token is a caller's mistake; a node whose
     * name runs off the block is the blob's. */
    if (fdt_be32(fdt_struct_at(fdt, node)) != FDT_BEGIN_NODE)
        return ERR_INVALID_ARGS;
    int next;
    int tag = fdt_token(fdt, node, &next);
    return tag < 0 ? tag : next;
}

const char *fdt_name(const struct fdt *fdt, int node)
{
    if (fdt_node_body(fdt, node) < 0)
        return NULL;
    return (const char *)fdt_struct_at(fdt, node) + 4;
}

/* The first token at or after off that is not a property or a NOP. */
static int skip_props(const struct fdt *fdt, int off, int *tag_out)
{
    int next;
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        if (tag < 0)
            return tag;
        if (tag != FDT_PROP && tag != FDT_NOP) {
            *tag_out = tag;
            return off;
        }
        off = next;
    }
}

int fdt_first_child(const struct fdt *fdt, int node)
{
    int off = fdt_node_body(fdt, node), tag;
    if (off < 0)
        return off;
    off = skip_props(fdt, off, &tag);
    if (off < 0)
        return off;
    if (tag == FDT_BEGIN_NODE)
        return off;
    return tag == FDT_END_NODE ? ERR_NOT_FOUND : ERR_CORRUPT;
}

/* The offset just past the END_NODE that closes node. */
static int node_end(const struct fdt *fdt, int node)
{
    int depth = 0, off = node, next;
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        switch (tag) {
        case FDT_BEGIN_NODE:
            if (++depth > FDT_MAX_DEPTH)
                return ERR_CORRUPT;
            break;
        case FDT_END_NODE:
            if (--depth == 0)
                return next;
            break;
        case FDT_PROP:
        case FDT_NOP:
            break;
        default: /* FDT_END inside a node, or a bad token */
            return ERR_CORRUPT;
        }
        off = next;
    }
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
    int err = fdt_node_body(fdt, node);
    if (err < 0)
        return err;
    int off = node_end(fdt, node), next;
    if (off < 0)
        return off;
    if (node == fdt_root(fdt))
        return ERR_NOT_FOUND; /* whatever follows the tree is not a node */
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        if (tag == FDT_BEGIN_NODE)
            return off;
        if (tag == FDT_END_NODE)
            return ERR_NOT_FOUND;
        if (tag != FDT_NOP)
            return ERR_CORRUPT;
        off = next;
    }
}

int fdt_scan(const struct fdt *fdt, int after,
             bool (*match)(const struct fdt *fdt, int node, const void *arg), const void *arg)
{
    int off = fdt_root(fdt), depth = 0, next;
    if (off < 0)
        return off;
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        switch (tag) {
        case FDT_BEGIN_NODE:
            if (++depth > FDT_MAX_DEPTH)
                return ERR_CORRUPT;
            if (off > after && match(fdt, off, arg))
                return off;
            break;
        case FDT_END_NODE:
            if (--depth == 0)
                return ERR_NOT_FOUND; /* the root closed: walked everything */
            break;
        case FDT_PROP:
        case FDT_NOP:
            break;
        default:
            return ERR_CORRUPT;
        }
        off = next;
    }
}

int fdt_parent(const struct fdt *fdt, int node)
{
    int err = fdt_node_body(fdt, node);
    if (err < 0)
        return err;
    int stack[FDT_MAX_DEPTH];
    int depth = 0, off = fdt_root(fdt), next;
    if (off < 0)
        return off;
    for (;;) {
        int tag = fdt_token(fdt, off, &next);
        switch (tag) {
        case FDT_BEGIN_NODE:
            if (off == node)
                return depth == 0 ? ERR_NOT_FOUND : stack[depth - 1];
            if (depth == FDT_MAX_DEPTH)
                return ERR_CORRUPT;
            stack[depth++] = off;
            break;
        case FDT_END_NODE:
            if (--depth == 0)
                return ERR_INVALID_ARGS; /* node is not inside the root */
            break;
        case FDT_PROP:
        case FDT_NOP:
            break;
        default:
            return ERR_CORRUPT;
        }
        off = next;
    }
}

/* Does a node name match one path component? A component without '@'
 * ignores the node's @unit part. */
static bool name_matches(const char *name, const char *comp, size_t comp_len)
{
    size_t name_len = strlen(name);
    if (!memchr(comp, '@', comp_len)) {
        const char *at = strchr(name, '@');
        if (at)
            name_len = (size_t)(at - name);
    }
    return name_len == comp_len && memcmp(name, comp, comp_len) == 0;
}

int fdt_path(const struct fdt *fdt, const char *path)
{
    if (!fdt || !fdt->base || !path || path[0] != '/')
        return ERR_INVALID_ARGS;
    int node = fdt_root(fdt);
    const char *p = path;
    while (node >= 0) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            return node;
        size_t len = strcspn(p, "/");
        int child = fdt_first_child(fdt, node);
        while (child >= 0 && !name_matches(fdt_name(fdt, child), p, len))
            child = fdt_next_sibling(fdt, child);
        node = child;
        p += len;
    }
    return node;
}
