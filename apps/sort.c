/* Benchmark workload: sort. Usage: sort [size]; prints a checksum so runs on
 * different engines can be compared. Built for wasm32-wasi and natively. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/sort.h"

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1000000;
    printf("sort(%u) checksum=0x%08x\n", n, sort_kernel(n));
    return 0;
}
