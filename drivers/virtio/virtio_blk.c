/*
 * virtio-blk driver. A request is three descriptors: the 16-byte header
 * (type, sector), the data, and one status byte the device writes back.
 * The interrupt handler pops finished requests and signals their events.
 */
#include <stdlib.h>
#include <string.h>
#include "drivers/virtio/virtio_blk.h"
#include "drivers/virtio/virtio.h"
#include "kernel/event.h"
#include "kernel/init.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

#define VIRTIO_BLK_T_IN    0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define MAX_DISKS 4
#define QUEUE_SIZE 128

struct blk_request {
    struct {
        uint32_t type;
        uint32_t reserved;
        uint64_t sector;
    } header;
    volatile uint8_t status;
    struct event done;
};

struct virtio_blk {
    struct virtio_device *dev;
    struct virtqueue vq;
    uint64_t sectors;
    uint32_t block_size;
    bool read_only;
    bool can_flush;
    struct event slot_free;       /* signalled when descriptors are returned */
    struct virtio_blk_stats stats;
};

static struct virtio_blk *disks[MAX_DISKS];
static int disk_count;

static void blk_isr(struct virtio_device *dev, uint32_t status)
{
    struct virtio_blk *b = dev->driver_data;
    struct blk_request *req;
    while ((req = virtq_pop(&b->vq, NULL)) != NULL)
        event_signal(&req->done);
    event_signal(&b->slot_free);
}

/* Post one request; the caller waits for it with finish(). */
static int start(struct virtio_blk *b, uint32_t type, uint64_t sector, void *buf, size_t bytes,
                 struct blk_request **out)
{
    struct blk_request *req = malloc(sizeof(*req));
    if (!req)
        return ERR_NO_MEMORY;
    req->header.type = type;
    req->header.reserved = 0;
    req->header.sector = sector;
    req->status = 0xff;
    event_init(&req->done, false, false);

    struct virtq_buf bufs[3];
    int n = 0;
    bufs[n++] = (struct virtq_buf){ &req->header, sizeof(req->header), false };
    if (bytes)
        bufs[n++] = (struct virtq_buf){ buf, (uint32_t)bytes, type == VIRTIO_BLK_T_IN };
    bufs[n++] = (struct virtq_buf){ (void *)&req->status, 1, true };

    int r;
    while ((r = virtq_push(&b->vq, bufs, n, req)) == ERR_NO_SPACE)
        event_wait(&b->slot_free);           /* queue full: wait for a completion */
    if (r < 0) {
        free(req);
        return r;
    }
    virtq_kick(&b->vq);
    *out = req;
    return 0;
}

static int finish(struct virtio_blk *b, struct blk_request *req)
{
    event_wait(&req->done);
    uint8_t status = req->status;
    free(req);
    if (status == VIRTIO_BLK_S_OK)
        return 0;
    b->stats.errors++;
    return status == VIRTIO_BLK_S_UNSUPP ? ERR_NOT_SUPPORTED : ERR_IO;
}

static int submit(struct virtio_blk *b, uint32_t type, uint64_t sector, void *buf, size_t bytes)
{
    struct blk_request *req;
    int r = start(b, type, sector, buf, bytes, &req);
    return r < 0 ? r : finish(b, req);
}

static int check_range(struct virtio_blk *b, uint64_t sector, size_t bytes)
{
    if (bytes % VIRTIO_BLK_SECTOR)
        return ERR_INVALID_ARGS;
    if (sector > b->sectors || bytes / VIRTIO_BLK_SECTOR > b->sectors - sector)
        return ERR_RANGE;
    return 0;
}

/* Large transfers go as several requests of at most this size. */
#define MAX_REQUEST_BYTES (256u * 1024u)

int virtio_blk_read(struct virtio_blk *b, uint64_t sector, void *buf, size_t bytes)
{
    int r = check_range(b, sector, bytes);
    if (r < 0)
        return r;
    while (bytes) {
        size_t n = bytes < MAX_REQUEST_BYTES ? bytes : MAX_REQUEST_BYTES;
        if ((r = submit(b, VIRTIO_BLK_T_IN, sector, buf, n)) < 0)
            return r;
        b->stats.reads++;
        b->stats.bytes_read += n;
        sector += n / VIRTIO_BLK_SECTOR;
        buf = (uint8_t *)buf + n;
        bytes -= n;
    }
    return 0;
}

int virtio_blk_write(struct virtio_blk *b, uint64_t sector, const void *buf, size_t bytes)
{
    if (b->read_only)
        return ERR_READ_ONLY;
    int r = check_range(b, sector, bytes);
    if (r < 0)
        return r;
    while (bytes) {
        size_t n = bytes < MAX_REQUEST_BYTES ? bytes : MAX_REQUEST_BYTES;
        if ((r = submit(b, VIRTIO_BLK_T_OUT, sector, (void *)buf, n)) < 0)
            return r;
        b->stats.writes++;
        b->stats.bytes_written += n;
        sector += n / VIRTIO_BLK_SECTOR;
        buf = (const uint8_t *)buf + n;
        bytes -= n;
    }
    return 0;
}

