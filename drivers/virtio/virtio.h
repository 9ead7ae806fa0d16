/*
 * Shared virtio-mmio transport (virtio 1.2 spec, section 4.2) for both
 * register layouts QEMU offers: legacy (version 1, QEMU's default for
 * virtio-mmio) and modern (version 2, -global virtio-mmio.force-legacy=false).
 * Device drivers (blk, net) probe through virtio_find(), negotiate features,
 * set up split virtqueues and get their interrupts through here.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/spinlock.h"

#define VIRTIO_DEV_NET 1
#define VIRTIO_DEV_BLK 2
#define VIRTIO_DEV_RNG 4

#define VIRTIO_F_VERSION_1 32

struct virtio_device {
    uintptr_t base;
    uint32_t irq;
    uint32_t version;            /* 1 legacy, 2 modern */
    uint32_t device_id;
    uint64_t features;           /* negotiated */
    int slot;                    /* index among the virtio-mmio nodes */
    void (*isr)(struct virtio_device *dev, uint32_t status);  /* set by the driver */
    void *driver_data;
    bool claimed;
};

/* Find the n-th (0-based) unclaimed device of a type; NULL if none. */
struct virtio_device *virtio_find(uint32_t device_id, int n);
/* Reset, acknowledge, negotiate: the device offers, we want `wanted`
   (VERSION_1 is added for modern devices). Returns 0 or ERR_NOT_SUPPORTED
   if the device rejects the set. */
int virtio_begin(struct virtio_device *dev, uint64_t wanted);
/* DRIVER_OK: the device may now use its queues. */
void virtio_finish(struct virtio_device *dev);
void virtio_fail(struct virtio_device *dev);
bool virtio_has(const struct virtio_device *dev, unsigned feature);
uint8_t virtio_config_read8(struct virtio_device *dev, size_t off);
uint16_t virtio_config_read16(struct virtio_device *dev, size_t off);
uint32_t virtio_config_read32(struct virtio_device *dev, size_t off);
uint64_t virtio_config_read64(struct virtio_device *dev, size_t off);
/* Route the device's interrupt to dev->isr. */
int virtio_enable_irq(struct virtio_device *dev);

/* --- split virtqueues ------------------------------------------------ */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_buf {
    void *addr;
    uint32_t len;
    bool device_writes;          /* in-buffer (device writes into it) */
};

struct virtqueue {
    struct virtio_device *dev;
    uint16_t index;
    uint16_t size;
    struct virtq_desc *desc;
    volatile uint16_t *avail;    /* flags, idx, ring[size], used_event */
    volatile uint8_t *used;      /* flags, idx, ring[size] of {id, len} */
    uint16_t free_head;
    uint16_t num_free;
    uint16_t last_used;
    void **tokens;               /* per head descriptor */
    void *mem;
    size_t mem_pages;
    spinlock_t lock;             /* guards everything above */
};

/* Set up queue `index` with up to max_size entries (power of two). */
int virtq_init(struct virtqueue *vq, struct virtio_device *dev, uint16_t index, uint16_t max_size);
/* Post a chain (device-readable buffers first). ERR_NO_SPACE if full.
   The token comes back from virtq_pop when the device is done. */
int virtq_push(struct virtqueue *vq, const struct virtq_buf *bufs, int n, void *token);
/* Tell the device there is work (after one or several pushes). */
void virtq_kick(struct virtqueue *vq);
/* Take one completed chain: its token and the bytes the device wrote;
   NULL when none is ready. */
void *virtq_pop(struct virtqueue *vq, uint32_t *written);
unsigned virtq_free_slots(struct virtqueue *vq);

#endif
