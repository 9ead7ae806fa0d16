/* random: bytes from the kernel random source, its state, a forced reseed. */
#include <stdlib.h>
#include <string.h>
#include "services/shell/shell.h"
#include "drivers/virtio/virtio_rng.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/random.h"
#include "crypto/sha256.h"

#define MAX_BYTES 4096

static void show_source(const char *name, uint64_t bits, uint64_t bytes, uint32_t count, void *arg)
{
    (void)arg;
    kprintf("  %-14s %8llu bits credited, %8llu bytes in %u inputs\n", name,
            (unsigned long long)bits, (unsigned long long)bytes, count);
}

static int show_info(void)
{
    struct random_stats st;
    random_get_stats(&st);
    kprintf("random: %s, %llu bits credited, %u bits waiting in the pool\n",
            st.seeded ? "seeded" : "NOT fully seeded", (unsigned long long)st.credited_bits,
            st.pool_bits);
    kprintf("  %llu reseeds (last %llu s ago), %llu requests, %llu bytes out\n",
            (unsigned long long)st.reseeds,
            (unsigned long long)((clock_now_ns() - st.last_reseed_ns) / 1000000000ull),
            (unsigned long long)st.requests, (unsigned long long)st.bytes);
    random_for_each_source(show_source, NULL);
    if (virtio_rng_present()) {
        struct virtio_rng_stats vs;
        virtio_rng_get_stats(&vs);
        kprintf("  virtio-rng: %llu fetches, %llu bytes, %llu timeouts, %llu empty\n",
                (unsigned long long)vs.fetches, (unsigned long long)vs.bytes,
                (unsigned long long)vs.timeouts, (unsigned long long)vs.empty);
    } else {
        kprintf("  virtio-rng: none\n");
    }
    return 0;
}

/* Request rate and throughput of random_bytes, with SHA-256 over the same
   4 KiB buffers as an anchor measured in the same run (bench/random/run). */
static int run_bench(void)
{
    static uint8_t buf[4096];
    uint8_t small[32], digest[32];
    const uint64_t window = 200000000ull;     /* 0.2 s each */
    uint64_t n = 0, t0 = clock_now_ns(), t;
    do {
        for (int i = 0; i < 100; i++, n++)
            random_bytes(small, sizeof(small));
        t = clock_now_ns();
    } while (t - t0 < window);
    kprintf("random_32B_per_s %llu\n", (unsigned long long)(n * 1000000000ull / (t - t0)));

    n = 0;
    t0 = clock_now_ns();
    do {
        for (int i = 0; i < 10; i++, n++)
            random_bytes(buf, sizeof(buf));
        t = clock_now_ns();
    } while (t - t0 < window);
    kprintf("random_4k_kib_s %llu\n", (unsigned long long)(n * 4ull * 1000000000ull / (t - t0)));

    n = 0;
    t0 = clock_now_ns();
    do {
        for (int i = 0; i < 10; i++, n++)
            sha256(buf, sizeof(buf), digest);
        t = clock_now_ns();
    } while (t - t0 < window);
    kprintf("sha256_4k_kib_s %llu\n", (unsigned long long)(n * 4ull * 1000000000ull / (t - t0)));
    return 0;
}

static int cmd_random(int argc, char **argv)
{
    if (argc > 2)
        return shell_usage("random");
    if (argc == 2 && strcmp(argv[1], "info") == 0)
        return show_info();
    if (argc == 2 && strcmp(argv[1], "bench") == 0)
        return run_bench();
    if (argc == 2 && strcmp(argv[1], "reseed") == 0) {
        random_request_entropy();     /* devices answer in their own time */
        random_reseed();
        kprintf("random: reseeded\n");
        return 0;
    }
    long n = 32;
    if (argc == 2) {
        if (!shell_parse_long(argv[1], 1, MAX_BYTES, &n)) {
            kprintf("error: random: N must be a number from 1 to %d\n", MAX_BYTES);
            return SHELL_ERR_REPORTED;
        }
    }
    static const char digits[] = "0123456789abcdef";
    uint8_t chunk[32];
    char line[2 * sizeof(chunk) + 1];
    while (n > 0) {
        size_t k = n < (long)sizeof(chunk) ? (size_t)n : sizeof(chunk);
        random_bytes(chunk, k);
        for (size_t i = 0; i < k; i++) {
            line[2 * i] = digits[chunk[i] >> 4];
            line[2 * i + 1] = digits[chunk[i] & 15];
        }
        line[2 * k] = '\0';
        kprintf("%s\n", line);
        n -= (long)k;
    }
    return 0;
}
SHELL_COMMAND(random, "random [N | info | reseed | bench]",
              "N random bytes in hex (default 32); info: sources and state; reseed: now; "
              "bench: speed",
              cmd_random);
