/*
 * virtio-blk: a disk. Any number of threads may have requests in flight at
 * once; each waits for its own completion. A read-only disk refuses writes
 * with ERR_READ_ONLY before anything reaches the device.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_BLK_SECTOR 512u

struct virtio_blk;

/* The n-th disk found at boot, or NULL. */
struct virtio_blk *virtio_blk_get(int n);
int virtio_blk_count(void);
uint64_t virtio_blk_sectors(const struct virtio_blk *b);   /* 512-byte sectors */
uint32_t virtio_blk_block_size(const struct virtio_blk *b); /* preferred I/O size */
bool virtio_blk_read_only(const struct virtio_blk *b);
int virtio_blk_read(struct virtio_blk *b, uint64_t sector, void *buf, size_t bytes);
int virtio_blk_write(struct virtio_blk *b, uint64_t sector, const void *buf, size_t bytes);
int virtio_blk_flush(struct virtio_blk *b);

/* Asynchronous read or write of at most 256 KiB: the request is in flight
 * when *_start returns; buf must stay untouched until virtio_blk_finish,
 * which waits for it, frees it and returns its status. Requests may
 * complete in any order: wait for one before starting another that must
 * land after it. */
struct virtio_blk_request;
int virtio_blk_write_start(struct virtio_blk *b, uint64_t sector, const void *buf, size_t bytes,
                           struct virtio_blk_request **out);
int virtio_blk_read_start(struct virtio_blk *b, uint64_t sector, void *buf, size_t bytes,
                          struct virtio_blk_request **out);
int virtio_blk_finish(struct virtio_blk *b, struct virtio_blk_request *req);

struct virtio_blk_stats {
    uint64_t reads, writes, flushes, errors, bytes_read, bytes_written;
};
void virtio_blk_get_stats(const struct virtio_blk *b, struct virtio_blk_stats *out);

#endif
