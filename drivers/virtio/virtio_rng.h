/*
 * virtio-rng: host entropy for the kernel random source (kernel/random.h).
 * The driver feeds the pool by itself (at probe and when the kernel asks);
 * these calls are for the shell and tests.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_RNG_H
#define DRIVERS_VIRTIO_VIRTIO_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_rng_stats {
    uint64_t fetches;     /* buffers that came back with entropy */
    uint64_t bytes;
    uint64_t timeouts;    /* the device took longer than 2 s (0.5 s at probe) */
    uint64_t empty;       /* buffers that came back empty */
};

bool virtio_rng_present(void);
/* Ask the driver's thread for a fresh buffer (irq-safe, does not wait). */
void virtio_rng_request(void);
void virtio_rng_get_stats(struct virtio_rng_stats *out);

#endif
