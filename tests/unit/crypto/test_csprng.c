/* The CSPRNG core (lib/crypto/csprng.c): determinism from a fixed seed, the
 * exact construction (SHA-256 reseed, ChaCha20 output with fast key
 * erasure) recomputed independently, rekeying on every request, the
 * pooling rules (immediate before seeded, batched after), and that output
 * changes once entropy is folded in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crypto/chacha20.h"
#include "crypto/csprng.h"
#include "hex.h"

static const uint8_t zero_nonce[12];

static void seed_of(struct csprng *r, uint8_t tag)
{
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(tag + i);
    csprng_init(r);
    csprng_add_entropy(r, seed, sizeof(seed), 256);
}

static void test_deterministic(void **state)
{
    struct csprng a, b, c;
    seed_of(&a, 1);
    seed_of(&b, 1);
    seed_of(&c, 2);
    assert_true(csprng_seeded(&a));
    for (int round = 0; round < 10; round++) {
        uint8_t x[77], y[77], z[77];
        csprng_generate(&a, x, sizeof(x));
        csprng_generate(&b, y, sizeof(y));
        csprng_generate(&c, z, sizeof(z));
        assert_memory_equal(x, y, sizeof(x));
        assert_memory_not_equal(x, z, sizeof(x));
    }
}

/* The reseed and output rules of csprng.h, recomputed with sha256 and
   chacha20 directly. */
static void test_construction(void **state)
{
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(1 + i);
    struct csprng r;
    seed_of(&r, 1);

    /* pool = SHA-256(len as 8 LE bytes || seed) */
    uint8_t pool[32], len8[8] = { 32 };
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, len8, 8);
    sha256_update(&h, seed, 32);
    sha256_final(&h, pool);
    /* key = SHA-256(domain incl. NUL || old key (zeros) || count 0 || pool) */
    static const char domain[] = "pusos csprng reseed v1";
    uint8_t zero_key[32] = {0}, count[8] = {0}, key[32];
    sha256_init(&h);
    sha256_update(&h, domain, sizeof(domain));
    sha256_update(&h, zero_key, 32);
    sha256_update(&h, count, 8);
    sha256_update(&h, pool, 32);
    sha256_final(&h, key);
    assert_memory_equal(r.key, key, 32);
    assert_int_equal(r.reseeds, 1);
    assert_int_equal(r.credited_bits, 256);

    /* 100 bytes: block 0 gives the next key and 32 bytes, blocks 1.. the rest. */
    uint8_t want[100], block0[64], got[100];
    chacha20_block(key, 0, zero_nonce, block0);
    memcpy(want, block0 + 32, 32);
    chacha20_xor(key, 1, zero_nonce, NULL, want + 32, 68);
    csprng_generate(&r, got, sizeof(got));
    assert_memory_equal(got, want, sizeof(got));
    assert_memory_equal(r.key, block0, 32);

    /* A short request uses only part of block 0 and still rekeys. */
    memcpy(key, r.key, 32);
    chacha20_block(key, 0, zero_nonce, block0);
    csprng_generate(&r, got, 5);
    assert_memory_equal(got, block0 + 32, 5);
    assert_memory_equal(r.key, block0, 32);
}

static void test_rekeys_every_request(void **state)
{
    struct csprng r;
    seed_of(&r, 9);
    uint8_t prev[32], out[32];
    for (int i = 0; i < 100; i++) {
        memcpy(prev, r.key, 32);
        csprng_generate(&r, out, i % 3 == 0 ? 0 : sizeof(out));
        assert_memory_not_equal(prev, r.key, 32);   /* even for 0 bytes */
        if (i % 3)
            assert_memory_not_equal(out, r.key, 32);  /* output never is the key */
    }
    assert_int_equal(r.requests, 100);
}

/* Requests longer than one piece (1 MiB) are served under successive keys
   and match a twin generator asked in the same sizes. */
static void test_long_request(void **state)
{
    size_t n = (1u << 20) + 4096 + 7;
    uint8_t *a = malloc(n), *b = malloc(n);
    assert_non_null(a);
    assert_non_null(b);
    struct csprng r, t;
    seed_of(&r, 3);
    seed_of(&t, 3);
    csprng_generate(&r, a, n);
    csprng_generate(&t, b, 1u << 20);
    csprng_generate(&t, b + (1u << 20), n - (1u << 20));
    assert_memory_equal(a, b, n);
    assert_memory_equal(r.key, t.key, 32);
    /* Monobit sanity over the whole output: within 0.5% of half. */
    uint64_t ones = 0;
    for (size_t i = 0; i < n; i++)
        ones += (uint64_t)__builtin_popcount(a[i]);
    uint64_t bits = 8ull * n;
    assert_true(ones > bits / 2 - bits / 200 && ones < bits / 2 + bits / 200);
    free(a);
    free(b);
}

