/* The Internet checksum against a plain byte-by-byte reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/csum.h"

static uint16_t reference(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint16_t ours(const uint8_t *p, size_t len)
{
    uint8_t b[2];
    csum_store(b, csum_buf(p, len));
    return (uint16_t)(b[0] << 8 | b[1]);
}

static void test_all_offsets_and_lengths(void **state)
{
    (void)state;
    uint8_t buf[600];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245 + 12345;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 16; off++)
        for (size_t len = 0; len < 580; len++)
            assert_int_equal(ours(buf + off, len), reference(buf + off, len));
}

static void test_all_ones(void **state)
{
    (void)state;
    uint8_t buf[4096];
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(ours(buf, sizeof buf), reference(buf, sizeof buf));
    memset(buf, 0, sizeof buf);
    assert_int_equal(ours(buf, 1), 0xffff);
}

static void test_rfc1071_example(void **state)
{
    (void)state;
    /* RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 */
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(ours(b, sizeof b), (uint16_t)~0xddf2);
}

static void test_chained_pseudo_header(void **state)
{
    (void)state;
    uint8_t seg[21];
    for (int i = 0; i < 21; i++)
        seg[i] = (uint8_t)(i * 7);
    uint32_t s = csum_pseudo(0x0a000001, 0x0a000002, 6, sizeof seg);
    uint16_t c = csum_finish(csum_add(s, seg, sizeof seg));
    uint8_t all[12 + 21] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, 21};
    memcpy(all + 12, seg, sizeof seg);
    uint8_t b[2];
    csum_store(b, c);
    assert_int_equal((uint16_t)(b[0] << 8 | b[1]), reference(all, sizeof all));
}

static void test_split_at_odd_offsets(void **state)
{
    (void)state;
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 2; len < 300; len += 7)
        for (size_t cut = 1; cut < len; cut++) {
            uint32_t s = csum_add(0, buf, cut);
            s = (cut & 1) ? csum_add_odd(s, buf + cut, len - cut) : csum_add(s, buf + cut, len - cut);
            assert_int_equal(csum_finish(s), csum_buf(buf, len));
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_offsets_and_lengths),
        cmocka_unit_test(test_all_ones),
        cmocka_unit_test(test_rfc1071_example),
        cmocka_unit_test(test_chained_pseudo_header),
        cmocka_unit_test(test_split_at_odd_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
