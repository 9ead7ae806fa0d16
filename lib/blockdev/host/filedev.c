/* Image-file block device for host tools and tests: see filedev.h. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "blockdev/host/filedev.h"
#include "pus/err.h"

static int file_read(void *drv, uint64_t sector, void *buf, uint32_t count)
{
    struct filedev *f = drv;
    size_t len = (size_t)count * f->sd.sector_size;
    ssize_t n = pread(f->fd, buf, len, (off_t)(sector * f->sd.sector_size));
    if (n < 0)
        return ERR_IO;
    /* Past the end of a short file reads as erased. */
    for (size_t i = (size_t)n; i < len; i++)
        ((unsigned char *)buf)[i] = 0xff;
    return 0;
}

static int file_write(void *drv, uint64_t sector, const void *buf,
                      uint32_t count)
{
    struct filedev *f = drv;
    size_t len = (size_t)count * f->sd.sector_size;
    ssize_t n = pwrite(f->fd, buf, len, (off_t)(sector * f->sd.sector_size));
    return n == (ssize_t)len ? 0 : ERR_IO;
}

static int file_flush(void *drv)
{
    struct filedev *f = drv;
    return fsync(f->fd) == 0 || errno == EINVAL ? 0 : ERR_IO;
}

int filedev_open(struct filedev *fdv, const char *path, bool writable,
                 bool create, uint32_t io_size, uint32_t block_size,
                 uint32_t block_count)
{
    int flags = writable ? O_RDWR : O_RDONLY;
    if (create)
        flags |= O_CREAT;
    fdv->fd = open(path, flags, 0644);
    if (fdv->fd < 0)
        return errno == ENOENT ? ERR_NOT_FOUND : ERR_IO;
    fdv->sd.read_sectors = file_read;
    fdv->sd.write_sectors = file_write;
    fdv->sd.flush = file_flush;
    fdv->sd.drv = fdv;
    fdv->sd.first_sector = 0;
    fdv->sd.erase_noop = false;
    int err = sectordev_init(&fdv->sd, io_size, block_size, block_count);
    if (err) {
        close(fdv->fd);
        fdv->fd = -1;
    }
    return err;
}

void filedev_close(struct filedev *fdv)
{
    sectordev_free(&fdv->sd);
    if (fdv->fd >= 0)
        close(fdv->fd);
    fdv->fd = -1;
}
