/*
 * The node's disk adapter (services/vfs/blockdev_virtio.c) on a fake disk
 * that records every request (fakedisk.h): read-ahead, a read larger than
 * the window, write-behind coherence, ordered writes at sync, device errors,
 * refused requests, and lib/fs on top of it all.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fakedisk.h"
#include "fs/fs.h"
#include "pus/err.h"

#define SECTOR VBLK_SECTOR
#define KIB 1024u

struct rig {
    struct fake_disk d;
    struct vblk_bdev vb;
    struct blockdev *bd;
    uint8_t *buf, *want;        /* one block each */
};

/* A disk of `mib` MiB holding blocks of bs bytes, with the adapter's
 * buffers as given (the node's are 256 KiB and 1 MiB). */
static struct rig *rig_new(uint32_t mib, uint32_t bs, uint32_t write_behind, uint32_t read_ahead)
{
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init(&r->d, (uint64_t)mib << 20 >> 9, write_behind, read_ahead);
    assert_int_equal(vblk_bdev_attach(&r->vb, &r->d.vd, bs, (uint32_t)(((uint64_t)mib << 20) / bs)),
                     0);
    r->bd = &r->vb.bd;
    r->buf = malloc(bs);
    r->want = malloc(bs);
    return r;
}

static void rig_free(struct rig *r)
{
    assert_int_equal(r->d.violations, 0);
    vblk_bdev_free(&r->vb);
    assert_int_equal(fake_in_flight(&r->d), 0);
    fake_free(&r->d);
    free(r->buf);
    free(r->want);
    free(r);
}

static uint64_t sector_of(struct rig *r, uint32_t block, uint32_t off)
{
    return ((uint64_t)block * r->bd->block_size + off) / SECTOR;
}

/* Read a block the way lib/fs does: its first sector through its cache,
 * then the rest in one call. */
static int read_block(struct rig *r, uint32_t block, uint8_t *buf)
{
    int e = r->bd->read(r->bd, block, 0, buf, SECTOR);
    if (e == 0)
        e = r->bd->read(r->bd, block, SECTOR, buf + SECTOR, r->bd->block_size - SECTOR);
    return e;
}

/* Assert that buf holds `bytes` at disk sector `sector` stamped with salt. */
static void assert_stamped(const uint8_t *buf, uint64_t sector, uint32_t bytes, uint64_t salt)
{
    uint8_t *want = malloc(bytes);
    fake_expect(want, sector, bytes / SECTOR, salt);
    assert_memory_equal(buf, want, bytes);
    free(want);
}

static void assert_block_reads(struct rig *r, uint32_t block, uint64_t salt)
{
    assert_int_equal(read_block(r, block, r->buf), 0);
    assert_stamped(r->buf, sector_of(r, block, 0), r->bd->block_size, salt);
}

/* Program a block (whole) with the stamp of its sectors under salt. */
static int prog_block(struct rig *r, uint32_t block, uint64_t salt)
{
    fake_expect(r->want, sector_of(r, block, 0), r->bd->block_size / SECTOR, salt);
    return r->bd->prog(r->bd, block, 0, r->want, r->bd->block_size);
}

static int reads_issued(struct rig *r)
{
    return fake_count(&r->d, FAKE_READ) + fake_count(&r->d, FAKE_READ_START);
}

static int writes_issued(struct rig *r)
{
    return fake_count(&r->d, FAKE_WRITE) + fake_count(&r->d, FAKE_WRITE_START);
}

/* ---- setup and refusals */

