/*
 * lib/alloc: the kernel heap. Every test ends with heap_check(); the
 * stress test checks each live block's fill pattern and the exact stats
 * after every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/heap.h"
#include "alloc/heap_internal.h"
#include "pus/err.h"

#define ARENA (1 << 20)
static uint8_t arena[ARENA] __attribute__((aligned(64)));
static uint8_t arena2[ARENA / 4] __attribute__((aligned(64)));
static struct heap heap;

static void test_init(void **state)
{
    assert_int_equal(heap_init(&heap, NULL, 4096), ERR_INVALID_ARGS);
    assert_int_equal(heap_init(&heap, arena, 40), ERR_INVALID_ARGS);
    assert_int_equal(heap_init(&heap, arena + 1, 64), ERR_INVALID_ARGS); /* < 64 once aligned */
    assert_int_equal(heap_init(&heap, arena, 64), 0); /* one 32-byte block */
    void *p = heap_alloc(&heap, 1, 0);
    assert_non_null(p);
    assert_null(heap_alloc(&heap, 1, 0));
    assert_int_equal(heap_free(&heap, p), 0);
    assert_int_equal(heap_check(&heap), 0);

    assert_int_equal(heap_init(&heap, arena + 3, 10000), 0);
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    assert_int_equal(s.total, 10000);
    assert_int_equal(s.used, 0);
    /* 13 bytes lost to alignment at the start, 3 at the end, two headers */
    assert_int_equal(s.free, 10000 - 13 - 3 - 32);
    assert_int_equal(s.largest_free, s.free);
    assert_int_equal(heap_check(&heap), 0);
}

static void test_basic(void **state)
{
    assert_int_equal(heap_init(&heap, arena, ARENA), 0);
    struct heap_stats s0, s;
    heap_get_stats(&heap, &s0);
    char *a = heap_alloc(&heap, 100, 0);
    char *b = heap_alloc(&heap, 0, 0);
    char *c = heap_alloc(&heap, 5000, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_true(a != b && b != c);
    assert_int_equal((uintptr_t)a % 16, 0);
    assert_int_equal(heap_usable_size(&heap, a), 112);
    assert_int_equal(heap_usable_size(&heap, b), 32);
    assert_int_equal(heap_usable_size(&heap, c), 5008);
    memset(a, 1, 112);
    memset(b, 2, 32);
    memset(c, 3, 5008);
    heap_get_stats(&heap, &s);
    assert_int_equal(s.used, 112 + 32 + 5008);
    assert_int_equal(s.free, s0.free - s.used - 3 * 16);
    assert_int_equal(s.allocs, 3);
    assert_int_equal(heap_check(&heap), 0);

    assert_int_equal(heap_free(&heap, b), 0);
    assert_int_equal(heap_free(&heap, a), 0);
    assert_int_equal(heap_free(&heap, NULL), 0);
    assert_int_equal(heap_check(&heap), 0);
    assert_int_equal(heap_free(&heap, c), 0);
    heap_get_stats(&heap, &s);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.free, s0.free); /* everything merged back into one block */
    assert_int_equal(s.largest_free, s0.free);
    assert_int_equal(s.frees, 3);
    assert_int_equal(s.peak_used, 112 + 32 + 5008);
    assert_int_equal(heap_check(&heap), 0);
}

static void test_alignment(void **state)
{
    assert_int_equal(heap_init(&heap, arena, ARENA), 0);
    void *ps[128];
    int n = 0;
    for (size_t align = 1; align <= 65536; align <<= 1) {
        for (size_t size = 1; size < 300; size += 97) {
            void *p = heap_alloc(&heap, size, align);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % (align < 16 ? 16 : align), 0);
            assert_true(heap_usable_size(&heap, p) >= size);
            memset(p, 0x5a, size);
            ps[n++] = p;
            assert_int_equal(heap_check(&heap), 0);
        }
    }
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    assert_int_equal(s.failures, 0);
    assert_null(heap_alloc(&heap, 10, 3));
    assert_null(heap_alloc(&heap, 10, 48));
    heap_get_stats(&heap, &s);
    assert_int_equal(s.failures, 2);
    for (int i = 0; i < n; i++)
        assert_int_equal(heap_free(&heap, ps[i]), 0);
    heap_get_stats(&heap, &s);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.largest_free, s.free);
    assert_int_equal(heap_check(&heap), 0);
}

