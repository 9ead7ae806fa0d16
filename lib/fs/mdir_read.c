/*
 * Reading metadata pairs: fetch (find the newest valid log), lookups of
 * the newest attribute of an entry, name search and entry enumeration.
 *
 * A pair is two blocks, each an append-only log: a 32-bit revision, then
 * commits of tags. fetch picks the block with the newer revision that has
 * at least one commit with a good CRC, and remembers where the valid log
 * ends (off) and the tag the next commit must be XORed with (etag).
 */
#include "fs/fs_internal.h"

/* Sequence compare of revision counts. */
static int rev_cmp(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

static int fetch_block(struct fs *fs, struct fs_mdir *dir, uint32_t rev,
                       struct fetch_info *info)
{
    /* offsets of the superblock name and the newest MOVESTATE, noted on
     * the way so mount does not need two more passes over the log */
    uint32_t sb_off = 0, gs_off = 0;
    bool sb_unsure = false;
    uint32_t block = dir->pair[0];
    uint32_t off = 0, ptag = 0xffffffff;
    uint32_t crc, count = 0, tail[2] = {FS_BLOCK_NULL, FS_BLOCK_NULL};
    bool split = false, maybe_erased = false, has_fcrc = false;
    uint32_t fcrc_size = 0, fcrc_crc = 0;
    uint8_t rb[8];

    put_le32(rb, rev);
    crc = fs_crc32(0xffffffff, rb, 4);
    dir->off = 0;
    dir->rev = rev;

    for (;;) {
        off += tag_dsize(ptag);
        if (off + 4 > fs->block_size)
            break;
        int err = bd_read(fs, NULL, fs->block_size, block, off, rb, 4);
        if (err)
            return err;
        crc = fs_crc32(crc, rb, 4);
        uint32_t tag = get_be32(rb) ^ ptag;
        if (!tag_isvalid(tag)) {
            maybe_erased = tag_type2(ptag) == T_CRC;
            break;
        }
        if (off + tag_dsize(tag) > fs->block_size)
            break;
        ptag = tag;

        if (tag_type2(tag) == T_CRC) {
            if (tag_dsize(tag) < 8)
                break;
            err = bd_read(fs, NULL, fs->block_size, block, off + 4, rb, 4);
            if (err)
                return err;
            if (crc != get_le32(rb))
                break;
            ptag ^= (uint32_t)(tag_chunk(tag) & 1) << 31;
            fs->seed = fs_crc32(fs->seed, &crc, 4);
            dir->off = off + tag_dsize(tag);
            dir->etag = ptag;
            dir->count = count;
            dir->tail[0] = tail[0];
            dir->tail[1] = tail[1];
            dir->split = split;
            if (info) {
                info->sb_off = sb_off;
                info->sb_unsure = sb_unsure;
                info->gs_off = gs_off;
            }
            crc = 0xffffffff;
            continue;
        }

        err = bd_crc(fs, block, off + 4, tag_dsize(tag) - 4, &crc);
        if (err)
            return err;

        if (tag_type1(tag) == T_NAME) {
            if (tag_id(tag) >= count)
                count = tag_id(tag) + 1;
            if (tag_id(tag) == 0)
                sb_off = tag_type3(tag) == T_SUPERBLOCK ? off : 0;
        } else if (tag_type1(tag) == T_SPLICE) {
            count += tag_splice(tag);
            if (count > 0x3fe)
                break;          /* ids underflowed or overflowed: corrupt */
            if (tag_id(tag) == 0)
                sb_unsure = true;
        } else if (tag_type1(tag) == T_TAIL) {
            if (tag_size(tag) < 8)
                break;
            split = tag_chunk(tag) & 1;
            err = bd_read(fs, NULL, fs->block_size, block, off + 4, rb, 8);
            if (err)
                return err;
            tail[0] = get_le32(rb);
            tail[1] = get_le32(rb + 4);
        } else if (tag_type3(tag) == T_MOVESTATE) {
            gs_off = tag_size(tag) == 12 ? off : 0;
        } else if (tag_type3(tag) == T_FCRC) {
            if (tag_size(tag) >= 8) {
                err = bd_read(fs, NULL, fs->block_size, block, off + 4, rb, 8);
                if (err)
                    return err;
                fcrc_size = get_le32(rb);
                fcrc_crc = get_le32(rb + 4);
                has_fcrc = true;
            }
        }
    }

    if (dir->off == 0)
        return ERR_CORRUPT;

    dir->erased = false;
    if (maybe_erased && dir->off % fs->prog_size == 0) {
        if (fs->disk_version < FS_DISK_VERSION) {
            dir->erased = true;
        } else if (has_fcrc && fcrc_size <= fs->block_size - dir->off) {
            uint32_t c = 0xffffffff;
            int err = bd_crc(fs, block, dir->off, fcrc_size, &c);
            if (err && err != ERR_CORRUPT)
                return err;
            dir->erased = !err && c == fcrc_crc;
        }
    }
    return 0;
}

int mdir_fetch(struct fs *fs, struct fs_mdir *dir, const uint32_t pair[2])
{
    return mdir_fetch_info(fs, dir, pair, NULL);
}

int mdir_fetch_info(struct fs *fs, struct fs_mdir *dir, const uint32_t pair[2],
                    struct fetch_info *info)
{
    uint32_t revs[2] = {0, 0};
    bool ok[2] = {false, false};
    uint8_t rb[4];

    if (pair[0] >= fs->block_count || pair[1] >= fs->block_count)
        return ERR_CORRUPT;
    for (int i = 0; i < 2; i++) {
        int err = bd_read(fs, NULL, 4, pair[i], 0, rb, 4);
        if (err && err != ERR_CORRUPT)
            return err;
        ok[i] = !err;
        revs[i] = get_le32(rb);
    }
    int r = (ok[1] && (!ok[0] || rev_cmp(revs[1], revs[0]) > 0)) ? 1 : 0;
    for (int i = 0; i < 2; i++) {
        int which = (r + i) % 2;
        dir->pair[0] = pair[which];
        dir->pair[1] = pair[1 - which];
        if (info)
            memset(info, 0, sizeof(*info));
        int err = fetch_block(fs, dir, revs[which], info);
        if (err == 0)
            return 0;
        if (err != ERR_CORRUPT)
            return err;
    }
    return ERR_CORRUPT;
}

/*
 * Walk the log backwards from its end, which finds the newest version of
 * an attribute first. Creates and deletes shift ids, so the id we look for
 * is adjusted as we pass them (gdiff).
 */
int64_t mdir_get(struct fs *fs, const struct fs_mdir *dir, uint32_t gmask,
                 uint32_t gtag, uint32_t goff, void *buf, uint32_t size)
{
    uint32_t off = dir->off, ntag = dir->etag;
    uint32_t gdiff = 0;
    uint8_t rb[4];

    /* A pending move (power lost mid-rename) deletes its source entry:
     * ids at or above it name the entry one further on in the log. */
    if (tag_id(gmask) != 0 && gstate_hasmovehere(&fs->gdisk, dir->pair) &&
        tag_id(gtag) >= tag_id(fs->gdisk.tag))
        gdiff -= MKTAG(0, 1, 0);

    while (off >= 4 + tag_dsize(ntag)) {
        off -= tag_dsize(ntag);
        uint32_t tag = ntag;
        int err = bd_read(fs, NULL, 4, dir->pair[0], off, rb, 4);
        if (err)
            return err;
        ntag = (get_be32(rb) ^ tag) & 0x7fffffff;

        if (tag_id(gmask) != 0 && tag_type1(tag) == T_SPLICE &&
            tag_id(tag) <= tag_id(gtag - gdiff)) {
            if (tag == (MKTAG(T_CREATE, 0, 0) |
                        (MKTAG(0, 0x3ff, 0) & (gtag - gdiff))))
                return ERR_NOT_FOUND;     /* where the entry was created */
            gdiff += MKTAG(0, tag_splice(tag), 0);
        }
        if ((gmask & tag) == (gmask & (gtag - gdiff))) {
            if (tag_isdelete(tag))
                return ERR_NOT_FOUND;
            uint32_t n = min_u32(tag_size(tag) > goff ? tag_size(tag) - goff : 0,
                                 size);
            if (n) {
                err = bd_read(fs, NULL, n, dir->pair[0], off + 4 + goff,
                              buf, n);
                if (err)
                    return err;
            }
            if (size > n)
                memset((uint8_t *)buf + n, 0, size - n);
            return (tag + gdiff) & 0x7fffffff;
        }
    }
    return ERR_NOT_FOUND;
}

int mdir_getgstate(struct fs *fs, const struct fs_mdir *dir,
                   struct fs_gstate *g)
{
    uint8_t b[12];
    int64_t tag = mdir_get(fs, dir, MKTAG(0x7ff, 0, 0),
                           MKTAG(T_MOVESTATE, 0, 12), 0, b, 12);
    if (tag < 0)
        return tag == ERR_NOT_FOUND ? 0 : (int)tag;
    g->tag ^= get_le32(b);
    g->pair[0] ^= get_le32(b + 4);
    g->pair[1] ^= get_le32(b + 8);
    return 0;
}

/* Name order used by the reference: bytewise, and when one name is a
 * prefix of the other the longer one sorts first. Returns <0 when the
 * name on disk sorts before name. */
static int name_cmp(struct fs *fs, uint32_t block, uint32_t off,
                    uint32_t dlen, const char *name, uint32_t len, int *res)
{
    int err = bd_cmp(fs, block, off, name, min_u32(len, dlen), res);
    if (err || *res)
        return err;
    if (len != dlen)
        *res = len < dlen ? -1 : 1;
    return 0;
}

int64_t mdir_find_name(struct fs *fs, const struct fs_mdir *dir,
                       const char *name, uint32_t len, uint16_t *id)
{
    uint32_t off = 0, ptag = 0xffffffff;
    uint32_t best = 0xffffffff;
    uint8_t rb[4];

    for (;;) {
        off += tag_dsize(ptag);
        if (off >= dir->off)
            break;
        int err = bd_read(fs, NULL, fs->block_size, dir->pair[0], off, rb, 4);
        if (err)
            return err;
        uint32_t tag = get_be32(rb) ^ ptag;
        ptag = tag;
        if (tag_type2(tag) == T_CRC) {
            ptag ^= (uint32_t)(tag_chunk(tag) & 1) << 31;
            continue;
        }
        tag &= 0x7fffffff;
        if (tag_type1(tag) == T_SPLICE) {
            if (tag == (MKTAG(T_DELETE, 0, 0) | (MKTAG(0, 0x3ff, 0) & best)))
                best |= 0x80000000;
            else if (best != 0xffffffff && tag_id(tag) <= tag_id(best))
                best += MKTAG(0, tag_splice(tag), 0);
        } else if ((tag & MKTAG(0x780, 0, 0)) == MKTAG(T_NAME, 0, 0)) {
            int res;
            err = name_cmp(fs, dir->pair[0], off + 4, tag_size(tag), name,
                           len, &res);
            if (err)
                return err;
            if (res == 0)
                best = tag;
            else if ((MKTAG(0x7ff, 0x3ff, 0) & tag) ==
                     (MKTAG(0x7ff, 0x3ff, 0) & best))
                best = 0xffffffff;
            else if (res > 0 && tag_id(tag) <= tag_id(best))
                best = tag | 0x80000000;
        }
    }

    if (gstate_hasmovehere(&fs->gdisk, dir->pair)) {
        if (tag_id(fs->gdisk.tag) == tag_id(best))
            best |= 0x80000000;
        else if (best != 0xffffffff && tag_id(fs->gdisk.tag) < tag_id(best))
            best -= MKTAG(0, 1, 0);
    }
    if (id)
        *id = min_u32(tag_id(best), dir->count);
    if (tag_isvalid(best))
        return best;
    return ERR_NOT_FOUND;
}

/*
 * Every live attribute of entry id, newest version of each kind: the name,
 * the struct, and each user attribute type. Walks backwards like mdir_get,
 * stopping where the entry was created. Ids are raw (no synthetic move).
 */
int mdir_entry_tags(struct fs *fs, const struct fs_mdir *dir, uint16_t id,
                    int (*cb)(void *ctx, uint32_t tag, uint32_t block,
                              uint32_t off),
                    void *ctx)
{
    uint32_t off = dir->off, ntag = dir->etag;
    uint32_t cur = id;
    bool seen_name = false, seen_struct = false;
    uint32_t seen_attr[8] = {0};
    uint8_t rb[4];

    while (off >= 4 + tag_dsize(ntag)) {
        off -= tag_dsize(ntag);
        uint32_t tag = ntag;
        int err = bd_read(fs, NULL, 4, dir->pair[0], off, rb, 4);
        if (err)
            return err;
        ntag = (get_be32(rb) ^ tag) & 0x7fffffff;

        if (tag_type1(tag) == T_SPLICE) {
            if (tag_id(tag) <= cur) {
                if (tag_type3(tag) == T_CREATE && tag_id(tag) == cur)
                    return 0;
                cur -= tag_splice(tag);
                if (cur > 0x3fe)
                    return ERR_CORRUPT;
            }
            continue;
        }
        if (tag_id(tag) != cur)
            continue;
        uint16_t t1 = tag_type1(tag);
        if (t1 == T_NAME) {
            if (seen_name)
                continue;
            seen_name = true;
        } else if (t1 == T_STRUCT) {
            if (seen_struct)
                continue;
            seen_struct = true;
        } else if (t1 == T_USERATTR) {
            uint8_t c = tag_chunk(tag);
            if (seen_attr[c / 32] & (1u << (c % 32)))
                continue;
            seen_attr[c / 32] |= 1u << (c % 32);
        } else {
            continue;
        }
        if (tag_isdelete(tag))
            continue;
        err = cb(ctx, tag, dir->pair[0], off + 4);
        if (err)
            return err;
    }
    return 0;
}

int mdir_pred(struct fs *fs, const uint32_t pair[2], struct fs_mdir *pred)
{
    uint32_t tail[2] = {0, 1};
    uint32_t limit = fs->block_count;
    while (!pair_isnull(tail)) {
        if (limit-- == 0)
            return ERR_CORRUPT;
        int err = mdir_fetch(fs, pred, tail);
        if (err)
            return err;
        if (!pair_isnull(pred->tail) && pair_same(pred->tail, pair))
            return 0;
        tail[0] = pred->tail[0];
        tail[1] = pred->tail[1];
    }
    return ERR_NOT_FOUND;
}

int64_t mdir_parent(struct fs *fs, const uint32_t pair[2],
                    struct fs_mdir *parent)
{
    uint32_t tail[2] = {0, 1};
    uint32_t limit = fs->block_count;
    uint8_t b[8];
    while (!pair_isnull(tail)) {
        if (limit-- == 0)
            return ERR_CORRUPT;
        int err = mdir_fetch(fs, parent, tail);
        if (err)
            return err;
        for (uint16_t id = 0; id < parent->count; id++) {
            int64_t tag = mdir_get(fs, parent, MKTAG(0x7ff, 0x3ff, 0),
                                   MKTAG(T_DIRSTRUCT, id, 8), 0, b, 8);
            if (tag == ERR_NOT_FOUND)
                continue;
            if (tag < 0)
                return tag;
            uint32_t p[2] = {get_le32(b), get_le32(b + 4)};
            if (pair_same(p, pair))
                return tag;
        }
        tail[0] = parent->tail[0];
        tail[1] = parent->tail[1];
    }
    return ERR_NOT_FOUND;
}
