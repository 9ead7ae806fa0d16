/*
 * The heap's allocation paths: regions, alloc, free, realloc.
 * See heap.h for the scheme and heap_internal.h for the block layout.
 */
#include <string.h>

#include "alloc/heap_internal.h"
#include "pus/err.h"

/* ---- size classes ---------------------------------------------------- */

static int floor_log2(size_t x)
{
    return (int)(sizeof(size_t) * 8 - 1) - __builtin_clzl(x);
}

void heap_mapping(size_t size, int *fl, int *sl)
{
    if (size < ((size_t)1 << HEAP_SMALL_LOG2)) {
        *fl = 0;
        *sl = (int)(size / HEAP_ALIGN);
    } else {
        int l = floor_log2(size);
        *sl = (int)((size >> (l - HEAP_SL_LOG2)) ^ HEAP_SL_COUNT);
        *fl = l - HEAP_SMALL_LOG2 + 1;
    }
}

/* The first non-empty list whose every block holds size bytes: round size
 * up to the next class boundary, then look in that class or above. */
static struct heap_block *find_fit(struct heap *h, size_t size)
{
    int fl, sl;
    if (size >= ((size_t)1 << HEAP_SMALL_LOG2))
        size += ((size_t)1 << (floor_log2(size) - HEAP_SL_LOG2)) - 1;
    heap_mapping(size, &fl, &sl);
    if (fl >= HEAP_FL_COUNT)
        return NULL;
    uint32_t sl_map = h->sl_bitmap[fl] & (~0u << sl);
    if (!sl_map) {
        uint32_t fl_map = fl + 1 < 32 ? h->fl_bitmap & (~0u << (fl + 1)) : 0;
        if (!fl_map)
            return NULL;
        fl = __builtin_ctz(fl_map);
        sl_map = h->sl_bitmap[fl];
    }
    return h->lists[fl][__builtin_ctz(sl_map)];
}

static void list_insert(struct heap *h, struct heap_block *b)
{
    int fl, sl;
    heap_mapping(block_size(b), &fl, &sl);
    struct heap_block *head = h->lists[fl][sl];
    b->next_free = head;
    b->prev_free = NULL;
    if (head)
        head->prev_free = b;
    h->lists[fl][sl] = b;
    h->fl_bitmap |= 1u << fl;
    h->sl_bitmap[fl] |= 1u << sl;
    h->stats.free += block_size(b);
}

static void list_remove(struct heap *h, struct heap_block *b)
{
    int fl, sl;
    heap_mapping(block_size(b), &fl, &sl);
    if (b->prev_free)
        b->prev_free->next_free = b->next_free;
    else
        h->lists[fl][sl] = b->next_free;
    if (b->next_free)
        b->next_free->prev_free = b->prev_free;
    if (!h->lists[fl][sl]) {
        h->sl_bitmap[fl] &= ~(1u << sl);
        if (!h->sl_bitmap[fl])
            h->fl_bitmap &= ~(1u << fl);
    }
    h->stats.free -= block_size(b);
}

static bool free_block_intact(const struct heap *h, const struct heap_block *b);

/* ---- block state ------------------------------------------------------ */

static void set_prev_free(struct heap_block *b, bool prev_free)
{
    size_t flags = (b->size_flags & F_FREE) | (prev_free ? F_PREV_FREE : 0);
    block_set(b, block_size(b), flags);
}

/* Makes b (not in any list) a free block of its size: flags, tag, the
 * next block's PREV_FREE, and its list. */
static void make_free(struct heap *h, struct heap_block *b)
{
    block_set(b, block_size(b), F_FREE | (b->size_flags & F_PREV_FREE));
    *block_tag(b) = b;
    set_prev_free(block_next(b), true);
    list_insert(h, b);
}

static void make_used(struct heap_block *b)
{
    block_set(b, block_size(b), b->size_flags & F_PREV_FREE);
    set_prev_free(block_next(b), false);
}

/* Grows b over the block that follows it (in no list). That block's
 * header is wiped so that a stale pointer to it is no longer recognised. */
static void merge_next(struct heap_block *b)
{
    struct heap_block *n = block_next(b);
    size_t size = block_size(b) + HDR + block_size(n);
    n->check = 0;
    n->size_flags = 0;
    block_set(b, size, b->size_flags & F_MASK);
}

/* Merges b's free successor into b. */
static void absorb_next(struct heap *h, struct heap_block *b)
{
    list_remove(h, block_next(b));
    merge_next(b);
}

/* Cuts the bytes of used block b beyond `keep` into a free block (merged
 * with a free successor) when they are enough to make one. */
