/*
 * Throughput of lib/crypto: SHA-256 over a large buffer, and HMAC-SHA256
 * tags of heartbeat-sized messages (the controller's cost per heartbeat).
 * Prints two lines "sha256_mb_s N" and "hmac_per_s N" for bench/cluster/run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(i * 31);
    unsigned char d[32];
    double t0 = now_s();
    sha256(buf, len, d);
    double t1 = now_s();
    printf("sha256_mb_s %.1f\n", mib * 1.048576 / (t1 - t0));

    struct hmac_sha256 key;
    hmac_sha256_init(&key, "0123456789abcdef0123456789abcdef", 32);
    long n = 0;
    t0 = now_s();
    do {
        for (int i = 0; i < 1000; i++, n++) {
            struct hmac_sha256 m = key;
            buf[0] = (unsigned char)n;
            hmac_sha256_update(&m, buf, 318);   /* largest heartbeat before its tag */
            hmac_sha256_final(&m, d);
        }
        t1 = now_s();
    } while (t1 - t0 < 0.5);
    printf("hmac_per_s %.0f\n", n / (t1 - t0));
    free(buf);
    printf("# last tag byte %02x\n", d[0]);   /* keeps the work from being optimised away */
    return 0;
}