/* One asynchronous request of at most MAX_REQUEST_BYTES, counted. */
static int start_counted(struct virtio_blk *b, uint32_t type, uint64_t sector, void *buf,
                         size_t bytes, struct virtio_blk_request **out)
{
    int r = check_range(b, sector, bytes);
    if (r < 0)
        return r;
    if (bytes == 0 || bytes > MAX_REQUEST_BYTES)
        return ERR_TOO_BIG;
    struct blk_request *req;
    if ((r = start(b, type, sector, buf, bytes, &req)) < 0)
        return r;
    if (type == VIRTIO_BLK_T_OUT) {
        b->stats.writes++;
        b->stats.bytes_written += bytes;
    } else {
        b->stats.reads++;
        b->stats.bytes_read += bytes;
    }
    *out = (struct virtio_blk_request *)req;
    return 0;
}

int virtio_blk_write_start(struct virtio_blk *b, uint64_t sector, const void *buf, size_t bytes,
                           struct virtio_blk_request **out)
{
    if (b->read_only)
        return ERR_READ_ONLY;
    return start_counted(b, VIRTIO_BLK_T_OUT, sector, (void *)buf, bytes, out);
}

int virtio_blk_read_start(struct virtio_blk *b, uint64_t sector, void *buf, size_t bytes,
                          struct virtio_blk_request **out)
{
    return start_counted(b, VIRTIO_BLK_T_IN, sector, buf, bytes, out);
}

int virtio_blk_finish(struct virtio_blk *b, struct virtio_blk_request *req)
{
    return finish(b, (struct blk_request *)req);
}

int virtio_blk_flush(struct virtio_blk *b)
{
    if (b->read_only)
        return 0;
    if (!b->can_flush)
        return 0;          /* no volatile write cache to flush */
    b->stats.flushes++;
    return submit(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

struct virtio_blk *virtio_blk_get(int n)
{
    return n >= 0 && n < disk_count ? disks[n] : NULL;
}

int virtio_blk_count(void) { return disk_count; }
uint64_t virtio_blk_sectors(const struct virtio_blk *b) { return b->sectors; }
uint32_t virtio_blk_block_size(const struct virtio_blk *b) { return b->block_size; }
bool virtio_blk_read_only(const struct virtio_blk *b) { return b->read_only; }

void virtio_blk_get_stats(const struct virtio_blk *b, struct virtio_blk_stats *out)
{
    *out = b->stats;
}

static int probe_one(struct virtio_device *dev)
{
    struct virtio_blk *b = calloc(1, sizeof(*b));
    if (!b)
        return ERR_NO_MEMORY;
    int r = virtio_begin(dev, (1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                              (1ull << VIRTIO_BLK_F_FLUSH));
    if (r < 0)
        goto fail;
    b->dev = dev;
    dev->driver_data = b;
    dev->isr = blk_isr;
    event_init(&b->slot_free, false, true);
    b->sectors = virtio_config_read64(dev, 0);
    b->block_size = virtio_has(dev, VIRTIO_BLK_F_BLK_SIZE) ? virtio_config_read32(dev, 20) : 512;
    b->read_only = virtio_has(dev, VIRTIO_BLK_F_RO);
    b->can_flush = virtio_has(dev, VIRTIO_BLK_F_FLUSH);
    if ((r = virtq_init(&b->vq, dev, 0, QUEUE_SIZE)) < 0)
        goto fail;
    if ((r = virtio_enable_irq(dev)) < 0)
        goto fail;
    virtio_finish(dev);
    disks[disk_count++] = b;
    log_info("virtio-blk%d: %llu MiB, block %u, %s%s, virtio-mmio v%u, irq %u", disk_count - 1,
             (unsigned long long)(b->sectors * VIRTIO_BLK_SECTOR >> 20), b->block_size,
             b->read_only ? "read-only" : "read-write", b->can_flush ? ", flush" : "",
             dev->version, dev->irq);
    return 0;
fail:
    virtio_fail(dev);
    free(b);
    return r;
}

static int virtio_blk_init(void)
{
    struct virtio_device *dev;
    int found = 0;
    while (disk_count < MAX_DISKS && (dev = virtio_find(VIRTIO_DEV_BLK, 0)) != NULL) {
        int r = probe_one(dev);
        if (r < 0)
            log_warn("virtio-blk: device in slot %d failed: %s", dev->slot, err_str(r));
        else
            found++;
    }
    return 0;
}
INIT_HOOK(virtio_blk, INIT_LEVEL_DRIVERS, virtio_blk_init);
