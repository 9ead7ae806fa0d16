/*
 * The block-device interface the filesystem sits on.
 *
 * A device is an array of block_count blocks of block_size bytes. The
 * filesystem reads in multiples of read_size, programs (writes) in multiples
 * of prog_size at prog_size-aligned offsets, and erases whole blocks before
 * programming them again. sync makes every finished program durable.
 *
 * Flash implements these directly. A disk (virtio-blk, a host file) has no
 * erase: see sectordev.h for how a sector device serves this interface.
 *
 * Callbacks return 0 or a negative code from pus/err.h (ERR_IO on device
 * failure). They may block; the filesystem calls nothing else that blocks.
 */
#ifndef PUS_BLOCKDEV_H
#define PUS_BLOCKDEV_H

#include <stdint.h>

struct blockdev {
    uint32_t read_size;    /* smallest read unit, divides block_size */
    uint32_t prog_size;    /* smallest program unit, divides block_size */
    uint32_t block_size;   /* erase unit = filesystem block */
    uint32_t block_count;  /* number of blocks on the device */

    int (*read)(struct blockdev *bd, uint32_t block, uint32_t off,
                void *buf, uint32_t size);
    int (*prog)(struct blockdev *bd, uint32_t block, uint32_t off,
                const void *buf, uint32_t size);
    int (*erase)(struct blockdev *bd, uint32_t block);
    int (*sync)(struct blockdev *bd);

    void *ctx;             /* the implementation's own state */
};

/* Bounds check shared by implementations: 0 or ERR_INVALID_ARGS. */
int blockdev_check(const struct blockdev *bd, uint32_t block, uint32_t off,
                   uint32_t size);

#endif
