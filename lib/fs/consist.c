/*
 * Keeping the filesystem consistent across power loss.
 *
 * Two multi-commit operations leave marks in the global state (gstate,
 * the XOR of every pair's MOVESTATE) while they run:
 *  - a rename across pairs records "entry id of pair P is being moved"; the
 *    old entry is then hidden from readers, and the next writer deletes it.
 *  - creating or removing a directory, or moving a pair, may leave a pair
 *    on the tail list that no directory names (an orphan); the orphan bit
 *    tells the next writer to scan for and unlink such pairs.
 * fs_force_consistency runs those repairs before any write.
 */
#include "fs/fs_internal.h"

void fs_prep_orphans(struct fs *fs, int delta)
{
    fs->orphans += delta;
    if (fs->orphans > 0)
        fs->gstate.tag |= 0x80000000u;
    else
        fs->gstate.tag &= ~0x80000000u;
}

void fs_prep_move(struct fs *fs, uint16_t id, const uint32_t pair[2])
{
    fs->gstate.tag &= ~MKTAG(0x7ff, 0x3ff, 0);
    if (id != FS_ID_NONE) {
        fs->gstate.tag |= MKTAG(T_DELETE, id, 0);
        fs->gstate.pair[0] = pair[0];
        fs->gstate.pair[1] = pair[1];
    } else {
        fs->gstate.pair[0] = 0;
        fs->gstate.pair[1] = 0;
    }
}

static int fix_superblock(struct fs *fs)
{
    struct fs_mdir root;
    uint8_t sb[24];
    int err = mdir_fetch(fs, &root, fs->root);
    if (err)
        return err;
    put_le32(sb, FS_DISK_VERSION);
    put_le32(sb + 4, fs->block_size);
    put_le32(sb + 8, fs->block_count);
    put_le32(sb + 12, fs->name_max);
    put_le32(sb + 16, fs->file_max);
    put_le32(sb + 20, fs->attr_max);
    /* From here on commits carry FCRCs (2.1). */
    fs->disk_version = FS_DISK_VERSION;
    root.erased = false;
    struct mattr a = {MKTAG(T_INLINESTRUCT, 0, 24), sb};
    err = mdir_commit(fs, &root, &a, 1);
    if (err)
        return err;
    fs->need_superblock = false;
    return 0;
}

static int fix_move(struct fs *fs)
{
    struct fs_mdir dir;
    uint32_t pair[2] = {fs->gdisk.pair[0], fs->gdisk.pair[1]};
    uint16_t id = tag_id(fs->gdisk.tag);
    int err = mdir_fetch(fs, &dir, pair);
    if (err)
        return err;
    fs_prep_move(fs, FS_ID_NONE, NULL);
    struct mattr a = {MKTAG(T_DELETE, id, 0), NULL};
    return mdir_commit(fs, &dir, &a, 1);
}

static int fix_orphans(struct fs *fs)
{
    uint8_t b[8];
    for (int round = 0; round < 64; round++) {
        bool changed = false;
        struct fs_mdir pdir = {.split = true, .tail = {0, 1}};
        struct fs_mdir dir, parent;
        uint32_t limit = fs->block_count;
        while (!pair_isnull(pdir.tail)) {
            if (limit-- == 0)
                return ERR_CORRUPT;
            int err = mdir_fetch(fs, &dir, pdir.tail);
            if (err)
                return err;
            if (!pdir.split) {
                int64_t tag = mdir_parent(fs, pdir.tail, &parent);
                if (tag < 0 && tag != ERR_NOT_FOUND)
                    return tag;
                if (tag >= 0) {
                    tag = mdir_get(fs, &parent, MKTAG(0x7ff, 0x3ff, 0), tag,
                                   0, b, 8);
                    if (tag < 0)
                        return tag;
                    uint32_t p[2] = {get_le32(b), get_le32(b + 4)};
                    if (!pair_equal(p, pdir.tail)) {
                        /* half moved: point the list at the new blocks */
                        struct mattr a = {MKTAG(T_SOFTTAIL, 0x3ff, 8), b};
                        err = mdir_commit(fs, &pdir, &a, 1);
                        if (err)
                            return err;
                        changed = true;
                        continue;
                    }
                } else {
                    /* nobody names this pair: unlink it, keep its gstate */
                    err = mdir_getgstate(fs, &dir, &fs->gdelta);
                    if (err)
                        return err;
                    put_le32(b, dir.tail[0]);
                    put_le32(b + 4, dir.tail[1]);
                    struct mattr a = {MKTAG(T_TAIL + dir.split, 0x3ff, 8), b};
                    err = mdir_commit(fs, &pdir, &a, 1);
                    if (err)
                        return err;
                    changed = true;
                    continue;
                }
            }
            pdir = dir;
        }
        if (!changed)
            break;
    }
    fs->orphans = 0;
    fs->gstate.tag &= ~0x80000000u;
    return 0;
}

int fs_force_consistency(struct fs *fs)
{
    if (!fs->mounted)
        return ERR_BAD_STATE;
    if (fs->read_only)
        return ERR_READ_ONLY;
    fs_alloc_ckpoint(fs);
    if (fs->need_superblock) {
        int err = fix_superblock(fs);
        if (err)
            return err;
    }
    if (gstate_hasmove(&fs->gdisk)) {
        int err = fix_move(fs);
        if (err)
            return err;
    }
    if (gstate_hasorphans(&fs->gstate) && fs->orphans == 0) {
        int err = fix_orphans(fs);
        if (err)
            return err;
        /* write the cleared bit now, so a reader sees a clean state */
        if (memcmp(&fs->gstate, &fs->gdisk, sizeof(fs->gstate)) != 0) {
            struct fs_mdir root;
            err = mdir_fetch(fs, &root, fs->root);
            if (!err)
                err = mdir_commit(fs, &root, NULL, 0);
            if (err)
                return err;
        }
    }
    return 0;
}
