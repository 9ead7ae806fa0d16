/* lib/fs API semantics, including the edge cases, on a RAM disk, for both
 * 4 KiB and 512-byte blocks. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsutil.h"
#include "pus/err.h"

struct geo {
    uint32_t block_size, count, prog, cache;
};
static const struct geo geos[] = {
    {4096, 256, 16, 256},
    {512, 2048, 16, 64},
    {4096, 256, 512, 512},
};

static int setup(void **state)
{
    static int which;
    struct tfs *t = malloc(sizeof(*t));
    const struct geo *g = &geos[which];
    tfs_init(t, g->block_size, g->count, g->prog, g->cache, 100);
    *state = t;
    return 0;
}
static int teardown(void **state)
{
    tfs_free(*state);
    free(*state);
    return 0;
}
#define T(state) (&((struct tfs *)*(state))->fs)

static void test_blank_disk_is_refused(void **state)
{
    struct ramdev rd;
    struct fs fs;
    assert_int_equal(ramdev_init(&rd, 4096, 16, 16, 16), 0);
    struct fs_config cfg = {.bd = &rd.bd};
    assert_int_equal(fs_mount(&fs, &cfg), ERR_BAD_FORMAT);
    memset(rd.mem, 0x5a, 4096 * 16);
    assert_int_equal(fs_mount(&fs, &cfg), ERR_BAD_FORMAT);
    assert_int_equal(fs_format(&fs, &cfg), 0);
    assert_int_equal(fs_mount(&fs, &cfg), 0);
    assert_int_equal(fs_unmount(&fs), 0);
    /* geometry that does not match the superblock */
    cfg.block_count = 8;
    assert_int_equal(fs_mount(&fs, &cfg), ERR_INVALID_ARGS);
    ramdev_free(&rd);
}

static void test_files_of_edge_sizes(void **state)
{
    struct fs *fs = T(state);
    uint32_t bs = fs->block_size;
    uint32_t sizes[] = {0, 1, 63, 64, 65, 255, 256, 257, bs - 8, bs - 1, bs,
                        bs + 1, 2 * bs, 3 * bs + 17, 100000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char path[32];
        uint8_t *buf = malloc(sizes[i] + 1);
        fill_pattern(buf, sizes[i], i);
        snprintf(path, sizeof(path), "/f%zu", i);
        assert_int_equal(write_file(fs, path, buf, sizes[i],
                                    FS_O_WRONLY | FS_O_CREAT), 0);
        check_file(fs, path, buf, sizes[i]);
        struct fs_info info;
        assert_int_equal(fs_stat(fs, path, &info), 0);
        assert_int_equal(info.size, sizes[i]);
        assert_int_equal(info.type, FS_TYPE_FILE);
        free(buf);
    }
    assert_int_equal(fs_fsck(fs), 0);
}

static void test_open_flags(void **state)
{
    struct fs *fs = T(state);
    struct fs_file f;
    assert_int_equal(fs_file_open(fs, &f, "/x", FS_O_RDONLY), ERR_NOT_FOUND);
    assert_int_equal(write_file(fs, "/x", "hello", 5, FS_O_WRONLY | FS_O_CREAT), 0);
    assert_int_equal(fs_file_open(fs, &f, "/x", FS_O_WRONLY | FS_O_CREAT |
                                  FS_O_EXCL), ERR_EXISTS);
    /* append */
    assert_int_equal(write_file(fs, "/x", " world", 6, FS_O_WRONLY | FS_O_APPEND), 0);
    check_file(fs, "/x", (const uint8_t *)"hello world", 11);
    /* overwrite start without truncating */
    assert_int_equal(write_file(fs, "/x", "J", 1, FS_O_WRONLY), 0);
    check_file(fs, "/x", (const uint8_t *)"Jello world", 11);
    /* truncate */
    assert_int_equal(write_file(fs, "/x", "ab", 2, FS_O_WRONLY | FS_O_TRUNC), 0);
    check_file(fs, "/x", (const uint8_t *)"ab", 2);
    /* read-only handle refuses writes, write-only refuses reads */
    assert_int_equal(fs_file_open(fs, &f, "/x", FS_O_RDONLY), 0);
    assert_int_equal(fs_file_write(fs, &f, "z", 1), ERR_BAD_HANDLE);
    assert_int_equal(fs_file_close(fs, &f), 0);
    assert_int_equal(fs_file_open(fs, &f, "/x", FS_O_WRONLY), 0);
    char c;
    assert_int_equal(fs_file_read(fs, &f, &c, 1), ERR_BAD_HANDLE);
    assert_int_equal(fs_file_close(fs, &f), 0);
    /* a directory is not a file */
    assert_int_equal(fs_mkdir(fs, "/d"), 0);
    assert_int_equal(fs_file_open(fs, &f, "/d", FS_O_RDONLY), ERR_IS_DIR);
    assert_int_equal(fs_file_open(fs, &f, "/x/y", FS_O_RDONLY), ERR_NOT_DIR);
    assert_int_equal(fs_file_open(fs, &f, "/nodir/y", FS_O_WRONLY | FS_O_CREAT),
                     ERR_NOT_FOUND);
    assert_int_equal(fs_file_open(fs, &f, "/x", 0), ERR_INVALID_ARGS);
}

