/* lib/blockdev device on virtio-blk: see blockdev_virtio.h for the design. */
#include <stdlib.h>
#include <string.h>
#include "services/vfs/blockdev_virtio.h"
#include "drivers/virtio/virtio_blk.h"
#include "kernel/log.h"
#include "pus/err.h"

#define SECTOR VIRTIO_BLK_SECTOR
#define WRITE_BEHIND_BYTES (128u * 1024u)
#define READ_AHEAD_BYTES   (128u * 1024u)

static uint64_t sector_of(struct vblk_bdev *vb, uint32_t block, uint32_t off)
{
    return vb->first_sector + ((uint64_t)block * vb->bd.block_size + off) / SECTOR;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static int refuse_write(struct vblk_bdev *vb)
{
    if (!vb->warned_read_only) {
        log_error("vfs: virtio-blk%d is read-only: write refused", vb->index);
        vb->warned_read_only = true;
    }
    return ERR_READ_ONLY;
}

/* Write out the write-behind buffer (one request). */
static int flush_behind(struct vblk_bdev *vb)
{
    if (!vb->wlen)
        return 0;
    int r = virtio_blk_write(vb->disk, vb->wsector, vb->wbuf, vb->wlen);
    vb->stats.requests_written++;
    vb->stats.bytes_written += vb->wlen;
    vb->wlen = 0;
    return r;
}

static void drop_readahead_over(struct vblk_bdev *vb, uint64_t sector, uint64_t count)
{
    if (vb->ralen && overlaps(sector, count, vb->rasector, vb->ralen / SECTOR))
        vb->ralen = 0;
}

/* Queue bytes (whole sectors) for the disk from sector on. */
static int write_behind(struct vblk_bdev *vb, uint64_t sector, const void *buf, uint32_t bytes)
{
    drop_readahead_over(vb, sector, bytes / SECTOR);
    if (vb->wlen && sector == vb->wsector + vb->wlen / SECTOR &&
        vb->wlen + bytes <= vb->wcap) {
        memcpy(vb->wbuf + vb->wlen, buf, bytes);
        vb->wlen += bytes;
        return 0;
    }
    int r = flush_behind(vb);
    if (r < 0)
        return r;
    if (bytes >= vb->wcap) {
        vb->stats.requests_written++;
        vb->stats.bytes_written += bytes;
        return virtio_blk_write(vb->disk, sector, buf, bytes);
    }
    memcpy(vb->wbuf, buf, bytes);
    vb->wsector = sector;
    vb->wlen = bytes;
    return 0;
}

/* Fill [from, block_size) of a noted block with 0xff and forget the note. */
static int settle_note(struct vblk_bdev *vb, int i)
{
    uint32_t from = vb->notes[i].mark, bs = vb->bd.block_size;
    vb->notes[i].used = false;
    if (from >= bs)
        return 0;
    vb->stats.erase_fill_bytes += bs - from;
    return write_behind(vb, sector_of(vb, vb->notes[i].block, from), vb->ones, bs - from);
}

static int find_note(struct vblk_bdev *vb, uint32_t block)
{
    for (int i = 0; i < VBLK_ERASE_NOTES; i++)
        if (vb->notes[i].used && vb->notes[i].block == block)
            return i;
    return -1;
}

static int vb_read(struct blockdev *bd, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    struct vblk_bdev *vb = bd->ctx;
    int r = blockdev_check(bd, block, off, size);
    if (r)
        return r;
    if (off % SECTOR || size % SECTOR)
        return ERR_INVALID_ARGS;
    uint64_t sector = sector_of(vb, block, off), count = size / SECTOR;
    /* The disk must hold what was programmed before it is read back. */
    if (vb->wlen && overlaps(sector, count, vb->wsector, vb->wlen / SECTOR))
        if ((r = flush_behind(vb)) < 0)
            return r;

    if (vb->ralen && sector >= vb->rasector &&
        sector + count <= vb->rasector + vb->ralen / SECTOR) {
        memcpy(buf, vb->rabuf + (sector - vb->rasector) * SECTOR, size);
        vb->stats.readahead_hits++;
    } else if (sector == vb->next_sector && size < vb->racap) {
        /* Sequential: fetch a whole window, as far as the filesystem goes. */
        uint64_t end = vb->first_sector + (uint64_t)bd->block_count * bd->block_size / SECTOR;
        uint64_t n = end - sector;
        if (n > vb->racap / SECTOR)
            n = vb->racap / SECTOR;
        /* Never read ahead over sectors still waiting in write-behind. */
        if (vb->wlen && overlaps(sector, n, vb->wsector, vb->wlen / SECTOR) &&
            (r = flush_behind(vb)) < 0)
            return r;
        vb->ralen = 0;
        r = virtio_blk_read(vb->disk, sector, vb->rabuf, n * SECTOR);
        vb->stats.requests_read++;
        vb->stats.bytes_read += n * SECTOR;
        if (r < 0)
            return r;
        vb->rasector = sector;
        vb->ralen = (uint32_t)(n * SECTOR);
        memcpy(buf, vb->rabuf, size);
    } else {
        r = virtio_blk_read(vb->disk, sector, buf, size);
        vb->stats.requests_read++;
        vb->stats.bytes_read += size;
        if (r < 0)
            return r;
    }
    vb->next_sector = sector + count;

    /* An erased block reads 0xff past what was programmed into it. */
    int i = find_note(vb, block);
    if (i >= 0 && off + size > vb->notes[i].mark) {
        uint32_t from = vb->notes[i].mark > off ? vb->notes[i].mark - off : 0;
        memset((uint8_t *)buf + from, 0xff, size - from);
    }
    return 0;
}

static int vb_prog(struct blockdev *bd, uint32_t block, uint32_t off, const void *buf,
                   uint32_t size)
{
    struct vblk_bdev *vb = bd->ctx;
    if (vb->read_only)
        return refuse_write(vb);
    int r = blockdev_check(bd, block, off, size);
    if (r)
        return r;
    if (off % SECTOR || size % SECTOR)
        return ERR_INVALID_ARGS;
    int i = find_note(vb, block);
    if (i >= 0) {
        /* Anything skipped since the erase must read as erased later. */
        uint32_t mark = vb->notes[i].mark;
        if (off > mark) {
            vb->stats.erase_fill_bytes += off - mark;
            if ((r = write_behind(vb, sector_of(vb, block, mark), vb->ones, off - mark)) < 0)
                return r;
        }
        if (off + size > mark)
            vb->notes[i].mark = off + size;
        if (vb->notes[i].mark >= bd->block_size)
            vb->notes[i].used = false;
    }
    return write_behind(vb, sector_of(vb, block, off), buf, size);
}

static int vb_erase(struct blockdev *bd, uint32_t block)
{
    struct vblk_bdev *vb = bd->ctx;
    if (vb->read_only)
        return refuse_write(vb);
    int r = blockdev_check(bd, block, 0, 0);
    if (r)
        return r;
    vb->stats.erases++;
    drop_readahead_over(vb, sector_of(vb, block, 0), bd->block_size / SECTOR);
    int i = find_note(vb, block);
    if (i < 0) {
        for (i = 0; i < VBLK_ERASE_NOTES && vb->notes[i].used; i++)
            ;
        if (i == VBLK_ERASE_NOTES) {
            /* Table full: settle the oldest-placed note now. */
            i = (int)(block % VBLK_ERASE_NOTES);
            if ((r = settle_note(vb, i)) < 0)
                return r;
        }
    }
    vb->notes[i].block = block;
    vb->notes[i].mark = 0;
    vb->notes[i].used = true;
    return 0;
}

static int vb_sync(struct blockdev *bd)
{
    struct vblk_bdev *vb = bd->ctx;
    if (vb->read_only)
        return 0;
    int r = 0;
    for (int i = 0; i < VBLK_ERASE_NOTES; i++)
        if (vb->notes[i].used && r == 0)
            r = settle_note(vb, i);
    if (r == 0)
        r = flush_behind(vb);
    if (r == 0)
        r = virtio_blk_flush(vb->disk);
    vb->stats.syncs++;
    return r;
}

int vblk_bdev_init(struct vblk_bdev *vb, int index, uint32_t block_size, uint32_t block_count)
{
    memset(vb, 0, sizeof(*vb));
    vb->disk = virtio_blk_get(index);
    if (!vb->disk)
        return ERR_NO_DEVICE;
    if (block_size < SECTOR || block_size % SECTOR || !block_count ||
        (uint64_t)block_count * (block_size / SECTOR) > virtio_blk_sectors(vb->disk))
        return ERR_INVALID_ARGS;
    vb->index = index;
    vb->read_only = virtio_blk_read_only(vb->disk);
    vb->wcap = WRITE_BEHIND_BYTES;
    vb->racap = READ_AHEAD_BYTES;
    vb->wbuf = malloc(vb->wcap);
    vb->rabuf = malloc(vb->racap);
    vb->ones = malloc(block_size);
    if (!vb->wbuf || !vb->rabuf || !vb->ones) {
        vblk_bdev_free(vb);
        return ERR_NO_MEMORY;
    }
    memset(vb->ones, 0xff, block_size);
    vb->next_sector = UINT64_MAX;
    vb->bd = (struct blockdev){
        .read_size = SECTOR, .prog_size = SECTOR,
        .block_size = block_size, .block_count = block_count,
        .read = vb_read, .prog = vb_prog, .erase = vb_erase, .sync = vb_sync,
        .ctx = vb,
    };
    return 0;
}

void vblk_bdev_free(struct vblk_bdev *vb)
{
    free(vb->wbuf);
    free(vb->rabuf);
    free(vb->ones);
    vb->wbuf = vb->rabuf = vb->ones = NULL;
}

void vblk_bdev_drop_readahead(struct vblk_bdev *vb)
{
    vb->ralen = 0;
    vb->next_sector = UINT64_MAX;
}
