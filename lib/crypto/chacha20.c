/*
 * ChaCha20 (RFC 8439, sections 2.1 to 2.4), written from the RFC's
 * description. The state is 16 little-endian 32-bit words: four constants
 * ("expand 32-byte k"), the key, the block counter and the nonce. Twenty
 * rounds alternate column and diagonal quarter rounds; the input state is
 * then added back in and the words are serialised little-endian.
 */
#include <string.h>
#include "crypto/chacha20.h"
#include "crypto/sha256.h"

static inline uint32_t rotl32(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static inline uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#define QUARTER_ROUND(x, a, b, c, d) do { \
    x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl32(x[d], 16); \
    x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl32(x[b], 12); \
    x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl32(x[d], 8);  \
    x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl32(x[b], 7);  \
} while (0)

static void setup(uint32_t s[16], const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
                  const uint8_t nonce[CHACHA20_NONCE_SIZE])
{
    s[0] = 0x61707865u;     /* "expa" */
    s[1] = 0x3320646eu;     /* "nd 3" */
    s[2] = 0x79622d32u;     /* "2-by" */
    s[3] = 0x6b206574u;     /* "te k" */
    for (int i = 0; i < 8; i++)
        s[4 + i] = load_le32(key + 4 * i);
    s[12] = counter;
    for (int i = 0; i < 3; i++)
        s[13 + i] = load_le32(nonce + 4 * i);
}

/* The block function on a prepared state. */
static void block(const uint32_t s[16], uint8_t out[CHACHA20_BLOCK_SIZE])
{
    uint32_t x[16];
    memcpy(x, s, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QUARTER_ROUND(x, 0, 4, 8, 12);      /* columns */
        QUARTER_ROUND(x, 1, 5, 9, 13);
        QUARTER_ROUND(x, 2, 6, 10, 14);
        QUARTER_ROUND(x, 3, 7, 11, 15);
        QUARTER_ROUND(x, 0, 5, 10, 15);     /* diagonals */
        QUARTER_ROUND(x, 1, 6, 11, 12);
        QUARTER_ROUND(x, 2, 7, 8, 13);
        QUARTER_ROUND(x, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; i++)
        store_le32(out + 4 * i, x[i] + s[i]);
    crypto_wipe(x, sizeof(x));
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE])
{
    uint32_t s[16];
    setup(s, key, counter, nonce);
    block(s, out);
    crypto_wipe(s, sizeof(s));
}

void chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
                  const uint8_t nonce[CHACHA20_NONCE_SIZE], const void *in, void *out, size_t len)
{
    uint32_t s[16];
    uint8_t ks[CHACHA20_BLOCK_SIZE];
    const uint8_t *src = in;
    uint8_t *dst = out;
    setup(s, key, counter, nonce);
    while (len > 0) {
        size_t n = len < sizeof(ks) ? len : sizeof(ks);
        block(s, ks);
        s[12]++;
        if (src) {
            for (size_t i = 0; i < n; i++)
                dst[i] = src[i] ^ ks[i];
            src += n;
        } else {
            memcpy(dst, ks, n);
        }
        dst += n;
        len -= n;
    }
    crypto_wipe(s, sizeof(s));
    crypto_wipe(ks, sizeof(ks));
}
