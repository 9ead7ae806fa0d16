/*
 * Host throughput of lib/crypto, one program for every benchmark that needs
 * it: SHA-256 over a large buffer; HMAC-SHA256 tags of heartbeat-sized
 * messages (the cluster controller's cost per heartbeat, bench/cluster);
 * the ChaCha20 keystream and the CSPRNG core (bench/random). Prints
 * "name value" lines.
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
    if (mib == 0 || mib > 4096) {
        fprintf(stderr, "usage: cryptobench [MIB, 1..4096]\n");
        return 2;
    }
    size_t len = mib << 20;
    unsigned char *buf = malloc(len);
    if (!buf) {
        fprintf(stderr, "cryptobench: cannot allocate %zu MiB\n", mib);
        return 1;
    }
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

    struct hmac_sha256 hkey;
    hmac_sha256_init(&hkey, "0123456789abcdef0123456789abcdef", 32);
    long n = 0;
    t0 = now_s();
    do {
        for (int i = 0; i < 1000; i++, n++) {
            struct hmac_sha256 m = hkey;
            buf[0] = (unsigned char)n;
            hmac_sha256_update(&m, buf, 318);   /* largest heartbeat before its tag */
            hmac_sha256_final(&m, d);
        }
        t1 = now_s();
    } while (t1 - t0 < 0.5);
    printf("hmac_per_s %.0f\n", n / (t1 - t0));

    struct csprng r;
    csprng_init(&r);
    csprng_add_entropy(&r, key, sizeof(key), 256);
    unsigned char small[32];
    n = 0;
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
    printf("# %02x %02x %02x\n", d[0], small[0], buf[0]);   /* keeps the work from being optimised away */
    free(buf);
    return 0;
}
