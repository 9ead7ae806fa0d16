/*
 * The fdt reader against hand-made blobs, good and hostile: bad headers,
 * lengths that point past the end, unterminated names and strings, nesting
 * too deep, stray tokens. Each must give a clean error, never a crash
 * (the blobs sit in exact-size heap buffers, so ASan sees any overread).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dtb_builder.h"
#include "fdt/fdt.h"
#include "fdt_exercise.h"
#include "pus/err.h"

static struct dtb d;

/* A small well-formed tree used as the base for many cases. */
static uint8_t *good_blob(size_t *len)
{
    dtb_start(&d);
    dtb_begin(&d, "");
    dtb_prop_u32(&d, "#address-cells", 1);
    dtb_prop_u32(&d, "#size-cells", 1);
    dtb_prop(&d, "compatible", "acme,board\0acme,generic", 24);
    dtb_begin(&d, "bus@1000");
    dtb_prop_u32(&d, "#address-cells", 2);
    dtb_prop_u32(&d, "#size-cells", 2);
    dtb_word(&d, 4); /* a NOP between properties */
    dtb_prop_u32(&d, "phandle", 7);
    uint32_t reg[] = {0x1000, 0x100};
    dtb_prop_cells(&d, "reg", reg, 2);
    dtb_begin(&d, "dev@0,1");
    uint32_t reg2[] = {0, 0x2000, 0, 0x10, 1, 0, 0, 0x20};
    dtb_prop_cells(&d, "reg", reg2, 8);
    dtb_prop_str(&d, "compatible", "acme,dev");
    dtb_prop(&d, "empty", "", 0);
    uint32_t big[] = {0x12345678, 0x9abcdef0};
    dtb_prop_cells(&d, "big", big, 2);
    dtb_end_node(&d);
    dtb_word(&d, 4);
    dtb_begin(&d, "dev@2");
    dtb_prop_str(&d, "compatible", "acme,dev");
    dtb_end_node(&d);
    dtb_end_node(&d);
    dtb_begin(&d, "leaf");
    dtb_prop(&d, "unterminated", "abc", 3);
    dtb_prop(&d, "compatible", "acme,leaf\0acme,trunc", 20); /* last one unterminated */
    dtb_prop_u32(&d, "linux,phandle", 9);
    dtb_end_node(&d);
    dtb_end_node(&d);
    dtb_end(&d);
    return dtb_finish(&d, len);
}

