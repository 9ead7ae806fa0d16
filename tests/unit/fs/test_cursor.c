/*
 * What a file handle remembers about its position: the block addresses
 * it looked up ahead for a sequential reader (the read window) and those
 * of the blocks it last wrote. Every change to the file through the
 * handle (seek, write, truncate, append) must leave reads byte-exact,
 * checked here against a copy of the file kept in memory.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsutil.h"
#include "pus/err.h"

#define MAX (300 * 1024)

struct model {
    uint8_t *data;
    uint32_t size, pos;
};

static void read_and_check(struct fs *fs, struct fs_file *f, struct model *m, uint32_t n,
                           uint8_t *tmp)
{
    long got = fs_file_read(fs, f, tmp, n);
    uint32_t want = m->pos >= m->size ? 0 : (m->size - m->pos < n ? m->size - m->pos : n);
    assert_int_equal(got, want);
    if (want)
        assert_memory_equal(tmp, m->data + m->pos, want);
    m->pos += want;
}

static void run(uint32_t block_size, uint32_t count, uint64_t seed, int steps)
{
    struct tfs t;
    tfs_init(&t, block_size, count, 16, 256, 100);
    struct fs *fs = &t.fs;
    struct model m = {calloc(1, MAX), 0, 0};
    uint8_t *tmp = malloc(MAX), *src = malloc(MAX);
    fill_pattern(src, MAX, (uint32_t)seed);
    struct fs_file f;
    assert_int_equal(fs_file_open(fs, &f, "/f", FS_O_RDWR | FS_O_CREAT), 0);
    /* start with a file of many blocks */
    uint32_t first = MAX / 2;
    assert_int_equal(fs_file_write(fs, &f, src, first), (long)first);
    memcpy(m.data, src, first);
    m.size = m.pos = first;
    for (int s = 0; s < steps; s++) {
        uint32_t r = rng_next(&seed) % 100;
        if (r < 40) {                             /* sequential reads */
            uint32_t n = 1 + rng_next(&seed) % (8 * block_size);
            for (int k = 0; k < 4; k++)
                read_and_check(fs, &f, &m, n, tmp);
        } else if (r < 60) {                      /* seek anywhere */
            uint32_t to = m.size ? rng_next(&seed) % (m.size + 1) : 0;
            assert_int_equal(fs_file_seek(fs, &f, to, FS_SEEK_SET), (long)to);
            m.pos = to;
        } else if (r < 75) {                      /* overwrite or extend */
            uint32_t n = 1 + rng_next(&seed) % (3 * block_size);
            if (m.pos + n > MAX)
                continue;
            uint32_t from = rng_next(&seed) % (MAX - n);
            if (m.pos > m.size)
                memset(m.data + m.size, 0, m.pos - m.size);
            assert_int_equal(fs_file_write(fs, &f, src + from, n), (long)n);
            memcpy(m.data + m.pos, src + from, n);
            m.pos += n;
            if (m.pos > m.size)
                m.size = m.pos;
        } else if (r < 85) {                      /* truncate */
            uint32_t to = rng_next(&seed) % MAX;
            if (to > m.size && to - m.size > 64 * 1024)
                to = m.size + 64 * 1024;
            assert_int_equal(fs_file_truncate(fs, &f, to), 0);
            if (to > m.size)
                memset(m.data + m.size, 0, to - m.size);
            m.size = to;
        } else if (r < 92) {                      /* sync: the list moves */
            assert_int_equal(fs_file_sync(fs, &f), 0);
        } else {                                  /* read backwards in steps */
            for (int k = 0; k < 4 && m.pos > 0; k++) {
                uint32_t back = 1 + rng_next(&seed) % (2 * block_size);
                uint32_t to = m.pos > back ? m.pos - back : 0;
                assert_int_equal(fs_file_seek(fs, &f, to, FS_SEEK_SET), (long)to);
                m.pos = to;
                read_and_check(fs, &f, &m, block_size / 2, tmp);
                m.pos = to;
                assert_int_equal(fs_file_seek(fs, &f, to, FS_SEEK_SET), (long)to);
            }
        }
    }
    assert_int_equal(fs_file_close(fs, &f), 0);
    uint8_t *all;
    long n = read_file(fs, "/f", &all);
    assert_int_equal(n, m.size);
    if (n)
        assert_memory_equal(all, m.data, n);
    free(all);
    assert_int_equal(fs_fsck(fs), 0);
    free(m.data);
    free(tmp);
    free(src);
    tfs_free(&t);
}

static void test_cursor_4k_blocks(void **state)
{
    (void)state;
    run(4096, 512, 11, 400);
}

static void test_cursor_512_blocks(void **state)
{
    (void)state;
    run(512, 4096, 12, 400);
    run(512, 4096, 13, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor_4k_blocks),
        cmocka_unit_test(test_cursor_512_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