static void test_bad_frees(void **state)
{
    assert_int_equal(heap_init(&heap, arena, ARENA), 0);
    char *a = heap_alloc(&heap, 64, 0);
    char *b = heap_alloc(&heap, 64, 0);
    char *c = heap_alloc(&heap, 64, 0);
    int local;
    assert_int_equal(heap_free(&heap, &local), ERR_INVALID_ARGS);
    assert_int_equal(heap_free(&heap, a + 1), ERR_INVALID_ARGS);
    assert_int_equal(heap_free(&heap, a + 16), ERR_INVALID_ARGS);
    assert_int_equal(heap_free(&heap, arena2), ERR_INVALID_ARGS);
    assert_int_equal(heap_free(&heap, arena + ARENA - 16), ERR_INVALID_ARGS);
    assert_int_equal(heap_usable_size(&heap, a + 32), 0);
    assert_null(heap_realloc(&heap, a + 32, 10));

    assert_int_equal(heap_free(&heap, b), 0);
    assert_int_equal(heap_free(&heap, b), ERR_INVALID_ARGS); /* double free */
    assert_int_equal(heap_free(&heap, a), 0);                /* merges with b */
    assert_int_equal(heap_free(&heap, b), ERR_INVALID_ARGS); /* b's header is gone */
    assert_int_equal(heap_free(&heap, a), ERR_INVALID_ARGS);
    assert_int_equal(heap_check(&heap), 0);
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    assert_int_equal(s.frees, 2);
    assert_int_equal(s.used, 64);

    /* a buffer overrun from c into the free block after it */
    memset(c, 0x41, 64 + 8);
    assert_int_equal(heap_check(&heap), ERR_CORRUPT);
    assert_int_equal(heap_free(&heap, c), ERR_CORRUPT);
}

static void test_exhaustion(void **state)
{
    assert_int_equal(heap_init(&heap, arena, 64 * 1024), 0);
    void *ps[4096];
    int n = 0;
    while ((ps[n] = heap_alloc(&heap, 100, 0)) != NULL)
        n++;
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    assert_int_equal(s.failures, 1);
    assert_int_equal(s.used, n * 112u);
    assert_true(s.free < 128);
    assert_true(n > 64 * 1024 / 128 - 2);
    assert_null(heap_alloc(&heap, 1 << 20, 0));
    assert_null(heap_alloc(&heap, SIZE_MAX, 0));
    assert_null(heap_alloc(&heap, SIZE_MAX - 8, 4096));
    assert_null(heap_alloc(&heap, 16, (size_t)1 << 62));
    assert_null(heap_realloc(&heap, ps[0], 1 << 20));
    assert_int_equal(heap_usable_size(&heap, ps[0]), 112); /* untouched */
    assert_int_equal(heap_check(&heap), 0);
    /* free every other block: lots of free memory, none of it in one piece */
    for (int i = 0; i < n; i += 2)
        assert_int_equal(heap_free(&heap, ps[i]), 0);
    heap_get_stats(&heap, &s);
    assert_true(s.free > 25000);
    assert_true(s.largest_free < 112 + 16 + 128); /* a freed block, maybe merged with the tail */
    assert_null(heap_alloc(&heap, 300, 0));
    for (int i = 1; i < n; i += 2)
        assert_int_equal(heap_free(&heap, ps[i]), 0);
    heap_get_stats(&heap, &s);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.largest_free, 64 * 1024 - 32);
    assert_non_null(heap_alloc(&heap, 60000, 0));
    assert_int_equal(heap_check(&heap), 0);
}

static void test_regions(void **state)
{
    assert_int_equal(heap_init(&heap, arena, 4096), 0);
    assert_int_equal(heap_add_region(&heap, arena + 2048, 4096), ERR_INVALID_ARGS); /* overlap */
    assert_int_equal(heap_add_region(&heap, arena2, sizeof(arena2)), 0);
    void *big = heap_alloc(&heap, 100000, 0); /* only fits the second region */
    assert_non_null(big);
    assert_true((uint8_t *)big >= arena2 && (uint8_t *)big < arena2 + sizeof(arena2));
    void *small = heap_alloc(&heap, 1000, 0);
    assert_non_null(small);
    assert_int_equal(heap_check(&heap), 0);
    for (int i = 0; i < HEAP_MAX_REGIONS - 2; i++)
        assert_int_equal(heap_add_region(&heap, arena + 8192 + i * 4096, 4096), 0);
    assert_int_equal(heap_add_region(&heap, arena + 8192 + (HEAP_MAX_REGIONS - 2) * 4096, 4096), ERR_NO_SPACE);
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    assert_int_equal(s.total, 4096 + sizeof(arena2) + (HEAP_MAX_REGIONS - 2) * 4096);
    assert_int_equal(heap_free(&heap, big), 0);
    assert_int_equal(heap_free(&heap, small), 0);
    assert_int_equal(heap_check(&heap), 0);
}

