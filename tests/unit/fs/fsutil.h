/* Helpers shared by the lib/fs unit tests: a RAM disk, whole-file I/O and
 * a hash of the whole tree (names, types and contents) for comparisons. */
#ifndef FSUTIL_H
#define FSUTIL_H

#include <stdint.h>
#include <stddef.h>
#include "blockdev/ramdev.h"
#include "fs/fs.h"

struct tfs {
    struct ramdev rd;
    struct fs_config cfg;
    struct fs fs;
};

/* RAM disk of count blocks; formats and mounts unless the config says. */
void tfs_init(struct tfs *t, uint32_t block_size, uint32_t count,
              uint32_t prog_size, uint32_t cache_size, int32_t block_cycles);
void tfs_mount(struct tfs *t);
void tfs_unmount(struct tfs *t);
void tfs_free(struct tfs *t);

int write_file(struct fs *fs, const char *path, const void *data, size_t len,
               int flags);
/* Reads the whole file into a malloc'd buffer; returns size or error. */
long read_file(struct fs *fs, const char *path, uint8_t **data);
/* Asserts (cmocka) that the file holds exactly want[0..len). */
void check_file(struct fs *fs, const char *path, const uint8_t *want, long len);
/* FNV-1a 64 over every path, type and content, in directory order. */
int tree_hash(struct fs *fs, uint64_t *hash);

void fill_pattern(uint8_t *buf, size_t len, uint32_t seed);
uint32_t rng_next(uint64_t *state);

#endif