static void release_tail(struct heap *h, struct heap_block *b, size_t keep)
{
    size_t size = block_size(b);
    struct heap_block *next = block_next(b);
    if (size - keep < MIN_BLOCK || (block_free(next) && !free_block_intact(h, next)))
        return; /* too little to free, or a damaged neighbour we must not touch */
    struct heap_block *tail = (struct heap_block *)((char *)block_payload(b) + keep);
    block_set(b, keep, b->size_flags & F_PREV_FREE);
    block_set(tail, size - keep - HDR, 0);
    if (block_free(next))
        absorb_next(h, tail);
    make_free(h, tail);
    h->stats.used -= size - keep;
}

/* ---- validation ------------------------------------------------------- */

int heap_region_of(const struct heap *h, uintptr_t a)
{
    for (int i = 0; i < h->nregions; i++)
        if (a >= h->regions[i].start && a < h->regions[i].end)
            return i;
    return -1;
}

struct heap_block *heap_live_block(const struct heap *h, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (!h || !p || a % HEAP_ALIGN != 0)
        return NULL;
    int r = heap_region_of(h, a - HDR);
    if (r < 0)
        return NULL;
    /* Room for the smallest block and the sentinel after p, so that the
     * size bound below cannot wrap. */
    uintptr_t end = h->regions[r].end;
    if (a + MIN_PAYLOAD + HDR > end)
        return NULL;
    struct heap_block *b = block_of(p);
    if (!block_sealed(b) || block_free(b) || block_size(b) < MIN_PAYLOAD ||
        block_size(b) > end - HDR - a)
        return NULL;
    return b;
}

/* Could x be the header of a free block of this heap? Reads only inside
 * a region, and only the header. */
static bool plausible_free(const struct heap *h, const struct heap_block *x)
{
    uintptr_t a = (uintptr_t)x;
    int r = heap_region_of(h, a);
    return r >= 0 && a % HEAP_ALIGN == 0 && a + HDR + MIN_PAYLOAD <= h->regions[r].end &&
           block_sealed(x) && block_free(x);
}

/* Is free block b (header already checked) safe to unlink and merge: its
 * size, tag and both list links agree with its neighbours? A user's
 * write past the end of a block lands in exactly these words. */
static bool free_block_intact(const struct heap *h, const struct heap_block *b)
{
    if (!plausible_free(h, b) || block_size(b) < MIN_PAYLOAD)
        return false;
    int r = heap_region_of(h, (uintptr_t)b);
    if (block_size(b) > h->regions[r].end - (uintptr_t)b - 2 * HDR || *block_tag(b) != b)
        return false;
    const struct heap_block *n = b->next_free, *p = b->prev_free;
    if (n && (!plausible_free(h, n) || n->prev_free != b))
        return false;
    if (p)
        return plausible_free(h, p) && p->next_free == b;
    int fl, sl;
    heap_mapping(block_size(b), &fl, &sl);
    return fl < HEAP_FL_COUNT && h->lists[fl][sl] == b;
}

/* ---- public API -------------------------------------------------------- */

static uintptr_t align_up(uintptr_t x, size_t a)
{
    return (x + a - 1) & ~(uintptr_t)(a - 1);
}

int heap_init(struct heap *h, void *mem, size_t size)
{
    if (!h)
        return ERR_INVALID_ARGS;
    memset(h, 0, sizeof(*h));
    return heap_add_region(h, mem, size);
}

int heap_add_region(struct heap *h, void *mem, size_t size)
{
    if (!h || !mem)
        return ERR_INVALID_ARGS;
    uintptr_t start = align_up((uintptr_t)mem, HEAP_ALIGN);
    uintptr_t end = ((uintptr_t)mem + size) & ~(uintptr_t)(HEAP_ALIGN - 1);
    if ((uintptr_t)mem + size < (uintptr_t)mem || end <= start || end - start < MIN_BLOCK + HDR)
        return ERR_INVALID_ARGS;
    if (end - start - 2 * HDR > MAX_PAYLOAD)
        end = start + 2 * HDR + MAX_PAYLOAD; /* the rest is not used */
    for (int i = 0; i < h->nregions; i++)
        if (start < h->regions[i].end && h->regions[i].start < end)
            return ERR_INVALID_ARGS; /* overlaps memory we already own */
    if (h->nregions == HEAP_MAX_REGIONS)
        return ERR_NO_SPACE;

    h->regions[h->nregions].start = start;
    h->regions[h->nregions].end = end;
    h->nregions++;
    struct heap_block *first = (struct heap_block *)start;
    struct heap_block *sentinel = (struct heap_block *)(end - HDR);
    block_set(first, end - start - 2 * HDR, 0);
    block_set(sentinel, 0, 0);
    make_free(h, first);
    h->stats.total += size;
    return 0;
}