static void test_resize(void **state)
{
    assert_int_equal(heap_init(&heap, arena, ARENA), 0);
    uint8_t *p = heap_realloc(&heap, NULL, 40);
    assert_non_null(p);
    for (int i = 0; i < 40; i++)
        p[i] = (uint8_t)i;
    uint8_t *q = heap_realloc(&heap, p, 4000); /* grows in place: next is free */
    assert_ptr_equal(q, p);
    for (int i = 0; i < 40; i++)
        assert_int_equal(q[i], i);
    uint8_t *blocker = heap_alloc(&heap, 16, 0);
    q = heap_realloc(&heap, p, 100000); /* must move */
    assert_true(q != p);
    for (int i = 0; i < 40; i++)
        assert_int_equal(q[i], i);
    assert_int_equal(heap_free(&heap, p), ERR_INVALID_ARGS); /* moved away */
    q = heap_realloc(&heap, q, 50); /* shrinks in place */
    assert_int_equal(heap_usable_size(&heap, q), 64);
    for (int i = 0; i < 40; i++)
        assert_int_equal(q[i], i);
    assert_int_equal(heap_check(&heap), 0);
    assert_null(heap_realloc(&heap, q, 0));
    assert_int_equal(heap_free(&heap, blocker), 0);
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    assert_int_equal(s.used, 0);
    assert_int_equal(heap_check(&heap), 0);
}

/* ---- random stress ---------------------------------------------------- */

static uint64_t rng;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct live {
    uint8_t *p;
    size_t size;
    uint8_t fill;
};

static void check_fill(const struct live *l)
{
    for (size_t i = 0; i < l->size; i++)
        if (l->p[i] != (uint8_t)(l->fill + i))
            fail_msg("block %p byte %zu changed", (void *)l->p, i);
}

static void do_fill(struct live *l)
{
    for (size_t i = 0; i < l->size; i++)
        l->p[i] = (uint8_t)(l->fill + i);
}

static void stress(uint64_t seed, int steps, size_t arena_size)
{
    rng = seed;
    assert_int_equal(heap_init(&heap, arena, arena_size), 0);
    enum { SLOTS = 512 };
    static struct live live[SLOTS];
    memset(live, 0, sizeof(live));
    size_t allocs = 0, frees = 0, failures = 0, peak = 0;
    for (int step = 0; step < steps; step++) {
        struct live *l = &live[next_rand() % SLOTS];
        uint64_t r = next_rand();
        size_t size = (r >> 8) % 4 == 0 ? (r >> 16) % 20000 : (r >> 16) % 300;
        size_t align = (r >> 40) % 8 == 0 ? (size_t)16 << ((r >> 44) % 8) : 0;
        if (l->p && (r & 3) == 0) {
            check_fill(l);
            uint8_t *q = heap_realloc(&heap, l->p, size);
            if (size == 0) {
                assert_null(q);
                frees++;
                l->p = NULL;
            } else if (q) {
                if (q != l->p) {
                    allocs++;
                    frees++;
                }
                l->p = q;
                l->size = size < l->size ? size : l->size;
                check_fill(l);
                l->size = size;
                do_fill(l);
            } else {
                failures++;
                check_fill(l);
            }
        } else if (l->p) {
            check_fill(l);
            assert_int_equal(heap_free(&heap, l->p), 0);
            frees++;
            l->p = NULL;
        } else {
            l->p = heap_alloc(&heap, size, align);
            if (!l->p) {
                failures++;
                continue;
            }
            allocs++;
            if (align)
                assert_int_equal((uintptr_t)l->p % align, 0);
            l->size = size;
            l->fill = (uint8_t)r;
            do_fill(l);
        }
        /* exact accounting after every step */
        size_t used = 0;
        for (int i = 0; i < SLOTS; i++)
            if (live[i].p) {
                assert_true(heap_usable_size(&heap, live[i].p) >= live[i].size);
                used += heap_usable_size(&heap, live[i].p);
            }
        if (used > peak)
            peak = used;
        struct heap_stats s;
        heap_get_stats(&heap, &s);
        assert_int_equal(s.used, used);
        assert_int_equal(s.allocs, allocs);
        assert_int_equal(s.frees, frees);
        assert_int_equal(s.failures, failures);
        assert_true(s.peak_used >= peak);
        assert_true(s.largest_free <= s.free);
        assert_int_equal(heap_check(&heap), 0);
    }
    for (int i = 0; i < SLOTS; i++)
        if (live[i].p) {
            check_fill(&live[i]);
            assert_int_equal(heap_free(&heap, live[i].p), 0);
        }
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.largest_free, s.free); /* all merged back */
    assert_int_equal(heap_check(&heap), 0);
    print_message("seed %llu: %zu allocs, %zu frees, %zu failures, peak %zu\n",
                  (unsigned long long)seed, allocs, frees, failures, (size_t)s.peak_used);
}

