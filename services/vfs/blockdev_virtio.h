/*
 * A lib/blockdev device on a virtio-blk disk, for lib/fs.
 *
 * Filesystem block b, byte off is disk byte first_byte + b*block_size + off
 * (512-byte sectors; read and prog units are one sector). A disk has no
 * erase, so erase is emulated, lazily: erasing a block only notes it, reads
 * of the not-yet-programmed part of a noted block return 0xff, and the part
 * the filesystem never programmed is filled with 0xff on disk at the next
 * sync (or when the note table is full). A data block the filesystem fills
 * completely is thus written once, not twice, and what is on disk after a
 * sync is exactly what a flash device would hold.
 *
 * Programs are collected in a write-behind buffer while they are contiguous
 * and written as one request when the run breaks, the buffer is full, a read
 * overlaps it, or at sync. That request stays in flight while the next
 * buffer fills; it is waited for before the next one starts, before a read
 * of its sectors, and at sync. Writes thus land in the order they were made,
 * so a crash leaves a prefix of the programs on disk, as on flash.
 * Reads of data still in that buffer are served from it.
 *
 * Sequential multi-sector reads are served from a read-ahead window (the
 * next window is read asynchronously while the stream uses this one), and
 * single-sector reads (the filesystem following CTZ skip-list pointers
 * from a file's last block, for every block it reads) from a small cache
 * of 4 KiB disk pages; both are dropped where the filesystem writes.
 *
 * A read-only disk refuses program and erase with ERR_READ_ONLY (and a log
 * line), before anything reaches the device.
 *
 * The adapter reaches the disk only through struct vblk_disk (a handful of
 * callbacks): blockdev_virtio_port.c plugs in the virtio-blk driver, and
 * the host unit tests (tests/unit/vfs/) a fake disk that records requests.
 *
 * Not thread-safe: the VFS mutex of the filesystem on it guards it.
 */
#ifndef SERVICES_VFS_BLOCKDEV_VIRTIO_H
#define SERVICES_VFS_BLOCKDEV_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "blockdev/blockdev.h"

#define VBLK_SECTOR 512u
/* The largest asynchronous request the disk takes (virtio-blk's). */
#define VBLK_MAX_REQUEST (256u * 1024u)

/*
 * What the adapter needs of a disk. Synchronous calls take any size;
 * *_start calls at most VBLK_MAX_REQUEST bytes and leave the request in
 * flight (its buffer untouched by us) until finish, which waits for it and
 * returns its status. Requests in flight may complete in any order.
 * Callbacks return 0 or a negative code from pus/err.h.
 */
struct vblk_disk_ops {
    int (*read)(void *dev, uint64_t sector, void *buf, size_t bytes);
    int (*write)(void *dev, uint64_t sector, const void *buf, size_t bytes);
    int (*read_start)(void *dev, uint64_t sector, void *buf, size_t bytes, void **req);
    int (*write_start)(void *dev, uint64_t sector, const void *buf, size_t bytes, void **req);
    int (*finish)(void *dev, void *req);
    int (*flush)(void *dev);
    uint64_t (*now_ns)(void);                   /* for stats.ns_io */
    void (*write_refused)(void *dev, int index);  /* say once: read-only disk */
};

struct vblk_disk {
    const struct vblk_disk_ops *ops;
    void *dev;                 /* passed to every callback */
    int index;                 /* for messages */
    uint64_t sectors;          /* 512-byte sectors */
    bool read_only;
    uint32_t write_behind_bytes;   /* per buffer, a multiple of 512, <= VBLK_MAX_REQUEST */
    uint32_t read_ahead_bytes;     /* largest window, a multiple of 512 */
};

#define VBLK_ERASE_NOTES 8
#define VBLK_PAGES 128
#define VBLK_PAGE_BYTES 4096u
#define VBLK_PREFETCH_REQS 8

struct vblk_stats {
    uint64_t requests_read, requests_written, bytes_read, bytes_written;
    uint64_t erases, erase_fill_bytes, readahead_hits, page_hits, behind_hits, syncs;
    uint64_t read_calls, prog_calls, erase_calls, ns_io;   /* ns_io: waiting for the disk */
};

struct vblk_bdev {
    struct blockdev bd;
    struct vblk_disk disk;
    uint64_t first_sector;
    bool warned_read_only;

    /* write-behind: wlen bytes for the sectors from wsector, in wbuf; the
     * previous buffer (wbuf_other) may be in flight for fcount sectors
     * from fsector */
    uint8_t *wbuf, *wbuf_other;
    uint32_t wcap, wlen;
    uint64_t wsector;
    void *inflight;
    uint64_t fsector, fcount;
    int lost_error;            /* that write failed where no caller could be told */

    /* read-ahead: ralen bytes of the sectors from rasector */
    uint8_t *rabuf;
    uint32_t racap, ralen;
    uint32_t ra_len;           /* size of the next window (grows) */
    /* the window after it, being read (pfn requests in flight) or read */
    uint8_t *pfbuf;
    uint64_t pfsector;
    uint32_t pflen;
    int pfn, pferr;
    void *pfreq[VBLK_PREFETCH_REQS];
    uint64_t rasector;
    uint64_t next_sector;      /* where a sequential reader goes next */

    /* cached disk pages: page number (4 KiB units) and last use */
    struct { uint64_t page, used; bool valid; } pages[VBLK_PAGES];
    uint8_t *pagebuf;          /* VBLK_PAGES * VBLK_PAGE_BYTES */
    uint64_t page_clock;
    int pages_valid;
    uint64_t last_miss;        /* page of the last miss (walks down the disk) */
    uint8_t *backbuf;          /* BACK_PAGES pages read below a miss */

    /* erased blocks programmed only up to mark so far */
    struct { uint32_t block, mark; bool used; } notes[VBLK_ERASE_NOTES];
    uint8_t *ones;             /* one block of 0xff */

    struct vblk_stats stats;
};

/* Set up vb over `disk` with the given geometry: block_size is a multiple
 * of 512 and block_count blocks must fit on the disk, else ERR_INVALID_ARGS. */
int vblk_bdev_attach(struct vblk_bdev *vb, const struct vblk_disk *disk, uint32_t block_size,
                     uint32_t block_count);
/* The same over virtio-blk disk `index` (blockdev_virtio_port.c, kernel
 * only): ERR_NO_DEVICE if there is none. */
int vblk_bdev_init(struct vblk_bdev *vb, int index, uint32_t block_size,
                   uint32_t block_count);
void vblk_bdev_free(struct vblk_bdev *vb);
/* Forget read-ahead data (benchmarks measure the disk, not the window). */
void vblk_bdev_drop_readahead(struct vblk_bdev *vb);

#endif
