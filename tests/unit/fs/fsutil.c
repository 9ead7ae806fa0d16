/* Helpers for the lib/fs unit tests: see fsutil.h. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsutil.h"
#include "pus/err.h"

void tfs_init(struct tfs *t, uint32_t block_size, uint32_t count,
              uint32_t prog_size, uint32_t cache_size, int32_t block_cycles)
{
    memset(t, 0, sizeof(*t));
    assert_int_equal(ramdev_init(&t->rd, block_size, count, prog_size,
                                 prog_size), 0);
    t->cfg.bd = &t->rd.bd;
    t->cfg.cache_size = cache_size;
    t->cfg.block_cycles = block_cycles;
    t->cfg.lookahead_size = 32;
    assert_int_equal(fs_format(&t->fs, &t->cfg), 0);
    tfs_mount(t);
}

void tfs_mount(struct tfs *t)
{
    assert_int_equal(fs_mount(&t->fs, &t->cfg), 0);
}

void tfs_unmount(struct tfs *t)
{
    assert_int_equal(fs_unmount(&t->fs), 0);
}

void tfs_free(struct tfs *t)
{
    if (t->fs.mounted)
        fs_unmount(&t->fs);
    ramdev_free(&t->rd);
}

int write_file(struct fs *fs, const char *path, const void *data, size_t len,
               int flags)
{
    struct fs_file f;
    int err = fs_file_open(fs, &f, path, flags);
    if (err)
        return err;
    long n = fs_file_write(fs, &f, data, len);
    int cerr = fs_file_close(fs, &f);
    if (n < 0)
        return n;
    if (n != (long)len)
        return ERR_IO;
    return cerr;
}

long read_file(struct fs *fs, const char *path, uint8_t **data)
{
    struct fs_file f;
    int err = fs_file_open(fs, &f, path, FS_O_RDONLY);
    if (err)
        return err;
    long size = fs_file_size(fs, &f);
    *data = malloc(size + 1);
    long n = fs_file_read(fs, &f, *data, size + 1);
    fs_file_close(fs, &f);
    if (n != size) {
        free(*data);
        *data = NULL;
        return n < 0 ? n : ERR_CORRUPT;
    }
    return n;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static int hash_dir(struct fs *fs, const char *path, uint64_t *h, int depth)
{
    struct fs_dir d;
    struct fs_info info;
    int err = fs_dir_open(fs, &d, path);
    if (err)
        return err;
    while ((err = fs_dir_read(fs, &d, &info)) > 0) {
        char child[512];
        snprintf(child, sizeof(child), "%s/%s", path, info.name);
        *h = fnv(*h, child, strlen(child) + 1);
        *h = fnv(*h, &info.type, sizeof(info.type));
        if (info.type == FS_TYPE_DIR) {
            if (depth < 16 && (err = hash_dir(fs, child, h, depth + 1)))
                break;
        } else {
            uint8_t *data;
            long n = read_file(fs, child, &data);
            if (n < 0) {
                err = n;
                break;
            }
            if ((uint32_t)n != info.size) {
                free(data);
                err = ERR_CORRUPT;
                break;
            }
            *h = fnv(*h, &n, sizeof(n));
            *h = fnv(*h, data, n);
            free(data);
        }
    }
    fs_dir_close(fs, &d);
    return err < 0 ? err : 0;
}

int tree_hash(struct fs *fs, uint64_t *hash)
{
    *hash = 0xcbf29ce484222325ull;
    return hash_dir(fs, "", hash, 0);
}

void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((i * 31 + seed) ^ (i >> 8));
}

uint32_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

void check_file(struct fs *fs, const char *path, const uint8_t *want, long len)
{
    uint8_t *data;
    long n = read_file(fs, path, &data);
    assert_int_equal(n, len);
    if (len)
        assert_memory_equal(data, want, len);
    free(data);
}
