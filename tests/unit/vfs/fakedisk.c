/* The fake disk of the vfs adapter's tests: see fakedisk.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakedisk.h"
#include "pus/err.h"

#define SECTOR VBLK_SECTOR

/* A broken rule: counted, and said on stderr so that a failure explains itself. */
static void violation(struct fake_disk *d, const char *why, uint64_t sector, uint64_t count)
{
    d->violations++;
    fprintf(stderr, "fakedisk: %s (sectors %llu+%llu)\n", why, (unsigned long long)sector,
            (unsigned long long)count);
}

static void record(struct fake_req *log, int *n, enum fake_kind kind, uint64_t sector,
                   uint64_t count)
{
    if (*n < FAKE_LOG)
        log[(*n)++] = (struct fake_req){kind, sector, count};
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static bool faulted(struct fake_disk *d, bool write, uint64_t sector, uint64_t count)
{
    return (write ? d->fail_writes : d->fail_reads) &&
           overlaps(sector, count, d->fail_sector, d->fail_count);
}

/* The rules of fakedisk.h for a new request; false if it cannot be served. */
static bool check(struct fake_disk *d, bool write, uint64_t sector, size_t bytes, bool async)
{
    if (!bytes || bytes % SECTOR || sector > d->sectors || bytes / SECTOR > d->sectors - sector ||
        (async && bytes > VBLK_MAX_REQUEST)) {
        violation(d, "request not whole sectors, outside the disk or too large", sector,
                  bytes / SECTOR);
        return false;
    }
    for (int i = 0; i < FAKE_FLIGHTS; i++) {
        if (!d->flights[i].used)
            continue;
        bool other_write = d->flights[i].write;
        if (write && other_write)
            violation(d, "a write while another is in flight (order lost)", sector,
                      bytes / SECTOR);
        else if ((write || other_write) &&
                 overlaps(sector, bytes / SECTOR, d->flights[i].sector,
                          d->flights[i].bytes / SECTOR))
            violation(d, write ? "a write over a read in flight" : "a read over a write in flight",
                      sector, bytes / SECTOR);
    }
    return true;
}

static void junk(void *buf, size_t bytes)
{
    memset(buf, 0xee, bytes);     /* what a failed read may leave */
}

static int fake_read(void *dev, uint64_t sector, void *buf, size_t bytes)
{
    struct fake_disk *d = dev;
    record(d->issued, &d->nissued, FAKE_READ, sector, bytes / SECTOR);
    if (!check(d, false, sector, bytes, false))
        return ERR_IO;
    if (faulted(d, false, sector, bytes / SECTOR)) {
        junk(buf, bytes);
        return ERR_IO;
    }
    memcpy(buf, d->mem + sector * SECTOR, bytes);
    return 0;
}

static int fake_write(void *dev, uint64_t sector, const void *buf, size_t bytes)
{
    struct fake_disk *d = dev;
    record(d->issued, &d->nissued, FAKE_WRITE, sector, bytes / SECTOR);
    if (!check(d, true, sector, bytes, false))
        return ERR_IO;
    if (faulted(d, true, sector, bytes / SECTOR))
        return ERR_IO;
    memcpy(d->mem + sector * SECTOR, buf, bytes);
    record(d->landed, &d->nlanded, FAKE_WRITE, sector, bytes / SECTOR);
    return 0;
}

static int start(struct fake_disk *d, bool write, uint64_t sector, void *buf, size_t bytes,
                 void **req)
{
    record(d->issued, &d->nissued, write ? FAKE_WRITE_START : FAKE_READ_START, sector,
           bytes / SECTOR);
    if (!check(d, write, sector, bytes, true))
        return ERR_IO;
    for (int i = 0; i < FAKE_FLIGHTS; i++) {
        if (d->flights[i].used)
            continue;
        d->flights[i].used = true;
        d->flights[i].write = write;
        d->flights[i].sector = sector;
        d->flights[i].bytes = bytes;
        d->flights[i].buf = buf;
        d->flights[i].copy = NULL;
        if (write) {
            d->flights[i].copy = malloc(bytes);
            memcpy(d->flights[i].copy, buf, bytes);
        }
        *req = &d->flights[i];
        return 0;
    }
    violation(d, "more requests in flight than any driver takes", sector, bytes / SECTOR);
    return ERR_NO_MEMORY;
}

static int fake_read_start(void *dev, uint64_t sector, void *buf, size_t bytes, void **req)
{
    return start(dev, false, sector, buf, bytes, req);
}

static int fake_write_start(void *dev, uint64_t sector, const void *buf, size_t bytes, void **req)
{
    return start(dev, true, sector, (void *)buf, bytes, req);
}

static int fake_finish(void *dev, void *req)
{
    struct fake_disk *d = dev;
    int i = (int)(((uint8_t *)req - (uint8_t *)d->flights) / (ptrdiff_t)sizeof(d->flights[0]));
    if (i < 0 || i >= FAKE_FLIGHTS || (void *)&d->flights[i] != req || !d->flights[i].used) {
        violation(d, "finish of a request not in flight", 0, 0);
        return ERR_IO;
    }
    d->flights[i].used = false;
    uint64_t sector = d->flights[i].sector, count = d->flights[i].bytes / SECTOR;
    size_t bytes = d->flights[i].bytes;
    if (d->flights[i].write) {
        uint8_t *copy = d->flights[i].copy;
        if (memcmp(copy, d->flights[i].buf, bytes) != 0)
            violation(d, "a write's buffer changed while in flight", sector, count);
        int r = 0;
        if (faulted(d, true, sector, count)) {
            r = ERR_IO;
        } else {
            memcpy(d->mem + sector * SECTOR, copy, bytes);
            record(d->landed, &d->nlanded, FAKE_WRITE, sector, count);
        }
        free(copy);
        d->flights[i].copy = NULL;
        return r;
    }
    if (faulted(d, false, sector, count)) {
        junk(d->flights[i].buf, bytes);
        return ERR_IO;
    }
    memcpy(d->flights[i].buf, d->mem + sector * SECTOR, bytes);
    return 0;
}

static int fake_flush(void *dev)
{
    struct fake_disk *d = dev;
    record(d->issued, &d->nissued, FAKE_FLUSH, 0, 0);
    for (int i = 0; i < FAKE_FLIGHTS; i++)
        if (d->flights[i].used && d->flights[i].write)   /* a flush covers finished writes */
            violation(d, "a flush with a write in flight", d->flights[i].sector,
                      d->flights[i].bytes / SECTOR);
    if (d->fail_flush)
        return ERR_IO;
    record(d->landed, &d->nlanded, FAKE_FLUSH, 0, 0);
    return 0;
}

static uint64_t fake_now_ns(void)
{
    static uint64_t t;
    return t += 1000;
}

static void fake_write_refused(void *dev, int index)
{
    (void)index;
    ((struct fake_disk *)dev)->refused++;
}

static const struct vblk_disk_ops fake_ops = {
    .read = fake_read, .write = fake_write,
    .read_start = fake_read_start, .write_start = fake_write_start,
    .finish = fake_finish, .flush = fake_flush,
    .now_ns = fake_now_ns, .write_refused = fake_write_refused,
};

void fake_expect(uint8_t *buf, uint64_t sector, uint64_t count, uint64_t salt)
{
    for (uint64_t s = 0; s < count; s++)
        for (size_t w = 0; w < SECTOR; w += 8) {
            uint64_t v = ((sector + s) << 16 | w) ^ salt;
            memcpy(buf + s * SECTOR + w, &v, 8);
        }
}

void fake_stamp(struct fake_disk *d, uint64_t sector, uint64_t count, uint64_t salt)
{
    fake_expect(d->mem + sector * SECTOR, sector, count, salt);
}

void fake_init(struct fake_disk *d, uint64_t sectors, uint32_t write_behind, uint32_t read_ahead)
{
    memset(d, 0, sizeof(*d));
    d->sectors = sectors;
    d->mem = malloc(sectors * SECTOR);
    fake_stamp(d, 0, sectors, 0);
    d->vd = (struct vblk_disk){
        .ops = &fake_ops, .dev = d, .index = 7, .sectors = sectors,
        .write_behind_bytes = write_behind, .read_ahead_bytes = read_ahead,
    };
}

void fake_free(struct fake_disk *d)
{
    for (int i = 0; i < FAKE_FLIGHTS; i++)
        free(d->flights[i].copy);
    free(d->mem);
}

int fake_count(const struct fake_disk *d, enum fake_kind kind)
{
    int n = 0;
    for (int i = 0; i < d->nissued; i++)
        n += d->issued[i].kind == kind;
    return n;
}

void fake_clear_log(struct fake_disk *d)
{
    d->nissued = 0;
    d->nlanded = 0;
}

int fake_in_flight(const struct fake_disk *d)
{
    int n = 0;
    for (int i = 0; i < FAKE_FLIGHTS; i++)
        n += d->flights[i].used;
    return n;
}
