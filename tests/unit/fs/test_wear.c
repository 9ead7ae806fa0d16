/*
 * Wear leveling: many rewrites of a few files must spread erases over the
 * device. With block_cycles set, a metadata pair moves to fresh blocks
 * after about block_cycles erases (and the superblock pair expands), so
 * no block is worn far beyond the rest; without it, the root pair takes
 * every metadata erase. The erase spread is printed for both.
 */
#include <math.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsutil.h"
#include "pus/err.h"

struct spread {
    uint32_t min, max, used;
    double mean, sd;
};

static struct spread run(int32_t block_cycles, uint32_t rounds)
{
    struct tfs t;
    tfs_init(&t, 512, 128, 16, 64, block_cycles);
    uint8_t buf[2000];
    for (uint32_t i = 0; i < rounds; i++) {
        fill_pattern(buf, sizeof(buf), i);
        assert_int_equal(write_file(&t.fs, "/config", buf, 40,
                                    FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC), 0);
        if (i % 4 == 0)
            assert_int_equal(write_file(&t.fs, "/log", buf, 1500,
                                        FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC), 0);
    }
    assert_int_equal(fs_fsck(&t.fs), 0);
    uint8_t *data;
    assert_int_equal(read_file(&t.fs, "/config", &data), 40);
    fill_pattern(buf, 40, rounds - 1);
    assert_memory_equal(data, buf, 40);
    free(data);

    struct spread s = {UINT32_MAX, 0, 0, 0, 0};
    uint32_t n = t.rd.bd.block_count;
    for (uint32_t b = 0; b < n; b++) {
        uint32_t e = t.rd.erase_counts[b];
        s.min = e < s.min ? e : s.min;
        s.max = e > s.max ? e : s.max;
        s.used += e > 0;
        s.mean += e;
    }
    s.mean /= n;
    for (uint32_t b = 0; b < n; b++)
        s.sd += (t.rd.erase_counts[b] - s.mean) * (t.rd.erase_counts[b] - s.mean);
    s.sd = sqrt(s.sd / n);
    tfs_free(&t);
    return s;
}

static void print(const char *what, struct spread s)
{
    printf("wear %-22s erases per block: min %u max %u mean %.1f sd %.1f, "
           "%u of 128 blocks erased, max/mean %.2f\n",
           what, s.min, s.max, s.mean, s.sd, s.used, s.max / s.mean);
}

static void test_block_cycles_spread_erases(void **state)
{
    struct spread off = run(-1, 3000);
    struct spread on = run(20, 3000);
    print("block_cycles off:", off);
    print("block_cycles 20:", on);
    /* every block takes part, and the worst block is not far off the mean */
    assert_true(on.used >= 120);
    assert_true(on.max <= 3 * on.mean);
    /* and it is wear leveling doing it: without, the root pair wears */
    assert_true(off.max > 2 * on.max);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_cycles_spread_erases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
