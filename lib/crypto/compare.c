/* Constant-time comparison and wiping, for tags and key material. */
#include "crypto/sha256.h"

bool crypto_equal(const void *a, const void *b, size_t n)
{
    /* volatile keeps the compiler from turning this into an early-exit
     * memcmp: every byte is always read and folded in. */
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

void crypto_wipe(void *p, size_t n)
{
    volatile uint8_t *q = p;
    while (n--)
        *q++ = 0;
}
