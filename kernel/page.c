/* Bitmap page allocator (see page.h). page_lock guards the bitmap and counters. */
#include <string.h>
#include "kernel/page.h"
#include "kernel/spinlock.h"
#include "kernel/panic.h"

static uint64_t *bitmap;         /* bit set = page in use */
static uintptr_t ram_base;
static size_t npages;
static size_t free_pages, reserved_pages, failures;
static size_t search_hint;
static spinlock_t page_lock = SPINLOCK_INITIAL;

static inline int test(size_t i) { return (bitmap[i / 64] >> (i % 64)) & 1; }
static inline void set(size_t i) { bitmap[i / 64] |= 1ull << (i % 64); }
static inline void clear(size_t i) { bitmap[i / 64] &= ~(1ull << (i % 64)); }

void page_init(uintptr_t base, size_t size, void *bitmap_at, size_t *bitmap_bytes)
{
    ram_base = base;
    npages = size / PAGE_SIZE;
    bitmap = bitmap_at;
    size_t bytes = ((npages + 63) / 64) * 8;
    memset(bitmap, 0, bytes);
    free_pages = npages;
    *bitmap_bytes = bytes;
}

void page_reserve(uintptr_t addr, size_t size)
{
    uintptr_t end = addr + size;
    if (end <= ram_base || addr >= ram_base + npages * PAGE_SIZE)
        return;
    if (addr < ram_base)
        addr = ram_base;
    size_t first = (addr - ram_base) / PAGE_SIZE;
    size_t last = (end - ram_base + PAGE_SIZE - 1) / PAGE_SIZE;
    if (last > npages)
        last = npages;
    uint64_t state;
    spin_lock_irqsave(&page_lock, state);
    for (size_t i = first; i < last; i++) {
        if (!test(i)) {
            set(i);
            free_pages--;
            reserved_pages++;
        }
    }
    spin_unlock_irqrestore(&page_lock, state);
}

static size_t find_run(size_t from, size_t count)
{
    size_t run = 0;
    for (size_t i = from; i < npages; i++) {
        if (run == 0 && (i % 64) == 0 && bitmap[i / 64] == ~0ull && i + 64 <= npages) {
            i += 63;          /* skip a full word */
            continue;
        }
        if (test(i)) {
            run = 0;
            continue;
        }
        if (++run == count)
            return i + 1 - count;
    }
    return (size_t)-1;
}

void *page_alloc(size_t count)
{
    if (count == 0)
        return NULL;
    uint64_t state;
    spin_lock_irqsave(&page_lock, state);
    size_t first = find_run(search_hint, count);
    if (first == (size_t)-1 && search_hint)
        first = find_run(0, count);
    if (first == (size_t)-1) {
        failures++;
        spin_unlock_irqrestore(&page_lock, state);
        return NULL;
    }
    for (size_t i = first; i < first + count; i++)
        set(i);
    free_pages -= count;
    search_hint = first + count;
    spin_unlock_irqrestore(&page_lock, state);
    return (void *)(ram_base + first * PAGE_SIZE);
}

void *page_alloc_zeroed(size_t count)
{
    void *p = page_alloc(count);
    if (p)
        memset(p, 0, count * PAGE_SIZE);
    return p;
}

void page_free(void *p, size_t count)
{
    uintptr_t a = (uintptr_t)p;
    if (!p)
        return;
    if (a < ram_base || (a - ram_base) % PAGE_SIZE || (a - ram_base) / PAGE_SIZE + count > npages)
        panic("page_free: bad range %p + %zu pages", p, count);
    size_t first = (a - ram_base) / PAGE_SIZE;
    uint64_t state;
    spin_lock_irqsave(&page_lock, state);
    for (size_t i = first; i < first + count; i++) {
        if (!test(i))
            panic("page_free: page %p freed twice", (void *)(ram_base + i * PAGE_SIZE));
        clear(i);
    }
    free_pages += count;
    if (first < search_hint)
        search_hint = first;
    spin_unlock_irqrestore(&page_lock, state);
}

void page_get_stats(struct page_stats *out)
{
    uint64_t state;
    spin_lock_irqsave(&page_lock, state);
    out->total = npages;
    out->free = free_pages;
    out->reserved = reserved_pages;
    out->allocated = npages - free_pages - reserved_pages;
    out->failures = failures;
    spin_unlock_irqrestore(&page_lock, state);
}

uintptr_t page_ram_base(void) { return ram_base; }
size_t page_ram_size(void) { return npages * PAGE_SIZE; }
