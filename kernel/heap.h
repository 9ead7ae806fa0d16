/*
 * The kernel heap: malloc/free/calloc/realloc (and aligned variants) for
 * all kernel code and the libraries linked into it. It grows by taking
 * pages from the page allocator; exhaustion returns NULL and changes
 * nothing. The allocator itself is lib/alloc, wrapped here in a spinlock.
 */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <stddef.h>
#include "alloc/heap.h"

void kheap_init(void);
void kheap_get_stats(struct heap_stats *out);
int kheap_check(void);

#endif