static void test_attach_checks_geometry(void **state)
{
    (void)state;
    struct fake_disk *d = calloc(1, sizeof(*d));
    struct vblk_bdev *vb = calloc(1, sizeof(*vb));
    fake_init(d, 2048, 64 * KIB, 256 * KIB);          /* 1 MiB */
    assert_int_equal(vblk_bdev_attach(vb, &d->vd, 0, 8), ERR_INVALID_ARGS);
    assert_int_equal(vblk_bdev_attach(vb, &d->vd, 256, 8), ERR_INVALID_ARGS);
    assert_int_equal(vblk_bdev_attach(vb, &d->vd, 4097, 8), ERR_INVALID_ARGS);
    assert_int_equal(vblk_bdev_attach(vb, &d->vd, 4096, 0), ERR_INVALID_ARGS);
    assert_int_equal(vblk_bdev_attach(vb, &d->vd, 4096, 257), ERR_INVALID_ARGS);  /* too big */
    struct vblk_disk bad = d->vd;
    bad.write_behind_bytes = 0;
    assert_int_equal(vblk_bdev_attach(vb, &bad, 4096, 8), ERR_INVALID_ARGS);
    bad.write_behind_bytes = VBLK_MAX_REQUEST + SECTOR;   /* more than one request */
    assert_int_equal(vblk_bdev_attach(vb, &bad, 4096, 8), ERR_INVALID_ARGS);
    bad = d->vd;
    bad.read_ahead_bytes = 1000;
    assert_int_equal(vblk_bdev_attach(vb, &bad, 4096, 8), ERR_INVALID_ARGS);
    assert_int_equal(vblk_bdev_attach(vb, &d->vd, 4096, 256), 0);
    assert_int_equal(vb->bd.read_size, SECTOR);
    assert_int_equal(vb->bd.prog_size, SECTOR);
    assert_int_equal(d->nissued, 0);                    /* attaching reads nothing */
    vblk_bdev_free(vb);
    fake_free(d);
    free(d);
    free(vb);
}

static void test_refuses_misaligned_and_out_of_range(void **state)
{
    (void)state;
    struct rig *r = rig_new(1, 4096, 64 * KIB, 256 * KIB);   /* 256 blocks */
    struct blockdev *bd = r->bd;
    uint8_t *b = r->buf;
    memset(b, 0x5a, 4096);
    /* misaligned offset or size, a block past the end, a range past the block */
    assert_int_equal(bd->read(bd, 0, 1, b, SECTOR), ERR_INVALID_ARGS);
    assert_int_equal(bd->read(bd, 0, 0, b, 100), ERR_INVALID_ARGS);
    assert_int_equal(bd->read(bd, 0, 256, b, 1024), ERR_INVALID_ARGS);
    assert_int_equal(bd->read(bd, 256, 0, b, SECTOR), ERR_INVALID_ARGS);
    assert_int_equal(bd->read(bd, UINT32_MAX, 0, b, SECTOR), ERR_INVALID_ARGS);
    assert_int_equal(bd->read(bd, 3, 3584, b, 1024), ERR_INVALID_ARGS);
    assert_int_equal(bd->read(bd, 3, 4608, b, 0), ERR_INVALID_ARGS);
    assert_int_equal(bd->prog(bd, 0, 1, b, SECTOR), ERR_INVALID_ARGS);
    assert_int_equal(bd->prog(bd, 0, 0, b, 511), ERR_INVALID_ARGS);
    assert_int_equal(bd->prog(bd, 256, 0, b, SECTOR), ERR_INVALID_ARGS);
    assert_int_equal(bd->prog(bd, 3, 3584, b, 1024), ERR_INVALID_ARGS);
    assert_int_equal(bd->erase(bd, 256), ERR_INVALID_ARGS);
    assert_int_equal(bd->sync(bd), 0);
    /* nothing reached the disk but the sync's flush, nothing changed */
    assert_int_equal(r->d.nissued, 1);
    assert_int_equal(r->d.issued[0].kind, FAKE_FLUSH);
    assert_int_equal(r->vb.stats.erases, 0);
    assert_block_reads(r, 0, 0);
    assert_block_reads(r, 3, 0);
    assert_block_reads(r, 255, 0);
    rig_free(r);
}

static void test_read_only_disk_refuses_writes(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    fake_init(&r->d, 2048, 64 * KIB, 256 * KIB);
    r->d.vd.read_only = true;
    assert_int_equal(vblk_bdev_attach(&r->vb, &r->d.vd, 4096, 256), 0);
    r->bd = &r->vb.bd;
    r->buf = malloc(4096);
    r->want = malloc(4096);
    assert_int_equal(prog_block(r, 2, 9), ERR_READ_ONLY);
    assert_int_equal(r->bd->erase(r->bd, 2), ERR_READ_ONLY);
    assert_int_equal(prog_block(r, 3, 9), ERR_READ_ONLY);
    assert_int_equal(r->bd->sync(r->bd), 0);
    assert_int_equal(r->d.refused, 1);                 /* said once */
    assert_int_equal(r->d.nissued, 0);
    assert_block_reads(r, 2, 0);                       /* reads still work */
    assert_block_reads(r, 3, 0);
    rig_free(r);
}