static void test_good_blob(void **state)
{
    size_t len;
    uint8_t *b = good_blob(&len);
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    int root = fdt_root(&fdt);
    assert_int_equal(root, 0);
    assert_true(fdt_is_compatible(&fdt, root, "acme,generic"));
    assert_false(fdt_is_compatible(&fdt, root, "acme"));
    assert_string_equal(fdt_prop_str_index(&fdt, root, "compatible", 1), "acme,generic");
    assert_null(fdt_prop_str_index(&fdt, root, "compatible", 2));

    int bus = fdt_path(&fdt, "/bus");
    assert_true(bus > 0);
    assert_int_equal(fdt_first_child(&fdt, root), bus);
    uint64_t a, s;
    assert_int_equal(fdt_reg(&fdt, bus, 0, &a, &s), 0); /* root's 1/1 cells */
    assert_int_equal(a, 0x1000);
    assert_int_equal(s, 0x100);
    assert_int_equal(fdt_node_by_phandle(&fdt, 7), bus);

    int dev = fdt_path(&fdt, "/bus@1000/dev");
    assert_int_equal(dev, fdt_path(&fdt, "/bus/dev@0,1"));
    assert_int_equal(fdt_first_child(&fdt, bus), dev);
    assert_int_equal(fdt_parent(&fdt, dev), bus);
    assert_int_equal(fdt_reg(&fdt, dev, 0, &a, &s), 0); /* bus's 2/2 cells */
    assert_int_equal(a, 0x2000);
    assert_int_equal(s, 0x10);
    assert_int_equal(fdt_reg(&fdt, dev, 1, &a, NULL), 0);
    assert_int_equal(a, 1ull << 32);
    assert_int_equal(fdt_reg(&fdt, dev, 2, &a, &s), ERR_NOT_FOUND);
    assert_int_equal(fdt_reg(&fdt, dev, -1, &a, &s), ERR_NOT_FOUND);
    int plen = -1;
    assert_non_null(fdt_prop(&fdt, dev, "empty", &plen));
    assert_int_equal(plen, 0);
    assert_null(fdt_prop_str(&fdt, dev, "empty"));
    uint64_t v;
    assert_int_equal(fdt_prop_u64(&fdt, dev, "big", &v), 0);
    assert_int_equal(v, 0x123456789abcdef0ull);
    assert_int_equal(fdt_prop_u64(&fdt, bus, "phandle", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(fdt_prop_u64(&fdt, dev, "reg", &v), ERR_BAD_FORMAT);

    /* properties in order, NOPs skipped */
    const char *want[] = {"#address-cells", "#size-cells", "phandle", "reg"};
    int q = fdt_first_prop(&fdt, bus);
    for (int i = 0; i < 4; i++, q = fdt_next_prop(&fdt, q)) {
        const char *name = NULL;
        assert_true(q >= 0);
        assert_non_null(fdt_prop_at(&fdt, q, &name, &plen));
        assert_string_equal(name, want[i]);
    }
    assert_int_equal(q, ERR_NOT_FOUND);
    assert_int_equal(fdt_next_prop(&fdt, bus), ERR_INVALID_ARGS);
    assert_null(fdt_prop_at(&fdt, bus, NULL, NULL));

    int dev2 = fdt_next_sibling(&fdt, dev);
    assert_string_equal(fdt_name(&fdt, dev2), "dev@2");
    assert_int_equal(fdt_next_sibling(&fdt, dev2), ERR_NOT_FOUND);
    assert_int_equal(fdt_first_child(&fdt, dev2), ERR_NOT_FOUND);
    assert_int_equal(fdt_reg(&fdt, dev2, 0, &a, &s), ERR_NOT_FOUND);
    assert_int_equal(fdt_next_compatible(&fdt, -1, "acme,dev"), dev);
    assert_int_equal(fdt_next_compatible(&fdt, dev, "acme,dev"), dev2);
    assert_int_equal(fdt_next_compatible(&fdt, dev2, "acme,dev"), ERR_NOT_FOUND);

    int leaf = fdt_next_sibling(&fdt, bus);
    assert_string_equal(fdt_name(&fdt, leaf), "leaf");
    assert_null(fdt_prop_str(&fdt, leaf, "unterminated"));
    assert_true(fdt_is_compatible(&fdt, leaf, "acme,leaf"));
    assert_false(fdt_is_compatible(&fdt, leaf, "acme,trunc"));
    assert_int_equal(fdt_node_by_phandle(&fdt, 9), leaf);
    assert_int_equal(fdt_node_by_phandle(&fdt, 0), ERR_NOT_FOUND);
    assert_int_equal(fdt_reg(&fdt, root, 0, &a, &s), ERR_NOT_FOUND);

    /* offsets that are not nodes */
    assert_null(fdt_name(&fdt, 2));
    assert_null(fdt_name(&fdt, 4));
    assert_int_equal(fdt_first_child(&fdt, 4), ERR_INVALID_ARGS);
    assert_int_equal(fdt_parent(&fdt, 1 << 24), ERR_INVALID_ARGS);
    assert_int_equal(fdt_next_sibling(&fdt, ERR_CORRUPT), ERR_CORRUPT);
    assert_null(fdt_prop(&fdt, -1, "reg", NULL));
    assert_int_equal(fdt_exercise(b, len, 1), 5);
    free(b);
}

static void test_bad_headers(void **state)
{
    size_t len;
    uint8_t *b = good_blob(&len);
    struct fdt fdt;
    assert_int_equal(fdt_init(NULL, b, len), ERR_INVALID_ARGS);
    assert_int_equal(fdt_init(&fdt, NULL, len), ERR_INVALID_ARGS);
    assert_int_equal(fdt_init(&fdt, b, 3), ERR_CORRUPT);
    assert_int_equal(fdt_init(&fdt, b, 39), ERR_CORRUPT);
    assert_int_equal(fdt_init(&fdt, b, len - 1), ERR_CORRUPT);
    /* after a failed init nothing is readable */
    assert_int_equal(fdt_root(&fdt), ERR_INVALID_ARGS);
    assert_null(fdt_name(&fdt, 0));

    struct { int word; uint32_t value; int want; } cases[] = {
        {0, 0xd00dfeee, ERR_BAD_FORMAT},     /* magic */
        {5, 15, ERR_BAD_FORMAT},             /* version too old */
        {6, 18, ERR_BAD_FORMAT},             /* incompatible */
        {1, 0xffffffff, ERR_CORRUPT},        /* totalsize beyond what is readable */
        {1, 39, ERR_CORRUPT},                /* totalsize smaller than a header */
        {2, 0xfffffff0, ERR_CORRUPT},        /* struct offset wraps */
        {2, 58, ERR_CORRUPT},                /* struct unaligned */
        {2, 8, ERR_CORRUPT},                 /* struct inside the header */
        {9, 0xffffffff, ERR_CORRUPT},        /* struct size huge */
        {9, 4, ERR_CORRUPT},                 /* struct too small for root + END */
        {3, 0xffffff00, ERR_CORRUPT},        /* strings offset */
        {8, 0x7fffffff, ERR_CORRUPT},        /* strings size */
        {4, 0xfffffff8, ERR_CORRUPT},        /* reservation map */
        {4, 44, ERR_CORRUPT},                /* reservation map unaligned */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t old = dtb_get_header(b, cases[i].word);
        dtb_set_header(b, cases[i].word, cases[i].value);
        assert_int_equal(fdt_init(&fdt, b, len), cases[i].want);
        dtb_set_header(b, cases[i].word, old);
    }
    /* a version 16 blob has no struct size word */
    dtb_set_header(b, 5, 16);
    dtb_set_header(b, 9, 0);
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    assert_int_equal(fdt_exercise(b, len, 1), 5);
    free(b);
}

/* Runs a broken struct block and expects the first walk to fail cleanly. */
static int walk_result(void)
{
    size_t len;
    uint8_t *b = dtb_finish(&d, &len);
    struct fdt fdt;
    int r = fdt_init(&fdt, b, len);
    if (r == 0) {
        fdt_exercise(b, len, 1);
        r = fdt_next_compatible(&fdt, -1, "never");
    }
    free(b);
    return r;
}

static void test_deep_nesting(void **state)
{
    for (int depth = 30; depth <= 40; depth++) {
        dtb_start(&d);
        for (int i = 0; i < depth; i++)
            dtb_begin(&d, i ? "n" : "");
        for (int i = 0; i < depth; i++)
            dtb_end_node(&d);
        dtb_end(&d);
        assert_int_equal(walk_result(), depth <= FDT_MAX_DEPTH ? ERR_NOT_FOUND : ERR_CORRUPT);
    }
    /* nesting that never closes, many thousands deep */
    dtb_start(&d);
    for (int i = 0; i < 5000; i++)
        dtb_begin(&d, "n");
    assert_int_equal(walk_result(), ERR_CORRUPT);
    size_t len;
    uint8_t *b = dtb_finish(&d, &len);
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    /* looking down works (only the nodes on the way are read) ... */
    assert_int_equal(fdt_path(&fdt, "/n/n/n"), 24);
    /* ... but anything that must find where a node ends fails */
    assert_int_equal(fdt_next_sibling(&fdt, 0), ERR_CORRUPT);
    assert_int_equal(fdt_next_sibling(&fdt, 24), ERR_CORRUPT);
    assert_int_equal(fdt_parent(&fdt, 4000 * 8), ERR_CORRUPT);
    free(b);
}

static void test_hostile_tokens(void **state)
{
    /* property length far past the block */
    dtb_start(&d);
    dtb_begin(&d, "");
    dtb_word(&d, 3);
    dtb_word(&d, 0xfffffff0);
    dtb_word(&d, dtb_string(&d, "reg"));
    dtb_end_node(&d);
    dtb_end(&d);
    size_t len;
    uint8_t *b = dtb_finish(&d, &len);
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    assert_null(fdt_prop(&fdt, 0, "reg", NULL));
    assert_int_equal(fdt_first_child(&fdt, 0), ERR_CORRUPT);
    assert_int_equal(fdt_next_compatible(&fdt, -1, "x"), ERR_CORRUPT);
    free(b);

    /* property name offset outside the strings block */
    dtb_start(&d);
    dtb_begin(&d, "");
    dtb_prop_u32(&d, "a", 1);
    dtb_word(&d, 3);
    dtb_word(&d, 4);
    dtb_word(&d, 0x10000);
    dtb_word(&d, 0);
    dtb_end_node(&d);
    dtb_end(&d);
    b = dtb_finish(&d, &len);
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    uint32_t v;
    assert_int_equal(fdt_prop_u32(&fdt, 0, "a", &v), 0);
    assert_null(fdt_prop(&fdt, 0, "b", NULL));
    free(b);

    /* the last property name runs off the end of the strings block */
    dtb_start(&d);
    dtb_begin(&d, "");
    dtb_prop_u32(&d, "abc", 1);
    dtb_end_node(&d);
    dtb_end(&d);
    b = dtb_finish(&d, &len);
    dtb_set_header(b, 8, 2); /* strings block now "ab" without its NUL */
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    assert_null(fdt_prop(&fdt, 0, "abc", NULL));
    assert_null(fdt_prop(&fdt, 0, "ab", NULL));
    free(b);

    /* a node name without NUL up to the end of the block */
    dtb_start(&d);
    dtb_word(&d, 1);
    dtb_bytes(&d, "abcdefgh", 8);
    b = dtb_finish(&d, &len);
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    assert_int_equal(fdt_root(&fdt), ERR_CORRUPT);
    assert_null(fdt_name(&fdt, 0));
    assert_int_equal(fdt_path(&fdt, "/"), ERR_CORRUPT);
    free(b);

    /* unknown token; END_NODE with no node; END inside a node; no END */
    uint32_t strays[] = {0x77, 2, 9};
    for (int i = 0; i < 3; i++) {
        dtb_start(&d);
        dtb_begin(&d, "");
        dtb_begin(&d, "a");
        dtb_word(&d, strays[i]);
        dtb_end(&d);
        assert_int_equal(walk_result(), ERR_CORRUPT);
    }
    dtb_start(&d);
    dtb_end_node(&d);
    dtb_end(&d);
    assert_int_equal(walk_result(), ERR_CORRUPT);
    dtb_start(&d);
    dtb_begin(&d, "");
    dtb_end_node(&d);
    dtb_word(&d, 0); /* struct block ends without FDT_END: still a whole tree */
    assert_int_equal(walk_result(), ERR_NOT_FOUND);

    /* a flood of NOPs is walked, not looped on */
    dtb_start(&d);
    for (int i = 0; i < 10000; i++)
        dtb_word(&d, 4);
    dtb_begin(&d, "");
    for (int i = 0; i < 4000; i++)
        dtb_word(&d, 4);
    dtb_begin(&d, "x");
    dtb_end_node(&d);
    dtb_end_node(&d);
    dtb_end(&d);
    b = dtb_finish(&d, &len);
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    assert_int_equal(fdt_root(&fdt), 40000);
    assert_int_equal(fdt_path(&fdt, "/x"), 40000 + 8 + 16000);
    free(b);

    /* a struct block whose size is not a multiple of 4 ends mid-token */
    dtb_start(&d);
    dtb_begin(&d, "");
    dtb_prop_u32(&d, "a", 1);
    b = dtb_finish(&d, &len);
    dtb_set_header(b, 9, (uint32_t)d.st_len - 2);
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    assert_null(fdt_prop(&fdt, 0, "a", NULL));
    free(b);
}

static void test_bad_reg(void **state)
{
    uint32_t cells3[] = {1, 2, 3, 4};
    struct { uint32_t ac, sc; size_t ncells; int want; } cases[] = {
        {3, 1, 4, ERR_BAD_FORMAT}, {0, 1, 4, ERR_BAD_FORMAT}, {1, 3, 4, ERR_BAD_FORMAT},
        {1, 1, 3, ERR_BAD_FORMAT}, {1, 1, 4, 0}, {2, 0, 4, 0}, {1, 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dtb_start(&d);
        dtb_begin(&d, "");
        dtb_prop_u32(&d, "#address-cells", cases[i].ac);
        dtb_prop_u32(&d, "#size-cells", cases[i].sc);
        dtb_begin(&d, "n");
        dtb_prop_cells(&d, "reg", cells3, cases[i].ncells);
        dtb_end_node(&d);
        dtb_end_node(&d);
        dtb_end(&d);
        size_t len;
        uint8_t *b = dtb_finish(&d, &len);
        struct fdt fdt;
        assert_int_equal(fdt_init(&fdt, b, len), 0);
        uint64_t a, s;
        assert_int_equal(fdt_reg(&fdt, fdt_path(&fdt, "/n"), 0, &a, &s), cases[i].want);
        free(b);
    }
}

static void test_rsv_map(void **state)
{
    size_t len;
    uint8_t *b = good_blob(&len);
    struct fdt fdt;
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    assert_int_equal(fdt_rsv_entry(&fdt, 0, NULL, NULL), ERR_NOT_FOUND);
    assert_int_equal(fdt_rsv_entry(&fdt, -1, NULL, NULL), ERR_INVALID_ARGS);
    /* an entry with no terminator: the map runs into the struct block,
     * whose words are then read as entries until one is zero or the blob
     * ends; here make the whole tail non-zero so it runs off the end. */
    memset(b + 40, 0x11, len - 40);
    assert_int_equal(fdt_init(&fdt, b, len), 0);
    uint64_t a, s;
    assert_int_equal(fdt_rsv_entry(&fdt, 0, &a, &s), 0);
    assert_int_equal(a, 0x1111111111111111ull);
    assert_int_equal(fdt_rsv_entry(&fdt, 1000000, &a, &s), ERR_CORRUPT);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_blob),      cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_deep_nesting),   cmocka_unit_test(test_hostile_tokens),
        cmocka_unit_test(test_bad_reg),        cmocka_unit_test(test_rsv_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
