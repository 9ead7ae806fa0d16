/*
 * The spec-test runner of pusvm, built for rv64gc bare metal (picolibc with
 * semihosting) and run under qemu-system-riscv64 by test_riscv.py, so the
 * runtime's floating point is checked on the FPU the kernel uses (RISC-V
 * fmin/fmax, conversions and NaNs differ from x86 and from the wasm spec).
 * Reads the list of converted spec files from rv_list.txt in the current
 * (semihosted) directory, runs each, then powers the machine off through
 * QEMU virt's test finisher with a status telling whether all passed.
 */
#include <stdio.h>
#include <string.h>

#include "pusvm.h"

#define VIRT_TEST_FINISHER 0x100000
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x13333     /* exit status 1 */

int main(void)
{
    FILE *f = fopen("rv_list.txt", "r");
    char line[512];
    int bad = 0;
    if (!f) {
        printf("rv_list.txt missing\n");
        bad = 1;
    }
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        printf("== %s\n", line);
        bad |= run_spec(line);
    }
    if (f)
        fclose(f);
    printf("riscv done %d\n", bad);
    fflush(stdout);
    *(volatile unsigned *)VIRT_TEST_FINISHER = bad ? FINISHER_FAIL : FINISHER_PASS;
    for (;;)
        ;
}