/* ---- reads */

static void test_sequential_reads_come_from_read_ahead(void **state)
{
    (void)state;
    struct rig *r = rig_new(8, 4096, 64 * KIB, 256 * KIB);    /* 2048 blocks */
    for (uint32_t b = 0; b < 2048; b++)
        assert_block_reads(r, b, 0);
    /* 4096 calls; 8 MiB in windows of at most 256 KiB is >= 32 requests. */
    int reads = reads_issued(r);
    assert_true(reads >= 32);
    assert_true(reads <= 64);
    assert_true(fake_count(&r->d, FAKE_READ_START) > 0);      /* next window prefetched */
    assert_true(r->vb.stats.readahead_hits >= 4000);
    /* nothing read twice, nothing beyond the stream's end */
    assert_true(r->vb.stats.bytes_read <= (8u << 20) + 2 * SECTOR * 8);
    rig_free(r);
}

/* Blocks larger than the first window (64 KiB): the sequential read of a
 * block's rest must fetch all of it, not just the window (a bug: the
 * window's 64 KiB were read and 127 KiB copied out). */
static void test_read_larger_than_window(void **state)
{
    (void)state;
    struct rig *r = rig_new(4, 128 * KIB, 64 * KIB, 256 * KIB);   /* 32 blocks */
    assert_block_reads(r, 5, 0);
    /* the request for the rest (after the 4 KiB page of its first sector)
     * asked for at least the rest */
    int big = -1;
    for (int i = 0; i < r->d.nissued; i++)
        if (r->d.issued[i].kind == FAKE_READ && r->d.issued[i].count > 8 && big < 0)
            big = i;
    assert_true(big >= 0);
    assert_int_equal(r->d.issued[big].sector, sector_of(r, 5, SECTOR));
    assert_true(r->d.issued[big].count >= 255);
    /* the stream goes on over blocks of two windows and more */
    for (uint32_t b = 6; b < 32; b++)
        assert_block_reads(r, b, 0);
    /* and one read of a whole block (the node's largest call) */
    assert_int_equal(r->bd->read(r->bd, 1, 0, r->buf, 128 * KIB), 0);
    assert_stamped(r->buf, sector_of(r, 1, 0), 128 * KIB, 0);
    assert_int_equal(r->bd->read(r->bd, 2, 0, r->buf, 128 * KIB), 0);
    assert_stamped(r->buf, sector_of(r, 2, 0), 128 * KIB, 0);
    rig_free(r);
}

static void test_single_sectors_come_from_page_cache(void **state)
{
    (void)state;
    struct rig *r = rig_new(4, 4096, 64 * KIB, 256 * KIB);
    /* a skip-list walk: one sector per block, down the disk; a miss going
     * down reads the 128 KiB below it (32 pages) in one request */
    for (uint32_t b = 900; b > 700; b -= 2) {
        assert_int_equal(r->bd->read(r->bd, b, 0, r->buf, SECTOR), 0);
        assert_stamped(r->buf, sector_of(r, b, 0), SECTOR, 0);
    }
    assert_true(reads_issued(r) <= 16);                /* 100 sectors */
    /* the same sectors again soon after: no disk reads */
    for (uint32_t b = 740; b > 720; b -= 2) {
        assert_int_equal(r->bd->read(r->bd, b, 0, r->buf, SECTOR), 0);
        assert_stamped(r->buf, sector_of(r, b, 0), SECTOR, 0);
    }
    fake_clear_log(&r->d);
    for (uint32_t b = 740; b > 720; b -= 2) {
        assert_int_equal(r->bd->read(r->bd, b, 0, r->buf, SECTOR), 0);
        assert_stamped(r->buf, sector_of(r, b, 0), SECTOR, 0);
    }
    assert_int_equal(reads_issued(r), 0);
    assert_true(r->vb.stats.page_hits >= 10);
    rig_free(r);
}

