/*
 * pusfs: host tool for PusOS filesystem images (littlefs v2 format),
 * built on lib/fs with a file-backed block device.
 *
 *   pusfs mkfs IMG --block-size 4096 --blocks N
 *   pusfs ls IMG [PATH] [-R]
 *   pusfs get IMG PATH [OUT|-]      pusfs cat IMG PATH
 *   pusfs put IMG LOCALFILE PATH    pusfs mkdir IMG PATH
 *   pusfs rm IMG PATH               pusfs fsck IMG
 *   pusfs mv IMG FROM TO
 *   pusfs getattr IMG PATH TYPE     (hex to stdout)
 *   pusfs df IMG
 *
 * Options anywhere: --block-size N, --blocks N (else read from the
 * superblock), --io-size N (read/prog unit, default 16), --cache N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blockdev/host/filedev.h"
#include "fs/fs.h"
#include "pus/err.h"

static uint32_t opt_block_size, opt_blocks, opt_io = 16, opt_cache;
static bool opt_recursive;

static int usage(void)
{
    fprintf(stderr,
            "usage: pusfs mkfs IMG --block-size N --blocks N\n"
            "       pusfs ls IMG [PATH] [-R]\n"
            "       pusfs get IMG PATH [OUT|-]\n"
            "       pusfs cat IMG PATH\n"
            "       pusfs put IMG LOCALFILE PATH\n"
            "       pusfs mkdir IMG PATH\n"
            "       pusfs rm IMG PATH\n"
            "       pusfs mv IMG FROM TO\n"
            "       pusfs fsck IMG\n"
            "       pusfs df IMG\n"
            "       pusfs getattr IMG PATH TYPE\n"
            "options: --block-size N --blocks N --io-size N --cache N\n");
    return 2;
}

static int fail(const char *what, const char *arg, int err)
{
    fprintf(stderr, "pusfs: %s%s%s: %s\n", what, arg ? " " : "",
            arg ? arg : "", err_str(err));
    return 1;
}

/* Find block size and count from the superblock at the start of block 0
 * or block 1 ("littlefs" at byte 8, the superblock struct after it). */
static int probe(const char *img, uint32_t *bsize, uint32_t *bcount)
{
    FILE *fp = fopen(img, "rb");
    if (!fp)
        return ERR_NOT_FOUND;
    static const uint32_t sizes[] = {0, 512, 1024, 2048, 4096, 8192, 16384,
                                     32768, 65536, 131072};
    int err = ERR_BAD_FORMAT;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char b[40];
        if (fseek(fp, sizes[i], SEEK_SET) || fread(b, 1, 40, fp) != 40)
            continue;
        if (memcmp(b + 8, "littlefs", 8))
            continue;
        uint32_t raw = (uint32_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
        uint32_t tag = raw ^ 0x0ff00008u;
        if (tag != 0x20100018u)
            continue;
        uint32_t bs = b[24] | b[25] << 8 | b[26] << 16 | (uint32_t)b[27] << 24;
        uint32_t bc = b[28] | b[29] << 8 | b[30] << 16 | (uint32_t)b[31] << 24;
        if (sizes[i] && sizes[i] != bs)
            continue;
        *bsize = bs;
        *bcount = bc;
        err = 0;
        break;
    }
    fclose(fp);
    return err;
}

struct image {
    struct filedev dev;
    struct fs fs;
};

static int open_image(struct image *im, const char *img, bool writable)
{
    uint32_t bs = opt_block_size, bc = opt_blocks;
    if (!bs || !bc) {
        uint32_t pbs = 0, pbc = 0;
        int err = probe(img, &pbs, &pbc);
        if (err && !bs)
            return err;
        if (!bs)
            bs = pbs;
        if (!bc)
            bc = pbc;
    }
    if (!bc) {
        struct stat st;
        if (stat(img, &st))
            return ERR_NOT_FOUND;
        bc = st.st_size / bs;
    }
    uint32_t io = opt_io;
    if (bs % io)
        io = 512;
    int err = filedev_open(&im->dev, img, writable, false, io, bs, bc);
    if (err)
        return err;
    struct fs_config cfg = {.bd = &im->dev.sd.bd, .cache_size = opt_cache,
                            .read_only = !writable, .block_cycles = 500};
    err = fs_mount(&im->fs, &cfg);
    if (err)
        filedev_close(&im->dev);
    return err;
}

static int close_image(struct image *im)
{
    int err = fs_unmount(&im->fs);
    int err2 = im->dev.sd.bd.sync(&im->dev.sd.bd);
    filedev_close(&im->dev);
    return err ? err : err2;
}