/* Before the generator is seeded every input is folded in at once. */
static void test_unseeded_mixes_at_once(void **state)
{
    struct csprng a, b;
    csprng_init(&a);
    csprng_init(&b);
    assert_false(csprng_seeded(&a));
    uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
    assert_true(csprng_add_entropy(&a, mac, sizeof(mac), 0));
    assert_false(csprng_seeded(&a));
    uint8_t x[32], y[32];
    csprng_generate(&a, x, sizeof(x));
    csprng_generate(&b, y, sizeof(y));
    assert_memory_not_equal(x, y, sizeof(x));
    assert_int_equal(a.credited_bits, 0);
}

/* Once seeded, small credits wait in the pool until they add up to
   CSPRNG_RESEED_BITS; only then does the output change. */
static void test_pool_batches_small_credits(void **state)
{
    struct csprng a, twin;
    seed_of(&a, 5);
    seed_of(&twin, 5);
    uint8_t x[32], y[32];
    unsigned steps = CSPRNG_RESEED_BITS / 8;
    for (unsigned i = 0; i < steps; i++) {
        uint8_t sample = (uint8_t)(i * 37);
        bool reseeded = csprng_add_entropy(&a, &sample, 1, 8);
        assert_int_equal(reseeded, i + 1 == steps);
        if (!reseeded) {
            assert_int_equal(a.pool_bits, 8 * (i + 1));
            csprng_generate(&a, x, sizeof(x));
            csprng_generate(&twin, y, sizeof(y));
            assert_memory_equal(x, y, sizeof(x));   /* not folded in yet */
        }
    }
    csprng_generate(&a, x, sizeof(x));
    csprng_generate(&twin, y, sizeof(y));
    assert_memory_not_equal(x, y, sizeof(x));
    assert_int_equal(a.pool_bits, 0);
    assert_int_equal(a.credited_bits, 256 + CSPRNG_RESEED_BITS);
}

/* A large credit reseeds at once; csprng_reseed folds in uncredited input. */
static void test_output_differs_after_entropy(void **state)
{
    struct csprng a, twin;
    uint8_t x[32], y[32], blob[64];
    memset(blob, 0x42, sizeof(blob));
    seed_of(&a, 7);
    seed_of(&twin, 7);
    assert_true(csprng_add_entropy(&a, blob, sizeof(blob), 256));
    csprng_generate(&a, x, sizeof(x));
    csprng_generate(&twin, y, sizeof(y));
    assert_memory_not_equal(x, y, sizeof(x));

    seed_of(&a, 7);
    seed_of(&twin, 7);
    assert_false(csprng_add_entropy(&a, blob, 6, 0));
    assert_true(a.pool_dirty);
    csprng_generate(&a, x, sizeof(x));
    csprng_generate(&twin, y, sizeof(y));
    assert_memory_equal(x, y, sizeof(x));
    csprng_reseed(&a);
    assert_false(a.pool_dirty);
    csprng_reseed(&twin);                 /* same reseed, empty pool */
    csprng_generate(&a, x, sizeof(x));
    csprng_generate(&twin, y, sizeof(y));
    assert_memory_not_equal(x, y, sizeof(x));
}

/* Credit is clamped: at most 8 bits a byte and 256 a call. */
static void test_credit_clamped(void **state)
{
    struct csprng r;
    csprng_init(&r);
    uint8_t b[40] = {0};
    csprng_add_entropy(&r, b, 1, 1000);
    assert_int_equal(r.credited_bits, 8);
    csprng_add_entropy(&r, b, 40, 100000);
    assert_int_equal(r.credited_bits, 8 + 256);
    csprng_add_entropy(&r, b, 0, 64);
    assert_int_equal(r.credited_bits, 8 + 256);
}

/* Inputs are length-framed: "ab"+"c" and "a"+"bc" seed differently. */
static void test_inputs_framed(void **state)
{
    struct csprng a, b;
    seed_of(&a, 1);
    seed_of(&b, 1);
    csprng_add_entropy(&a, "ab", 2, 0);   /* seeded: these wait in the pool */
    csprng_add_entropy(&a, "c", 1, 0);
    csprng_add_entropy(&b, "a", 1, 0);
    csprng_add_entropy(&b, "bc", 2, 0);
    assert_memory_equal(a.key, b.key, 32);
    csprng_reseed(&a);
    csprng_reseed(&b);
    assert_memory_not_equal(a.key, b.key, 32);
}

static void test_wipe(void **state)
{
    struct csprng r;
    static const uint8_t zeros[sizeof(struct csprng)];
    seed_of(&r, 1);
    csprng_wipe(&r);
    assert_memory_equal(&r, zeros, sizeof(r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_construction),
        cmocka_unit_test(test_rekeys_every_request),
        cmocka_unit_test(test_long_request),
        cmocka_unit_test(test_unseeded_mixes_at_once),
        cmocka_unit_test(test_pool_batches_small_credits),
        cmocka_unit_test(test_output_differs_after_entropy),
        cmocka_unit_test(test_credit_clamped),
        cmocka_unit_test(test_inputs_framed),
        cmocka_unit_test(test_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
