/*
 * Physical page allocator over the RAM the devicetree reports: a bitmap,
 * one bit per 4 KiB page, first-fit for contiguous runs. Thread-safe.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12

/* Manage [base, base+size); the bitmap is placed at bitmap_at. */
void page_init(uintptr_t base, size_t size, void *bitmap_at, size_t *bitmap_bytes);
/* Mark a range in use (kernel image, devicetree, firmware). */
void page_reserve(uintptr_t addr, size_t size);
/* count contiguous pages, not zeroed; NULL when no run is long enough. */
void *page_alloc(size_t count);
void *page_alloc_zeroed(size_t count);
void page_free(void *p, size_t count);

struct page_stats {
    size_t total, free, reserved, allocated, failures;
};
void page_get_stats(struct page_stats *out);
uintptr_t page_ram_base(void);
size_t page_ram_size(void);

#endif
