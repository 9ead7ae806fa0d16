/*
 * Power loss at every write.
 *
 * Each scenario is a list of operations run on a prepared image. A clean
 * run records the tree (names, types, contents) after every operation and
 * counts the device writes (programs + erases). Then, for every N, the
 * scenario is replayed from the same image with power cut at write N (the
 * write in progress is torn: half of it lands). After powering back on,
 * the image must mount, pass fsck, and show exactly the tree before or
 * after the interrupted operation; every operation that returned before
 * the cut must be there. A write after the remount (which runs the
 * repairs of moves and orphans) must work and keep the image clean.
 *
 * Randomized rounds do the same with generated operation lists and
 * random cut points; the seed is printed so a failure can be replayed
 * (FS_PL_SEED=...).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsutil.h"
#include "pus/err.h"

enum kind { CREATE, APPEND, OVERWRITE, WRITE_MID, RENAME, REMOVE, MKDIR,
            TRUNCATE, SETATTR, NKINDS };

struct op {
    enum kind kind;
    const char *path, *path2;
    uint32_t size;
};

static uint8_t payload[70000];

/* During the clean run, every API call that may commit records the tree it
 * leaves behind: those are the states a cut inside the operation may show
 * (e.g. open with O_CREAT commits an empty file before close commits its
 * data, as in POSIX and the reference). */
#define MAX_STATES 8
struct states {
    uint64_t h[MAX_STATES];
    int n;
};
static struct states *recording;

static void step(struct fs *fs)
{
    if (recording && recording->n < MAX_STATES)
        assert_int_equal(tree_hash(fs, &recording->h[recording->n++]), 0);
}

static int write_steps(struct fs *fs, const char *path, const void *data,
                       size_t len, int flags)
{
    struct fs_file f;
    int err = fs_file_open(fs, &f, path, flags);
    if (err)
        return err;
    step(fs);
    long n = fs_file_write(fs, &f, data, len);
    int cerr = fs_file_close(fs, &f);
    if (n < 0)
        return n;
    return cerr;
}

