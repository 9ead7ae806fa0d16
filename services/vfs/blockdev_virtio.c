/* lib/blockdev device on virtio-blk: see blockdev_virtio.h for the design.
 * No kernel headers here: the disk comes through struct vblk_disk, so this
 * file also builds on the host for its unit tests. */
#include <stdlib.h>
#include <string.h>
#include "services/vfs/blockdev_virtio.h"
#include "pus/err.h"

#define SECTOR VBLK_SECTOR

/* Copies are plain memcpy: the kernel's (lib/util memops) already moves 8
 * aligned words per step. A private loop of the same kind measured no
 * faster (fsbench, 16 MiB read, 40 runs each alternating: median 18.6 ms
 * with the loop, 18.3 ms with memcpy). */

static uint64_t now(struct vblk_bdev *vb)
{
    return vb->disk.ops->now_ns();
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Wait for the write in flight, if any; its status. A failure is also
   kept for the next sync, whoever waited here: data the filesystem wrote
   earlier did not reach the disk, so that sync must not report success. */
static int wait_inflight(struct vblk_bdev *vb)
{
    if (!vb->inflight)
        return 0;
    uint64_t t0 = now(vb);
    int r = vb->disk.ops->finish(vb->disk.dev, vb->inflight);
    vb->stats.ns_io += now(vb) - t0;
    vb->inflight = NULL;
    if (r < 0 && !vb->lost_error)
        vb->lost_error = r;
    return r;
}

/* The driver, timed (a benchmark can then tell disk time from ours). A
 * read waits for a write in flight over the same sectors; a write waits for
 * the one in flight, so writes land in the order they were made. */
static int io_read(struct vblk_bdev *vb, uint64_t sector, void *buf, uint64_t bytes)
{
    if (vb->inflight && overlaps(sector, bytes / SECTOR, vb->fsector, vb->fcount)) {
        int r = wait_inflight(vb);
        if (r < 0)
            return r;                    /* the read fails; sync will too */
    }
    uint64_t t0 = now(vb);
    int r = vb->disk.ops->read(vb->disk.dev, sector, buf, bytes);
    vb->stats.ns_io += now(vb) - t0;
    return r;
}

static int io_write(struct vblk_bdev *vb, uint64_t sector, const void *buf, uint64_t bytes)
{
    int r = wait_inflight(vb);
    if (r < 0)
        return r;
    uint64_t t0 = now(vb);
    r = vb->disk.ops->write(vb->disk.dev, sector, buf, bytes);
    vb->stats.ns_io += now(vb) - t0;
    return r;
}

/* ---- prefetch: the next read-ahead window, read while this one is used */

static int pf_wait(struct vblk_bdev *vb)
{
    uint64_t t0 = now(vb);
    for (int i = 0; i < vb->pfn; i++) {
        int r = vb->disk.ops->finish(vb->disk.dev, vb->pfreq[i]);
        if (r < 0 && vb->pferr == 0)
            vb->pferr = r;
    }
    if (vb->pfn)
        vb->stats.ns_io += now(vb) - t0;
    vb->pfn = 0;
    if (vb->pferr)
        vb->pflen = 0;
    return vb->pferr;
}

static void pf_drop(struct vblk_bdev *vb)
{
    pf_wait(vb);
    vb->pflen = 0;
    vb->pferr = 0;
}

#define PF_CHUNK VBLK_MAX_REQUEST

static void pf_start(struct vblk_bdev *vb, uint64_t sector, uint64_t count)
{
    if (vb->pflen || !count || count * SECTOR > vb->racap)
        return;
    if (vb->wlen && overlaps(sector, count, vb->wsector, vb->wlen / SECTOR))
        return;                          /* newer data waits in write-behind */
    if (vb->inflight && overlaps(sector, count, vb->fsector, vb->fcount)) {
        if (wait_inflight(vb) < 0)
            return;                      /* nobody to tell but the next sync */
    }
    if (!vb->pfbuf && !(vb->pfbuf = malloc(vb->racap)))
        return;
    vb->pferr = 0;
    vb->pfsector = sector;
    vb->pflen = (uint32_t)(count * SECTOR);
    for (uint32_t off = 0; off < vb->pflen && vb->pfn < VBLK_PREFETCH_REQS; off += PF_CHUNK) {
        uint32_t n = vb->pflen - off < PF_CHUNK ? vb->pflen - off : PF_CHUNK;
        int r = vb->disk.ops->read_start(vb->disk.dev, sector + off / SECTOR, vb->pfbuf + off, n,
                                         &vb->pfreq[vb->pfn]);
        if (r < 0) {
            vb->pferr = r;
            break;
        }
        vb->pfn++;
        vb->stats.requests_read++;
        vb->stats.bytes_read += n;
    }
    if (vb->pferr)
        pf_drop(vb);
}

static bool in_prefetch(struct vblk_bdev *vb, uint64_t sector, uint64_t count)
{
    return vb->pflen && sector >= vb->pfsector &&
           sector + count <= vb->pfsector + vb->pflen / SECTOR;
}

static uint64_t sector_of(struct vblk_bdev *vb, uint32_t block, uint32_t off)
{
    return vb->first_sector + ((uint64_t)block * vb->bd.block_size + off) / SECTOR;
}

static int refuse_write(struct vblk_bdev *vb)
{
    if (!vb->warned_read_only) {
        vb->disk.ops->write_refused(vb->disk.dev, vb->disk.index);
        vb->warned_read_only = true;
    }
    return ERR_READ_ONLY;
}

/*
 * Send the write-behind buffer as one request and go on filling the other
 * buffer while it is in flight (the filesystem's CPU work then overlaps the
 * disk's). Only one write is ever in flight, so they land in order.
 */
static int flush_behind(struct vblk_bdev *vb)
{
    if (!vb->wlen)
        return 0;
    /* Until a write of the buffer has started, the buffer keeps it: an
     * error here leaves the data to the next flush (a sync retries it). */
    int r = wait_inflight(vb);
    if (r < 0)
        return r;
    uint32_t len = vb->wlen;
    if (!vb->wbuf_other && !(vb->wbuf_other = malloc(vb->wcap))) {
        r = io_write(vb, vb->wsector, vb->wbuf, len);   /* no memory: synchronous */
        if (r == 0)
            vb->wlen = 0;
        return r;
    }
    uint64_t t0 = now(vb);
    r = vb->disk.ops->write_start(vb->disk.dev, vb->wsector, vb->wbuf, len, &vb->inflight);
    vb->stats.ns_io += now(vb) - t0;
    if (r < 0) {
        vb->inflight = NULL;
        return r;
    }
    vb->wlen = 0;
    vb->stats.requests_written++;
    vb->stats.bytes_written += len;
    vb->fsector = vb->wsector;
    vb->fcount = len / SECTOR;
    uint8_t *sent = vb->wbuf;
    vb->wbuf = vb->wbuf_other;
    vb->wbuf_other = sent;
    return 0;
}

#define PAGE_SECTORS (VBLK_PAGE_BYTES / SECTOR)

/* Pages live in 2-way sets picked by a hash of the page number (skip-list
 * walks touch pages a power of two apart, which would collide on low bits). */
static int page_set(uint64_t page)
{
    return (int)(((page * 0x9e3779b97f4a7c15ull) >> 40) % (VBLK_PAGES / 2)) * 2;
}

/* The disk is about to change there: forget what we hold of it. */
static void drop_readahead_over(struct vblk_bdev *vb, uint64_t sector, uint64_t count)
{
    if (vb->ralen && overlaps(sector, count, vb->rasector, vb->ralen / SECTOR))
        vb->ralen = 0;
    if (vb->pflen && overlaps(sector, count, vb->pfsector, vb->pflen / SECTOR))
        pf_drop(vb);
    if (!vb->pages_valid)
        return;
    for (uint64_t p = sector / PAGE_SECTORS; p <= (sector + count - 1) / PAGE_SECTORS; p++) {
        int set = page_set(p);
        for (int i = set; i < set + 2; i++)
            if (vb->pages[i].valid && vb->pages[i].page == p) {
                vb->pages[i].valid = false;
                vb->pages_valid--;
            }
    }
}

static bool in_behind(struct vblk_bdev *vb, uint64_t sector, uint64_t count)
{
    return vb->wlen && overlaps(sector, count, vb->wsector, vb->wlen / SECTOR);
}

/* Put a 4 KiB disk page into the cache (replacing its old copy if any). */
static void page_insert(struct vblk_bdev *vb, uint64_t page, const uint8_t *src)
{
    int set = page_set(page);
    int slot = -1;
    for (int i = set; i < set + 2; i++)
        if (vb->pages[i].valid && vb->pages[i].page == page)
            slot = i;
    if (slot < 0) {
        slot = !vb->pages[set].valid ? set : !vb->pages[set + 1].valid ? set + 1
               : vb->pages[set].used < vb->pages[set + 1].used ? set : set + 1;
        if (vb->pages[slot].valid)
            vb->pages_valid--;
        vb->pages[slot].page = page;
        vb->pages[slot].valid = true;
        vb->pages_valid++;
    }
    vb->pages[slot].used = ++vb->page_clock;
    memcpy(vb->pagebuf + (size_t)slot * VBLK_PAGE_BYTES, src, VBLK_PAGE_BYTES);
}

#define BACK_PAGES 32                     /* 128 KiB */

/* The page (or the pages below it) did not read: perhaps a bad sector the
 * caller did not ask for. Read just the one asked; its status is the
 * caller's. */
static int read_uncached(struct vblk_bdev *vb, uint64_t sector, void *buf)
{
    vb->stats.requests_read++;
    vb->stats.bytes_read += SECTOR;
    return io_read(vb, sector, buf, SECTOR);
}

/*
 * One sector through the page cache. A miss reads the whole page; misses
 * walking down the disk (the allocator's walk of a file's skip-list goes
 * from its last block to its first, one or two blocks at a time) read the
 * 128 KiB below as well, in one request.
 */
static int read_cached(struct vblk_bdev *vb, uint64_t sector, void *buf)
{
    if (!vb->pagebuf && !(vb->pagebuf = malloc((size_t)VBLK_PAGES * VBLK_PAGE_BYTES)))
        return io_read(vb, sector, buf, SECTOR);     /* no memory: uncached */
    uint64_t page = sector / PAGE_SECTORS;
    int set = page_set(page);
    for (int i = set; i < set + 2; i++) {
        if (vb->pages[i].valid && vb->pages[i].page == page) {
            vb->pages[i].used = ++vb->page_clock;
            memcpy(buf, vb->pagebuf + (size_t)i * VBLK_PAGE_BYTES +
                            (sector % PAGE_SECTORS) * SECTOR, SECTOR);
            vb->stats.page_hits++;
            return 0;
        }
    }
    if ((page + 1) * PAGE_SECTORS > vb->disk.sectors)
        return io_read(vb, sector, buf, SECTOR);   /* short last page */
    bool down = page < vb->last_miss && vb->last_miss - page <= 2;
    vb->last_miss = page;
    uint64_t first = page, lowest = vb->first_sector / PAGE_SECTORS;
    if (down && (vb->backbuf || (vb->backbuf = malloc(BACK_PAGES * VBLK_PAGE_BYTES))))
        first = page - lowest >= BACK_PAGES - 1 ? page - (BACK_PAGES - 1) : lowest;
    uint64_t npages = page - first + 1;
    uint64_t start = first * PAGE_SECTORS, count = npages * PAGE_SECTORS;
    if (in_behind(vb, start, count)) {
        int r = flush_behind(vb);
        if (r < 0)
            return r;
    }
    if (npages == 1) {
        /* A lone page goes straight into its slot. */
        int victim = !vb->pages[set].valid ? set : !vb->pages[set + 1].valid ? set + 1
                     : vb->pages[set].used < vb->pages[set + 1].used ? set : set + 1;
        uint8_t *slot = vb->pagebuf + (size_t)victim * VBLK_PAGE_BYTES;
        if (vb->pages[victim].valid)
            vb->pages_valid--;
        vb->pages[victim].valid = false;
        int r = io_read(vb, start, slot, VBLK_PAGE_BYTES);
        vb->stats.requests_read++;
        vb->stats.bytes_read += VBLK_PAGE_BYTES;
        if (r < 0)
            return read_uncached(vb, sector, buf);
        vb->pages[victim].page = page;
        vb->pages[victim].used = ++vb->page_clock;
        vb->pages[victim].valid = true;
        vb->pages_valid++;
        memcpy(buf, slot + (sector - start) * SECTOR, SECTOR);
        return 0;
    }
    uint8_t *dst = vb->backbuf;
    int r = io_read(vb, start, dst, count * SECTOR);
    vb->stats.requests_read++;
    vb->stats.bytes_read += count * SECTOR;
    if (r < 0)
        return read_uncached(vb, sector, buf);
    for (uint64_t p = first; p <= page; p++)
        page_insert(vb, p, dst + (p - first) * VBLK_PAGE_BYTES);
    memcpy(buf, dst + (sector - start) * SECTOR, SECTOR);
    return 0;
}

/* Queue bytes (whole sectors) for the disk from sector on. */
static int write_behind(struct vblk_bdev *vb, uint64_t sector, const void *buf, uint32_t bytes)
{
    drop_readahead_over(vb, sector, bytes / SECTOR);
    if (!vb->wbuf && !(vb->wbuf = malloc(vb->wcap)))
        return io_write(vb, sector, buf, bytes);     /* no memory: unbuffered */
    if (vb->wlen && sector == vb->wsector + vb->wlen / SECTOR &&
        vb->wlen + bytes <= vb->wcap) {
        memcpy(vb->wbuf + vb->wlen, buf, bytes);
        vb->wlen += bytes;
        return 0;
    }
    int r = flush_behind(vb);
    if (r < 0)
        return r;
    if (bytes >= vb->wcap) {
        vb->stats.requests_written++;
        vb->stats.bytes_written += bytes;
        return io_write(vb, sector, buf, bytes);
    }
    memcpy(vb->wbuf, buf, bytes);
    vb->wsector = sector;
    vb->wlen = bytes;
    return 0;
}

/* Fill [from, block_size) of a noted block with 0xff and forget the note. */
static int settle_note(struct vblk_bdev *vb, int i)
{
    uint32_t from = vb->notes[i].mark, bs = vb->bd.block_size;
    if (from < bs) {
        int r = write_behind(vb, sector_of(vb, vb->notes[i].block, from), vb->ones, bs - from);
        if (r < 0)
            return r;                    /* still noted: the next sync tries again */
        vb->stats.erase_fill_bytes += bs - from;
    }
    vb->notes[i].used = false;
    return 0;
}

static int find_note(struct vblk_bdev *vb, uint32_t block)
{
    for (int i = 0; i < VBLK_ERASE_NOTES; i++)
        if (vb->notes[i].used && vb->notes[i].block == block)
            return i;
    return -1;
}

static int vb_read_sectors(struct blockdev *bd, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    struct vblk_bdev *vb = bd->ctx;
    int r = blockdev_check(bd, block, off, size);
    if (r)
        return r;
    if (off % SECTOR || size % SECTOR)
        return ERR_INVALID_ARGS;
    uint64_t sector = sector_of(vb, block, off), count = size / SECTOR;
    /* Every read moves the stream on: lib/fs reads a file block as its
     * first sector (through its cache) and then the rest in one call. */
    bool sequential = sector == vb->next_sector;
    vb->next_sector = sector + count;
    if (in_behind(vb, sector, count)) {
        if (sector >= vb->wsector && sector + count <= vb->wsector + vb->wlen / SECTOR) {
            /* Still waiting to go out: the buffer is the newest copy. */
            memcpy(buf, vb->wbuf + (sector - vb->wsector) * SECTOR, size);
            vb->stats.behind_hits++;
            goto overlay;
        }
        /* The disk must hold what was programmed before it is read back. */
        if ((r = flush_behind(vb)) < 0)
            return r;
    }

    if (count > 1 && !(vb->ralen && sector >= vb->rasector &&
                       sector + count <= vb->rasector + vb->ralen / SECTOR) &&
        in_prefetch(vb, sector, count) && pf_wait(vb) == 0) {
        /* The stream reached the prefetched window: it becomes the window,
         * and the one after it is requested. */
        uint8_t *old = vb->rabuf;
        vb->rabuf = vb->pfbuf;
        vb->pfbuf = old;
        vb->rasector = vb->pfsector;
        vb->ralen = vb->pflen;
        vb->pflen = 0;
        uint64_t end = vb->first_sector + (uint64_t)bd->block_count * bd->block_size / SECTOR;
        uint64_t next = vb->rasector + vb->ralen / SECTOR;
        uint64_t n = 2ull * vb->ralen > vb->racap ? vb->racap / SECTOR : 2ull * vb->ralen / SECTOR;
        pf_start(vb, next, end - next < n ? end - next : n);
    }
    if (vb->ralen && sector >= vb->rasector &&
        sector + count <= vb->rasector + vb->ralen / SECTOR) {
        memcpy(buf, vb->rabuf + (sector - vb->rasector) * SECTOR, size);
        vb->stats.readahead_hits++;
    } else if (in_prefetch(vb, sector, count) && pf_wait(vb) == 0) {
        /* A pointer further on: the prefetched window has it. */
        memcpy(buf, vb->pfbuf + (sector - vb->pfsector) * SECTOR, size);
        vb->stats.readahead_hits++;
        goto overlay;
    } else if (count == 1) {
        /* A pointer or a tag: random, small, often the same pages again. */
        if ((r = read_cached(vb, sector, buf)) < 0)
            return r;
        goto overlay;
    } else if (sequential && size < vb->racap &&
               (vb->rabuf || (vb->rabuf = malloc(vb->racap)))) {
        /* Sequential: fetch a whole window, as far as the filesystem goes. */
        uint64_t end = vb->first_sector + (uint64_t)bd->block_count * bd->block_size / SECTOR;
        /* The window grows as the stream goes on (64 KiB, doubling), so a
         * mount reading two neighbouring blocks does not fetch a megabyte. */
        vb->ra_len = vb->ra_len ? vb->ra_len * 2 : 64u * 1024u;
        if (vb->ra_len > vb->racap)
            vb->ra_len = vb->racap;
        uint64_t n = end - sector;
        if (n > vb->ra_len / SECTOR)
            n = vb->ra_len / SECTOR;
        if (n < count)
            n = count;       /* at least the caller's read (blocks over 64 KiB) */
        /* Never read ahead over sectors still waiting in write-behind. */
        if (in_behind(vb, sector, n) && (r = flush_behind(vb)) < 0)
            return r;
        vb->ralen = 0;
        r = io_read(vb, sector, vb->rabuf, n * SECTOR);
        vb->stats.requests_read++;
        vb->stats.bytes_read += n * SECTOR;
        if (r < 0 && n > count) {
            /* The window may have run over a bad sector the caller did not
             * ask for: read just what was asked, and no window. */
            vb->ra_len = 0;
            vb->stats.requests_read++;
            vb->stats.bytes_read += size;
            if ((r = io_read(vb, sector, buf, size)) < 0)
                return r;
            goto overlay;
        }
        if (r < 0)
            return r;
        vb->rasector = sector;
        vb->ralen = (uint32_t)(n * SECTOR);
        memcpy(buf, vb->rabuf, size);
        /* Fetch the next window (twice as big, up to the limit) while the
         * stream uses this one. */
        uint64_t next = sector + n;
        uint64_t pn = 2 * n * SECTOR > vb->racap ? vb->racap / SECTOR : 2 * n;
        pf_drop(vb);
        pf_start(vb, next, end - next < pn ? end - next : pn);
    } else {
        vb->ra_len = 0;                  /* not a stream (yet) */
        r = io_read(vb, sector, buf, size);
        vb->stats.requests_read++;
        vb->stats.bytes_read += size;
        if (r < 0)
            return r;
    }

overlay:;

    /* An erased block reads 0xff past what was programmed into it. */
    int i = find_note(vb, block);
    if (i >= 0 && off + size > vb->notes[i].mark) {
        uint32_t from = vb->notes[i].mark > off ? vb->notes[i].mark - off : 0;
        memset((uint8_t *)buf + from, 0xff, size - from);
    }
    return 0;
}

static int vb_prog_sectors(struct blockdev *bd, uint32_t block, uint32_t off, const void *buf,
                         uint32_t size)
{
    struct vblk_bdev *vb = bd->ctx;
    if (vb->disk.read_only)
        return refuse_write(vb);
    int r = blockdev_check(bd, block, off, size);
    if (r)
        return r;
    if (off % SECTOR || size % SECTOR)
        return ERR_INVALID_ARGS;
    int i = find_note(vb, block);
    if (i >= 0) {
        /* Anything skipped since the erase must read as erased later. */
        uint32_t mark = vb->notes[i].mark;
        if (off > mark) {
            vb->stats.erase_fill_bytes += off - mark;
            if ((r = write_behind(vb, sector_of(vb, block, mark), vb->ones, off - mark)) < 0)
                return r;
        }
        if (off + size > mark)
            vb->notes[i].mark = off + size;
        if (vb->notes[i].mark >= bd->block_size)
            vb->notes[i].used = false;
    }
    return write_behind(vb, sector_of(vb, block, off), buf, size);
}

/* Calls are counted, not timed: a clock read costs more under QEMU than
 * what most calls do (time waiting for the disk is kept in ns_io). */
static int vb_read(struct blockdev *bd, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    struct vblk_bdev *vb = bd->ctx;
    vb->stats.read_calls++;
    return vb_read_sectors(bd, block, off, buf, size);
}

static int vb_prog(struct blockdev *bd, uint32_t block, uint32_t off, const void *buf,
                   uint32_t size)
{
    struct vblk_bdev *vb = bd->ctx;
    vb->stats.prog_calls++;
    return vb_prog_sectors(bd, block, off, buf, size);
}

static int vb_erase(struct blockdev *bd, uint32_t block)
{
    struct vblk_bdev *vb = bd->ctx;
    if (vb->disk.read_only)
        return refuse_write(vb);
    int r = blockdev_check(bd, block, 0, 0);
    if (r)
        return r;
    vb->stats.erases++;
    vb->stats.erase_calls++;
    drop_readahead_over(vb, sector_of(vb, block, 0), bd->block_size / SECTOR);
    int i = find_note(vb, block);
    if (i < 0) {
        for (i = 0; i < VBLK_ERASE_NOTES && vb->notes[i].used; i++)
            ;
        if (i == VBLK_ERASE_NOTES) {
            /* Table full: settle one now (the slot the block hashes
               to; any would do, settling only writes its 0xff fill). */
            i = (int)(block % VBLK_ERASE_NOTES);
            if ((r = settle_note(vb, i)) < 0)
                return r;
        }
    }
    vb->notes[i].block = block;
    vb->notes[i].mark = 0;
    vb->notes[i].used = true;
    return 0;
}

static int vb_sync(struct blockdev *bd)
{
    struct vblk_bdev *vb = bd->ctx;
    if (vb->disk.read_only)
        return 0;
    int r = 0;
    for (int i = 0; i < VBLK_ERASE_NOTES; i++)
        if (vb->notes[i].used && r == 0)
            r = settle_note(vb, i);
    if (r == 0)
        r = flush_behind(vb);
    int w = wait_inflight(vb);
    if (r == 0)
        r = w;
    if (r == 0)
        r = vb->disk.ops->flush(vb->disk.dev);
    if (vb->lost_error) {
        /* A write failed where only a read or a prefetch saw it. */
        if (r == 0)
            r = vb->lost_error;
        vb->lost_error = 0;
    }
    vb->stats.syncs++;
    return r;
}

int vblk_bdev_attach(struct vblk_bdev *vb, const struct vblk_disk *disk, uint32_t block_size,
                     uint32_t block_count)
{
    memset(vb, 0, sizeof(*vb));
    const uint32_t wcap = disk->write_behind_bytes, racap = disk->read_ahead_bytes;
    if (block_size < SECTOR || block_size % SECTOR || !block_count ||
        (uint64_t)block_count * (block_size / SECTOR) > disk->sectors ||
        !wcap || wcap % SECTOR || wcap > VBLK_MAX_REQUEST ||
        !racap || racap % SECTOR)
        return ERR_INVALID_ARGS;
    vb->disk = *disk;
    vb->wcap = wcap;
    vb->racap = racap;
    /* The big buffers come on first use (heap growth costs boot time). */
    vb->ones = malloc(block_size);
    if (!vb->ones) {
        vblk_bdev_free(vb);
        return ERR_NO_MEMORY;
    }
    memset(vb->ones, 0xff, block_size);
    vb->next_sector = UINT64_MAX;
    vb->last_miss = UINT64_MAX;
    vb->bd = (struct blockdev){
        .read_size = SECTOR, .prog_size = SECTOR,
        .block_size = block_size, .block_count = block_count,
        .read = vb_read, .prog = vb_prog, .erase = vb_erase, .sync = vb_sync,
        .ctx = vb,
    };
    return 0;
}

void vblk_bdev_free(struct vblk_bdev *vb)
{
    if (vb->disk.ops) {
        wait_inflight(vb);
        pf_drop(vb);
    }
    free(vb->pfbuf);
    vb->pfbuf = NULL;
    free(vb->wbuf);
    free(vb->wbuf_other);
    vb->wbuf_other = NULL;
    free(vb->rabuf);
    free(vb->ones);
    free(vb->pagebuf);
    free(vb->backbuf);
    vb->backbuf = NULL;
    vb->wbuf = vb->rabuf = vb->ones = vb->pagebuf = NULL;
}

void vblk_bdev_drop_readahead(struct vblk_bdev *vb)
{
    pf_drop(vb);
    vb->ralen = 0;
    vb->ra_len = 0;
    vb->next_sector = UINT64_MAX;
    for (int i = 0; i < VBLK_PAGES; i++)
        vb->pages[i].valid = false;
    vb->pages_valid = 0;
}
