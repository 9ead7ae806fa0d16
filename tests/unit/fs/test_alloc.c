/*
 * The block allocator on a long-lived mount: rewriting files over and over
 * on a disk that is nearly (not) full must never report a full disk while
 * a full pass over the disk would find free blocks.
 *
 * The allocator's window (lookahead) is a snapshot of which blocks were in
 * use when it was filled. Blocks freed later still look used in it, so
 * blocks looked at through an old window say nothing about free space now:
 * only a pass over the whole disk with windows filled during the current
 * operation proves the disk full. These tests keep a mount alive for
 * thousands of rewrites, with windows of every size from a small fraction
 * of the disk to all of it.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsutil.h"
#include "pus/err.h"

#define FILES 12

/*
 * A freshly formatted and mounted filesystem on a RAM disk of `count`
 * blocks; block_cycles -1 turns wear leveling off.
 */
static void format_and_mount(struct tfs *t, uint32_t block_size, uint32_t count,
                             uint32_t unit, uint32_t cache_size, uint32_t lookahead,
                             int32_t block_cycles)
{
    memset(t, 0, sizeof(*t));
    assert_int_equal(ramdev_init(&t->rd, block_size, count, unit, unit), 0);
    t->cfg.bd = &t->rd.bd;
    t->cfg.cache_size = cache_size;
    t->cfg.block_cycles = block_cycles;
    t->cfg.lookahead_size = lookahead;
    assert_int_equal(fs_format(&t->fs, &t->cfg), 0);
    tfs_mount(t);
}

/*
 * FILES files of `blocks` blocks each on a disk of `count` blocks, then
 * `rounds` rewrites in a shuffled order, some growing a file to the size
 * that keeps the disk at its target use. Returns how many rewrites
 * failed with a full disk (there must be none).
 */
static int churn(uint32_t block_size, uint32_t count, uint32_t lookahead, uint32_t fill_pct,
                 int rounds, uint64_t seed)
{
    struct tfs t;
    format_and_mount(&t, block_size, count, 16, 256, lookahead, 100);
    struct fs *fs = &t.fs;

    /* Each file's data in blocks: fill_pct of the disk over all files (a
     * rewrite briefly needs a second copy of one file on top). */
    size_t per = (size_t)count * fill_pct / 100 / FILES * (block_size - 16);
    uint8_t *buf = malloc(per);
    uint32_t sizes[FILES], seeds[FILES];
    char path[32];
    for (int i = 0; i < FILES; i++) {
        snprintf(path, sizeof(path), "/f%d", i);
        sizes[i] = (uint32_t)per;
        seeds[i] = (uint32_t)i;
        fill_pattern(buf, per, seeds[i]);
        assert_int_equal(write_file(fs, path, buf, per, FS_O_WRONLY | FS_O_CREAT), 0);
    }
    long used = fs_used_blocks(fs);
    assert_true(used > 0);
    print_message("      %u blocks of %u, window %u blocks: %ld in use (%ld%%)\n", count,
                  block_size, 8 * lookahead, used, used * 100 / count);

    int failures = 0;
    for (int r = 0; r < rounds; r++) {
        int i = (int)(rng_next(&seed) % FILES);
        snprintf(path, sizeof(path), "/f%d", i);
        /* sizes wander a little, the total stays near the target */
        uint32_t size = (uint32_t)(per - per / 8 + rng_next(&seed) % (per / 4 + 1));
        if (size > per)
            size = (uint32_t)per;
        seeds[i] = rng_next(&seed);
        fill_pattern(buf, size, seeds[i]);
        int err = write_file(fs, path, buf, size, FS_O_WRONLY | FS_O_TRUNC);
        if (err == ERR_NO_SPACE) {
            failures++;
            /* the old copy is what the disk keeps */
            fill_pattern(buf, sizes[i], seeds[i]);
            continue;
        }
        assert_int_equal(err, 0);
        sizes[i] = size;
        /* now and then a small file comes and goes (metadata churn) */
        if (r % 7 == 0) {
            assert_int_equal(write_file(fs, "/small", "tiny", 4, FS_O_WRONLY | FS_O_CREAT), 0);
            assert_int_equal(fs_remove(fs, "/small"), 0);
        }
    }
    if (failures == 0) {
        assert_int_equal(fs_fsck(fs), 0);
        for (int i = 0; i < FILES; i++) {
            snprintf(path, sizeof(path), "/f%d", i);
            fill_pattern(buf, sizes[i], seeds[i]);
            check_file(fs, path, buf, sizes[i]);
        }
    }
    print_message("      %d rewrites, %d reported a full disk\n", rounds, failures);
    free(buf);
    tfs_unmount(&t);
    tfs_free(&t);
    return failures;
}

/* The window covers the whole disk (the default for small disks). */
static void test_whole_disk_window(void **state)
{
    (void)state;
    assert_int_equal(churn(512, 1024, 128, 60, 3000, 1), 0);
    assert_int_equal(churn(4096, 256, 32, 75, 2000, 2), 0);
}

/* Windows of a half, a quarter and an eighth of the disk. */
static void test_partial_windows(void **state)
{
    (void)state;
    assert_int_equal(churn(512, 1024, 64, 75, 3000, 3), 0);
    assert_int_equal(churn(512, 1024, 32, 80, 3000, 4), 0);
    assert_int_equal(churn(512, 1024, 16, 85, 3000, 5), 0);
}

/* The smallest window (64 blocks) on a disk 16 times its size. */
static void test_small_window(void **state)
{
    (void)state;
    assert_int_equal(churn(512, 1024, 8, 85, 3000, 6), 0);
}

