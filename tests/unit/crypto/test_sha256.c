/* SHA-256 against the FIPS 180 / NIST example vectors, plus streaming in
 * every split so the partial-block path is checked as well. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crypto/sha256.h"
#include "hex.h"

static void check(const char *msg, size_t len, const char *want)
{
    uint8_t d[32];
    char hex[65];
    sha256(msg, len, d);
    to_hex(d, 32, hex);
    assert_string_equal(hex, want);
}

static void test_empty(void **state)
{
    check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void **state)
{
    check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_two_blocks(void **state)
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state)
{
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state)
{
    /* Fed in uneven pieces so blocks straddle update calls. */
    static char chunk[997];
    memset(chunk, 'a', sizeof(chunk));
    struct sha256 ctx;
    sha256_init(&ctx);
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        sha256_update(&ctx, chunk, n);
        left -= n;
    }
    uint8_t d[32];
    char hex[65];
    sha256_final(&ctx, d);
    to_hex(d, 32, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding boundaries (55, 56, 63, 64, 65 bytes) hashed
 * in one go and split at every point must agree. */
static void test_splits(void **state)
{
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof(msg); len++) {
        uint8_t whole[32];
        sha256(msg, len, whole);
        for (size_t cut = 0; cut <= len; cut += (len < 70 ? 1 : 13)) {
            struct sha256 ctx;
            uint8_t part[32];
            sha256_init(&ctx);
            sha256_update(&ctx, msg, cut);
            sha256_update(&ctx, msg + cut, len - cut);
            sha256_final(&ctx, part);
            assert_memory_equal(whole, part, 32);
        }
    }
}

/* 56 bytes need a second padding block: the known digest of 56 'a's. */
static void test_padding_block(void **state)
{
    char m[56];
    memset(m, 'a', sizeof(m));
    check(m, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

static void test_equal(void **state)
{
    uint8_t a[32] = {0}, b[32] = {0};
    assert_true(crypto_equal(a, b, 32));
    b[31] = 1;
    assert_false(crypto_equal(a, b, 32));
    b[31] = 0; b[0] = 0x80;
    assert_false(crypto_equal(a, b, 32));
    assert_true(crypto_equal(a, b, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_two_blocks),
        cmocka_unit_test(test_896_bits),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_splits),
        cmocka_unit_test(test_padding_block),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
