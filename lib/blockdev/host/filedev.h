/*
 * Host only: a block device backed by an image file (pread/pwrite), built
 * on sectordev with 0xff-filling erase so images match reference dumps.
 * Never compiled into the kernel (see lib/blockdev/module.mk).
 */
#ifndef PUS_FILEDEV_H
#define PUS_FILEDEV_H

#include <stdbool.h>
#include "blockdev/sectordev.h"

struct filedev {
    struct sectordev sd;
    int fd;
};

/* Open path (create it if create is set) for block_size x block_count,
 * sector (= read/prog unit) io_size. */
int filedev_open(struct filedev *fdv, const char *path, bool writable,
                 bool create, uint32_t io_size, uint32_t block_size,
                 uint32_t block_count);
void filedev_close(struct filedev *fdv);

#endif
