/* Hex helpers shared by the crypto unit tests. */
#ifndef TEST_CRYPTO_HEX_H
#define TEST_CRYPTO_HEX_H

#include <stdio.h>
#include <string.h>

static inline void to_hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = 0;
}

#endif
