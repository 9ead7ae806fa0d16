/*
 * fs_fsck: check the whole filesystem without changing it.
 *
 * Walks the tail list (every metadata pair, with a bound against loops),
 * checks each entry's name and struct, walks every CTZ list, and makes
 * sure no block is used twice. Directories must name pairs that are on
 * the list. A pending move or orphan mark is not corruption: the next
 * write repairs it (with the orphan mark set, a directory may name a pair
 * that shares one block with the one on the list: a move cut short).
 */
#include <stdlib.h>

#include "fs/fs_internal.h"

struct used {
    uint8_t *bits;
    uint32_t count;
    int dup;
};

static int mark(void *ctx, uint32_t block)
{
    struct used *u = ctx;
    if (block >= u->count)
        return ERR_CORRUPT;
    if (u->bits[block / 8] & (1u << (block % 8)))
        return ERR_CORRUPT;
    u->bits[block / 8] |= 1u << (block % 8);
    return 0;
}

static bool marked(struct used *u, uint32_t block)
{
    return block < u->count && (u->bits[block / 8] & (1u << (block % 8)));
}

int fs_fsck(struct fs *fs)
{
    if (!fs || !fs->mounted)
        return ERR_BAD_STATE;
    struct used u = {calloc((fs->block_count + 7) / 8, 1), fs->block_count, 0};
    if (!u.bits)
        return ERR_NO_MEMORY;
    struct fs_mdir dir;
    struct fs_info info;
    uint32_t tail[2] = {0, 1};
    uint32_t limit = fs->block_count;
    uint8_t b[8];
    int err = 0;

    /* pass 1: pairs and files */
    while (!err && !pair_isnull(tail)) {
        if (limit-- == 0) {
            err = ERR_CORRUPT;
            break;
        }
        err = mark(&u, tail[0]);
        if (!err)
            err = mark(&u, tail[1]);
        if (!err)
            err = mdir_fetch(fs, &dir, tail);
        for (uint16_t id = 0; !err && id < dir.count; id++) {
            int64_t tag = mdir_get(fs, &dir, MKTAG(0x780, 0x3ff, 0),
                                   MKTAG(T_NAME, id, 0), 0, NULL, 0);
            if (tag == ERR_NOT_FOUND) {
                /* the superblock entry, or an entry hidden by a move */
                continue;
            }
            if (tag < 0) {
                err = tag;
                break;
            }
            err = fs_entry_info(fs, &dir, id, &info);
            if (err)
                break;
            tag = mdir_get(fs, &dir, MKTAG(0x700, 0x3ff, 0),
                           MKTAG(T_STRUCT, id, 8), 0, b, 8);
            if (tag < 0) {
                err = ERR_CORRUPT;
                break;
            }
            if (tag_type3(tag) == T_CTZSTRUCT) {
                uint32_t size = get_le32(b + 4);
                if (info.type != FS_TYPE_FILE || size > fs->file_max) {
                    err = ERR_CORRUPT;
                    break;
                }
                err = ctz_traverse(fs, NULL, get_le32(b), size, mark, &u);
            } else if (tag_type3(tag) == T_DIRSTRUCT) {
                if (info.type != FS_TYPE_DIR)
                    err = ERR_CORRUPT;
            } else if (tag_type3(tag) != T_INLINESTRUCT ||
                       info.type != FS_TYPE_FILE) {
                err = ERR_CORRUPT;
            }
        }
        tail[0] = dir.tail[0];
        tail[1] = dir.tail[1];
    }

    /* pass 2: every directory's pair must be on the list */
    tail[0] = 0;
    tail[1] = 1;
    limit = fs->block_count;
    while (!err && !pair_isnull(tail)) {
        if (limit-- == 0) {
            err = ERR_CORRUPT;
            break;
        }
        err = mdir_fetch(fs, &dir, tail);
        for (uint16_t id = 0; !err && id < dir.count; id++) {
            int64_t tag = mdir_get(fs, &dir, MKTAG(0x7ff, 0x3ff, 0),
                                   MKTAG(T_DIRSTRUCT, id, 8), 0, b, 8);
            if (tag == ERR_NOT_FOUND)
                continue;
            if (tag < 0) {
                err = tag;
                break;
            }
            bool on0 = marked(&u, get_le32(b)), on1 = marked(&u, get_le32(b + 4));
            /* A power cut while a pair moved can leave the parent naming
             * the new blocks and the list the old ones, which share a
             * block; the orphan mark says the next write repairs it. */
            bool half = gstate_hasorphans(&fs->gdisk) && (on0 || on1);
            if (!(on0 && on1) && !half)
                err = ERR_CORRUPT;
        }
        tail[0] = dir.tail[0];
        tail[1] = dir.tail[1];
    }
    free(u.bits);
    return err;
}
