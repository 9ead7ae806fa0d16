/*
 * The CSPRNG core: a SHA-256 entropy pool feeding a ChaCha20 key that is
 * erased after every request. See csprng.h for the rules.
 */
#include <string.h>
#include "crypto/chacha20.h"
#include "crypto/csprng.h"

/* Requests are served in pieces of at most this many bytes, each under its
   own key, so one block counter never comes near wrapping. */
#define MAX_PIECE (1u << 20)

static const uint8_t zero_nonce[CHACHA20_NONCE_SIZE];
static const char reseed_domain[] = "pusos csprng reseed v1";

void csprng_init(struct csprng *r)
{
    memset(r, 0, sizeof(*r));
    sha256_init(&r->pool);
}

void csprng_reseed(struct csprng *r)
{
    uint8_t digest[SHA256_DIGEST_SIZE], count[8];
    sha256_final(&r->pool, digest);
    for (int i = 0; i < 8; i++)
        count[i] = (uint8_t)(r->reseeds >> (8 * i));

    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, reseed_domain, sizeof(reseed_domain));
    sha256_update(&h, r->key, sizeof(r->key));
    sha256_update(&h, count, sizeof(count));
    sha256_update(&h, digest, sizeof(digest));
    sha256_final(&h, r->key);           /* also wipes h */
    crypto_wipe(digest, sizeof(digest));

    r->credited_bits += r->pool_bits;
    r->pool_bits = 0;
    r->pool_dirty = false;
    r->reseeds++;
    sha256_init(&r->pool);
}

bool csprng_seeded(const struct csprng *r)
{
    return r->credited_bits >= CSPRNG_SEEDED_BITS;
}

bool csprng_add_entropy(struct csprng *r, const void *data, size_t n, unsigned bits_estimate)
{
    /* Length first, so that (ab, c) and (a, bc) hash differently. */
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)((uint64_t)n >> (8 * i));
    sha256_update(&r->pool, len, sizeof(len));
    sha256_update(&r->pool, data, n);
    r->pool_dirty = true;

    if (bits_estimate > 256)
        bits_estimate = 256;              /* more than a key's worth is moot */
    if (bits_estimate > 8 * n)
        bits_estimate = (unsigned)(8 * n); /* a byte holds at most 8 bits */
    r->pool_bits += bits_estimate;
    if (r->pool_bits > 256)
        r->pool_bits = 256;

    if (!csprng_seeded(r) || r->pool_bits >= CSPRNG_RESEED_BITS) {
        csprng_reseed(r);
        return true;
    }
    return false;
}

/* One request of at most MAX_PIECE bytes: block 0 of the keystream gives
   the next key (its first half) and the first 32 bytes of output. */
static void generate_piece(struct csprng *r, uint8_t *out, size_t n)
{
    uint8_t first[CHACHA20_BLOCK_SIZE];
    chacha20_block(r->key, 0, zero_nonce, first);
    size_t head = n < 32 ? n : 32;
    memcpy(out, first + 32, head);
    if (n > head)
        chacha20_xor(r->key, 1, zero_nonce, NULL, out + head, n - head);
    memcpy(r->key, first, 32);
    crypto_wipe(first, sizeof(first));
}

void csprng_generate(struct csprng *r, void *out, size_t n)
{
    uint8_t *p = out;
    r->requests++;
    do {
        size_t piece = n < MAX_PIECE ? n : MAX_PIECE;
        generate_piece(r, p, piece);
        p += piece;
        n -= piece;
    } while (n > 0);
}

void csprng_wipe(struct csprng *r)
{
    crypto_wipe(r, sizeof(*r));
}