static void test_unsynced_data_invisible_until_sync(void **state)
{
    struct fs *fs = T(state);
    struct fs_file f;
    uint8_t buf[5000];
    fill_pattern(buf, sizeof(buf), 9);
    assert_int_equal(write_file(fs, "/s", "old", 3, FS_O_WRONLY | FS_O_CREAT), 0);
    assert_int_equal(fs_file_open(fs, &f, "/s", FS_O_RDWR | FS_O_TRUNC), 0);
    assert_int_equal(fs_file_write(fs, &f, buf, sizeof(buf)), sizeof(buf));
    struct fs_info info;
    assert_int_equal(fs_stat(fs, "/s", &info), 0);
    assert_int_equal(info.size, 3);
    assert_int_equal(fs_file_sync(fs, &f), 0);
    assert_int_equal(fs_stat(fs, "/s", &info), 0);
    assert_int_equal(info.size, sizeof(buf));
    assert_int_equal(fs_file_close(fs, &f), 0);
    check_file(fs, "/s", buf, sizeof(buf));
}

static void test_seek_past_end_then_write(void **state)
{
    struct fs *fs = T(state);
    struct fs_file f;
    uint32_t gaps[] = {10, 300, 5000, 70000};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(fs_file_open(fs, &f, "/sparse", FS_O_RDWR | FS_O_CREAT |
                                      FS_O_TRUNC), 0);
        assert_int_equal(fs_file_write(fs, &f, "ab", 2), 2);
        assert_int_equal(fs_file_seek(fs, &f, gaps[i], FS_SEEK_SET), gaps[i]);
        assert_int_equal(fs_file_tell(fs, &f), gaps[i]);
        assert_int_equal(fs_file_write(fs, &f, "cd", 2), 2);
        assert_int_equal(fs_file_size(fs, &f), gaps[i] + 2);
        assert_int_equal(fs_file_close(fs, &f), 0);
        uint8_t *data;
        assert_int_equal(read_file(fs, "/sparse", &data), gaps[i] + 2);
        assert_memory_equal(data, "ab", 2);
        for (uint32_t k = 2; k < gaps[i]; k++)
            assert_int_equal(data[k], 0);
        assert_memory_equal(data + gaps[i], "cd", 2);
        free(data);
    }
    /* seek errors */
    assert_int_equal(fs_file_open(fs, &f, "/sparse", FS_O_RDONLY), 0);
    assert_int_equal(fs_file_seek(fs, &f, -1, FS_SEEK_SET), ERR_INVALID_ARGS);
    assert_int_equal(fs_file_seek(fs, &f, -2, FS_SEEK_END), 70000);
    char two[2];
    assert_int_equal(fs_file_read(fs, &f, two, 2), 2);
    assert_memory_equal(two, "cd", 2);
    assert_int_equal(fs_file_read(fs, &f, two, 2), 0);
    assert_int_equal(fs_file_close(fs, &f), 0);
}

static void test_random_access_in_large_file(void **state)
{
    struct fs *fs = T(state);
    size_t len = 150000;
    uint8_t *buf = malloc(len), tmp[700];
    /* three versions of the file may coexist until the close */
    fill_pattern(buf, len, 77);
    assert_int_equal(write_file(fs, "/big", buf, len, FS_O_WRONLY | FS_O_CREAT), 0);
    struct fs_file f;
    assert_int_equal(fs_file_open(fs, &f, "/big", FS_O_RDWR), 0);
    uint64_t rng = 12345;
    for (int i = 0; i < 300; i++) {
        uint32_t off = rng_next(&rng) % len;
        uint32_t n = rng_next(&rng) % sizeof(tmp);
        if (off + n > len)
            n = len - off;
        assert_int_equal(fs_file_seek(fs, &f, off, FS_SEEK_SET), off);
        if (i % 3 == 0) {
            fill_pattern(tmp, n, i);
            assert_int_equal(fs_file_write(fs, &f, tmp, n), n);
            memcpy(buf + off, tmp, n);
        } else {
            assert_int_equal(fs_file_read(fs, &f, tmp, n), n);
            assert_memory_equal(tmp, buf + off, n);
        }
    }
    assert_int_equal(fs_file_close(fs, &f), 0);
    check_file(fs, "/big", buf, len);
    free(buf);
}