/* Run one operation; 0 or an error code. */
static int run_op(struct fs *fs, const struct op *op, uint32_t seed)
{
    struct fs_file f;
    int err;
    long n;
    fill_pattern(payload, op->size, seed);
    switch (op->kind) {
    case CREATE:
        return write_steps(fs, op->path, payload, op->size,
                           FS_O_WRONLY | FS_O_CREAT | FS_O_EXCL);
    case APPEND:
        return write_steps(fs, op->path, payload, op->size,
                           FS_O_WRONLY | FS_O_CREAT | FS_O_APPEND);
    case OVERWRITE:
        return write_steps(fs, op->path, payload, op->size,
                           FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
    case WRITE_MID:
        err = fs_file_open(fs, &f, op->path, FS_O_RDWR);
        if (err)
            return err;
        n = fs_file_size(fs, &f);
        n = fs_file_seek(fs, &f, n / 3, FS_SEEK_SET);
        if (n >= 0)
            n = fs_file_write(fs, &f, payload, op->size);
        err = fs_file_close(fs, &f);
        return n < 0 ? (int)n : err;
    case RENAME:
        return fs_rename(fs, op->path, op->path2);
    case REMOVE:
        return fs_remove(fs, op->path);
    case MKDIR:
        return fs_mkdir(fs, op->path);
    case TRUNCATE:
        err = fs_file_open(fs, &f, op->path, FS_O_RDWR);
        if (err)
            return err;
        err = fs_file_truncate(fs, &f, op->size);
        int cerr = fs_file_close(fs, &f);
        return err ? err : cerr;
    case SETATTR:
        return fs_setattr(fs, op->path, 9, payload, op->size % 200);
    default:
        return ERR_INVALID_ARGS;
    }
}

/* Runs ops until the device fails; returns how many returned. Errors
 * other than I/O (not found, exists...) are deterministic outcomes and
 * count as done. */
static int run_ops(struct fs *fs, const struct op *ops, int n,
                   uint64_t *hashes, struct states *mid)
{
    for (int i = 0; i < n; i++) {
        recording = mid ? &mid[i] : NULL;
        int err = run_op(fs, &ops[i], i * 7919 + 1);
        recording = NULL;
        if (err == ERR_IO)
            return i;
        if (err && getenv("FS_PL_VERBOSE"))
            printf("op %d (%d %s) -> %d\n", i, ops[i].kind, ops[i].path, err);
        if (hashes)
            assert_int_equal(tree_hash(fs, &hashes[i + 1]), 0);
        if (hashes && getenv("FS_PL_VERBOSE"))
            printf("op %d done hash %016llx\n", i, (unsigned long long)hashes[i + 1]);
    }
    return n;
}

struct scenario_cfg {
    uint32_t block_size, count, prog, cache;
    int32_t block_cycles;
};

static void dump_tree(struct fs *fs, const char *path)
{
    struct fs_dir d;
    struct fs_info info;
    if (fs_dir_open(fs, &d, path))
        return;
    while (fs_dir_read(fs, &d, &info) > 0) {
        char child[300];
        snprintf(child, sizeof(child), "%s/%s", path, info.name);
        printf("  %s %s %u\n", info.type == FS_TYPE_DIR ? "d" : "f", child,
               info.size);
        if (info.type == FS_TYPE_DIR)
            dump_tree(fs, child);
    }
    fs_dir_close(fs, &d);
}

static uint64_t writes(const struct ramdev *rd)
{
    return rd->progs + rd->erases;
}

/* Check one scenario at every cut point (or every step-th). */
static void check_scenario(const struct scenario_cfg *c, const struct op *prep,
                           int nprep, const struct op *ops, int n, int step,
                           int64_t single_cut)
{
    struct tfs t;
    tfs_init(&t, c->block_size, c->count, c->prog, c->cache, c->block_cycles);
    assert_int_equal(run_ops(&t.fs, prep, nprep, NULL, NULL), nprep);
    tfs_unmount(&t);
    size_t size = (size_t)c->block_size * c->count;
    uint8_t *base = malloc(size);
    memcpy(base, t.rd.mem, size);

    uint64_t *hashes = calloc(n + 1, sizeof(uint64_t));
    struct states *mid = calloc(n, sizeof(struct states));
    tfs_mount(&t);
    assert_int_equal(tree_hash(&t.fs, &hashes[0]), 0);
    uint64_t w0 = writes(&t.rd);
    assert_int_equal(run_ops(&t.fs, ops, n, hashes, mid), n);
    uint64_t total = writes(&t.rd) - w0;
    if (getenv("FS_PL_VERBOSE"))
        printf("scenario: %d ops, first %d %s, %lu writes\n", n, ops[0].kind,
               ops[0].path, (unsigned long)total);
    tfs_unmount(&t);

    for (uint64_t cut = 0; cut <= total; cut += step) {
        if (single_cut >= 0)
            cut = single_cut;
        memcpy(t.rd.mem, base, size);
        ramdev_power_on(&t.rd);
        tfs_mount(&t);
        ramdev_cut_after(&t.rd, cut);
        int done = run_ops(&t.fs, ops, n, NULL, NULL);
        fs_unmount(&t.fs);          /* drops RAM state; nothing written */
        ramdev_power_on(&t.rd);

        int err = fs_mount(&t.fs, &t.cfg);
        if (err)
            fail_msg("cut %lu: mount failed %d", (unsigned long)cut, err);
        err = fs_fsck(&t.fs);
        if (err)
            fail_msg("cut %lu: fsck %d", (unsigned long)cut, err);
        uint64_t h;
        assert_int_equal(tree_hash(&t.fs, &h), 0);
        bool ok = h == hashes[done] || (done < n && h == hashes[done + 1]);
        for (int k = 0; done < n && k < mid[done].n; k++)
            ok = ok || h == mid[done].h[k];
        if (!ok)
            dump_tree(&t.fs, "");
        if (!ok)
            fail_msg("cut %lu of %lu: state is neither before nor after op %d",
                     (unsigned long)cut, (unsigned long)total, done);
        /* the repaired image takes new writes */
        err = write_file(&t.fs, "/after-cut", "ok", 2,
                         FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
        if (err)
            fail_msg("cut %lu: write after remount %d", (unsigned long)cut, err);
        tfs_unmount(&t);
        tfs_mount(&t);
        assert_int_equal(fs_fsck(&t.fs), 0);
        tfs_unmount(&t);
        if (single_cut >= 0)
            break;
    }
    free(hashes);
    free(mid);
    free(base);
    tfs_free(&t);
}

static const struct scenario_cfg big = {4096, 64, 16, 256, 500};
static const struct scenario_cfg small = {512, 256, 16, 64, 500};
static const struct scenario_cfg tired = {512, 256, 16, 64, 2};
/* what the kernel uses on virtio-blk: 512-byte sectors as read/prog unit */
static const struct scenario_cfg sectors = {4096, 64, 512, 512, 4};

static const struct op prep[] = {
    {MKDIR, "/d", 0, 0},
    {CREATE, "/d/old", 0, 3000},
    {CREATE, "/small", 0, 40},
    {CREATE, "/big", 0, 9000},
    {MKDIR, "/d/sub", 0, 0},
};

static const struct op ops_create[] = {
    {CREATE, "/new", 0, 0},
    {CREATE, "/d/new2", 0, 100},
    {CREATE, "/new3", 0, 5000},
};
static const struct op ops_append[] = {
    {APPEND, "/small", 0, 30},
    {APPEND, "/small", 0, 300},
    {APPEND, "/big", 0, 5000},
};
static const struct op ops_overwrite[] = {
    {OVERWRITE, "/big", 0, 12000},
    {WRITE_MID, "/big", 0, 700},
    {OVERWRITE, "/small", 0, 20},
};
static const struct op ops_rename[] = {
    {RENAME, "/small", "/renamed", 0},
    {RENAME, "/renamed", "/d/sub/moved", 0},
    {RENAME, "/d/old", "/big", 0},
    {RENAME, "/d/sub", "/sub2", 0},
};
static const struct op ops_remove[] = {
    {REMOVE, "/big", 0, 0},
    {REMOVE, "/d/sub", 0, 0},
    {REMOVE, "/small", 0, 0},
};
static const struct op ops_mkdir[] = {
    {MKDIR, "/e", 0, 0},
    {MKDIR, "/d/f", 0, 0},
    {MKDIR, "/e/g", 0, 0},
    {CREATE, "/e/g/x", 0, 10},
};
static const struct op ops_truncate[] = {
    {TRUNCATE, "/big", 0, 5000},
    {TRUNCATE, "/big", 0, 100},
    {TRUNCATE, "/small", 0, 7000},
    {SETATTR, "/small", 0, 50},
};

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static void run_all(const struct scenario_cfg *c, int step)
{
    check_scenario(c, prep, N(prep), ops_create, N(ops_create), step, -1);
    check_scenario(c, prep, N(prep), ops_append, N(ops_append), step, -1);
    check_scenario(c, prep, N(prep), ops_overwrite, N(ops_overwrite), step, -1);
    check_scenario(c, prep, N(prep), ops_rename, N(ops_rename), step, -1);
    check_scenario(c, prep, N(prep), ops_remove, N(ops_remove), step, -1);
    check_scenario(c, prep, N(prep), ops_mkdir, N(ops_mkdir), step, -1);
    check_scenario(c, prep, N(prep), ops_truncate, N(ops_truncate), step, -1);
}

static void test_every_cut_4k(void **state) { run_all(&big, 1); }
static void test_every_cut_512(void **state) { run_all(&small, 1); }
/* block_cycles 2: metadata pairs move (and the superblock expands) all
 * the time, so cuts land inside relocations too */
static void test_every_cut_relocating(void **state) { run_all(&tired, 1); }
static void test_every_cut_sectors(void **state) { run_all(&sectors, 1); }

/* Many entries in one directory: cuts during compaction and splits. */
static void test_cut_during_splits(void **state)
{
    static struct op ops[40];
    static char names[40][16];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "/d/n%02d", i);
        ops[i] = (struct op){i % 5 == 4 ? REMOVE : CREATE,
                             i % 5 == 4 ? names[i - 2] : names[i], 0,
                             (uint32_t)(i * 13 % 90)};
    }
    check_scenario(&small, prep, N(prep), ops, 40, 1, -1);
    check_scenario(&tired, prep, N(prep), ops, 40, 3, -1);
    /* directories made and removed in the middle of a split directory */
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "/d/m%02d", (i * 17) % 40);
        ops[i] = (struct op){i % 6 == 5 ? REMOVE : MKDIR,
                             i % 6 == 5 ? names[i - 3] : names[i], 0, 0};
    }
    check_scenario(&small, prep, N(prep), ops, 40, 1, -1);
    check_scenario(&tired, prep, N(prep), ops, 40, 2, -1);
}