static int cmd_mkfs(const char *img)
{
    if (!opt_block_size || !opt_blocks) {
        fprintf(stderr, "pusfs: mkfs needs --block-size and --blocks\n");
        return 2;
    }
    uint32_t io = opt_block_size % opt_io ? 512 : opt_io;
    struct filedev dev;
    int err = filedev_open(&dev, img, true, true, io, opt_block_size,
                           opt_blocks);
    if (err)
        return fail("open", img, err);
    /* size the image and start it erased (0xff), like a flash dump */
    FILE *fp = fopen(img, "r+b");
    if (!fp) {
        filedev_close(&dev);
        return fail("open", img, ERR_IO);
    }
    static unsigned char ones[4096];
    memset(ones, 0xff, sizeof(ones));
    uint64_t total = (uint64_t)opt_block_size * opt_blocks;
    for (uint64_t off = 0; off < total; off += sizeof(ones)) {
        size_t n = total - off < sizeof(ones) ? total - off : sizeof(ones);
        if (fwrite(ones, 1, n, fp) != n) {
            fclose(fp);
            filedev_close(&dev);
            return fail("write", img, ERR_IO);
        }
    }
    fclose(fp);
    struct fs fs;
    struct fs_config cfg = {.bd = &dev.sd.bd, .cache_size = opt_cache,
                            .block_cycles = 500};
    err = fs_format(&fs, &cfg);
    if (!err)
        err = dev.sd.bd.sync(&dev.sd.bd);
    filedev_close(&dev);
    return err ? fail("format", img, err) : 0;
}

static int list(struct fs *fs, const char *path, int depth)
{
    struct fs_dir d;
    struct fs_info info;
    int err = fs_dir_open(fs, &d, path);
    if (err)
        return err;
    while ((err = fs_dir_read(fs, &d, &info)) > 0) {
        char child[1024];
        snprintf(child, sizeof(child), "%s%s%s", path,
                 path[strlen(path) - 1] == '/' ? "" : "/", info.name);
        if (info.type == FS_TYPE_DIR)
            printf("d %10s %s/\n", "-", opt_recursive ? child : info.name);
        else
            printf("f %10u %s\n", info.size, opt_recursive ? child : info.name);
        if (opt_recursive && info.type == FS_TYPE_DIR && depth < 64) {
            err = list(fs, child, depth + 1);
            if (err)
                break;
        }
    }
    fs_dir_close(fs, &d);
    return err < 0 ? err : 0;
}

static int copy_out(struct fs *fs, const char *path, FILE *out)
{
    struct fs_file f;
    int err = fs_file_open(fs, &f, path, FS_O_RDONLY);
    if (err)
        return err;
    static unsigned char buf[65536];
    long n;
    while ((n = fs_file_read(fs, &f, buf, sizeof(buf))) > 0) {
        if (fwrite(buf, 1, n, out) != (size_t)n) {
            n = ERR_IO;
            break;
        }
    }
    fs_file_close(fs, &f);
    return n < 0 ? (int)n : 0;
}

static int copy_in(struct fs *fs, const char *local, const char *path)
{
    FILE *in = fopen(local, "rb");
    if (!in)
        return ERR_NOT_FOUND;
    struct fs_file f;
    int err = fs_file_open(fs, &f, path, FS_O_WRONLY | FS_O_CREAT |
                                         FS_O_TRUNC);
    if (err) {
        fclose(in);
        return err;
    }
    static unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        long w = fs_file_write(fs, &f, buf, n);
        if (w < 0) {
            err = w;
            break;
        }
    }
    fclose(in);
    int err2 = fs_file_close(fs, &f);
    return err ? err : err2;
}

