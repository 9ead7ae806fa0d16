/*
 * The kernel heap: a two-level segregated-fit allocator (the TLSF scheme of
 * Masmano et al.) with boundary tags. Free blocks sit in size-class lists
 * found through two bitmaps, so alloc and free take a bounded number of
 * steps whatever the heap's state; neighbours are merged at once on free,
 * which keeps fragmentation low.
 *
 * Not thread-safe: the kernel wraps every call in its heap spinlock
 * (kernel/heap.c), which guards the whole struct heap and every block in
 * its regions. Host tools may use it single-threaded as is.
 *
 * Every block starts with a sealed header (a check word mixing a magic
 * number, the block's address and its size), so heap_free() recognises
 * pointers it never handed out, and double frees, and refuses them with
 * ERR_INVALID_ARGS instead of corrupting the heap.
 */
#ifndef PUS_ALLOC_HEAP_H
#define PUS_ALLOC_HEAP_H

#include <stddef.h>
#include <stdint.h>

/* Size classes: blocks below HEAP_SMALL bytes in steps of 16, then each
 * power of two split into 2^HEAP_SL_LOG2 classes, up to 2^HEAP_MAX_LOG2. */
#define HEAP_ALIGN       16
#define HEAP_SL_LOG2     4
#define HEAP_SL_COUNT    (1 << HEAP_SL_LOG2)
#define HEAP_SMALL_LOG2  8
#define HEAP_MAX_LOG2    39
#define HEAP_FL_COUNT    (HEAP_MAX_LOG2 - HEAP_SMALL_LOG2 + 1)
#define HEAP_MAX_REGIONS 32

struct heap_stats {
    size_t total;        /* bytes of all regions given to the heap */
    size_t used;         /* payload bytes of live blocks (sum of usable sizes) */
    size_t free;         /* payload bytes of free blocks */
    size_t peak_used;    /* highest `used` seen */
    size_t largest_free; /* payload of the largest free block */
    size_t allocs, frees, failures;
};

struct heap_block;

struct heap {
    uint32_t fl_bitmap;                      /* bit f: some list in fl f non-empty */
    uint32_t sl_bitmap[HEAP_FL_COUNT];       /* bit s: list [f][s] non-empty */
    struct heap_block *lists[HEAP_FL_COUNT][HEAP_SL_COUNT];
    struct { uintptr_t start, end; } regions[HEAP_MAX_REGIONS];
    int nregions;
    struct heap_stats stats;
};

/* ERR_INVALID_ARGS if mem is NULL or too small to hold one block. */
int heap_init(struct heap *h, void *mem, size_t size);
/* More memory, anywhere; ERR_NO_SPACE when HEAP_MAX_REGIONS are in use. */
int heap_add_region(struct heap *h, void *mem, size_t size);
/* align: a power of two, 0 means 16. NULL on exhaustion (failures++). */
void *heap_alloc(struct heap *h, size_t size, size_t align);
/* NULL is fine. ERR_INVALID_ARGS for a pointer not from this heap or
 * already freed, ERR_CORRUPT if a neighbouring block was overwritten. */
int heap_free(struct heap *h, void *p);
/* Grows in place when the next block is free; keeps 16-byte alignment
 * only. size 0 frees and returns NULL. NULL on failure, p untouched. */
void *heap_realloc(struct heap *h, void *p, size_t size);
/* Bytes usable at p (>= the size asked for); 0 for a foreign pointer. */
size_t heap_usable_size(const struct heap *h, const void *p);
void heap_get_stats(const struct heap *h, struct heap_stats *out);
/* Walks every block and list; 0 or ERR_CORRUPT. */
int heap_check(const struct heap *h);

#endif
