/*
 * libFuzzer target: mount a mutated filesystem image and walk it.
 *
 * The input is a raw image of 512-byte blocks. It is mounted read-only and
 * every directory, file and attribute is read, then fsck runs; finally a
 * writable mount of a copy creates, renames and removes files. Any result
 * is fine as long as it is a clean error: no crash, no hang, no sanitizer
 * report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev/ramdev.h"
#include "fs/fs.h"

#define BS 512
#define MAX_BLOCKS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct fs *fs, const char *path, int depth, int *budget)
{
    struct fs_dir d;
    struct fs_info info;
    if (depth > 8 || fs_dir_open(fs, &d, path))
        return;
    while (--*budget > 0 && fs_dir_read(fs, &d, &info) > 0) {
        char child[300];
        snprintf(child, sizeof(child), "%s/%s", path, info.name);
        uint8_t buf[256];
        fs_getattr(fs, child, 0x42, buf, sizeof(buf));
        if (info.type == FS_TYPE_DIR) {
            walk(fs, child, depth + 1, budget);
        } else {
            struct fs_file f;
            if (fs_file_open(fs, &f, child, FS_O_RDONLY) == 0) {
                long total = 0, n;
                while (total < 65536 &&
                       (n = fs_file_read(fs, &f, buf, sizeof(buf))) > 0)
                    total += n;
                fs_file_seek(fs, &f, total / 2, FS_SEEK_SET);
                fs_file_read(fs, &f, buf, sizeof(buf));
                fs_file_close(fs, &f);
            }
        }
    }
    fs_dir_close(fs, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t blocks = (size + BS - 1) / BS;
    if (blocks < 2)
        blocks = 2;
    if (blocks > MAX_BLOCKS)
        return 0;
    struct ramdev rd;
    if (ramdev_init(&rd, BS, blocks, 16, 16))
        return 0;
    memcpy(rd.mem, data, size);
    struct fs fs;
    struct fs_config cfg = {.bd = &rd.bd, .read_only = true,
                            .cache_size = 64, .lookahead_size = 8};
    if (fs_mount(&fs, &cfg) == 0) {
        int budget = 2000;
        walk(&fs, "", 0, &budget);
        fs_fsck(&fs);
        fs_used_blocks(&fs);
        fs_unmount(&fs);

        cfg.read_only = false;
        cfg.block_cycles = 3;
        if (fs_mount(&fs, &cfg) == 0) {
            struct fs_file f;
            if (fs_file_open(&fs, &f, "/fz", FS_O_RDWR | FS_O_CREAT) == 0) {
                uint8_t buf[700];
                memset(buf, 0x5a, sizeof(buf));
                fs_file_write(&fs, &f, buf, sizeof(buf));
                fs_file_close(&fs, &f);
            }
            fs_mkdir(&fs, "/fzd");
            fs_rename(&fs, "/fz", "/fzd/fz");
            fs_remove(&fs, "/fzd/fz");
            fs_remove(&fs, "/fzd");
            fs_unmount(&fs);
        }
    }
    ramdev_free(&rd);
    return 0;
}