static const char *const rpaths[] = {"/a", "/b", "/d/c", "/d/sub/e", "/f",
                                     "/d/old", "/big", "/small"};
static const char *const rdirs[] = {"/x", "/d/y", "/x/z"};

/* a larger pool of names in /d so that it splits */
static char pool[48][24];

static const char *pick(uint64_t *rng)
{
    if (rng_next(rng) % 2)
        return rpaths[rng_next(rng) % N(rpaths)];
    return pool[rng_next(rng) % 48];
}

static void random_ops(uint64_t *rng, struct op *ops, int n)
{
    if (!pool[0][0])
        for (int i = 0; i < 48; i++)
            snprintf(pool[i], sizeof(pool[i]), "/d/p%02d", i);
    for (int i = 0; i < n; i++) {
        enum kind k = rng_next(rng) % NKINDS;
        const char *p = pick(rng);
        const char *p2 = pick(rng);
        if (k == MKDIR || (k == REMOVE && rng_next(rng) % 4 == 0))
            p = rdirs[rng_next(rng) % N(rdirs)];
        uint32_t size = rng_next(rng) % (rng_next(rng) % 3 ? 400 : 20000);
        ops[i] = (struct op){k, p, p2, size};
    }
}

static void test_randomized(void **state)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    const char *env = getenv("FS_PL_SEED");
    if (env)
        seed = strtoull(env, NULL, 0);
    int rounds = env ? 1 : 400;
    if (getenv("FS_PL_ROUNDS"))
        rounds = atoi(getenv("FS_PL_ROUNDS"));
    printf("power-loss randomized: seed 0x%llx, %d rounds\n",
           (unsigned long long)seed, rounds);
    uint64_t rng = seed;
    for (int r = 0; r < rounds; r++) {
        struct op ops[40];
        int n = 4 + rng_next(&rng) % (r % 5 == 4 ? 36 : 8);
        random_ops(&rng, ops, n);
        static const struct scenario_cfg *const cfgs[4] = {&big, &small,
                                                           &tired, &sectors};
        const struct scenario_cfg *c = cfgs[r % 4];
        /* a few cut points per round, spread over the run */
        check_scenario(c, prep, N(prep), ops, n, 1 + rng_next(&rng) % 5, -1);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cut_4k),
        cmocka_unit_test(test_every_cut_512),
        cmocka_unit_test(test_every_cut_relocating),
        cmocka_unit_test(test_every_cut_sectors),
        cmocka_unit_test(test_cut_during_splits),
        cmocka_unit_test(test_randomized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
