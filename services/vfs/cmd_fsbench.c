/*
 * fsbench: sequential throughput through the filesystem next to the raw
 * disk, in the same boot, for the same amount of data and the same call
 * size. The raw figures use a scratch disk (virtio-blk1) so that the
 * filesystem on virtio-blk0 is never overwritten; since they overwrite the
 * start of virtio-blk1, fsbench runs only when told so (--yes).
 */
#include <stdlib.h>
#include <string.h>
#include "services/vfs/cmd_util.h"
#include "services/vfs/fsbench_pattern.h"
#include "services/vfs/vfs_internal.h"
#include "services/shell/shell.h"
#include "drivers/virtio/virtio_blk.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "pus/err.h"

#define CHUNK (64u * 1024u)
#define BENCH_FILE "/fsbench.tmp"

static uint64_t mb_per_s(uint64_t bytes, uint64_t ns)
{
    return ns ? bytes * 1000 / ns : 0;     /* bytes/ns * 1000 = MB/s */
}

static int raw_pass(struct virtio_blk *disk, uint8_t *buf, uint64_t bytes, bool write,
                    uint64_t *ns)
{
    uint64_t t0 = clock_now_ns();
    for (uint64_t off = 0; off < bytes; off += CHUNK) {
        if (write)
            fsbench_stamp(buf, CHUNK, off);        /* as the filesystem pass does */
        int r = write ? virtio_blk_write(disk, off / VIRTIO_BLK_SECTOR, buf, CHUNK)
                      : virtio_blk_read(disk, off / VIRTIO_BLK_SECTOR, buf, CHUNK);
        if (r < 0)
            return r;
    }
    if (write) {
        int r = virtio_blk_flush(disk);
        if (r < 0)
            return r;
    }
    *ns = clock_now_ns() - t0;
    return 0;
}

/* Every chunk written is buf stamped with its offset (fsbench_pattern.h).
 * Read passes go to rd; with verify, every chunk must equal what the write
 * pass wrote at that offset, so a caching bug, or a block written to or read
 * from the wrong place, cannot hide behind a good figure. */
static int fs_pass(uint8_t *buf, uint8_t *rd, uint64_t bytes, bool write, bool verify,
                   uint64_t *ns)
{
    struct vfs_file *f;
    uint64_t t0 = clock_now_ns();
    int r = vfs_open(BENCH_FILE, write ? VFS_O_WRONLY | VFS_O_CREATE | VFS_O_TRUNC : VFS_O_RDONLY,
                     &f);
    if (r < 0)
        return r;
    for (uint64_t off = 0; off < bytes && r >= 0; off += CHUNK) {
        if (write || verify)
            fsbench_stamp(buf, CHUNK, off);
        r = write ? vfs_write(f, buf, CHUNK) : vfs_read(f, rd, CHUNK);
        if (r >= 0 && r != (int)CHUNK)
            r = ERR_IO;
        if (r >= 0 && verify && memcmp(rd, buf, CHUNK) != 0)
            r = ERR_CORRUPT;
    }
    int c = vfs_close(f);
    if (r < 0 || c < 0)
        return r < 0 ? r : c;
    *ns = clock_now_ns() - t0;
    return 0;
}

static void figure(const char *what, uint64_t bytes, uint64_t fs_ns, uint64_t raw_ns)
{
    uint64_t fs = mb_per_s(bytes, fs_ns), raw = mb_per_s(bytes, raw_ns);
    kprintf("fsbench: %s: fs %llu MB/s, raw %llu MB/s, ratio %llu%% (target >= 70%%)\n", what,
            (unsigned long long)fs, (unsigned long long)raw,
            (unsigned long long)(raw_ns ? raw_ns * 100 / (fs_ns ? fs_ns : 1) : 0));
}

