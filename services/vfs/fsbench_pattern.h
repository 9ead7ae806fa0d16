/*
 * fsbench's data: a byte pattern with every 512-byte sector stamped with
 * its own offset, so that a sector written to or read from the wrong place
 * differs from what belongs there (the same chunk everywhere would not).
 * Pure C: unit-tested on the host (tests/unit/vfs/test_fsbench_pattern.c).
 */
#ifndef SERVICES_VFS_FSBENCH_PATTERN_H
#define SERVICES_VFS_FSBENCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* The offset-independent pattern, written once into a chunk buffer. */
void fsbench_fill(uint8_t *chunk, size_t len);
/* Stamp the first 8 bytes of each 512-byte sector of chunk (which holds
 * bytes offset.. of the file or disk) with a value unique to its offset. */
void fsbench_stamp(uint8_t *chunk, size_t len, uint64_t offset);

#endif
