/* pus_memcpy/memmove/memset against libc at every alignment and length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "util/memops.h"

#define AREA 512

static uint8_t src[AREA], got[AREA], want[AREA];

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 131u + seed * 7u + 1u);
}

static void test_memcpy_every_alignment(void **state)
{
    fill(src, AREA, 1);
    for (size_t so = 0; so < 16; so++)
        for (size_t doff = 0; doff < 16; doff++)
            for (size_t n = 0; n < 200; n += (n < 40 ? 1 : 13)) {
                memset(got, 0xee, AREA);
                memset(want, 0xee, AREA);
                memcpy(want + 64 + doff, src + 64 + so, n);
                void *r = pus_memcpy(got + 64 + doff, src + 64 + so, n);
                assert_ptr_equal(r, got + 64 + doff);
                assert_memory_equal(got, want, AREA);   /* nothing outside touched */
            }
}

static void test_memmove_overlaps(void **state)
{
    for (size_t so = 0; so < 24; so++)
        for (size_t doff = 0; doff < 24; doff++)
            for (size_t n = 0; n < 150; n += 7) {
                fill(got, AREA, 3);
                fill(want, AREA, 3);
                memmove(want + 100 + doff, want + 100 + so, n);
                pus_memmove(got + 100 + doff, got + 100 + so, n);
                assert_memory_equal(got, want, AREA);
            }
}

static void test_memset_every_alignment(void **state)
{
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n < 200; n++) {
            fill(got, AREA, 5);
            fill(want, AREA, 5);
            memset(want + 32 + off, 0xa5, n);
            pus_memset(got + 32 + off, 0x1a5, n);      /* only the low byte counts */
            assert_memory_equal(got, want, AREA);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy_every_alignment),
        cmocka_unit_test(test_memmove_overlaps),
        cmocka_unit_test(test_memset_every_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
