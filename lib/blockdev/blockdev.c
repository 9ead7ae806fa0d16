/* Helpers shared by every block-device implementation. */
#include "blockdev/blockdev.h"
#include "pus/err.h"

int blockdev_check(const struct blockdev *bd, uint32_t block, uint32_t off,
                   uint32_t size)
{
    if (block >= bd->block_count || off > bd->block_size ||
        size > bd->block_size - off)
        return ERR_INVALID_ARGS;
    return 0;
}