static void test_truncate(void **state)
{
    struct fs *fs = T(state);
    size_t len = 20000;
    uint8_t *buf = malloc(len);
    fill_pattern(buf, len, 5);
    assert_int_equal(write_file(fs, "/t", buf, len, FS_O_WRONLY | FS_O_CREAT), 0);
    struct fs_file f;
    uint32_t sizes[] = {15000, 4097, 4096, 1000, 40, 0, 50, 9000};
    uint32_t cur = len;
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(fs_file_open(fs, &f, "/t",
                                      i % 2 ? FS_O_WRONLY : FS_O_RDWR), 0);
        assert_int_equal(fs_file_truncate(fs, &f, sizes[i]), 0);
        assert_int_equal(fs_file_size(fs, &f), sizes[i]);
        assert_int_equal(fs_file_close(fs, &f), 0);
        if (sizes[i] > cur)
            memset(buf + cur, 0, sizes[i] - cur);
        cur = sizes[i];
        check_file(fs, "/t", buf, cur);
    }
    free(buf);
    assert_int_equal(fs_fsck(fs), 0);
}

static void test_rename(void **state)
{
    struct fs *fs = T(state);
    struct fs_info info;
    assert_int_equal(write_file(fs, "/a", "AAA", 3, FS_O_WRONLY | FS_O_CREAT), 0);
    assert_int_equal(write_file(fs, "/b", "BB", 2, FS_O_WRONLY | FS_O_CREAT), 0);
    /* onto itself: nothing changes */
    assert_int_equal(fs_rename(fs, "/a", "/a"), 0);
    check_file(fs, "/a", (const uint8_t *)"AAA", 3);
    /* over an existing file: replaces it */
    assert_int_equal(fs_rename(fs, "/a", "/b"), 0);
    assert_int_equal(fs_stat(fs, "/a", &info), ERR_NOT_FOUND);
    check_file(fs, "/b", (const uint8_t *)"AAA", 3);
    /* across directories, keeping attributes */
    assert_int_equal(fs_mkdir(fs, "/d1"), 0);
    assert_int_equal(fs_mkdir(fs, "/d2"), 0);
    assert_int_equal(fs_setattr(fs, "/b", 7, "attr", 4), 0);
    assert_int_equal(fs_rename(fs, "/b", "/d1/moved"), 0);
    check_file(fs, "/d1/moved", (const uint8_t *)"AAA", 3);
    char ab[8];
    assert_int_equal(fs_getattr(fs, "/d1/moved", 7, ab, sizeof(ab)), 4);
    assert_memory_equal(ab, "attr", 4);
    assert_int_equal(fs_rename(fs, "/d1/moved", "/d2/m2"), 0);
    assert_int_equal(fs_stat(fs, "/d1/moved", &info), ERR_NOT_FOUND);
    check_file(fs, "/d2/m2", (const uint8_t *)"AAA", 3);
    /* directories move with their contents */
    assert_int_equal(fs_rename(fs, "/d2", "/d1/d2"), 0);
    check_file(fs, "/d1/d2/m2", (const uint8_t *)"AAA", 3);
    /* not into itself, not file over dir or dir over file */
    assert_int_equal(fs_rename(fs, "/d1", "/d1/d2/x"), ERR_INVALID_ARGS);
    assert_int_equal(write_file(fs, "/f", "F", 1, FS_O_WRONLY | FS_O_CREAT), 0);
    assert_int_equal(fs_rename(fs, "/f", "/d1"), ERR_IS_DIR);
    assert_int_equal(fs_rename(fs, "/d1", "/f"), ERR_NOT_DIR);
    /* a directory over an empty directory is fine; non-empty is not */
    assert_int_equal(fs_mkdir(fs, "/e"), 0);
    assert_int_equal(fs_rename(fs, "/d1", "/e"), 0);
    check_file(fs, "/e/d2/m2", (const uint8_t *)"AAA", 3);
    assert_int_equal(fs_mkdir(fs, "/g"), 0);
    assert_int_equal(fs_rename(fs, "/g", "/e"), ERR_NOT_EMPTY);
    assert_int_equal(fs_rename(fs, "/missing", "/x"), ERR_NOT_FOUND);
    assert_int_equal(fs_fsck(fs), 0);
}

