/*
 * nativebench NAME [size]: a compute workload of apps/kernels/ compiled as
 * native RISC-V kernel code, the anchor bench/wasmnode compares the same
 * workload under the wasm interpreter with. Prints the checksum in the
 * apps' format ("sieve(N) checksum=0x...") and the time it took.
 *
 * The kernels keep their arrays in static storage (up to 16 MiB each).
 * Linked into the kernel as they are, those arrays would take 38 MiB of
 * every node's RAM, so each is renamed (by a macro, before the header is
 * read) into a pointer to an array of the same type, allocated for the run
 * and freed after it: the code indexes it exactly as before. The pointers
 * are static and their addresses never taken, so the compiler knows the
 * array stores cannot change them and keeps them in registers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "pus/err.h"
#include "services/shell/shell.h"

#define sieve_composite (*nb_sieve)
#define matmul_a (*nb_matmul_a)
#define matmul_b (*nb_matmul_b)
#define matmul_c (*nb_matmul_c)
#define sort_data (*nb_sort)
#include "kernels/fib.h"
#include "kernels/matmul.h"
#include "kernels/sha256.h"
#include "kernels/sieve.h"
#include "kernels/sort.h"

/* Allocates (or, with alloc false, frees) a workload's arrays. Assigning
 * the pointers here, never through their addresses, keeps them
 * address-not-taken. */
#define BUFFER(p, alloc) ((alloc) ? ((p) = malloc(sizeof *(p))) != NULL : (free(p), (p) = NULL, true))

static bool sieve_buffers(bool alloc) { return BUFFER(nb_sieve, alloc); }
static bool sort_buffers(bool alloc) { return BUFFER(nb_sort, alloc); }
static bool no_buffers(bool alloc) { return true; }

static bool matmul_buffers(bool alloc)
{
    bool ok = BUFFER(nb_matmul_a, alloc) & BUFFER(nb_matmul_b, alloc) &
              BUFFER(nb_matmul_c, alloc);
    if (alloc && !ok)
        matmul_buffers(false);
    return ok;
}

struct workload {
    const char *name;
    uint32_t default_size;
    uint32_t max_size;          /* the kernels clamp larger sizes, or fib's sum overflows */
    uint32_t (*run)(uint32_t n);
    bool (*buffers)(bool alloc);
};

static const struct workload workloads[] = {
    {"sieve", 4000000, SIEVE_MAX, sieve_kernel, sieve_buffers},
    {"matmul", 200, MATMUL_MAX, matmul_kernel, matmul_buffers},
    {"sha256", 4096, 1u << 20, sha256_kernel, no_buffers},     /* KiB */
    {"sort", 1000000, SORT_MAX, sort_kernel, sort_buffers},
    {"fib", 30, 47, fib_kernel, no_buffers},
};

/* A size: decimal digits only, the whole argument, 1..max. */
static bool parse_size(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return false;
    }
    if (v == 0)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int cmd_nativebench(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return shell_usage("nativebench");
    const struct workload *w = NULL;
    for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++)
        if (strcmp(workloads[i].name, argv[1]) == 0)
            w = &workloads[i];
    if (!w) {
        kprintf("error: nativebench: no workload '%s' (sieve matmul sha256 sort fib)\n", argv[1]);
        return SHELL_ERR_REPORTED;
    }
    uint32_t n = w->default_size;
    if (argc == 3 && !parse_size(argv[2], w->max_size, &n)) {
        kprintf("error: nativebench: %s: size '%s' is not a number 1..%u\n", w->name, argv[2],
                w->max_size);
        return SHELL_ERR_REPORTED;
    }
    if (!w->buffers(true)) {
        kprintf("error: nativebench: %s: not enough memory for its arrays\n", w->name);
        return SHELL_ERR_REPORTED;
    }
    uint64_t t0 = clock_now_ns();
    uint32_t sum = w->run(n);
    uint64_t dt = clock_now_ns() - t0;
    w->buffers(false);
    kprintf("%s(%u) checksum=0x%08x\n", w->name, n, sum);
    kprintf("nativebench %s: %llu.%06llu s\n", w->name, (unsigned long long)(dt / 1000000000u),
            (unsigned long long)(dt % 1000000000u / 1000));
    return 0;
}
SHELL_COMMAND(nativebench, "nativebench sieve|matmul|sha256|sort|fib [size]",
              "run a compute workload as native code (the anchor of bench/wasmnode)",
              cmd_nativebench);
