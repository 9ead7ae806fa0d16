/* Kernel heap (see heap.h). heap_lock guards the lib/alloc heap. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/heap.h"
#include "kernel/page.h"
#include "kernel/spinlock.h"
#include "kernel/panic.h"

#define HEAP_INITIAL_PAGES 64          /* 256 KiB */
#define HEAP_GROW_MIN_PAGES 64

static struct heap kheap;
static spinlock_t heap_lock = SPINLOCK_INITIAL;
static int heap_ready;

void kheap_init(void)
{
    void *mem = page_alloc(HEAP_INITIAL_PAGES);
    if (!mem || heap_init(&kheap, mem, HEAP_INITIAL_PAGES * PAGE_SIZE) < 0)
        panic("cannot set up the kernel heap");
    heap_ready = 1;
}

static size_t heap_pages = HEAP_INITIAL_PAGES;

/*
 * Add a region big enough for a request of `size` bytes; lock held. The
 * heap grows geometrically (each region at least a quarter of what it
 * already has) so that its fixed number of regions covers all of RAM.
 */
static int grow(size_t size, size_t align)
{
    /* Headers and alignment slack, and room for the allocator's size
       classes: it rounds a large request up to its class, so a region just
       the size of the request could not serve it. */
    size_t bytes = size + size / 8 + align + 4096;
    size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages < HEAP_GROW_MIN_PAGES)
        pages = HEAP_GROW_MIN_PAGES;
    if (pages < heap_pages / 4)
        pages = heap_pages / 4;
    void *mem = page_alloc(pages);
    if (!mem && pages > (bytes + PAGE_SIZE - 1) / PAGE_SIZE) {
        pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
        mem = page_alloc(pages);
    }
    if (!mem)
        return -1;
    if (heap_add_region(&kheap, mem, pages * PAGE_SIZE) < 0) {
        page_free(mem, pages);
        return -1;
    }
    heap_pages += pages;
    return 0;
}

static void *alloc_aligned(size_t size, size_t align)
{
    if (!heap_ready)
        return NULL;
    uint64_t state;
    spin_lock_irqsave(&heap_lock, state);
    void *p = heap_alloc(&kheap, size, align);
    if (!p && grow(size, align) == 0)
        p = heap_alloc(&kheap, size, align);
    spin_unlock_irqrestore(&heap_lock, state);
    return p;
}

void *malloc(size_t size)
{
    return alloc_aligned(size, 16);
}

void *memalign(size_t align, size_t size)
{
    return alloc_aligned(size, align);
}

void *aligned_alloc(size_t align, size_t size)
{
    return alloc_aligned(size, align);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    void *p = alloc_aligned(size, align);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

void *calloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size)
        return NULL;
    void *p = malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void free(void *p)
{
    if (!p)
        return;
    uint64_t state;
    spin_lock_irqsave(&heap_lock, state);
    int r = heap_free(&kheap, p);
    spin_unlock_irqrestore(&heap_lock, state);
    if (r < 0)
        panic("free(%p): not a live heap block (double free or corruption)", p);
}

void *realloc(void *p, size_t size)
{
    if (!p)
        return malloc(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    uint64_t state;
    spin_lock_irqsave(&heap_lock, state);
    void *q = heap_realloc(&kheap, p, size);
    spin_unlock_irqrestore(&heap_lock, state);
    if (q)
        return q;
    /* In-place growth failed for lack of memory: try a fresh block. */
    q = malloc(size);
    if (!q)
        return NULL;
    spin_lock_irqsave(&heap_lock, state);
    size_t old = heap_usable_size(&kheap, p);
    spin_unlock_irqrestore(&heap_lock, state);
    memcpy(q, p, old < size ? old : size);
    free(p);
    return q;
}

void kheap_get_stats(struct heap_stats *out)
{
    uint64_t state;
    spin_lock_irqsave(&heap_lock, state);
    heap_get_stats(&kheap, out);
    spin_unlock_irqrestore(&heap_lock, state);
}

int kheap_check(void)
{
    uint64_t state;
    spin_lock_irqsave(&heap_lock, state);
    int r = heap_check(&kheap);
    spin_unlock_irqrestore(&heap_lock, state);
    return r;
}
