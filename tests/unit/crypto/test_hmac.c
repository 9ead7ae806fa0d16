/* HMAC-SHA256 against every test case of RFC 4231 (section 4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crypto/sha256.h"
#include "hex.h"

static void check(const void *key, size_t klen, const void *data, size_t dlen,
                  const char *want)
{
    size_t want_bytes = strlen(want) / 2;   /* case 5 is truncated to 128 bits */
    uint8_t tag[32];
    char hex[65];

    hmac_sha256(key, klen, data, dlen, tag);
    to_hex(tag, want_bytes, hex);
    assert_string_equal(hex, want);

    /* The same through the streaming API, one byte at a time, twice on
     * one context to check that reset really restarts. */
    struct hmac_sha256 ctx;
    hmac_sha256_init(&ctx, key, klen);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < dlen; i++)
            hmac_sha256_update(&ctx, (const uint8_t *)data + i, 1);
        hmac_sha256_final(&ctx, tag);
        to_hex(tag, want_bytes, hex);
        assert_string_equal(hex, want);
    }
    hmac_sha256_clear(&ctx);
}

static void test_case1(void **state)
{
    uint8_t key[20];
    memset(key, 0x0b, sizeof(key));
    check(key, 20, "Hi There", 8,
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void test_case2(void **state)
{
    const char *d = "what do ya want for nothing?";
    check("Jefe", 4, d, strlen(d),
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_case3(void **state)
{
    uint8_t key[20], data[50];
    memset(key, 0xaa, sizeof(key));
    memset(data, 0xdd, sizeof(data));
    check(key, 20, data, 50,
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

static void test_case4(void **state)
{
    uint8_t key[25], data[50];
    for (int i = 0; i < 25; i++)
        key[i] = (uint8_t)(i + 1);
    memset(data, 0xcd, sizeof(data));
    check(key, 25, data, 50,
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

static void test_case5_truncated(void **state)
{
    uint8_t key[20];
    memset(key, 0x0c, sizeof(key));
    check(key, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b");
}

static void test_case6_long_key(void **state)
{
    uint8_t key[131];
    memset(key, 0xaa, sizeof(key));
    const char *d = "Test Using Larger Than Block-Size Key - Hash Key First";
    check(key, 131, d, strlen(d),
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_case7_long_key_and_data(void **state)
{
    uint8_t key[131];
    memset(key, 0xaa, sizeof(key));
    const char *d = "This is a test using a larger than block-size key and a larger "
                    "than block-size data. The key needs to be hashed before being "
                    "used by the HMAC algorithm.";
    check(key, 131, d, strlen(d),
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* A key of exactly one block is used as is, not hashed: it must differ
 * from using its hash as the key. */
static void test_block_sized_key(void **state)
{
    uint8_t key[64], hashed[32], t1[32], t2[32];
    memset(key, 0x42, sizeof(key));
    sha256(key, 64, hashed);
    hmac_sha256(key, 64, "x", 1, t1);
    hmac_sha256(hashed, 32, "x", 1, t2);
    assert_false(crypto_equal(t1, t2, 32));
    /* ...whereas a 65-byte key is replaced by its hash. */
    uint8_t key65[65];
    memset(key65, 0x42, sizeof(key65));
    sha256(key65, 65, hashed);
    hmac_sha256(key65, 65, "x", 1, t1);
    hmac_sha256(hashed, 32, "x", 1, t2);
    assert_true(crypto_equal(t1, t2, 32));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case1),
        cmocka_unit_test(test_case2),
        cmocka_unit_test(test_case3),
        cmocka_unit_test(test_case4),
        cmocka_unit_test(test_case5_truncated),
        cmocka_unit_test(test_case6_long_key),
        cmocka_unit_test(test_case7_long_key_and_data),
        cmocka_unit_test(test_block_sized_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