/* ---- write-behind coherence */

static void test_reads_see_programmed_data(void **state)
{
    (void)state;
    struct rig *r = rig_new(4, 4096, 64 * KIB, 256 * KIB);
    /* A block still in the write-behind buffer reads back from it. */
    assert_int_equal(prog_block(r, 3, 0x1111), 0);
    assert_int_equal(writes_issued(r), 0);
    assert_block_reads(r, 3, 0x1111);
    assert_int_equal(writes_issued(r), 0);

    /* A read overlapping it in part: the buffer goes out first. */
    fake_expect(r->want, sector_of(r, 4, 0), 4, 0x2222);
    assert_int_equal(r->bd->prog(r->bd, 4, 0, r->want, 2048), 0);
    assert_int_equal(r->bd->read(r->bd, 4, 0, r->buf, 4096), 0);
    assert_stamped(r->buf, sector_of(r, 4, 0), 2048, 0x2222);
    assert_stamped(r->buf + 2048, sector_of(r, 4, 2048), 2048, 0);

    /* A block whose write is in flight (the run broke, the buffer went out
     * asynchronously) reads back what was written: the read waits for it. */
    assert_int_equal(prog_block(r, 10, 0x3333), 0);
    assert_int_equal(prog_block(r, 50, 0x3434), 0);        /* breaks the run */
    assert_int_equal(fake_in_flight(&r->d), 1);
    assert_block_reads(r, 10, 0x3333);
    assert_block_reads(r, 50, 0x3434);

    /* The read-ahead window and the prefetched one do not keep old data. */
    assert_int_equal(r->bd->sync(r->bd), 0);
    for (uint32_t b = 100; b < 120; b++)
        assert_block_reads(r, b, 0);
    assert_true(r->vb.ralen > 0 && r->vb.pflen > 0);
    assert_int_equal(prog_block(r, 125, 0x4444), 0);       /* in the current window */
    assert_int_equal(prog_block(r, 190, 0x4545), 0);       /* in the prefetched one */
    for (uint32_t b = 120; b < 200; b++)
        assert_block_reads(r, b, b == 125 ? 0x4444 : b == 190 ? 0x4545 : 0);
    assert_int_equal(r->bd->sync(r->bd), 0);
    for (uint32_t b = 120; b < 200; b++)
        assert_block_reads(r, b, b == 125 ? 0x4444 : b == 190 ? 0x4545 : 0);

    /* Nor the page cache. */
    assert_int_equal(r->bd->read(r->bd, 700, 0, r->buf, SECTOR), 0);
    assert_stamped(r->buf, sector_of(r, 700, 0), SECTOR, 0);
    assert_int_equal(prog_block(r, 700, 0x5555), 0);
    assert_int_equal(r->bd->read(r->bd, 700, 0, r->buf, SECTOR), 0);
    assert_stamped(r->buf, sector_of(r, 700, 0), SECTOR, 0x5555);
    assert_int_equal(r->bd->sync(r->bd), 0);
    assert_int_equal(r->bd->read(r->bd, 700, 512, r->buf, SECTOR), 0);
    assert_stamped(r->buf, sector_of(r, 700, 512), SECTOR, 0x5555);
    rig_free(r);
}

static void test_erased_block_reads_ff_until_programmed(void **state)
{
    (void)state;
    struct rig *r = rig_new(4, 4096, 64 * KIB, 256 * KIB);
    uint8_t ff[4096];
    memset(ff, 0xff, sizeof(ff));
    assert_int_equal(r->bd->erase(r->bd, 8), 0);
    assert_int_equal(r->d.nissued, 0);                     /* noted, not written */
    assert_int_equal(read_block(r, 8, r->buf), 0);
    assert_memory_equal(r->buf, ff, 4096);
    fake_expect(r->want, sector_of(r, 8, 0), 2, 0x77);
    assert_int_equal(r->bd->prog(r->bd, 8, 0, r->want, 1024), 0);
    assert_int_equal(read_block(r, 8, r->buf), 0);
    assert_stamped(r->buf, sector_of(r, 8, 0), 1024, 0x77);
    assert_memory_equal(r->buf + 1024, ff, 3072);
    assert_int_equal(r->bd->sync(r->bd), 0);               /* the rest filled on disk */
    assert_stamped(r->d.mem + sector_of(r, 8, 0) * SECTOR, sector_of(r, 8, 0), 1024, 0x77);
    assert_memory_equal(r->d.mem + sector_of(r, 8, 1024) * SECTOR, ff, 3072);
    rig_free(r);
}

