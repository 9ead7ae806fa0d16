/*
 * A block device in RAM, for host tests, tools and benchmarks.
 *
 * Erase fills a block with 0xff, like NOR flash and like the reference
 * images. For power-loss tests the device can "cut power": after
 * cut_after more programs or erases have been performed, the next one is
 * torn (only its first half lands, for a program) and every later write is
 * dropped and fails with ERR_IO, as if the machine had stopped.
 */
#ifndef PUS_RAMDEV_H
#define PUS_RAMDEV_H

#include <stdbool.h>
#include <stdint.h>
#include "blockdev/blockdev.h"

struct ramdev {
    struct blockdev bd;
    uint8_t *mem;
    uint32_t *erase_counts;   /* per block, for wear tests */
    uint64_t reads, progs, erases;
    int64_t cut_after;        /* -1: never cut power */
    bool powered_off;
};

int ramdev_init(struct ramdev *rd, uint32_t block_size, uint32_t block_count,
                uint32_t read_size, uint32_t prog_size);
void ramdev_free(struct ramdev *rd);

/* Cut power after n more writes (programs or erases); -1 disables. */
void ramdev_cut_after(struct ramdev *rd, int64_t n);
/* Power back on: writes work again, counters keep going. */
void ramdev_power_on(struct ramdev *rd);

#endif