void *heap_alloc(struct heap *h, size_t size, size_t align)
{
    if (!h)
        return NULL;
    if (align == 0)
        align = HEAP_ALIGN;
    if ((align & (align - 1)) != 0 || size > MAX_PAYLOAD || align > MAX_PAYLOAD) {
        h->stats.failures++;
        return NULL;
    }
    if (align < HEAP_ALIGN)
        align = HEAP_ALIGN;
    size = size < MIN_PAYLOAD ? MIN_PAYLOAD : align_up(size, HEAP_ALIGN);
    /* With a large alignment, room for a leading free block as well. */
    size_t want = align == HEAP_ALIGN ? size : size + align + MIN_BLOCK;
    struct heap_block *b = want <= MAX_PAYLOAD ? find_fit(h, want) : NULL;
    if (!b || !free_block_intact(h, b) ||
        (block_free(block_next(b)) && !free_block_intact(h, block_next(b)))) {
        h->stats.failures++; /* exhausted, or a damaged heap: hand out nothing */
        return NULL;
    }
    list_remove(h, b);

    uintptr_t p = (uintptr_t)block_payload(b);
    if (p % align != 0) {
        uintptr_t a = align_up(p, align);
        while (a - p < MIN_BLOCK)
            a += align;
        struct heap_block *nb = block_of((void *)a);
        size_t gap = a - p;
        block_set(nb, block_size(b) - gap, 0);
        block_set(b, gap - HDR, b->size_flags & F_PREV_FREE);
        make_free(h, b); /* also marks nb's PREV_FREE */
        b = nb;
    }
    h->stats.used += block_size(b);
    make_used(b);
    release_tail(h, b, size);

    h->stats.allocs++;
    if (h->stats.used > h->stats.peak_used)
        h->stats.peak_used = h->stats.used;
    return block_payload(b);
}

int heap_free(struct heap *h, void *p)
{
    if (!p)
        return 0;
    struct heap_block *b = heap_live_block(h, p);
    if (!b)
        return ERR_INVALID_ARGS;
    /* Check both neighbours before touching anything: an overrun from
     * the block below must not turn into a corrupt free list. */
    struct heap_block *next = block_next(b);
    if (!block_sealed(next) || (block_free(next) && !free_block_intact(h, next)))
        return ERR_CORRUPT;
    struct heap_block *prev = NULL;
    if (block_prev_free(b)) {
        if ((uintptr_t)b == h->regions[heap_region_of(h, (uintptr_t)b)].start)
            return ERR_CORRUPT; /* nothing before the first block */
        prev = *((struct heap_block **)b - 1);
        if (heap_region_of(h, (uintptr_t)prev) != heap_region_of(h, (uintptr_t)b) ||
            prev >= b || !free_block_intact(h, prev) || block_next(prev) != b)
            return ERR_CORRUPT;
    }

    h->stats.used -= block_size(b);
    h->stats.frees++;
    if (block_free(next))
        absorb_next(h, b);
    if (prev) {
        list_remove(h, prev);
        merge_next(prev);
        b = prev;
    }
    make_free(h, b);
    return 0;
}

void *heap_realloc(struct heap *h, void *p, size_t size)
{
    if (!p)
        return heap_alloc(h, size, 0);
    struct heap_block *b = heap_live_block(h, p);
    if (!b)
        return NULL;
    if (size == 0) {
        heap_free(h, p);
        return NULL;
    }
    if (size > MAX_PAYLOAD) {
        h->stats.failures++;
        return NULL;
    }
    size_t want = size < MIN_PAYLOAD ? MIN_PAYLOAD : align_up(size, HEAP_ALIGN);
    size_t have = block_size(b);
    struct heap_block *next = block_next(b);
    if (want > have && block_free(next) && free_block_intact(h, next) &&
        have + HDR + block_size(next) >= want) {
        /* grow in place over the free successor */
        absorb_next(h, b);
        set_prev_free(block_next(b), false);
        h->stats.used += block_size(b) - have;
        have = block_size(b);
    }
    if (want <= have) {
        release_tail(h, b, want);
        if (h->stats.used > h->stats.peak_used)
            h->stats.peak_used = h->stats.used;
        return p;
    }
    void *q = heap_alloc(h, size, 0);
    if (!q)
        return NULL;
    memcpy(q, p, have);
    heap_free(h, p);
    return q;
}

size_t heap_usable_size(const struct heap *h, const void *p)
{
    const struct heap_block *b = heap_live_block(h, p);
    return b ? block_size(b) : 0;
}
