/*
 * Memory for the network stack and its services.
 *
 * The kernel heap grows in a few regions only (lib/alloc keeps 8), which
 * is far too little for TCP rings: 64 connections with 128 KiB each way
 * need 16 MiB. So blocks of NETMEM_PAGE_MIN bytes or more come straight
 * from the page allocator, and only small ones from the heap. A 16-byte
 * header says which, so one free() serves both.
 */
#include <stdlib.h>
#include "services/net/netsvc.h"
#include "kernel/page.h"

#define NETMEM_PAGE_MIN (8 * 1024)
#define MAGIC_HEAP  0x6e65746du    /* "netm" */
#define MAGIC_PAGES 0x6e657470u    /* "netp" */

struct hdr {
    uint32_t magic;
    uint32_t pages;
    uint64_t pad;                  /* keeps the block 16-byte aligned */
};

void *netsvc_malloc(size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size_t total = size + sizeof(struct hdr);
    struct hdr *h;
    if (total >= NETMEM_PAGE_MIN) {
        size_t pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
        if (!(h = page_alloc(pages)))
            return NULL;
        h->magic = MAGIC_PAGES;
        h->pages = (uint32_t)pages;
    } else {
        if (!(h = malloc(total)))
            return NULL;
        h->magic = MAGIC_HEAP;
        h->pages = 0;
    }
    return h + 1;
}

void *netsvc_calloc(size_t size)
{
    uint8_t *p = netsvc_malloc(size);
    if (p)
        for (size_t i = 0; i < size; i++)
            p[i] = 0;
    return p;
}

void netsvc_free(void *p)
{
    if (!p)
        return;
    struct hdr *h = (struct hdr *)p - 1;
    uint32_t magic = h->magic;
    h->magic = 0;
    if (magic == MAGIC_PAGES)
        page_free(h, h->pages);
    else
        free(h);
}
