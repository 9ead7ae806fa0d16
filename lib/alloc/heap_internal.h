/*
 * Block layout shared by the heap's files.
 *
 * A region is a chain of blocks ending in a sentinel (size 0, never free):
 *
 *   | check | size|flags | payload ...................... | next block
 *                         ^ pointer handed out (16-aligned)
 *
 * While a block is free its payload holds the free-list links, and its last
 * word holds a pointer back to its header (the boundary tag) so that the
 * following block, whose PREV_FREE flag is set, can find and merge it.
 */
#ifndef PUS_ALLOC_HEAP_INTERNAL_H
#define PUS_ALLOC_HEAP_INTERNAL_H

#include <stdbool.h>

#include "alloc/heap.h"

struct heap_block {
    uintptr_t check;   /* seal(): proves this is a header we wrote */
    size_t size_flags; /* payload bytes (multiple of 16) | flags */
    struct heap_block *next_free, *prev_free; /* only while free */
};

#define HDR          ((size_t)16)
#define F_FREE       ((size_t)1)
#define F_PREV_FREE  ((size_t)2)
#define F_MASK       ((size_t)15)
#define MIN_PAYLOAD  ((size_t)32)   /* links + boundary tag fit */
#define MIN_BLOCK    (HDR + MIN_PAYLOAD)
#define MAX_PAYLOAD  ((((size_t)1) << HEAP_MAX_LOG2) - HEAP_ALIGN)

static inline size_t block_size(const struct heap_block *b)
{
    return b->size_flags & ~F_MASK;
}

static inline bool block_free(const struct heap_block *b)
{
    return b->size_flags & F_FREE;
}

static inline bool block_prev_free(const struct heap_block *b)
{
    return b->size_flags & F_PREV_FREE;
}

static inline void *block_payload(const struct heap_block *b)
{
    return (char *)b + HDR;
}

static inline struct heap_block *block_of(const void *p)
{
    return (struct heap_block *)((char *)p - HDR);
}

static inline struct heap_block *block_next(const struct heap_block *b)
{
    return (struct heap_block *)((char *)b + HDR + block_size(b));
}

/* The boundary tag: the last word of a free block's payload. */
static inline struct heap_block **block_tag(const struct heap_block *b)
{
    return (struct heap_block **)((char *)block_next(b) - sizeof(void *));
}

/* The header's check word: mixes a constant, the header's address and its
 * size and flags, so a stale, shifted or forged header does not match. */
static inline uintptr_t block_seal(const struct heap_block *b, size_t size_flags)
{
    uintptr_t x = (uintptr_t)0x9e3779b97f4a7c15ull ^ (uintptr_t)b ^ (size_flags << 7);
    return x * (uintptr_t)0xbf58476d1ce4e5b9ull;
}

static inline bool block_sealed(const struct heap_block *b)
{
    return b->check == block_seal(b, b->size_flags);
}

static inline void block_set(struct heap_block *b, size_t size, size_t flags)
{
    b->size_flags = size | flags;
    b->check = block_seal(b, b->size_flags);
}

/* Size class of a free block of payload size (first and second level). */
void heap_mapping(size_t size, int *fl, int *sl);
/* The region holding address a, or -1. */
int heap_region_of(const struct heap *h, uintptr_t a);
/* The block whose payload is p if p is a live block of this heap. */
struct heap_block *heap_live_block(const struct heap *h, const void *p);

#endif
