/* Block device over a sector device: see sectordev.h. */
#include <stdlib.h>
#include <string.h>

#include "blockdev/sectordev.h"
#include "pus/err.h"

static uint64_t sector_of(struct sectordev *sd, uint32_t block, uint32_t off)
{
    return sd->first_sector +
           ((uint64_t)block * sd->bd.block_size + off) / sd->sector_size;
}

static int sd_read(struct blockdev *bd, uint32_t block, uint32_t off,
                   void *buf, uint32_t size)
{
    struct sectordev *sd = bd->ctx;
    int err = blockdev_check(bd, block, off, size);
    if (err)
        return err;
    if (off % sd->sector_size || size % sd->sector_size)
        return ERR_INVALID_ARGS;
    return sd->read_sectors(sd->drv, sector_of(sd, block, off), buf,
                            size / sd->sector_size);
}

static int sd_prog(struct blockdev *bd, uint32_t block, uint32_t off,
                   const void *buf, uint32_t size)
{
    struct sectordev *sd = bd->ctx;
    int err = blockdev_check(bd, block, off, size);
    if (err)
        return err;
    if (off % sd->sector_size || size % sd->sector_size)
        return ERR_INVALID_ARGS;
    return sd->write_sectors(sd->drv, sector_of(sd, block, off), buf,
                             size / sd->sector_size);
}

static int sd_erase(struct blockdev *bd, uint32_t block)
{
    struct sectordev *sd = bd->ctx;
    int err = blockdev_check(bd, block, 0, 0);
    if (err || sd->erase_noop)
        return err;
    return sd->write_sectors(sd->drv, sector_of(sd, block, 0), sd->ones,
                             bd->block_size / sd->sector_size);
}

static int sd_sync(struct blockdev *bd)
{
    struct sectordev *sd = bd->ctx;
    return sd->flush ? sd->flush(sd->drv) : 0;
}

int sectordev_init(struct sectordev *sd, uint32_t sector_size,
                   uint32_t block_size, uint32_t block_count)
{
    if (!sector_size || !block_size || block_size % sector_size ||
        !sd->read_sectors || !sd->write_sectors)
        return ERR_INVALID_ARGS;
    sd->sector_size = sector_size;
    sd->ones = malloc(block_size);
    if (!sd->ones)
        return ERR_NO_MEMORY;
    memset(sd->ones, 0xff, block_size);
    sd->bd = (struct blockdev){
        .read_size = sector_size, .prog_size = sector_size,
        .block_size = block_size, .block_count = block_count,
        .read = sd_read, .prog = sd_prog, .erase = sd_erase, .sync = sd_sync,
        .ctx = sd,
    };
    return 0;
}

void sectordev_free(struct sectordev *sd)
{
    free(sd->ones);
    sd->ones = 0;
}
