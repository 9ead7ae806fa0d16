/* lib/blockdev: the sector adapter a disk driver uses (512-byte sectors
 * serving 4 KiB filesystem blocks), with 0xff and no-op erase, and the
 * RAM device's power-cut simulation. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "blockdev/ramdev.h"
#include "blockdev/sectordev.h"
#include "fs/fs.h"
#include "pus/err.h"
#include "fsutil.h"

struct disk {
    uint8_t *mem;
    uint64_t sectors;
    int reads, writes, flushes;
};

static int disk_read(void *drv, uint64_t sector, void *buf, uint32_t count)
{
    struct disk *d = drv;
    if (sector + count > d->sectors)
        return ERR_IO;
    memcpy(buf, d->mem + sector * 512, count * 512);
    d->reads++;
    return 0;
}

static int disk_write(void *drv, uint64_t sector, const void *buf,
                      uint32_t count)
{
    struct disk *d = drv;
    if (sector + count > d->sectors)
        return ERR_IO;
    memcpy(d->mem + sector * 512, buf, count * 512);
    d->writes++;
    return 0;
}

static int disk_flush(void *drv)
{
    ((struct disk *)drv)->flushes++;
    return 0;
}

static void run_fs_on_sectors(bool noop)
{
    struct disk d = {calloc(64 * 8 + 8, 512), 64 * 8 + 8, 0, 0, 0};
    struct sectordev sd = {.read_sectors = disk_read,
                           .write_sectors = disk_write, .flush = disk_flush,
                           .drv = &d, .first_sector = 8, .erase_noop = noop};
    assert_int_equal(sectordev_init(&sd, 512, 4096, 64), 0);
    assert_int_equal(sd.bd.read_size, 512);
    assert_int_equal(sd.bd.prog_size, 512);
    /* out of range and unaligned requests are refused */
    uint8_t buf[512];
    assert_int_equal(sd.bd.read(&sd.bd, 64, 0, buf, 512), ERR_INVALID_ARGS);
    assert_int_equal(sd.bd.read(&sd.bd, 0, 100, buf, 512), ERR_INVALID_ARGS);
    /* erase: 0xff fill, or nothing */
    memset(d.mem + 8 * 512, 0x11, 4096);
    assert_int_equal(sd.bd.erase(&sd.bd, 0), 0);
    assert_int_equal(d.mem[8 * 512 + 100], noop ? 0x11 : 0xff);
    /* the sectors before first_sector are never touched */
    uint8_t zero[8 * 512] = {0};

    struct fs fs;
    struct fs_config cfg = {.bd = &sd.bd, .block_cycles = 100};
    assert_int_equal(fs_mount(&fs, &cfg), ERR_BAD_FORMAT);
    assert_int_equal(fs_format(&fs, &cfg), 0);
    assert_int_equal(fs_mount(&fs, &cfg), 0);
    uint8_t *data = malloc(50000), *back;
    fill_pattern(data, 50000, 7);
    assert_int_equal(fs_mkdir(&fs, "/apps"), 0);
    for (int i = 0; i < 20; i++)
        assert_int_equal(write_file(&fs, "/apps/a.wasm", data, 50000 - i * 997,
                                    FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC), 0);
    assert_int_equal(fs_unmount(&fs), 0);
    assert_int_equal(fs_mount(&fs, &cfg), 0);
    assert_int_equal(read_file(&fs, "/apps/a.wasm", &back), 50000 - 19 * 997);
    assert_memory_equal(back, data, 50000 - 19 * 997);
    assert_int_equal(fs_fsck(&fs), 0);
    assert_int_equal(fs_unmount(&fs), 0);
    assert_memory_equal(d.mem, zero, sizeof(zero));
    assert_true(d.flushes > 0);
    free(back);
    free(data);
    sectordev_free(&sd);
    free(d.mem);
}

static void test_sectors_erase_fill(void **state) { run_fs_on_sectors(false); }
static void test_sectors_erase_noop(void **state) { run_fs_on_sectors(true); }

static void test_ramdev_power_cut(void **state)
{
    struct ramdev rd;
    uint8_t buf[64];
    assert_int_equal(ramdev_init(&rd, 512, 4, 16, 16), 0);
    memset(buf, 0xab, sizeof(buf));
    ramdev_cut_after(&rd, 1);
    assert_int_equal(rd.bd.prog(&rd.bd, 0, 0, buf, 64), 0);
    assert_int_equal(rd.bd.prog(&rd.bd, 1, 0, buf, 64), ERR_IO);   /* torn */
    assert_int_equal(rd.mem[512 + 31], 0xab);
    assert_int_equal(rd.mem[512 + 32], 0xff);
    assert_int_equal(rd.bd.erase(&rd.bd, 0), ERR_IO);              /* off */
    assert_int_equal(rd.mem[0], 0xab);
    ramdev_power_on(&rd);
    assert_int_equal(rd.bd.erase(&rd.bd, 0), 0);
    assert_int_equal(rd.mem[0], 0xff);
    assert_int_equal(rd.erase_counts[0], 1);
    ramdev_free(&rd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sectors_erase_fill),
        cmocka_unit_test(test_sectors_erase_noop),
        cmocka_unit_test(test_ramdev_power_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
