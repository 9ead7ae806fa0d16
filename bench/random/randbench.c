/*
 * Host throughput of lib/crypto's ChaCha20 and CSPRNG core, with SHA-256
 * over the same bytes as the anchor measured in the same run. Prints
 * "name value" lines for bench/random/run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/chacha20.h"
#include "crypto/csprng.h"
#include "crypto/sha256.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 64;
    size_t len = mib << 20;
    unsigned char *buf = malloc(len);
    if (!buf)
        return 1;
    static const unsigned char key[32] = { 1, 2, 3 }, nonce[12];

    double t0 = now_s();
    chacha20_xor(key, 0, nonce, NULL, buf, len);
    double t1 = now_s();
    printf("chacha20_mb_s %.1f\n", mib * 1.048576 / (t1 - t0));

    unsigned char d[32];
    t0 = now_s();
    sha256(buf, len, d);
    t1 = now_s();
    printf("sha256_mb_s %.1f\n", mib * 1.048576 / (t1 - t0));

    struct csprng r;
    csprng_init(&r);
    csprng_add_entropy(&r, key, sizeof(key), 256);
    long n = 0;
    unsigned char small[32];
    t0 = now_s();
    do {
        for (int i = 0; i < 10000; i++, n++)
            csprng_generate(&r, small, sizeof(small));
        t1 = now_s();
    } while (t1 - t0 < 0.5);
    printf("csprng_32B_per_s %.0f\n", n / (t1 - t0));

    n = 0;
    t0 = now_s();
    do {
        for (int i = 0; i < 1000; i++, n++)
            csprng_generate(&r, buf, 4096);
        t1 = now_s();
    } while (t1 - t0 < 0.5);
    printf("csprng_4k_mb_s %.1f\n", n * 4096 / 1e6 / (t1 - t0));
    printf("# %02x %02x %02x\n", d[0], small[0], buf[0]);   /* keep the work */
    free(buf);
    return 0;
}
