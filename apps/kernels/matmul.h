/* Dense n x n double matrix product (n <= MATMUL_MAX): floating-point
 * arithmetic and array indexing. Returns a checksum of the result's bits.
 * Freestanding: no libc. The operation order is fixed, so native and wasm
 * builds give bit-identical results. */
#include <stdint.h>

#define MATMUL_MAX 512
static double matmul_a[MATMUL_MAX * MATMUL_MAX], matmul_b[MATMUL_MAX * MATMUL_MAX],
    matmul_c[MATMUL_MAX * MATMUL_MAX];

static uint32_t matmul_kernel(uint32_t n)
{
    if (n > MATMUL_MAX)
        n = MATMUL_MAX;
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < n; j++) {
            matmul_a[i * n + j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
            matmul_b[i * n + j] = (double)((i * 5 + j * 11) % 13) / 4.0 + 0.25;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < n; j++) {
            double s = 0.0;
            for (uint32_t k = 0; k < n; k++)
                s += matmul_a[i * n + k] * matmul_b[k * n + j];
            matmul_c[i * n + j] = s;
        }
    }
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n * n; i++) {
        union { double d; uint64_t u; } v = {matmul_c[i]};
        h = (h ^ v.u) * 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}