/* ---- writes reach the disk in the order they were made */

static void test_sync_writes_everything_in_order(void **state)
{
    (void)state;
    struct rig *r = rig_new(4, 4096, 64 * KIB, 256 * KIB);
    /* runs: blocks 9..10, 2, 300..339 (160 KiB: three buffers), 2 again */
    uint32_t order[] = {9, 10, 2};
    for (int i = 0; i < 3; i++)
        assert_int_equal(prog_block(r, order[i], 0x100 + i), 0);
    for (uint32_t b = 300; b < 340; b++)
        assert_int_equal(prog_block(r, b, 0x200), 0);
    assert_int_equal(prog_block(r, 2, 0x300), 0);
    assert_int_equal(r->bd->sync(r->bd), 0);
    assert_int_equal(fake_in_flight(&r->d), 0);
    /* landed: 9-10 | 2 | 300.. in buffers, ascending and contiguous | 2 | flush */
    struct fake_req *l = r->d.landed;
    int n = r->d.nlanded;
    assert_true(n >= 6);
    assert_int_equal(l[0].sector, sector_of(r, 9, 0));
    assert_int_equal(l[0].count, 16);
    assert_int_equal(l[1].sector, sector_of(r, 2, 0));
    assert_int_equal(l[1].count, 8);
    uint64_t next = sector_of(r, 300, 0);
    int i = 2;
    for (; l[i].kind == FAKE_WRITE && l[i].sector == next; i++) {
        assert_true(l[i].count * SECTOR <= 64 * KIB);
        next += l[i].count;
    }
    assert_int_equal(next, sector_of(r, 340, 0));
    assert_int_equal(l[i].sector, sector_of(r, 2, 0));
    assert_int_equal(l[i].kind, FAKE_WRITE);
    assert_int_equal(l[i + 1].kind, FAKE_FLUSH);
    assert_int_equal(i + 2, n);
    /* the disk holds the newest data everywhere */
    assert_stamped(r->d.mem + sector_of(r, 2, 0) * SECTOR, sector_of(r, 2, 0), 4096, 0x300);
    assert_stamped(r->d.mem + sector_of(r, 9, 0) * SECTOR, sector_of(r, 9, 0), 4096, 0x100);
    assert_stamped(r->d.mem + sector_of(r, 10, 0) * SECTOR, sector_of(r, 10, 0), 4096, 0x101);
    assert_stamped(r->d.mem + sector_of(r, 300, 0) * SECTOR, sector_of(r, 300, 0), 40 * 4096,
                   0x200);
    assert_stamped(r->d.mem + sector_of(r, 11, 0) * SECTOR, sector_of(r, 11, 0), 4096, 0);
    /* a second sync has nothing to write but still flushes */
    fake_clear_log(&r->d);
    assert_int_equal(r->bd->sync(r->bd), 0);
    assert_int_equal(r->d.nissued, 1);
    assert_int_equal(r->d.issued[0].kind, FAKE_FLUSH);
    rig_free(r);
}

/* ---- device errors */