static void test_remove_and_mkdir(void **state)
{
    struct fs *fs = T(state);
    struct fs_info info;
    assert_int_equal(fs_mkdir(fs, "/d"), 0);
    assert_int_equal(fs_mkdir(fs, "/d"), ERR_EXISTS);
    assert_int_equal(fs_mkdir(fs, "/d/e"), 0);
    assert_int_equal(write_file(fs, "/d/e/f", "x", 1, FS_O_WRONLY | FS_O_CREAT), 0);
    assert_int_equal(fs_remove(fs, "/d"), ERR_NOT_EMPTY);
    assert_int_equal(fs_remove(fs, "/d/e"), ERR_NOT_EMPTY);
    assert_int_equal(fs_remove(fs, "/d/e/f"), 0);
    assert_int_equal(fs_remove(fs, "/d/e/f"), ERR_NOT_FOUND);
    assert_int_equal(fs_remove(fs, "/d/e"), 0);
    assert_int_equal(fs_remove(fs, "/d"), 0);
    assert_int_equal(fs_stat(fs, "/d", &info), ERR_NOT_FOUND);
    assert_int_equal(fs_remove(fs, "/"), ERR_INVALID_ARGS);
    assert_int_equal(fs_stat(fs, "/", &info), 0);
    assert_int_equal(info.type, FS_TYPE_DIR);
    /* paths with . and .. */
    assert_int_equal(fs_mkdir(fs, "/p"), 0);
    assert_int_equal(write_file(fs, "/p/./q", "Q", 1, FS_O_WRONLY | FS_O_CREAT), 0);
    check_file(fs, "/p/../p/q", (const uint8_t *)"Q", 1);
    assert_int_equal(fs_stat(fs, "/..", &info), ERR_INVALID_ARGS);
    assert_int_equal(fs_fsck(fs), 0);
}

static void test_names(void **state)
{
    struct fs *fs = T(state);
    char name[300];
    memset(name, 'n', sizeof(name));
    name[0] = '/';
    name[256] = 0;              /* 255 characters after the slash */
    assert_int_equal(write_file(fs, name, "x", 1, FS_O_WRONLY | FS_O_CREAT), 0);
    check_file(fs, name, (const uint8_t *)"x", 1);
    name[256] = 'n';
    name[257] = 0;              /* 256: too long */
    struct fs_file f;
    assert_int_equal(fs_file_open(fs, &f, name, FS_O_WRONLY | FS_O_CREAT),
                     ERR_NAME_TOO_LONG);
    assert_int_equal(fs_mkdir(fs, name), ERR_NAME_TOO_LONG);
    assert_int_equal(fs_mkdir(fs, "/"), ERR_EXISTS);
    /* names are bytes: spaces and UTF-8 are fine */
    assert_int_equal(write_file(fs, "/read me \xc3\xa9", "u", 1,
                                FS_O_WRONLY | FS_O_CREAT), 0);
    check_file(fs, "/read me \xc3\xa9", (const uint8_t *)"u", 1);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_thousands_of_entries(void **state)
{
    struct fs *fs = T(state);
    const int n = fs->block_size == 4096 && fs->prog_size == 16 ? 2000 : 600;
    char path[64];
    assert_int_equal(fs_mkdir(fs, "/many"), 0);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/many/entry-%05d", i);
        assert_int_equal(write_file(fs, path, path, i % 3 ? 0 : 10,
                                    FS_O_WRONLY | FS_O_CREAT), 0);
    }
    struct fs_dir d;
    struct fs_info info;
    char **seen = calloc(n, sizeof(char *));
    int count = 0, r;
    assert_int_equal(fs_dir_open(fs, &d, "/many"), 0);
    while ((r = fs_dir_read(fs, &d, &info)) > 0) {
        assert_true(count < n);
        seen[count++] = strdup(info.name);
    }
    assert_int_equal(r, 0);
    /* rewind and count again */
    assert_int_equal(fs_dir_rewind(fs, &d), 0);
    int again = 0;
    while (fs_dir_read(fs, &d, &info) > 0)
        again++;
    assert_int_equal(again, n);
    assert_int_equal(fs_dir_close(fs, &d), 0);
    assert_int_equal(count, n);
    qsort(seen, n, sizeof(char *), cmp_names);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "entry-%05d", i);
        assert_string_equal(seen[i], path);
        free(seen[i]);
    }
    free(seen);
    assert_int_equal(fs_fsck(fs), 0);
    /* survive a remount, then remove everything */
    struct tfs *t = *state;
    tfs_unmount(t);
    tfs_mount(t);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/many/entry-%05d", i);
        if (i % 3 == 0)
            check_file(fs, path, (const uint8_t *)path, 10);
        assert_int_equal(fs_remove(fs, path), 0);
    }
    assert_int_equal(fs_remove(fs, "/many"), 0);
    assert_int_equal(fs_fsck(fs), 0);
    long used = fs_used_blocks(fs);
    assert_true(used >= 2 && used <= 8);
}

/* The order the reference keeps: bytewise, and a name sorts after the
 * longer names it is a prefix of. */
static int ref_order(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c)
        return c;
    return la == lb ? 0 : (la > lb ? -1 : 1);
}