int main(int argc, char **argv)
{
    const char *args[8];
    int nargs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint32_t *num = NULL;
        if (!strcmp(a, "--block-size"))
            num = &opt_block_size;
        else if (!strcmp(a, "--blocks"))
            num = &opt_blocks;
        else if (!strcmp(a, "--io-size"))
            num = &opt_io;
        else if (!strcmp(a, "--cache"))
            num = &opt_cache;
        else if (!strcmp(a, "-R"))
            opt_recursive = true;
        else if (a[0] == '-' && a[1] == '-')
            return usage();
        else if (nargs < 8)
            args[nargs++] = a;
        else
            return usage();
        if (num) {
            char *end;
            if (++i >= argc)
                return usage();
            unsigned long v = strtoul(argv[i], &end, 0);
            if (*end || v == 0 || v > 0x7fffffff)
                return usage();
            *num = v;
        }
    }
    if (nargs < 2)
        return usage();
    const char *cmd = args[0], *img = args[1];
    if (!strcmp(cmd, "mkfs"))
        return nargs == 2 ? cmd_mkfs(img) : usage();

    static const char *const known[] = {"ls", "get", "cat", "put", "mkdir",
                                        "rm", "mv", "fsck", "df", "getattr"};
    bool ok = false;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        ok = ok || !strcmp(cmd, known[i]);
    if (!ok)
        return usage();
    bool writes = !strcmp(cmd, "put") || !strcmp(cmd, "mkdir") ||
                  !strcmp(cmd, "rm") || !strcmp(cmd, "mv");
    struct image im;
    int err = open_image(&im, img, writes);
    if (err)
        return fail("mount", img, err);

    int rc = 0;
    if (!strcmp(cmd, "ls") && nargs <= 3) {
        struct fs_info info;
        const char *path = nargs == 3 ? args[2] : "/";
        err = fs_stat(&im.fs, path, &info);
        if (!err && info.type == FS_TYPE_FILE)
            printf("f %10u %s\n", info.size, path);
        else if (!err)
            err = list(&im.fs, path, 0);
        if (err)
            rc = fail("ls", nargs == 3 ? args[2] : "/", err);
    } else if ((!strcmp(cmd, "cat") && nargs == 3) ||
               (!strcmp(cmd, "get") && (nargs == 3 || nargs == 4))) {
        FILE *out = stdout;
        if (nargs == 4 && strcmp(args[3], "-")) {
            out = fopen(args[3], "wb");
            if (!out)
                rc = fail("create", args[3], ERR_IO);
        } else if (!strcmp(cmd, "get") && nargs == 3) {
            const char *base = strrchr(args[2], '/');
            base = base ? base + 1 : args[2];
            out = *base ? fopen(base, "wb") : NULL;
            if (!out)
                rc = fail("create", base, ERR_IO);
        }
        if (!rc) {
            err = copy_out(&im.fs, args[2], out);
            if (out != stdout)
                fclose(out);
            else
                fflush(stdout);
            if (err)
                rc = fail(cmd, args[2], err);
        }
    } else if (!strcmp(cmd, "put") && nargs == 4) {
        FILE *probe_in = fopen(args[2], "rb");
        if (!probe_in) {
            fprintf(stderr, "pusfs: put: cannot read %s\n", args[2]);
            rc = 1;
            goto done;
        }
        fclose(probe_in);
        err = copy_in(&im.fs, args[2], args[3]);
        if (err)
            rc = fail("put", args[3], err);
    } else if (!strcmp(cmd, "mkdir") && nargs == 3) {
        err = fs_mkdir(&im.fs, args[2]);
        if (err)
            rc = fail("mkdir", args[2], err);
    } else if (!strcmp(cmd, "mv") && nargs == 4) {
        err = fs_rename(&im.fs, args[2], args[3]);
        if (err)
            rc = fail("mv", args[2], err);
    } else if (!strcmp(cmd, "rm") && nargs == 3) {
        err = fs_remove(&im.fs, args[2]);
        if (err)
            rc = fail("rm", args[2], err);
    } else if (!strcmp(cmd, "fsck") && nargs == 2) {
        err = fs_fsck(&im.fs);
        if (err)
            rc = fail("fsck", img, err);
        else
            printf("%s: clean\n", img);
    } else if (!strcmp(cmd, "df") && nargs == 2) {
        struct fs_stats st;
        err = fs_statfs(&im.fs, &st);
        if (err)
            rc = fail("df", img, err);
        else
            printf("block_size %u block_count %u used %u free %u "
                   "version %u.%u\n", st.block_size, st.block_count,
                   st.blocks_used, st.block_count - st.blocks_used,
                   st.disk_version >> 16, st.disk_version & 0xffff);
    } else if (!strcmp(cmd, "getattr") && nargs == 4) {
        unsigned char buf[1024];
        long n = fs_getattr(&im.fs, args[2], (uint8_t)strtoul(args[3], 0, 0),
                            buf, sizeof(buf));
        if (n < 0) {
            rc = fail("getattr", args[2], n);
        } else {
            for (long i = 0; i < n; i++)
                printf("%02x", buf[i]);
            printf("\n");
        }
    } else {
        rc = usage();
    }
done:
    err = close_image(&im);
    if (err && !rc)
        rc = fail("unmount", img, err);
    return rc;
}
