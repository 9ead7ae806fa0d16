/* Sieve of Eratosthenes below n (n <= SIEVE_MAX): memory and branch heavy.
 * Returns a checksum of the primes found. Freestanding: no libc. */
#include <stdint.h>

#define SIEVE_MAX (1u << 24)
static uint8_t sieve_composite[SIEVE_MAX];

static uint32_t sieve_kernel(uint32_t n)
{
    if (n > SIEVE_MAX)
        n = SIEVE_MAX;
    for (uint32_t i = 0; i < n; i++)
        sieve_composite[i] = 0;
    uint32_t count = 0, sum = 0;
    for (uint32_t i = 2; i < n; i++) {
        if (sieve_composite[i])
            continue;
        count++;
        sum = sum * 31u + i;
        for (uint64_t j = (uint64_t)i * i; j < n; j += i)
            sieve_composite[j] = 1;
    }
    return count ^ (sum << 1);
}
