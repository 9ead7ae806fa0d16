/*
 * The disk adapter (blockdev_virtio.c) on the virtio-blk driver: its
 * callbacks, and the buffer sizes for this node's memory. Kernel only.
 */
#include <string.h>
#include "services/vfs/blockdev_virtio.h"
#include "drivers/virtio/virtio_blk.h"
#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/page.h"
#include "pus/err.h"

_Static_assert(VBLK_SECTOR == VIRTIO_BLK_SECTOR, "one sector size");

/* The driver's largest request: fewer, larger writes keep the disk busier
 * while the filesystem fills the other buffer (small nodes: half). */
#define WRITE_BEHIND_BYTES VBLK_MAX_REQUEST
/* A window of 1 MiB also holds most of the skip-list pointers a sequential
 * reader follows (they point at most a few hundred blocks ahead of it);
 * small nodes get a quarter of that. */
#define READ_AHEAD_BYTES       (1024u * 1024u)
#define READ_AHEAD_BYTES_SMALL (256u * 1024u)
#define SMALL_RAM              (64u << 20)

static int port_read(void *dev, uint64_t sector, void *buf, size_t bytes)
{
    return virtio_blk_read(dev, sector, buf, bytes);
}

static int port_write(void *dev, uint64_t sector, const void *buf, size_t bytes)
{
    return virtio_blk_write(dev, sector, buf, bytes);
}

static int port_read_start(void *dev, uint64_t sector, void *buf, size_t bytes, void **req)
{
    struct virtio_blk_request *r = NULL;
    int status = virtio_blk_read_start(dev, sector, buf, bytes, &r);
    *req = r;
    return status;
}

static int port_write_start(void *dev, uint64_t sector, const void *buf, size_t bytes,
                            void **req)
{
    struct virtio_blk_request *r = NULL;
    int status = virtio_blk_write_start(dev, sector, buf, bytes, &r);
    *req = r;
    return status;
}

static int port_finish(void *dev, void *req)
{
    return virtio_blk_finish(dev, req);
}

static int port_flush(void *dev)
{
    return virtio_blk_flush(dev);
}

static void port_write_refused(void *dev, int index)
{
    (void)dev;
    log_error("vfs: virtio-blk%d is read-only: write refused", index);
}

static const struct vblk_disk_ops virtio_ops = {
    .read = port_read, .write = port_write,
    .read_start = port_read_start, .write_start = port_write_start,
    .finish = port_finish, .flush = port_flush,
    .now_ns = clock_now_ns, .write_refused = port_write_refused,
};

int vblk_bdev_init(struct vblk_bdev *vb, int index, uint32_t block_size, uint32_t block_count)
{
    struct virtio_blk *blk = virtio_blk_get(index);
    if (!blk) {
        memset(vb, 0, sizeof(*vb));        /* vblk_bdev_free may follow */
        return ERR_NO_DEVICE;
    }
    bool small = page_ram_size() < SMALL_RAM;
    struct vblk_disk disk = {
        .ops = &virtio_ops, .dev = blk, .index = index,
        .sectors = virtio_blk_sectors(blk), .read_only = virtio_blk_read_only(blk),
        .write_behind_bytes = small ? WRITE_BEHIND_BYTES / 2 : WRITE_BEHIND_BYTES,
        .read_ahead_bytes = small ? READ_AHEAD_BYTES_SMALL : READ_AHEAD_BYTES,
    };
    return vblk_bdev_attach(vb, &disk, block_size, block_count);
}
