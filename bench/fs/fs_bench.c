/*
 * lib/fs benchmarks on the RAM block device (4 KiB blocks, 2048 blocks =
 * 8 MiB, read/prog 16 bytes, 512-byte caches, 256-byte lookahead).
 *
 * Prints one line per figure: name, value, unit, target, and where one
 * exists an anchor measured in the same run (raw device access) with the
 * ratio. Run by bench/fs/run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blockdev/ramdev.h"
#include "fs/fs.h"

#define BS 4096
#define COUNT 2048

static struct ramdev rd;
static struct fs fs;
static struct fs_config cfg;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void check(long err, const char *what)
{
    if (err < 0) {
        fprintf(stderr, "fs_bench: %s failed: %ld\n", what, err);
        exit(1);
    }
}

static void fresh(void)
{
    if (fs.mounted)
        fs_unmount(&fs);
    memset(rd.mem, 0xff, (size_t)BS * COUNT);
    check(fs_format(&fs, &cfg), "format");
    check(fs_mount(&fs, &cfg), "mount");
}

static void report(const char *name, double value, const char *unit,
                   const char *target)
{
    printf("%-34s %12.1f %-8s target: %s\n", name, value, unit, target);
}

static void report_anchor(const char *name, double value, const char *unit,
                          const char *target, double anchor)
{
    printf("%-34s %12.1f %-8s target: %-28s anchor (raw device): %.1f %s, "
           "ratio %.2f\n", name, value, unit, target, anchor, unit,
           value / anchor);
}

static void small_files_once(double *c, double *r, double *d)
{
    const int n = 500;
    char path[32], buf[100];
    memset(buf, 'x', sizeof(buf));
    fresh();
    check(fs_mkdir(&fs, "/s"), "mkdir");
    double t0 = now();
    for (int i = 0; i < n; i++) {
        struct fs_file f;
        snprintf(path, sizeof(path), "/s/file%04d", i);
        check(fs_file_open(&fs, &f, path, FS_O_WRONLY | FS_O_CREAT), "open");
        check(fs_file_write(&fs, &f, buf, sizeof(buf)), "write");
        check(fs_file_close(&fs, &f), "close");
    }
    double t1 = now();
    for (int i = 0; i < n; i++) {
        struct fs_file f;
        snprintf(path, sizeof(path), "/s/file%04d", i);
        check(fs_file_open(&fs, &f, path, FS_O_RDONLY), "open");
        check(fs_file_read(&fs, &f, buf, sizeof(buf)), "read");
        check(fs_file_close(&fs, &f), "close");
    }
    double t2 = now();
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/s/file%04d", i);
        check(fs_remove(&fs, path), "remove");
    }
    double t3 = now();
    *c = n / (t1 - t0);
    *r = n / (t2 - t1);
    *d = n / (t3 - t2);
}

/* Best of three runs: the machine is shared, noise only slows. */
static void small_files(void)
{
    double bc = 0, br = 0, bd = 0;
    for (int i = 0; i < 3; i++) {
        double c, r, d;
        small_files_once(&c, &r, &d);
        bc = c > bc ? c : bc;
        br = r > br ? r : br;
        bd = d > bd ? d : bd;
    }
    report("small files: create+write 100 B", bc, "files/s",
           ">= reference littlefs");
    report("small files: open+read", br, "files/s", ">= reference littlefs");
    report("small files: delete", bd, "files/s", ">= reference littlefs");
}

static double raw_write_mbs(size_t total, const uint8_t *buf)
{
    double t0 = now();
    for (size_t off = 0; off < total; off += BS) {
        uint32_t b = 100 + off / BS;
        rd.bd.erase(&rd.bd, b);
        rd.bd.prog(&rd.bd, b, 0, buf, BS);
    }
    return total / (now() - t0) / 1e6;
}

static double raw_read_mbs(size_t total, uint8_t *buf)
{
    double t0 = now();
    for (size_t off = 0; off < total; off += BS)
        rd.bd.read(&rd.bd, 100 + off / BS, 0, buf, BS);
    return total / (now() - t0) / 1e6;
}

static void sequential(void)
{
    const size_t total = 4 << 20;
    uint8_t *buf = malloc(BS);
    memset(buf, 0xa5, BS);
    fresh();
    double raw_w = raw_write_mbs(total, buf);
    fresh();
    struct fs_file f;
    double t0 = now();
    check(fs_file_open(&fs, &f, "/seq", FS_O_WRONLY | FS_O_CREAT), "open");
    for (size_t off = 0; off < total; off += BS)
        check(fs_file_write(&fs, &f, buf, BS), "write");
    check(fs_file_close(&fs, &f), "close");
    double w = total / (now() - t0) / 1e6;
    double raw_r = raw_read_mbs(total, buf);
    t0 = now();
    check(fs_file_open(&fs, &f, "/seq", FS_O_RDONLY), "open");
    for (size_t off = 0; off < total; off += BS)
        check(fs_file_read(&fs, &f, buf, BS), "read");
    check(fs_file_close(&fs, &f), "close");
    double r = total / (now() - t0) / 1e6;
    report_anchor("sequential write 4 MiB", w, "MB/s", ">= reference littlefs", raw_w);
    report_anchor("sequential read 4 MiB", r, "MB/s", ">= reference littlefs", raw_r);
    free(buf);
}

