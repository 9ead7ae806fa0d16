/*
 * The kernel's one random source: a ChaCha20 CSPRNG with fast key erasure
 * (lib/crypto/csprng.c) fed by every entropy source the node has.
 *
 * Seeded at boot (INIT_LEVEL_PLATFORM) from the devicetree's
 * /chosen/rng-seed (QEMU virt passes 32 bytes from the host; not credited
 * with the bootarg random.trust_bootloader=off), timer jitter,
 * the RTC and the boot counters; then from drivers as entropy arrives
 * (virtio-rng at probe and when a request comes a minute or more after
 * the last reseed, MAC addresses from the network
 * service). Never blocks: before any credited entropy has arrived, output
 * is only as unpredictable as the timer jitter it was seeded with; the boot
 * log says which sources seeded it (`random info` shows the totals).
 *
 * Locking: one global state guarded by random_lock, a spinlock taken with
 * interrupts off, so every function here may be called from any thread on
 * any hart and from interrupt handlers (timer callbacks, device ISRs).
 * Work under the lock is bounded: output is produced in pieces of at most
 * RANDOM_PIECE bytes, dropping the lock between pieces; keep requests from
 * interrupt context small (a few dozen bytes).
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RANDOM_PIECE 256

void random_bytes(void *buf, size_t n);
uint32_t random_u32(void);
uint64_t random_u64(void);
/* Uniform in [0, bound) without modulo bias; 0 when bound is 0. */
uint32_t random_below(uint32_t bound);

/*
 * Mix data into the entropy pool, believed to hold bits_estimate bits of
 * entropy (0 for data that only tells nodes apart, such as a MAC address).
 * The data is hashed, never kept. A driver may name itself with
 * random_add_entropy_from so that `random info` can show its share;
 * source must be a string constant.
 */
void random_add_entropy(const void *data, size_t n, unsigned bits_estimate);
void random_add_entropy_from(const char *source, const void *data, size_t n,
                             unsigned bits_estimate);

/*
 * A device that can produce entropy on request (virtio-rng) registers a
 * callback; the kernel calls it (outside the lock, possibly in interrupt
 * context, so it must only signal its thread) when the pool has gone
 * RANDOM_RESEED_NS without a reseed, and `random reseed` calls it too.
 */
#define RANDOM_RESEED_NS (60ull * 1000000000ull)
void random_register_source(const char *name, void (*request)(void));
void random_request_entropy(void);

/* Fold everything in the pool into the key now. */
void random_reseed(void);

struct random_stats {
    bool seeded;               /* 256 credited bits have reached the key */
    uint64_t credited_bits;
    uint64_t reseeds;
    uint64_t requests;
    uint64_t bytes;
    uint64_t last_reseed_ns;
    unsigned pool_bits;        /* credit waiting in the pool */
};
void random_get_stats(struct random_stats *out);

/* Per-source totals, for `random info`: calls fn for each named source. */
void random_for_each_source(void (*fn)(const char *name, uint64_t bits, uint64_t bytes,
                                       uint32_t count, void *arg),
                            void *arg);

#endif
