/*
 * ChaCha20 stream cipher as RFC 8439 (section 2) defines it: a 256-bit key,
 * a 32-bit block counter and a 96-bit nonce; each block of keystream is 64
 * bytes. Portable C, no tables, constant time (only adds, xors, rotates).
 *
 * The keystream of one (key, nonce) pair is 2^32 blocks (256 GiB) long; a
 * caller must not ask for more than that from one starting counter (the
 * counter would wrap and repeat keystream).
 */
#ifndef CRYPTO_CHACHA20_H
#define CRYPTO_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_SIZE   32
#define CHACHA20_NONCE_SIZE 12
#define CHACHA20_BLOCK_SIZE 64

/* One keystream block (section 2.3): the block function for `counter`. */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE_SIZE],
                    uint8_t out[CHACHA20_BLOCK_SIZE]);

/*
 * Encrypts or decrypts (section 2.4): out = in XOR keystream, the keystream
 * starting at block `counter`. in and out may be the same buffer. With in
 * NULL, out receives the keystream itself.
 */
void chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
                  const uint8_t nonce[CHACHA20_NONCE_SIZE],
                  const void *in, void *out, size_t len);

#endif
