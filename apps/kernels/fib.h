/* Naive recursive Fibonacci: calls and returns, nothing else.
 * Freestanding: no libc. */
#include <stdint.h>

static uint32_t fib_rec(uint32_t n)
{
    return n < 2 ? n : fib_rec(n - 1) + fib_rec(n - 2);
}

static uint32_t fib_kernel(uint32_t n)
{
    return fib_rec(n);
}
