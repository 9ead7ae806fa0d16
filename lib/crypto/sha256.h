/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), portable C.
 *
 * Streaming:  sha256_init, sha256_update (any number of times), sha256_final.
 * One shot:   sha256(data, len, digest).
 * The context holds no pointers, so it may be copied to fork a hash midway
 * (HMAC does this to reuse a precomputed key schedule).
 */
#ifndef CRYPTO_SHA256_H
#define CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64

struct sha256 {
    uint32_t state[8];
    uint64_t total;                    /* bytes hashed so far */
    uint8_t  block[SHA256_BLOCK_SIZE]; /* partial block waiting for more */
    size_t   used;                     /* bytes in block[] */
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void sha256_final(struct sha256 *ctx, uint8_t digest[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);

/*
 * HMAC-SHA256. The key may have any length; keys longer than a block are
 * hashed first, as RFC 2104 says. After hmac_sha256_init the context may be
 * reused for many messages with hmac_sha256_reset (the key is remembered as
 * two half-hashed states, never in the clear).
 */
struct hmac_sha256 {
    struct sha256 inner;     /* running hash of (key ^ ipad) || message */
    struct sha256 inner0;    /* inner state right after the key block */
    struct sha256 outer0;    /* outer state right after the key block */
};

void hmac_sha256_init(struct hmac_sha256 *ctx, const void *key, size_t key_len);
void hmac_sha256_reset(struct hmac_sha256 *ctx);
void hmac_sha256_update(struct hmac_sha256 *ctx, const void *data, size_t len);
/* Writes the tag; the context can then be reset for the next message. */
void hmac_sha256_final(struct hmac_sha256 *ctx, uint8_t tag[SHA256_DIGEST_SIZE]);
/* Wipes the key material. */
void hmac_sha256_clear(struct hmac_sha256 *ctx);
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                 uint8_t tag[SHA256_DIGEST_SIZE]);

/*
 * True when the n bytes at a and b are equal. Takes the same time whatever
 * the contents, so a tag check does not tell an attacker how many leading
 * bytes of a forged tag were right.
 */
bool crypto_equal(const void *a, const void *b, size_t n);

/* Overwrites n bytes with zeros in a way the compiler may not drop. */
void crypto_wipe(void *p, size_t n);

#endif
