/*
 * Heap statistics and the full consistency walk (heap_check), which the
 * tests run after every step and the kernel may run from its shell.
 */
#include "alloc/heap_internal.h"
#include "pus/err.h"

void heap_get_stats(const struct heap *h, struct heap_stats *out)
{
    *out = h->stats;
    out->largest_free = 0;
    if (!h->fl_bitmap)
        return;
    /* The largest block is in the highest non-empty class; blocks in one
     * class differ in size, so look at each of them. */
    int fl = 31 - __builtin_clz(h->fl_bitmap);
    int sl = 31 - __builtin_clz(h->sl_bitmap[fl]);
    /* bounded in case the list was damaged: no more blocks than fit */
    size_t budget = h->stats.total / MIN_BLOCK + 1;
    for (const struct heap_block *b = h->lists[fl][sl]; b && budget--; b = b->next_free)
        if (block_size(b) > out->largest_free)
            out->largest_free = block_size(b);
}

/* Walks one region block by block. */
static int check_region(const struct heap *h, int r, size_t *used, size_t *free, size_t *nfree)
{
    uintptr_t start = h->regions[r].start, end = h->regions[r].end;
    const struct heap_block *b = (const struct heap_block *)start;
    bool prev_free = false;
    for (;;) {
        uintptr_t a = (uintptr_t)b;
        if (a < start || a > end - HDR || !block_sealed(b))
            return ERR_CORRUPT;
        if (block_prev_free(b) != prev_free)
            return ERR_CORRUPT;
        if (block_size(b) == 0)
            return a == end - HDR && !block_free(b) ? 0 : ERR_CORRUPT;
        if (block_size(b) < MIN_PAYLOAD || block_size(b) > end - a - 2 * HDR)
            return ERR_CORRUPT;
        if (block_free(b)) {
            if (prev_free || *block_tag(b) != b)
                return ERR_CORRUPT; /* two free neighbours were not merged */
            *free += block_size(b);
            (*nfree)++;
        } else {
            *used += block_size(b);
        }
        prev_free = block_free(b);
        b = block_next(b);
    }
}

/* Every list: members are sealed free blocks of the list's class, linked
 * both ways; bitmaps match; no more members than free blocks exist. */
static int check_lists(const struct heap *h, size_t nfree)
{
    size_t seen = 0;
    for (int fl = 0; fl < HEAP_FL_COUNT; fl++) {
        if (!(h->fl_bitmap & (1u << fl)) != !h->sl_bitmap[fl])
            return ERR_CORRUPT;
        for (int sl = 0; sl < HEAP_SL_COUNT; sl++) {
            const struct heap_block *b = h->lists[fl][sl], *prev = NULL;
            if (!(h->sl_bitmap[fl] & (1u << sl)) != !b)
                return ERR_CORRUPT;
            for (; b; prev = b, b = b->next_free) {
                /* the header must lie in a region before it is read, and
                 * the whole block before its links are */
                int r = heap_region_of(h, (uintptr_t)b);
                if (++seen > nfree || r < 0 || (uintptr_t)b % HEAP_ALIGN != 0 ||
                    (uintptr_t)b > h->regions[r].end - HDR || !block_sealed(b) ||
                    !block_free(b) || block_size(b) < MIN_PAYLOAD ||
                    block_size(b) > h->regions[r].end - (uintptr_t)b - 2 * HDR ||
                    b->prev_free != prev)
                    return ERR_CORRUPT;
                int f, s;
                heap_mapping(block_size(b), &f, &s);
                if (f != fl || s != sl)
                    return ERR_CORRUPT;
            }
        }
    }
    return seen == nfree ? 0 : ERR_CORRUPT;
}

int heap_check(const struct heap *h)
{
    if (!h)
        return ERR_INVALID_ARGS;
    size_t used = 0, free = 0, nfree = 0;
    for (int r = 0; r < h->nregions; r++) {
        int err = check_region(h, r, &used, &free, &nfree);
        if (err)
            return err;
    }
    if (used != h->stats.used || free != h->stats.free)
        return ERR_CORRUPT;
    return check_lists(h, nfree);
}
