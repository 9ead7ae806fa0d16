/* Benchmark workload: sha256. Usage: sha256 [size]; prints a checksum so runs on
 * different engines can be compared. Built for wasm32-wasi and natively. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/sha256.h"

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 4096;
    printf("sha256(%u) checksum=0x%08x\n", n, sha256_kernel(n));
    return 0;
}
