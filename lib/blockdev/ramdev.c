/* RAM block device: see ramdev.h. */
#include <stdlib.h>
#include <string.h>

#include "blockdev/ramdev.h"
#include "pus/err.h"

static int ram_read(struct blockdev *bd, uint32_t block, uint32_t off,
                    void *buf, uint32_t size)
{
    struct ramdev *rd = bd->ctx;
    int err = blockdev_check(bd, block, off, size);
    if (err)
        return err;
    rd->reads++;
    memcpy(buf, rd->mem + (uint64_t)block * bd->block_size + off, size);
    return 0;
}

/* Counts one write; false when power is (now) off. *torn is set for the
 * write during which the power fails. */
static bool ram_spend(struct ramdev *rd, bool *torn)
{
    *torn = false;
    if (rd->powered_off)
        return false;
    if (rd->cut_after >= 0) {
        if (rd->cut_after == 0) {
            rd->powered_off = true;
            *torn = true;
            return false;
        }
        rd->cut_after--;
    }
    return true;
}

static int ram_prog(struct blockdev *bd, uint32_t block, uint32_t off,
                    const void *buf, uint32_t size)
{
    struct ramdev *rd = bd->ctx;
    bool torn;
    int err = blockdev_check(bd, block, off, size);
    if (err)
        return err;
    uint8_t *dst = rd->mem + (uint64_t)block * bd->block_size + off;
    if (!ram_spend(rd, &torn)) {
        if (torn)
            memcpy(dst, buf, size / 2);
        return ERR_IO;
    }
    rd->progs++;
    memcpy(dst, buf, size);
    return 0;
}

static int ram_erase(struct blockdev *bd, uint32_t block)
{
    struct ramdev *rd = bd->ctx;
    bool torn;
    int err = blockdev_check(bd, block, 0, 0);
    if (err)
        return err;
    uint8_t *dst = rd->mem + (uint64_t)block * bd->block_size;
    if (!ram_spend(rd, &torn)) {
        if (torn)
            memset(dst, 0xff, bd->block_size / 2);
        return ERR_IO;
    }
    rd->erases++;
    rd->erase_counts[block]++;
    memset(dst, 0xff, bd->block_size);
    return 0;
}

static int ram_sync(struct blockdev *bd)
{
    struct ramdev *rd = bd->ctx;
    return rd->powered_off ? ERR_IO : 0;
}

int ramdev_init(struct ramdev *rd, uint32_t block_size, uint32_t block_count,
                uint32_t read_size, uint32_t prog_size)
{
    memset(rd, 0, sizeof(*rd));
    if (!block_size || !block_count || !read_size || !prog_size ||
        block_size % read_size || block_size % prog_size)
        return ERR_INVALID_ARGS;
    rd->mem = malloc((size_t)block_size * block_count);
    rd->erase_counts = calloc(block_count, sizeof(uint32_t));
    if (!rd->mem || !rd->erase_counts) {
        ramdev_free(rd);
        return ERR_NO_MEMORY;
    }
    memset(rd->mem, 0xff, (size_t)block_size * block_count);
    rd->cut_after = -1;
    rd->bd = (struct blockdev){
        .read_size = read_size, .prog_size = prog_size,
        .block_size = block_size, .block_count = block_count,
        .read = ram_read, .prog = ram_prog, .erase = ram_erase,
        .sync = ram_sync, .ctx = rd,
    };
    return 0;
}

void ramdev_free(struct ramdev *rd)
{
    free(rd->mem);
    free(rd->erase_counts);
    rd->mem = 0;
    rd->erase_counts = 0;
}

void ramdev_cut_after(struct ramdev *rd, int64_t n)
{
    rd->cut_after = n;
    rd->powered_off = false;
}

void ramdev_power_on(struct ramdev *rd)
{
    rd->cut_after = -1;
    rd->powered_off = false;
}
