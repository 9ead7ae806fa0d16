/*
 * A disk for the vfs adapter's host tests (struct vblk_disk): sectors in
 * RAM, every request recorded, asynchronous requests really in flight
 * until finish (a write lands then, a read is filled then), and faults on
 * chosen sectors. It also checks the rules the adapter promises the
 * driver, counting each broken one in `violations` (a test expects 0):
 * at most one write in flight (so writes land in the order they were
 * made), no read overlapping a write in flight and no write overlapping a
 * read in flight, a write's buffer untouched until finish, asynchronous
 * requests of at most VBLK_MAX_REQUEST, whole sectors inside the disk.
 */
#ifndef TESTS_UNIT_VFS_FAKEDISK_H
#define TESTS_UNIT_VFS_FAKEDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "services/vfs/blockdev_virtio.h"

enum fake_kind { FAKE_READ, FAKE_WRITE, FAKE_READ_START, FAKE_WRITE_START, FAKE_FLUSH };

struct fake_req {
    enum fake_kind kind;
    uint64_t sector, count;
};

#define FAKE_LOG 8192
#define FAKE_FLIGHTS 32

struct fake_disk {
    uint8_t *mem;
    uint64_t sectors;
    struct vblk_disk vd;        /* what the adapter is given */

    struct fake_req issued[FAKE_LOG];   /* every request, as issued */
    int nissued;
    struct fake_req landed[FAKE_LOG];   /* writes (and flushes) as they reach mem */
    int nlanded;

    struct {
        bool used, write;
        uint64_t sector;
        size_t bytes;
        uint8_t *buf;           /* the adapter's buffer */
        uint8_t *copy;          /* a write's data when started */
        int status;
    } flights[FAKE_FLIGHTS];

    /* Requests overlapping [fail_sector, +fail_count) fail with ERR_IO. */
    uint64_t fail_sector, fail_count;
    bool fail_reads, fail_writes, fail_flush;

    int violations;
    int refused;                /* write_refused calls */
    uint64_t clock;
};

/* A disk of `sectors` sectors, each stamped with its own number (see
 * fake_expect), for an adapter with the given buffer sizes. */
void fake_init(struct fake_disk *d, uint64_t sectors, uint32_t write_behind,
               uint32_t read_ahead);
void fake_free(struct fake_disk *d);
/* What a sector of a fresh fake disk holds: its number in every 8 bytes,
 * xor a salt. */
void fake_expect(uint8_t *buf, uint64_t sector, uint64_t count, uint64_t salt);
void fake_stamp(struct fake_disk *d, uint64_t sector, uint64_t count, uint64_t salt);
/* Requests of one kind issued since the log was cleared. */
int fake_count(const struct fake_disk *d, enum fake_kind kind);
void fake_clear_log(struct fake_disk *d);
int fake_in_flight(const struct fake_disk *d);

#endif
