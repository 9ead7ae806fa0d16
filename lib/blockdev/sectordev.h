/*
 * Serve the block-device interface from a disk with fixed-size sectors
 * (virtio-blk's 512 bytes, or a host file).
 *
 * Filesystem block b, byte off lives at disk byte b*block_size + off, so a
 * 4096-byte block is 8 consecutive 512-byte sectors. read_size and
 * prog_size are the sector size: the filesystem then only asks for whole,
 * aligned sectors, which the driver transfers directly.
 *
 * Erase is emulated. A disk has no erase, and littlefs v2.1 does not need a
 * particular erased value: each commit records (FCRC) what the bytes after
 * it looked like, and perturbs a valid bit so that stale bytes never parse
 * as a commit. So a no-op erase would be correct. By default we still fill
 * the block with 0xff, one write per block, because the reference images
 * and the reference tools assume 0xff (a dump of our disk then looks like a
 * flash dump, and an older lfs2.0 reader appending to it stays correct).
 * Set erase_noop to skip that write where disk bandwidth matters.
 */
#ifndef PUS_SECTORDEV_H
#define PUS_SECTORDEV_H

#include <stdbool.h>
#include <stdint.h>
#include "blockdev/blockdev.h"

struct sectordev {
    struct blockdev bd;
    uint32_t sector_size;
    uint64_t first_sector;   /* where the filesystem starts on the disk */
    bool erase_noop;
    /* Driver callbacks: count whole sectors from sector. */
    int (*read_sectors)(void *drv, uint64_t sector, void *buf, uint32_t count);
    int (*write_sectors)(void *drv, uint64_t sector, const void *buf,
                         uint32_t count);
    int (*flush)(void *drv);
    void *drv;
    uint8_t *ones;           /* one block of 0xff for emulated erase */
};

/* Fill in sd->bd. The caller sets the driver callbacks, drv and
 * first_sector first. block_size must be a multiple of sector_size. */
int sectordev_init(struct sectordev *sd, uint32_t sector_size,
                   uint32_t block_size, uint32_t block_count);
void sectordev_free(struct sectordev *sd);

#endif