static void test_entries_sorted_across_pairs(void **state)
{
    struct fs *fs = T(state);
    uint64_t rng = 99;
    char path[300];
    assert_int_equal(fs_mkdir(fs, "/s"), 0);
    for (int i = 0; i < 400; i++) {
        snprintf(path, sizeof(path), "/s/f%u", rng_next(&rng) % 1000);
        int err = write_file(fs, path, path, 20, FS_O_WRONLY | FS_O_CREAT);
        assert_int_equal(err, 0);
        if (i % 7 == 0) {
            snprintf(path, sizeof(path), "/s/f%u", rng_next(&rng) % 1000);
            err = fs_remove(fs, path);
            assert_true(err == 0 || err == ERR_NOT_FOUND);
        }
    }
    struct fs_dir d;
    struct fs_info info;
    char prev[FS_NAME_MAX + 1] = "";
    int n = 0;
    assert_int_equal(fs_dir_open(fs, &d, "/s"), 0);
    while (fs_dir_read(fs, &d, &info) > 0) {
        if (n++)
            assert_true(ref_order(prev, info.name) < 0);
        strcpy(prev, info.name);
        snprintf(path, sizeof(path), "/s/%s", info.name);
        assert_int_equal(fs_stat(fs, path, &info), 0);
    }
    assert_int_equal(fs_dir_close(fs, &d), 0);
    assert_true(n > 100);
}

/* mkdir into the middle of a split directory links the new pair into the
 * tail list after the directory's last pair, not after the pair holding
 * its entry. */
static void test_mkdir_in_split_directory(void **state)
{
    struct fs *fs = T(state);
    struct tfs *t = *state;
    uint64_t rng = 4242;
    char path[64];
    int made[300] = {0};
    assert_int_equal(fs_mkdir(fs, "/s"), 0);
    for (int i = 0; i < 150; i++) {
        int k = rng_next(&rng) % 300;
        snprintf(path, sizeof(path), "/s/dir%03d", k);
        int err = fs_mkdir(fs, path);
        assert_int_equal(err, made[k] ? ERR_EXISTS : 0);
        made[k] = 1;
        if (i % 10 == 0) {
            snprintf(path, sizeof(path), "/s/dir%03d/file", k);
            assert_int_equal(write_file(fs, path, "x", 1,
                                        FS_O_WRONLY | FS_O_CREAT), 0);
        }
    }
    assert_int_equal(fs_fsck(fs), 0);
    tfs_unmount(t);
    tfs_mount(t);
    assert_int_equal(fs_fsck(fs), 0);
    for (int k = 0; k < 300; k++) {
        if (!made[k])
            continue;
        snprintf(path, sizeof(path), "/s/dir%03d/file", k);
        fs_remove(fs, path);
        snprintf(path, sizeof(path), "/s/dir%03d", k);
        assert_int_equal(fs_remove(fs, path), 0);
    }
    assert_int_equal(fs_fsck(fs), 0);
    assert_int_equal(fs_remove(fs, "/s"), 0);
    /* everything freed: the superblock pair, plus the root pair if the
     * superblock expanded (small block_cycles) */
    long used = fs_used_blocks(fs);
    assert_true(used == 2 || used == 4);
}

