/* Self-tests: heap stress on every hart, exhaustion, page allocator. */
#include <stdlib.h>
#include <string.h>
#include "kernel/ktest.h"
#include "kernel/thread.h"
#include "kernel/cpu.h"
#include "kernel/heap.h"
#include "kernel/page.h"

#define SLOTS 64

static int heap_worker(void *arg)
{
    uint32_t seed = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
    void *ptrs[SLOTS] = { 0 };
    size_t sizes[SLOTS] = { 0 };
    for (int round = 0; round < 4000; round++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 16) % SLOTS);
        if (ptrs[i]) {
            uint8_t tag = (uint8_t)i;
            for (size_t k = 0; k < sizes[i]; k++)
                if (((uint8_t *)ptrs[i])[k] != tag)
                    return -1;          /* someone scribbled on our block */
            free(ptrs[i]);
            ptrs[i] = NULL;
        } else {
            sizes[i] = 1 + (seed >> 8) % 3000;
            ptrs[i] = malloc(sizes[i]);
            if (!ptrs[i])
                return -2;
            memset(ptrs[i], i, sizes[i]);
        }
    }
    for (int i = 0; i < SLOTS; i++)
        free(ptrs[i]);
    return 0;
}

KTEST(heap_stress_all_harts)
{
    struct thread *ts[MAX_CPUS * 2];
    int n = (int)cpu_count * 2;
    for (int i = 0; i < n; i++) {
        ts[i] = thread_create("kt-heap", heap_worker, (void *)(intptr_t)(i + 1), THREAD_PRIORITY_DEFAULT, 0);
        KT_ASSERT(ts[i] != NULL);
        thread_pin(ts[i], i % (int)cpu_count);
        thread_start(ts[i]);
    }
    for (int i = 0; i < n; i++) {
        int rc = 1;
        KT_ASSERT_EQ(thread_join(ts[i], &rc, TIMEOUT_INFINITE), 0);
        KT_ASSERT_EQ(rc, 0);
    }
    KT_ASSERT_EQ(kheap_check(), 0);
    return 0;
}

KTEST(heap_exhaustion_is_clean)
{
    struct heap_stats before, after;
    kheap_get_stats(&before);
    /* Far more than the machine has: must fail, and change nothing. */
    void *p = malloc((size_t)1 << 40);
    KT_ASSERT(p == NULL);
    kheap_get_stats(&after);
    KT_ASSERT_EQ(after.used, before.used);
    KT_ASSERT_EQ(kheap_check(), 0);
    void *q = malloc(100);
    KT_ASSERT(q != NULL);
    free(q);
    return 0;
}

KTEST(page_alloc_free)
{
    struct page_stats before, after;
    page_get_stats(&before);
    void *a = page_alloc(3);
    void *b = page_alloc(1);
    KT_ASSERT(a && b);
    KT_ASSERT(((uintptr_t)a & (PAGE_SIZE - 1)) == 0);
    memset(a, 0xab, 3 * PAGE_SIZE);
    page_free(a, 3);
    page_free(b, 1);
    page_get_stats(&after);
    KT_ASSERT_EQ(after.free, before.free);
    KT_ASSERT(page_alloc(after.total + 1) == NULL);
    return 0;
}

/* The heap can grow to most of RAM in small allocations, not just to the
   few regions' worth it starts with. */
KTEST(heap_grows_to_megabytes)
{
    enum { BLOCK = 4000, COUNT = 4096 };     /* about 16 MiB */
    struct page_stats ps;
    page_get_stats(&ps);
    int count = COUNT;
    if ((size_t)count * BLOCK > ps.free * PAGE_SIZE / 2)
        count = (int)(ps.free * PAGE_SIZE / 2 / BLOCK);   /* small machines */
    void **blocks = calloc((size_t)count, sizeof(void *));
    KT_ASSERT(blocks != NULL);
    int got = 0;
    for (; got < count; got++) {
        blocks[got] = malloc(BLOCK);
        if (!blocks[got])
            break;
        memset(blocks[got], got & 0xff, BLOCK);
    }
    int ok = got == count;
    for (int i = 0; i < got; i++)
        free(blocks[i]);
    free(blocks);
    if (!ok)
        kprintf("    only %d of %d blocks of %d bytes\n", got, count, BLOCK);
    KT_ASSERT(ok);
    KT_ASSERT_EQ(kheap_check(), 0);
    return 0;
}

/* One allocation bigger than everything the heap holds (a wasm app's
   linear memory is one such block) makes the heap grow enough for it. */
KTEST(heap_one_big_block)
{
    struct page_stats ps;
    page_get_stats(&ps);
    size_t want = 17u << 20;                   /* 17 MiB */
    if (want > ps.free * PAGE_SIZE / 2)
        want = ps.free * PAGE_SIZE / 2;
    uint8_t *p = malloc(want);
    KT_ASSERT(p != NULL);
    p[0] = 1;
    p[want - 1] = 2;
    free(p);
    KT_ASSERT_EQ(kheap_check(), 0);
    return 0;
}