static void test_device_errors_are_returned_not_cached(void **state)
{
    (void)state;
    struct rig *r = rig_new(4, 4096, 64 * KIB, 256 * KIB);
    struct fake_disk *d = &r->d;

    /* A sequential stream meets a bad block: the blocks before it read
     * (though its windows and prefetches cover the bad one), it fails. */
    d->fail_reads = true;
    d->fail_sector = sector_of(r, 40, 0);
    d->fail_count = 8;
    for (uint32_t b = 0; b < 40; b++)
        assert_block_reads(r, b, 0);
    assert_int_equal(read_block(r, 40, r->buf), ERR_IO);
    assert_int_equal(read_block(r, 40, r->buf), ERR_IO);  /* not cached as good */
    d->fail_reads = false;                                 /* the disk recovers */
    for (uint32_t b = 0; b < 64; b++)
        assert_block_reads(r, b, 0);

    /* single sectors (page cache): a bad sector fails only itself */
    d->fail_reads = true;
    d->fail_sector = sector_of(r, 500, 512);
    d->fail_count = 1;
    assert_int_equal(r->bd->read(r->bd, 500, 512, r->buf, SECTOR), ERR_IO);
    assert_int_equal(r->bd->read(r->bd, 500, 0, r->buf, SECTOR), 0);
    assert_stamped(r->buf, sector_of(r, 500, 0), SECTOR, 0);
    assert_int_equal(r->bd->read(r->bd, 498, 0, r->buf, SECTOR), 0);   /* going down */
    assert_stamped(r->buf, sector_of(r, 498, 0), SECTOR, 0);
    assert_int_equal(r->bd->read(r->bd, 500, 512, r->buf, SECTOR), ERR_IO);
    /* and a lone multi-sector read */
    assert_int_equal(r->bd->read(r->bd, 500, 0, r->buf, 2048), ERR_IO);
    d->fail_reads = false;
    assert_int_equal(r->bd->read(r->bd, 500, 512, r->buf, SECTOR), 0);
    assert_stamped(r->buf, sector_of(r, 500, 512), SECTOR, 0);
    assert_int_equal(r->bd->read(r->bd, 500, 0, r->buf, 2048), 0);
    assert_stamped(r->buf, sector_of(r, 500, 0), 2048, 0);

    /* a write that fails: sync reports it, and no flush claims it durable */
    d->fail_writes = true;
    d->fail_sector = sector_of(r, 600, 0);
    assert_int_equal(prog_block(r, 600, 0x66), 0);
    fake_clear_log(d);
    assert_int_equal(r->bd->sync(r->bd), ERR_IO);
    assert_int_equal(fake_count(d, FAKE_FLUSH), 0);
    d->fail_writes = false;
    /* the write in flight fails: the next write or sync reports it */
    assert_int_equal(prog_block(r, 601, 0x67), 0);
    d->fail_writes = true;
    d->fail_sector = sector_of(r, 601, 0);
    assert_int_equal(prog_block(r, 700, 0x68), 0);        /* 601 goes out */
    assert_int_equal(r->bd->sync(r->bd), ERR_IO);
    d->fail_writes = false;
    /* 700 waited in write-behind when 601 failed: it is not thrown away,
       the next sync writes it */
    assert_int_equal(r->bd->sync(r->bd), 0);
    assert_stamped(d->mem + sector_of(r, 700, 0) * SECTOR, sector_of(r, 700, 0),
                   r->bd->block_size, 0x68);

    /* a failing write seen first by the write after it: that caller gets
       the error, and the sync after it still reports it */
    assert_int_equal(prog_block(r, 602, 0x69), 0);
    d->fail_writes = true;
    d->fail_sector = sector_of(r, 602, 0);
    assert_int_equal(prog_block(r, 720, 0x6c), 0);        /* 602 goes out */
    uint32_t end = 721;
    while (end < r->bd->block_count && prog_block(r, end, 0x6c) == 0)
        end++;                                             /* until a flush waits for 602 */
    assert_true(end < r->bd->block_count);
    assert_int_equal(r->bd->sync(r->bd), ERR_IO);          /* not forgotten */
    d->fail_writes = false;
    assert_int_equal(prog_block(r, end, 0x6c), 0);         /* the refused one again */
    assert_int_equal(r->bd->sync(r->bd), 0);               /* all written now */
    for (uint32_t b = 720; b <= end; b++)
        assert_stamped(d->mem + sector_of(r, b, 0) * SECTOR, sector_of(r, b, 0),
                       r->bd->block_size, 0x6c);

    /* the write in flight fails and a read of its sectors is the first to
     * see it: the read fails, and so does the next sync */
    assert_int_equal(prog_block(r, 603, 0x6a), 0);
    d->fail_writes = true;
    d->fail_sector = sector_of(r, 603, 0);
    assert_int_equal(prog_block(r, 710, 0x6b), 0);        /* 603 goes out */
    assert_non_null(r->vb.inflight);
    assert_int_equal(r->bd->read(r->bd, 603, 0, r->buf, 4096), ERR_IO);
    d->fail_writes = false;
    assert_int_equal(r->bd->sync(r->bd), ERR_IO);
    assert_int_equal(r->bd->sync(r->bd), 0);               /* told once */

    /* a flush that fails */
    d->fail_flush = true;
    assert_int_equal(prog_block(r, 602, 0x69), 0);
    assert_int_equal(r->bd->sync(r->bd), ERR_IO);
    d->fail_flush = false;
    assert_int_equal(r->bd->sync(r->bd), 0);
    rig_free(r);
}