static void test_attributes(void **state)
{
    struct fs *fs = T(state);
    char buf[1100];
    assert_int_equal(write_file(fs, "/f", "x", 1, FS_O_WRONLY | FS_O_CREAT), 0);
    assert_int_equal(fs_getattr(fs, "/f", 1, buf, sizeof(buf)), ERR_NOT_FOUND);
    assert_int_equal(fs_setattr(fs, "/f", 1, "one", 3), 0);
    assert_int_equal(fs_setattr(fs, "/f", 2, "two!", 4), 0);
    assert_int_equal(fs_setattr(fs, "/", 3, "root", 4), 0);
    assert_int_equal(fs_getattr(fs, "/f", 1, buf, sizeof(buf)), 3);
    assert_memory_equal(buf, "one", 3);
    assert_int_equal(fs_getattr(fs, "/f", 2, buf, 2), 4);   /* truncated copy */
    assert_memory_equal(buf, "tw", 2);
    assert_int_equal(fs_getattr(fs, "/", 3, buf, sizeof(buf)), 4);
    assert_int_equal(fs_setattr(fs, "/f", 1, "uno!", 4), 0);
    assert_int_equal(fs_getattr(fs, "/f", 1, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, "uno!", 4);
    assert_int_equal(fs_removeattr(fs, "/f", 1), 0);
    assert_int_equal(fs_getattr(fs, "/f", 1, buf, sizeof(buf)), ERR_NOT_FOUND);
    assert_int_equal(fs_setattr(fs, "/f", 1, buf, 1023), ERR_TOO_BIG);
    assert_int_equal(fs_setattr(fs, "/nope", 1, "x", 1), ERR_NOT_FOUND);
    /* rewriting the file keeps attributes */
    assert_int_equal(write_file(fs, "/f", "yy", 2, FS_O_WRONLY | FS_O_TRUNC), 0);
    assert_int_equal(fs_getattr(fs, "/f", 2, buf, sizeof(buf)), 4);
    struct tfs *t = *state;
    tfs_unmount(t);
    tfs_mount(t);
    assert_int_equal(fs_getattr(fs, "/f", 2, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, "two!", 4);
}

static void test_full_disk(void **state)
{
    struct fs *fs = T(state);
    struct tfs *t = *state;
    size_t len = 64 * 1024;
    uint8_t *buf = malloc(len);
    fill_pattern(buf, len, 3);
    assert_int_equal(write_file(fs, "/keep", "keep", 4, FS_O_WRONLY | FS_O_CREAT), 0);
    int err = 0, i;
    char path[32];
    for (i = 0; i < 1000; i++) {
        snprintf(path, sizeof(path), "/fill%d", i);
        err = write_file(fs, path, buf, len, FS_O_WRONLY | FS_O_CREAT);
        if (err)
            break;
    }
    assert_int_equal(err, ERR_NO_SPACE);
    assert_true(i > 0);
    /* still consistent; freeing space lets writes succeed again */
    tfs_unmount(t);
    tfs_mount(t);
    assert_int_equal(fs_fsck(fs), 0);
    check_file(fs, "/keep", (const uint8_t *)"keep", 4);
    for (int k = 0; k <= i; k++) {
        snprintf(path, sizeof(path), "/fill%d", k);
        err = fs_remove(fs, path);
        assert_true(err == 0 || (k == i && err == ERR_NOT_FOUND) ||
                    (k == i && err == 0));
    }
    assert_int_equal(write_file(fs, "/after", buf, len, FS_O_WRONLY | FS_O_CREAT), 0);
    check_file(fs, "/after", buf, len);
    free(buf);
}

static void test_read_only_mount(void **state)
{
    struct tfs *t = *state;
    struct fs *fs = T(state);
    assert_int_equal(fs_mkdir(fs, "/d"), 0);
    assert_int_equal(write_file(fs, "/d/f", "data", 4, FS_O_WRONLY | FS_O_CREAT), 0);
    tfs_unmount(t);
    size_t size = (size_t)t->rd.bd.block_size * t->rd.bd.block_count;
    uint8_t *copy = malloc(size);
    memcpy(copy, t->rd.mem, size);
    uint64_t progs = t->rd.progs, erases = t->rd.erases;
    t->cfg.read_only = true;
    tfs_mount(t);
    struct fs_file f;
    assert_int_equal(fs_file_open(fs, &f, "/d/f", FS_O_WRONLY), ERR_READ_ONLY);
    assert_int_equal(fs_mkdir(fs, "/x"), ERR_READ_ONLY);
    assert_int_equal(fs_remove(fs, "/d/f"), ERR_READ_ONLY);
    assert_int_equal(fs_rename(fs, "/d/f", "/g"), ERR_READ_ONLY);
    assert_int_equal(fs_setattr(fs, "/d", 1, "a", 1), ERR_READ_ONLY);
    check_file(fs, "/d/f", (const uint8_t *)"data", 4);
    assert_int_equal(fs_fsck(fs), 0);
    tfs_unmount(t);
    t->cfg.read_only = false;
    assert_int_equal(t->rd.progs, progs);
    assert_int_equal(t->rd.erases, erases);
    assert_memory_equal(copy, t->rd.mem, size);
    free(copy);
    tfs_mount(t);
}

static void test_open_handles_follow_changes(void **state)
{
    struct fs *fs = T(state);
    struct fs_file a, b;
    char path[32];
    assert_int_equal(fs_file_open(fs, &a, "/m", FS_O_RDWR | FS_O_CREAT), 0);
    assert_int_equal(fs_file_write(fs, &a, "first", 5), 5);
    assert_int_equal(fs_file_open(fs, &b, "/z", FS_O_RDWR | FS_O_CREAT), 0);
    /* entries before and after them, enough to compact and split */
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/%c%03d", i % 2 ? 'a' : 'y', i);
        assert_int_equal(write_file(fs, path, path, strlen(path),
                                    FS_O_WRONLY | FS_O_CREAT), 0);
        if (i % 50 == 0) {
            assert_int_equal(fs_file_write(fs, &b, "b", 1), 1);
            assert_int_equal(fs_file_sync(fs, &b), 0);
        }
    }
    assert_int_equal(fs_file_close(fs, &a), 0);
    assert_int_equal(fs_file_close(fs, &b), 0);
    check_file(fs, "/m", (const uint8_t *)"first", 5);
    check_file(fs, "/z", (const uint8_t *)"bbbbbb", 6);
    /* a file removed while open: close does not resurrect it */
    assert_int_equal(fs_file_open(fs, &a, "/a001", FS_O_RDWR), 0);
    assert_int_equal(fs_remove(fs, "/a001"), 0);
    assert_int_equal(fs_file_write(fs, &a, "zz", 2), 2);
    fs_file_close(fs, &a);
    struct fs_info info;
    assert_int_equal(fs_stat(fs, "/a001", &info), ERR_NOT_FOUND);
    assert_int_equal(fs_fsck(fs), 0);
}

/* Removing each entry as a listing returns it (rm -r does this) lists
 * every entry once and ends cleanly, also when the removal empties the
 * directory's last pair and that pair is dropped while the listing sits
 * on it. A directory after it in the metadata chain must not leak into
 * the listing. */
static void test_remove_entries_while_listing(void **state)
{
    struct fs *fs = T(state);
    char path[FS_NAME_MAX + 8];
    for (int n = 10; n <= 300; n *= 3) {
        assert_int_equal(fs_mkdir(fs, "/d"), 0);
        assert_int_equal(fs_mkdir(fs, "/e"), 0);          /* next in the chain */
        assert_int_equal(write_file(fs, "/e/stay", "x", 1, FS_O_WRONLY | FS_O_CREAT), 0);
        for (int i = 0; i < n; i++) {
            snprintf(path, sizeof(path), "/d/entry-with-a-longer-name-%04d", i);
            assert_int_equal(write_file(fs, path, path, 16, FS_O_WRONLY | FS_O_CREAT), 0);
        }
        char *seen = calloc((size_t)n, 1);
        struct fs_dir d;
        struct fs_info info;
        int r, listed = 0;
        assert_int_equal(fs_dir_open(fs, &d, "/d"), 0);
        while ((r = fs_dir_read(fs, &d, &info)) > 0) {
            if (!strcmp(info.name, ".") || !strcmp(info.name, ".."))
                continue;
            int k = -1;
            assert_int_equal(sscanf(info.name, "entry-with-a-longer-name-%d", &k), 1);
            assert_true(k >= 0 && k < n);
            assert_int_equal(seen[k], 0);
            seen[k] = 1;
            listed++;
            snprintf(path, sizeof(path), "/d/%s", info.name);
            assert_int_equal(fs_remove(fs, path), 0);
        }
        assert_int_equal(r, 0);                          /* the end, not an error */
        assert_int_equal(fs_dir_close(fs, &d), 0);
        assert_int_equal(listed, n);
        free(seen);
        assert_int_equal(fs_remove(fs, "/d"), 0);          /* empty now */
        assert_int_equal(fs_remove(fs, "/e/stay"), 0);
        assert_int_equal(fs_remove(fs, "/e"), 0);
        assert_int_equal(fs_fsck(fs), 0);
    }
}

static void test_size_and_free_space(void **state)
{
    struct fs *fs = T(state);
    struct fs_stats st;
    assert_int_equal(fs_statfs(fs, &st), 0);
    uint32_t used0 = st.blocks_used;
    assert_int_equal(used0, 2);
    size_t len = 10 * fs->block_size;
    uint8_t *buf = calloc(1, len);
    assert_int_equal(write_file(fs, "/ten", buf, len, FS_O_WRONLY | FS_O_CREAT), 0);
    assert_int_equal(fs_statfs(fs, &st), 0);
    assert_true(st.blocks_used >= used0 + 10 && st.blocks_used <= used0 + 12);
    assert_int_equal(fs_remove(fs, "/ten"), 0);
    assert_int_equal(fs_statfs(fs, &st), 0);
    assert_int_equal(st.blocks_used, used0);
    free(buf);
}

/* Random operations checked against a model, with remounts. */
#define MODEL_FILES 12
static void test_randomized_model(void **state)
{
    struct tfs *t = *state;
    struct fs *fs = T(state);
    uint8_t *model[MODEL_FILES] = {0};
    long size[MODEL_FILES];
    for (int i = 0; i < MODEL_FILES; i++)
        size[i] = -1;
    uint64_t rng = 0x5eed;
    if (getenv("FS_MODEL_SEED"))
        rng = strtoull(getenv("FS_MODEL_SEED"), NULL, 0);
    uint8_t *buf = malloc(30000);
    char path[32], path2[32];
    /* files spread over nested directories: renames cross pairs */
    static const char *const dirs[3] = {"", "/m1", "/m1/m2"};
    assert_int_equal(fs_mkdir(fs, "/m1"), 0);
    assert_int_equal(fs_mkdir(fs, "/m1/m2"), 0);
#define MPATH(buf, k) snprintf(buf, sizeof(buf), "%s/r%d", dirs[(k) % 3], (k))
    for (int step = 0; step < 1500; step++) {
        int i = rng_next(&rng) % MODEL_FILES;
        int op = rng_next(&rng) % 6;
        MPATH(path, i);
        uint32_t n = rng_next(&rng) % (rng_next(&rng) % 4 ? 600 : 30000);
        fill_pattern(buf, n, step);
        if (op <= 1) {                 /* rewrite */
            assert_int_equal(write_file(fs, path, buf, n,
                                        FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC), 0);
            model[i] = realloc(model[i], n + 1);
            memcpy(model[i], buf, n);
            size[i] = n;
        } else if (op == 2) {          /* append */
            assert_int_equal(write_file(fs, path, buf, n,
                                        FS_O_WRONLY | FS_O_CREAT | FS_O_APPEND), 0);
            long old = size[i] < 0 ? 0 : size[i];
            model[i] = realloc(model[i], old + n + 1);
            memcpy(model[i] + old, buf, n);
            size[i] = old + n;
        } else if (op == 3) {          /* remove */
            int err = fs_remove(fs, path);
            assert_int_equal(err, size[i] < 0 ? ERR_NOT_FOUND : 0);
            size[i] = -1;
        } else if (op == 4) {          /* rename */
            int j = rng_next(&rng) % MODEL_FILES;
            MPATH(path2, j);
            int err = fs_rename(fs, path, path2);
            if (size[i] < 0) {
                assert_int_equal(err, ERR_NOT_FOUND);
            } else {
                assert_int_equal(err, 0);
                if (i != j) {
                    free(model[j]);
                    model[j] = model[i];
                    size[j] = size[i];
                    model[i] = NULL;
                    size[i] = -1;
                }
            }
        } else {                       /* truncate */
            struct fs_file f;
            if (size[i] < 0)
                continue;
            assert_int_equal(fs_file_open(fs, &f, path, FS_O_RDWR), 0);
            uint32_t ns = rng_next(&rng) % (size[i] + 100);
            assert_int_equal(fs_file_truncate(fs, &f, ns), 0);
            assert_int_equal(fs_file_close(fs, &f), 0);
            model[i] = realloc(model[i], ns + 1);
            if (ns > size[i])
                memset(model[i] + size[i], 0, ns - size[i]);
            size[i] = ns;
        }
        if (step % 100 == 99) {
            tfs_unmount(t);
            tfs_mount(t);
            assert_int_equal(fs_fsck(fs), 0);
        }
        if (step % 25 == 0 || step == 1499) {
            for (int k = 0; k < MODEL_FILES; k++) {
                MPATH(path, k);
                if (size[k] < 0) {
                    struct fs_info info;
                    assert_int_equal(fs_stat(fs, path, &info), ERR_NOT_FOUND);
                } else {
                    check_file(fs, path, model[k], size[k]);
                }
            }
        }
    }
    for (int i = 0; i < MODEL_FILES; i++)
        free(model[i]);
    free(buf);
}

#define GEO_TESTS(g)                                                        \
    cmocka_unit_test_setup_teardown(test_files_of_edge_sizes, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_open_flags, setup##g, teardown),   \
    cmocka_unit_test_setup_teardown(test_unsynced_data_invisible_until_sync, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_seek_past_end_then_write, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_random_access_in_large_file, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_truncate, setup##g, teardown),     \
    cmocka_unit_test_setup_teardown(test_rename, setup##g, teardown),       \
    cmocka_unit_test_setup_teardown(test_remove_and_mkdir, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_names, setup##g, teardown),        \
    cmocka_unit_test_setup_teardown(test_thousands_of_entries, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_attributes, setup##g, teardown),   \
    cmocka_unit_test_setup_teardown(test_mkdir_in_split_directory, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_entries_sorted_across_pairs, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_full_disk, setup##g, teardown),    \
    cmocka_unit_test_setup_teardown(test_read_only_mount, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_open_handles_follow_changes, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_remove_entries_while_listing, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_size_and_free_space, setup##g, teardown), \
    cmocka_unit_test_setup_teardown(test_randomized_model, setup##g, teardown)

static int geo_index;
static int setup_geo(void **state, int g)
{
    struct tfs *t = malloc(sizeof(*t));
    /* FS_BLOCK_CYCLES=2 runs everything with constant metadata moves */
    int32_t cycles = getenv("FS_BLOCK_CYCLES") ?
                     atoi(getenv("FS_BLOCK_CYCLES")) : 100;
    tfs_init(t, geos[g].block_size, geos[g].count, geos[g].prog, geos[g].cache,
             cycles);
    *state = t;
    return 0;
}
static int setup0(void **state) { return setup_geo(state, 0); }
static int setup1(void **state) { return setup_geo(state, 1); }
static int setup2(void **state) { return setup_geo(state, 2); }

int main(void)
{
    (void)setup;
    (void)geo_index;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_disk_is_refused),
        GEO_TESTS(0),
        GEO_TESTS(1),
        GEO_TESTS(2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