/*
 * Files rewritten in the order they were written, like a logger or the
 * VFS's fsloop: 95 files of 1..9000 bytes in a directory on 256 blocks of
 * 4 KiB (about 60% used), rewritten five times with a whole-disk window.
 * The blocks a pass frees lie just behind the allocator, which finds only
 * blocks its old window says are in use ahead of it.
 */
static void test_rewrite_in_order(void **state)
{
    (void)state;
    struct tfs t;
    format_and_mount(&t, 4096, 256, 512, 512, 32, -1);
    struct fs *fs = &t.fs;
    uint8_t *buf = malloc(9000);
    char path[32];
    assert_int_equal(fs_mkdir(fs, "/loop"), 0);
    int failures = 0;
    for (int pass = 0; pass < 5; pass++) {
        for (uint32_t n = 0; n < 95; n++) {
            uint32_t size = 1 + (n * 2654435761u) % 9000;
            fill_pattern(buf, size, n);
            snprintf(path, sizeof(path), "/loop/f%05u", n);
            int err = write_file(fs, path, buf, size, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
            if (err == ERR_NO_SPACE) {
                failures++;
                continue;
            }
            assert_int_equal(err, 0);
            if (n % 8 == 7) {
                char text[16];
                int len = snprintf(text, sizeof(text), "%u", n);
                assert_int_equal(write_file(fs, "/loop/last.tmp", text, (size_t)len,
                                            FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC), 0);
                assert_int_equal(fs_rename(fs, "/loop/last.tmp", "/loop/last"), 0);
            }
        }
        print_message("      pass %d: %ld of 256 blocks in use, %d full-disk errors so far\n",
                      pass, fs_used_blocks(fs), failures);
    }
    assert_int_equal(failures, 0);
    assert_int_equal(fs_fsck(fs), 0);
    for (uint32_t n = 0; n < 95; n++) {
        uint32_t size = 1 + (n * 2654435761u) % 9000;
        fill_pattern(buf, size, n);
        snprintf(path, sizeof(path), "/loop/f%05u", n);
        check_file(fs, path, buf, size);
    }
    free(buf);
    tfs_unmount(&t);
    tfs_free(&t);
}

/*
 * A handle reading a large file keeps reading the version it opened while
 * another handle replaces the file and other files churn the disk: its
 * blocks (and the block addresses it has looked up ahead) must not be
 * handed out again until it closes.
 */
static void test_reader_keeps_its_version(void **state)
{
    (void)state;
    struct tfs t;
    format_and_mount(&t, 512, 512, 16, 256, 16, 0);
    struct fs *fs = &t.fs;
    size_t len = 60 * 1024;            /* about a quarter of the disk */
    uint8_t *old = malloc(len), *new = malloc(len), *got = malloc(len);
    fill_pattern(old, len, 1);
    fill_pattern(new, len, 2);
    assert_int_equal(write_file(fs, "/big", old, len, FS_O_WRONLY | FS_O_CREAT), 0);

    struct fs_file r;
    assert_int_equal(fs_file_open(fs, &r, "/big", FS_O_RDONLY), 0);
    size_t done = 0;
    assert_int_equal(fs_file_read(fs, &r, got, 3000), 3000);
    done = 3000;
    for (int round = 0; round < 6; round++) {
        /* replace the file, then churn: without protection the reader's
         * old blocks are free and get rewritten */
        assert_int_equal(write_file(fs, "/big", new, len, FS_O_WRONLY | FS_O_TRUNC), 0);
        for (int i = 0; i < 4; i++) {
            char path[16];
            snprintf(path, sizeof(path), "/c%d", i);
            int err = write_file(fs, path, new, 20 * 1024, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
            assert_true(err == 0 || err == ERR_NO_SPACE);
            assert_int_equal(fs_remove(fs, path), err == 0 ? 0 : ERR_NOT_FOUND);
        }
        long n = fs_file_read(fs, &r, got + done, 9000);
        assert_int_equal(n, 9000);
        done += 9000;
    }
    long n = fs_file_read(fs, &r, got + done, len - done);
    assert_int_equal(n, (long)(len - done));
    assert_memory_equal(got, old, len);
    assert_int_equal(fs_file_close(fs, &r), 0);
    check_file(fs, "/big", new, len);
    assert_int_equal(fs_fsck(fs), 0);
    free(old);
    free(new);
    free(got);
    tfs_unmount(&t);
    tfs_free(&t);
}

/* A disk really full still says so, and recovers once space is freed. */
static void test_full_disk_still_detected(void **state)
{
    (void)state;
    struct tfs t;
    format_and_mount(&t, 512, 512, 16, 256, 8, 0);
    size_t len = 16 * 1024;
    uint8_t *buf = malloc(len);
    fill_pattern(buf, len, 9);
    int err = 0, i;
    char path[32];
    for (i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "/fill%d", i);
        if ((err = write_file(&t.fs, path, buf, len, FS_O_WRONLY | FS_O_CREAT)))
            break;
    }
    assert_int_equal(err, ERR_NO_SPACE);
    assert_true(i > 10);
    assert_int_equal(fs_remove(&t.fs, "/fill0"), 0);
    assert_int_equal(fs_remove(&t.fs, "/fill1"), 0);
    assert_int_equal(write_file(&t.fs, "/again", buf, len, FS_O_WRONLY | FS_O_CREAT), 0);
    check_file(&t.fs, "/again", buf, len);
    assert_int_equal(fs_fsck(&t.fs), 0);
    free(buf);
    tfs_unmount(&t);
    tfs_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rewrite_in_order),
        cmocka_unit_test(test_whole_disk_window),
        cmocka_unit_test(test_partial_windows),
        cmocka_unit_test(test_small_window),
        cmocka_unit_test(test_full_disk_still_detected),
        cmocka_unit_test(test_reader_keeps_its_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