/* Append and random seek+read cost at several file sizes: must stay flat
 * (O(log n)), not grow with the file. */
static void large_file_costs(void)
{
    static const size_t sizes[] = {64 << 10, 1 << 20, 4 << 20};
    uint8_t *buf = malloc(BS);
    memset(buf, 0x3c, BS);
    double first_append = 0, first_seek = 0;
    for (int s = 0; s < 3; s++) {
        fresh();
        struct fs_file f;
        check(fs_file_open(&fs, &f, "/big", FS_O_WRONLY | FS_O_CREAT), "open");
        for (size_t off = 0; off < sizes[s]; off += BS)
            check(fs_file_write(&fs, &f, buf, BS), "write");
        check(fs_file_close(&fs, &f), "close");

        const int appends = 1000;
        double t0 = now();
        for (int i = 0; i < appends; i++) {
            check(fs_file_open(&fs, &f, "/big", FS_O_WRONLY | FS_O_APPEND), "open");
            check(fs_file_write(&fs, &f, buf, 64), "append");
            check(fs_file_close(&fs, &f), "close");
        }
        double append_us = (now() - t0) / appends * 1e6;

        const int seeks = 20000;
        uint64_t rng = 88172645463325252ull;
        check(fs_file_open(&fs, &f, "/big", FS_O_RDONLY), "open");
        double seek_us = 1e9;
        for (int round = 0; round < 3; round++) {
            t0 = now();
            for (int i = 0; i < seeks; i++) {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                long pos = rng % (sizes[s] - 256);
                check(fs_file_seek(&fs, &f, pos, FS_SEEK_SET), "seek");
                check(fs_file_read(&fs, &f, buf, 256), "read");
            }
            double us = (now() - t0) / seeks * 1e6;
            seek_us = us < seek_us ? us : seek_us;
        }
        check(fs_file_close(&fs, &f), "close");
        if (s == 0) {
            first_append = append_us;
            first_seek = seek_us;
        }
        char name[64];
        snprintf(name, sizeof(name), "append 64 B (open+close) @%zuK",
                 sizes[s] >> 10);
        printf("%-34s %12.1f %-8s target: flat vs 64K (x%.2f), <= reference\n",
               name, append_us, "us/op", append_us / first_append);
        snprintf(name, sizeof(name), "seek+read 256 B @%zuK", sizes[s] >> 10);
        printf("%-34s %12.1f %-8s target: flat vs 64K (x%.2f), <= reference\n",
               name, seek_us, "us/op", seek_us / first_seek);
    }
    free(buf);
}

static void mount_full(void)
{
    fresh();
    uint8_t *buf = malloc(BS);
    memset(buf, 0x77, BS);
    char path[40];
    /* fill about 90%: 36 dirs of files of mixed sizes */
    int files = 0;
    for (int d = 0; d < 36; d++) {
        snprintf(path, sizeof(path), "/d%02d", d);
        check(fs_mkdir(&fs, path), "mkdir");
        for (int i = 0; i < 25; i++) {
            struct fs_file f;
            snprintf(path, sizeof(path), "/d%02d/f%02d", d, i);
            check(fs_file_open(&fs, &f, path, FS_O_WRONLY | FS_O_CREAT), "open");
            size_t size = (i % 5 == 0) ? 7 * BS : (i % 3) * 700 + 50;
            for (size_t off = 0; off < size; off += BS)
                check(fs_file_write(&fs, &f, buf, size - off < BS ? size - off : BS), "write");
            check(fs_file_close(&fs, &f), "close");
            files++;
        }
    }
    long used = fs_used_blocks(&fs);
    check(fs_unmount(&fs), "unmount");
    const int mounts = 200;
    double t0 = now();
    for (int i = 0; i < mounts; i++) {
        check(fs_mount(&fs, &cfg), "mount");
        check(fs_unmount(&fs), "unmount");
    }
    double us = (now() - t0) / mounts * 1e6;
    char name[80];
    snprintf(name, sizeof(name), "mount 8 MiB image (%ld%% used)",
             used * 100 / COUNT);
    report(name, us, "us", "<= reference littlefs");
    check(fs_mount(&fs, &cfg), "mount");
    double t1 = now();
    long n = fs_used_blocks(&fs);
    report("walk all blocks (fs_used_blocks)", (now() - t1) * 1e6, "us",
           "<= reference littlefs");
    (void)n;
    (void)files;
    free(buf);
}

int main(void)
{
    if (ramdev_init(&rd, BS, COUNT, 16, 16)) {
        fprintf(stderr, "fs_bench: no memory\n");
        return 1;
    }
    cfg = (struct fs_config){.bd = &rd.bd, .cache_size = 512,
                             .lookahead_size = 256, .block_cycles = 500};
    printf("lib/fs on RAM device: %u x %u B blocks, read/prog 16 B, "
           "cache 512 B, lookahead 256 B\n", COUNT, BS);
    small_files();
    sequential();
    large_file_costs();
    mount_full();
    fs_unmount(&fs);
    ramdev_free(&rd);
    return 0;
}