static int cmd_fsbench(int argc, char **argv)
{
    long mib = 16;
    bool yes = false, have_mib = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--yes") == 0 && !yes) {
            yes = true;
            continue;
        }
        if (have_mib || !shell_parse_long(argv[i], 1, 1024, &mib))
            return shell_usage("fsbench");
        have_mib = true;
    }
    struct virtio_blk *scratch = virtio_blk_get(1);
    if (!scratch) {
        kprintf("error: fsbench: the raw figures need a scratch disk (virtio-blk1)\n");
        return SHELL_ERR_REPORTED;
    }
    if (!yes) {
        kprintf("error: fsbench: the raw figures overwrite the first %ld MiB of virtio-blk1; "
                "if that disk holds nothing you need, run: fsbench --yes %ld\n", mib, mib);
        return SHELL_ERR_REPORTED;
    }
    if (virtio_blk_read_only(scratch)) {
        kprintf("error: fsbench: virtio-blk1 is read-only\n");
        return SHELL_ERR_REPORTED;
    }
    uint64_t bytes = (uint64_t)mib << 20;
    if (virtio_blk_sectors(scratch) * VIRTIO_BLK_SECTOR < bytes) {
        kprintf("error: fsbench: virtio-blk1 is smaller than %ld MiB\n", mib);
        return SHELL_ERR_REPORTED;
    }
    if (!vfs_root_mounted()) {
        kprintf("error: fsbench: / is not mounted\n");
        return SHELL_ERR_REPORTED;
    }
    uint8_t *buf = malloc(CHUNK), *rd = malloc(CHUNK);
    if (!buf || !rd) {
        free(buf);
        free(rd);
        return ERR_NO_MEMORY;
    }
    fsbench_fill(buf, CHUNK);
    uint64_t raw_w = 0, raw_r = 0, fs_w = 0, fs_r = 0;
    struct vblk_stats s0, s1;
    vfs_root_disk_stats(&s0);
    int r = raw_pass(scratch, buf, bytes, true, &raw_w);
    if (r == 0)
        r = fs_pass(buf, rd, bytes, true, false, &fs_w);
    vfs_root_disk_stats(&s1);
    struct vblk_stats s2;
    vfs_root_disk_stats(&s2);
    if (r == 0)
        r = raw_pass(scratch, buf, bytes, false, &raw_r);
    if (r == 0) {
        mutex_acquire(&vfs_mounts[0].lock);
        vblk_bdev_drop_readahead(vfs_mounts[0].vblk);
        mutex_release(&vfs_mounts[0].lock);
        r = fs_pass(buf, rd, bytes, false, false, &fs_r);
    }
    struct vblk_stats s3;
    vfs_root_disk_stats(&s3);
    uint64_t verify_ns;
    if (r == 0)
        r = fs_pass(buf, rd, bytes, false, true, &verify_ns);   /* untimed check */
    vfs_remove(BENCH_FILE);
    free(rd);
    /* What one copy of the data costs here (every layer copies once). */
    uint64_t copy_ns = 0;
    uint8_t *other = malloc(CHUNK);
    if (other) {
        uint64_t t0 = clock_now_ns();
        for (uint64_t off = 0; off < bytes; off += 4096)
            memcpy(other + off % CHUNK, buf + (off + 512) % CHUNK / 4096 * 4096, 4096);
        copy_ns = clock_now_ns() - t0;
        free(other);
    }
    free(buf);
    if (r < 0)
        return cmd_fail("fsbench", BENCH_FILE, r);
    kprintf("fsbench: %ld MiB in %u-byte calls; one memcpy pass (4 KiB copies) %llu MB/s\n",
            mib, CHUNK, (unsigned long long)mb_per_s(bytes, copy_ns));
    figure("sequential write", bytes, fs_w, raw_w);
    figure("sequential read", bytes, fs_r, raw_r);
    kprintf("fsbench: fs write: %llu requests, %llu KiB to disk for %llu KiB of data, "
            "%llu KiB erase fill\n",
            (unsigned long long)(s1.requests_written - s0.requests_written),
            (unsigned long long)((s1.bytes_written - s0.bytes_written) >> 10),
            (unsigned long long)(bytes >> 10),
            (unsigned long long)((s1.erase_fill_bytes - s0.erase_fill_bytes) >> 10));
    kprintf("fsbench: fs write: %llu prog calls, %llu erase calls, %llu read calls, "
            "%llu ms waiting for the disk of %llu ms\n",
            (unsigned long long)(s1.prog_calls - s0.prog_calls),
            (unsigned long long)(s1.erase_calls - s0.erase_calls),
            (unsigned long long)(s1.read_calls - s0.read_calls),
            (unsigned long long)((s1.ns_io - s0.ns_io) / 1000000),
            (unsigned long long)(fs_w / 1000000));
    kprintf("fsbench: fs read: %llu requests, %llu KiB from disk, %llu read-ahead hits, "
            "%llu page-cache hits\n",
            (unsigned long long)(s3.requests_read - s2.requests_read),
            (unsigned long long)((s3.bytes_read - s2.bytes_read) >> 10),
            (unsigned long long)(s3.readahead_hits - s2.readahead_hits),
            (unsigned long long)(s3.page_hits - s2.page_hits));
    kprintf("fsbench: fs read: %llu read calls, %llu ms waiting for the disk of %llu ms\n",
            (unsigned long long)(s3.read_calls - s2.read_calls),
            (unsigned long long)((s3.ns_io - s2.ns_io) / 1000000),
            (unsigned long long)(fs_r / 1000000));
    return 0;
}
SHELL_COMMAND(fsbench, "fsbench --yes [MIB]",
              "sequential write/read through the filesystem vs the raw disk "
              "(overwrites the first MIB MiB of virtio-blk1, default 16)",
              cmd_fsbench);