/* ---- lib/fs on the adapter */

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 31 + seed) ^ (i >> 11));
}

static void test_filesystem_on_adapter(void **state)
{
    (void)state;
    struct rig *r = rig_new(16, 4096, 64 * KIB, 256 * KIB);
    struct fs *fs = calloc(1, sizeof(*fs));
    struct fs_file *f = calloc(1, sizeof(*f));
    struct fs_config cfg = {.bd = r->bd, .cache_size = 4096};
    size_t big = 3u << 20;
    uint8_t *data = malloc(big), *back = malloc(big);
    fill(data, big, 1);
    assert_int_equal(fs_format(fs, &cfg), 0);
    assert_int_equal(fs_mount(fs, &cfg), 0);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(fs_file_open(fs, f, "/big", FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC), 0);
        for (size_t off = 0; off < big; off += 64 * KIB)
            assert_int_equal(fs_file_write(fs, f, data + off, 64 * KIB), 64 * KIB);
        assert_int_equal(fs_file_close(fs, f), 0);
        char name[16] = "/small0";
        for (int i = 0; i < 8; i++) {
            name[6] = (char)('0' + i);
            assert_int_equal(fs_file_open(fs, f, name, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC), 0);
            assert_int_equal(fs_file_write(fs, f, data + i * 1000, 700 + i * 900), 700 + i * 900);
            assert_int_equal(fs_file_close(fs, f), 0);
        }
        assert_int_equal(fs_unmount(fs), 0);
        assert_int_equal(fs_mount(fs, &cfg), 0);
        assert_int_equal(fs_file_open(fs, f, "/big", FS_O_RDONLY), 0);
        memset(back, 0, big);
        for (size_t off = 0; off < big; off += 64 * KIB)
            assert_int_equal(fs_file_read(fs, f, back + off, 64 * KIB), 64 * KIB);
        assert_int_equal(fs_file_close(fs, f), 0);
        assert_memory_equal(back, data, big);
        for (int i = 0; i < 8; i++) {
            name[6] = (char)('0' + i);
            assert_int_equal(fs_file_open(fs, f, name, FS_O_RDONLY), 0);
            assert_int_equal(fs_file_read(fs, f, back, big), 700 + i * 900);
            assert_int_equal(fs_file_close(fs, f), 0);
            assert_memory_equal(back, data + i * 1000, 700 + i * 900);
        }
        assert_int_equal(fs_fsck(fs), 0);
        fill(data, big, 2);                          /* round 2 overwrites */
    }
    assert_int_equal(fs_unmount(fs), 0);
    assert_true(r->vb.stats.readahead_hits > 0);
    assert_true(r->vb.stats.syncs > 0);
    free(data);
    free(back);
    free(fs);
    free(f);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach_checks_geometry),
        cmocka_unit_test(test_refuses_misaligned_and_out_of_range),
        cmocka_unit_test(test_read_only_disk_refuses_writes),
        cmocka_unit_test(test_sequential_reads_come_from_read_ahead),
        cmocka_unit_test(test_read_larger_than_window),
        cmocka_unit_test(test_single_sectors_come_from_page_cache),
        cmocka_unit_test(test_reads_see_programmed_data),
        cmocka_unit_test(test_erased_block_reads_ff_until_programmed),
        cmocka_unit_test(test_sync_writes_everything_in_order),
        cmocka_unit_test(test_device_errors_are_returned_not_cached),
        cmocka_unit_test(test_filesystem_on_adapter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
