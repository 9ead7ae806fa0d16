/* Benchmark workload: sieve. Usage: sieve [size]; prints a checksum so runs on
 * different engines can be compared. Built for wasm32-wasi and natively. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/sieve.h"

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 4000000;
    printf("sieve(%u) checksum=0x%08x\n", n, sieve_kernel(n));
    return 0;
}