/* Every byte of a busy heap's first 8 KiB damaged in turn (free blocks,
 * live blocks, headers): heap_check() must say so for every byte that
 * belongs to a header or a free block's links or tag, and neither it nor
 * allocating or freeing every live block may crash or write outside the heap. */
static void test_damage(void **state)
{
    enum { SIZE = 16384, N = 64 };
    static uint8_t clean[SIZE], saved_arena[SIZE];
    static struct heap saved;
    void *ps[N];
    assert_int_equal(heap_init(&heap, arena, SIZE), 0);
    for (int i = 0; i < N; i++)
        ps[i] = heap_alloc(&heap, 16 + (i * 37) % 150, 0);
    for (int i = 0; i < N; i += 3)
        assert_int_equal(heap_free(&heap, ps[i]), 0);
    memcpy(clean, arena, SIZE);
    saved = heap;
    /* which bytes are heap metadata (white box: heap_internal.h) */
    static bool meta[SIZE];
    memset(meta, 0, sizeof(meta));
    int nmeta = 0;
    for (struct heap_block *b = (struct heap_block *)arena;; b = block_next(b)) {
        size_t off = (uint8_t *)b - arena;
        for (size_t i = 0; i < HDR; i++)
            meta[off + i] = true;
        if (block_size(b) == 0)
            break;
        if (block_free(b)) {
            for (size_t i = 0; i < 16; i++)
                meta[off + HDR + i] = true; /* links */
            for (size_t i = 0; i < 8; i++)
                meta[off + HDR + block_size(b) - 8 + i] = true; /* tag */
        }
    }
    for (size_t off = 0; off < 8192; off++)
        nmeta += meta[off];
    int detected = 0, refused = 0;
    for (size_t off = 0; off < 8192; off++) {
        memcpy(arena, clean, SIZE);
        heap = saved;
        arena[off] ^= 0x40;
        int err = heap_check(&heap);
        if (err != 0)
            detected++;
        if (meta[off] && err != ERR_CORRUPT)
            fail_msg("damage at offset %zu not seen", off);
        heap_alloc(&heap, 100, 0);
        for (int i = 1; i < N; i++)
            if (i % 3 != 0 && heap_free(&heap, ps[i]) != 0)
                refused++;
        heap_alloc(&heap, 2000, 64);
        heap_check(&heap);
    }
    memcpy(saved_arena, clean, SIZE);
    print_message("damage: 8192 single-byte faults, %d in metadata, %d seen by heap_check, "
                  "%d frees refused\n", nmeta, detected, refused);
    assert_true(nmeta > 1000);
    memcpy(arena, clean, SIZE);
    heap = saved;
    assert_int_equal(heap_check(&heap), 0);
}

static void test_stress_roomy(void **state)
{
    stress(0x1234567, 40000, ARENA);
}

static void test_stress_tight(void **state)
{
    stress(0xfeedface, 40000, 256 * 1024); /* often exhausted */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_alignment),   cmocka_unit_test(test_bad_frees),
        cmocka_unit_test(test_exhaustion),  cmocka_unit_test(test_regions),
        cmocka_unit_test(test_resize),      cmocka_unit_test(test_damage),     cmocka_unit_test(test_stress_roomy),
        cmocka_unit_test(test_stress_tight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
