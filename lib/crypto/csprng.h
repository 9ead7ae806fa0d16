/*
 * A cryptographically secure pseudo-random generator: the single-threaded
 * core of the kernel's random source (kernel/random.c holds the lock).
 *
 * Output: ChaCha20 keyed by a 256-bit key, with fast key erasure: every
 * request runs ChaCha20 from block 0 under the current key, the first 32
 * bytes of keystream become the next key and the rest is the output, so
 * once a request returns nothing in memory can reproduce what it gave out
 * (backtracking resistance).
 *
 * Input: entropy is hashed (SHA-256) into a pool together with how many
 * bits the caller believes it holds. The pool is folded into the key,
 * key' = SHA-256(domain || key || reseed count || pool digest), when
 *   - the generator is not yet seeded (fewer than CSPRNG_SEEDED_BITS
 *     credited so far): every input goes in at once, as nothing is
 *     protected yet and an early differentiator (a MAC address) helps;
 *   - once seeded, when the pool holds CSPRNG_RESEED_BITS or more, so an
 *     attacker who knew the state cannot follow small additions one at a
 *     time (the "iterative guessing" attack);
 *   - or when the caller asks (csprng_reseed: the kernel does so at the
 *     end of boot seeding and when the pool has waited too long).
 *
 * Nothing here allocates, blocks or knows the time; the caller serialises.
 */
#ifndef CRYPTO_CSPRNG_H
#define CRYPTO_CSPRNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "crypto/sha256.h"

#define CSPRNG_SEEDED_BITS 256      /* credited entropy before "seeded" */
#define CSPRNG_RESEED_BITS 128      /* pool credit that triggers a reseed */

struct csprng {
    uint8_t key[32];           /* the ChaCha20 key; replaced on every request */
    struct sha256 pool;        /* entropy hashed in since the last reseed */
    unsigned pool_bits;        /* credit in the pool (capped at 256) */
    bool pool_dirty;           /* the pool holds input not yet in the key */
    uint64_t credited_bits;    /* credit folded into the key since init */
    uint64_t reseeds;
    uint64_t requests;
};

/* An empty generator: all-zero key, empty pool, not seeded. */
void csprng_init(struct csprng *r);

/* Hashes n bytes into the pool, believed to hold bits_estimate bits of
   entropy (clamped to 8 per byte). Reseeds by the rules above; returns
   true when it did. */
bool csprng_add_entropy(struct csprng *r, const void *data, size_t n, unsigned bits_estimate);

/* Folds the pool into the key now, whatever its credit. */
void csprng_reseed(struct csprng *r);

/* True once CSPRNG_SEEDED_BITS of credited entropy have reached the key. */
bool csprng_seeded(const struct csprng *r);

/* Fills out with n pseudo-random bytes and rekeys (fast key erasure). */
void csprng_generate(struct csprng *r, void *out, size_t n);

/* Wipes all state (key and pool). */
void csprng_wipe(struct csprng *r);

#endif
