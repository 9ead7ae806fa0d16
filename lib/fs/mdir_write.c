/*
 * Writing metadata pairs.
 *
 * A change is a list of attributes (struct mattr). If the newest block of
 * the pair still has erased room, the change is appended as one commit:
 * tags, an optional global-state delta, then a CRC tag padded to the next
 * prog unit. Otherwise the pair is compacted: the log is replayed into a
 * table of live attributes, the change is applied to the table, and the
 * result is written into the other block with the revision bumped. Either
 * way the change becomes visible atomically, when its CRC is on disk.
 *
 * If the compacted state would fill more than about half a block, the
 * upper entries move to a new pair linked by a hard tail (a split).
 */
#include <stdlib.h>

#include "fs/fs_internal.h"

/* ---- writing one commit ---- */

struct commit {
    uint32_t block, off, ptag, crc;
};

static int commit_prog(struct fs *fs, struct commit *c, const void *buf,
                       uint32_t size)
{
    int err = bd_prog(fs, &fs->pcache, c->block, c->off, buf, size);
    if (err)
        return err;
    c->crc = fs_crc32(c->crc, buf, size);
    c->off += size;
    return 0;
}

/* Write one tag; its data comes from buf, or from disk at (block, off)
 * when buf is NULL. */
static int commit_attr(struct fs *fs, struct commit *c, uint32_t tag,
                       const void *buf, uint32_t dblock, uint32_t doff)
{
    uint32_t dsize = tag_dsize(tag);
    uint8_t tb[4];
    if (c->off + dsize > fs->block_size - 8)
        return ERR_NO_SPACE;
    put_be32(tb, (tag & 0x7fffffff) ^ c->ptag);
    int err = commit_prog(fs, c, tb, 4);
    if (err)
        return err;
    if (buf) {
        err = commit_prog(fs, c, buf, dsize - 4);
    } else {
        uint8_t tmp[32];
        for (uint32_t i = 0; i < dsize - 4 && !err; i += sizeof(tmp)) {
            uint32_t n = min_u32(sizeof(tmp), dsize - 4 - i);
            err = bd_read(fs, &fs->pcache, dsize - 4 - i, dblock, doff + i,
                          tmp, n);
            if (!err)
                err = commit_prog(fs, c, tmp, n);
        }
    }
    if (err)
        return err;
    c->ptag = tag & 0x7fffffff;
    return 0;
}

/* End the commit with a CRC tag padded to the next prog unit. When the
 * block goes on, an FCRC first records the CRC of the next prog unit as
 * it is now (erased), so a later append can tell it is still untouched. */
static int commit_crc(struct fs *fs, struct commit *c, bool *erased)
{
    uint32_t end = align_up(min_u32(c->off + 20, fs->block_size),
                            fs->prog_size);
    *erased = false;
    while (c->off < end) {
        uint32_t noff = min_u32(end - (c->off + 4), 0x3fe) + (c->off + 4);
        if (noff < end)
            noff = min_u32(noff, end - 20);
        uint8_t eperturb = 0xff;
        if (noff >= end && noff <= fs->block_size - fs->prog_size) {
            int err = bd_read(fs, NULL, fs->prog_size, c->block, noff,
                              &eperturb, 1);
            if (err)
                return err;
            if (fs->disk_version >= FS_DISK_VERSION) {
                uint8_t fb[8];
                uint32_t fcrc = 0xffffffff;
                err = bd_crc(fs, c->block, noff, fs->prog_size, &fcrc);
                if (err)
                    return err;
                put_le32(fb, fs->prog_size);
                put_le32(fb + 4, fcrc);
                err = commit_attr(fs, c, MKTAG(T_FCRC, 0x3ff, 8), fb, 0, 0);
                if (err)
                    return err;
            }
            *erased = true;
        }
        uint32_t ntag = MKTAG(T_CRC + (((uint8_t)~eperturb) >> 7), 0x3ff,
                              noff - (c->off + 4));
        uint8_t cb[8];
        put_be32(cb, ntag ^ c->ptag);
        c->crc = fs_crc32(c->crc, cb, 4);
        put_le32(cb + 4, c->crc);
        int err = bd_prog(fs, &fs->pcache, c->block, c->off, cb, 8);
        if (err)
            return err;
        c->off = noff;
        c->ptag = ntag ^ ((uint32_t)(0x80 & ~eperturb) << 24);
        c->crc = 0xffffffff;
        err = bd_sync(fs, &fs->pcache);
        if (err)
            return err;
    }
    return 0;
}

/* ---- the table of live attributes used by compaction ---- */

struct rec {
    uint32_t tag;
    uint32_t block, off;      /* data on disk, when buf is NULL */
    const void *buf;
};

struct table {
    struct rec *r;
    uint32_t n, cap;
    uint32_t tail[2];
    bool split;
    int err;
};

static void table_put(struct table *t, uint32_t tag, uint32_t block,
                      uint32_t off, const void *buf)
{
    uint16_t id = tag_id(tag), t1 = tag_type1(tag);
    /* a newer attribute of the same kind replaces the older one */
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t o = t->r[i].tag;
        if (tag_id(o) != id || tag_type1(o) != t1)
            continue;
        if (t1 == T_USERATTR && tag_chunk(o) != tag_chunk(tag))
            continue;
        t->r[i] = t->r[--t->n];
        break;
    }
    if (tag_isdelete(tag))
        return;
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 32;
        struct rec *r = realloc(t->r, cap * sizeof(*r));
        if (!r) {
            t->err = ERR_NO_MEMORY;
            return;
        }
        t->r = r;
        t->cap = cap;
    }
    t->r[t->n++] = (struct rec){tag, block, off, buf};
}

static void table_splice(struct table *t, uint32_t tag)
{
    uint16_t id = tag_id(tag);
    if (tag_type3(tag) == T_CREATE) {
        for (uint32_t i = 0; i < t->n; i++)
            if (tag_id(t->r[i].tag) >= id)
                t->r[i].tag += MKTAG(0, 1, 0);
        return;
    }
    for (uint32_t i = 0; i < t->n;) {
        if (tag_id(t->r[i].tag) == id) {
            t->r[i] = t->r[--t->n];
            continue;
        }
        if (tag_id(t->r[i].tag) > id)
            t->r[i].tag -= MKTAG(0, 1, 0);
        i++;
    }
}

struct move_ctx {
    struct table *t;
    uint16_t newid;
};

static int move_into_table(void *ctx, uint32_t tag, uint32_t block,
                           uint32_t off)
{
    struct move_ctx *m = ctx;
    if (tag_type1(tag) == T_NAME)
        return 0;               /* the move brings its own new name */
    tag = (tag & ~MKTAG(0, 0x3ff, 0)) | MKTAG(0, m->newid, 0);
    table_put(m->t, tag, block, off, NULL);
    return m->t->err;
}

static int table_apply(struct fs *fs, struct table *t, uint32_t tag,
                       uint32_t block, uint32_t off, const void *buf)
{
    uint16_t t1 = tag_type1(tag);
    if (tag_type3(tag) == T_FROM_MOVE) {
        const struct move_src *src = buf;
        struct move_ctx m = {t, tag_id(tag)};
        return mdir_entry_tags(fs, src->dir, src->id, move_into_table, &m);
    }
    if (t1 == T_SPLICE) {
        table_splice(t, tag);
    } else if (t1 == T_TAIL) {
        uint8_t b[8];
        if (buf) {
            memcpy(b, buf, 8);
        } else {
            int err = bd_read(fs, NULL, 8, block, off, b, 8);
            if (err)
                return err;
        }
        t->tail[0] = get_le32(b);
        t->tail[1] = get_le32(b + 4);
        t->split = tag_chunk(tag) & 1;
    } else if (t1 == T_NAME || t1 == T_STRUCT || t1 == T_USERATTR) {
        table_put(t, tag, block, off, buf);
    }
    return t->err;
}

/* Replay the valid log of dir into t. */
static int table_load(struct fs *fs, struct table *t, const struct fs_mdir *dir)
{
    uint32_t off = 0, ptag = 0xffffffff;
    uint8_t rb[4];
    t->tail[0] = FS_BLOCK_NULL;
    t->tail[1] = FS_BLOCK_NULL;
    t->split = false;
    for (;;) {
        off += tag_dsize(ptag);
        if (off >= dir->off)
            return 0;
        int err = bd_read(fs, NULL, fs->block_size, dir->pair[0], off, rb, 4);
        if (err)
            return err;
        uint32_t tag = get_be32(rb) ^ ptag;
        ptag = tag;
        if (tag_type2(tag) == T_CRC) {
            ptag ^= (uint32_t)(tag_chunk(tag) & 1) << 31;
            continue;
        }
        err = table_apply(fs, t, tag & 0x7fffffff, dir->pair[0], off + 4, NULL);
        if (err)
            return err;
    }
}

static uint32_t table_size(const struct table *t, uint16_t begin, uint16_t end)
{
    uint32_t size = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        uint16_t id = tag_id(t->r[i].tag);
        if (id >= begin && id < end)
            size += tag_dsize(t->r[i].tag);
    }
    return size;
}

/* Write ids [begin, end) of the table into dir's other block, erased
 * first, as one commit. The pair then swaps so pair[0] is the new block. */
static int compact_write(struct fs *fs, struct fs_mdir *dir,
                         const struct table *t, uint16_t begin, uint16_t end,
                         const uint32_t tail[2], bool split,
                         const struct fs_gstate *gs)
{
    struct commit c = {dir->pair[1], 0, 0xffffffff, 0xffffffff};
    uint8_t b[12];
    bool erased;

    cache_zero(fs, &fs->pcache);
    int err = bd_erase(fs, dir->pair[1]);
    if (err)
        return err;
    put_le32(b, dir->rev + 1);
    err = commit_prog(fs, &c, b, 4);
    /* per entry: name first, then struct, then attributes, as the
     * reference lays them out (tools find "littlefs" at byte 8) */
    static const uint16_t order[3] = {T_NAME, T_STRUCT, T_USERATTR};
    for (uint32_t k = 0; k < 3 * (uint32_t)(end - begin) && !err; k++) {
        uint16_t id = begin + k / 3;
        for (uint32_t i = 0; i < t->n && !err; i++) {
            const struct rec *r = &t->r[i];
            if (tag_id(r->tag) != id || tag_type1(r->tag) != order[k % 3])
                continue;
            uint32_t tag = (r->tag & ~MKTAG(0, 0x3ff, 0)) |
                           MKTAG(0, id - begin, 0);
            err = commit_attr(fs, &c, tag, r->buf, r->block, r->off);
        }
    }
    if (!err && !pair_isnull(tail)) {
        put_le32(b, tail[0]);
        put_le32(b + 4, tail[1]);
        err = commit_attr(fs, &c, MKTAG(T_TAIL + split, 0x3ff, 8), b, 0, 0);
    }
    if (!err && gs && !gstate_iszero(gs)) {
        put_le32(b, gs->tag);
        put_le32(b + 4, gs->pair[0]);
        put_le32(b + 8, gs->pair[1]);
        err = commit_attr(fs, &c, MKTAG(T_MOVESTATE, 0x3ff, 12), b, 0, 0);
    }
    if (!err)
        err = commit_crc(fs, &c, &erased);
    if (err) {
        cache_zero(fs, &fs->pcache);
        return err;
    }
    uint32_t p0 = dir->pair[0];
    dir->pair[0] = dir->pair[1];
    dir->pair[1] = p0;
    dir->rev += 1;
    dir->count = end - begin;
    dir->off = c.off;
    dir->etag = c.ptag;
    dir->erased = erased;
    dir->tail[0] = tail[0];
    dir->tail[1] = tail[1];
    dir->split = split;
    return 0;
}

int mdir_alloc(struct fs *fs, struct fs_mdir *dir)
{
    uint8_t b[4];
    for (int i = 0; i < 2; i++) {
        int err = fs_alloc(fs, &dir->pair[(i + 1) % 2]);
        if (err)
            return err;
    }
    /* Start from the old revision of the block so the block we write
     * next is seen as newer than anything left in its partner. */
    dir->rev = 0;
    int err = bd_read(fs, NULL, 4, dir->pair[0], 0, b, 4);
    if (err && err != ERR_CORRUPT)
        return err;
    if (!err)
        dir->rev = get_le32(b);
    if (fs->block_cycles > 0) {
        uint32_t m = ((uint32_t)fs->block_cycles + 1) | 1;
        dir->rev = align_down(dir->rev + m - 1, m);   /* wraps like lfs */
    }
    dir->off = 4;
    dir->etag = 0xffffffff;
    dir->count = 0;
    dir->tail[0] = FS_BLOCK_NULL;
    dir->tail[1] = FS_BLOCK_NULL;
    dir->erased = false;
    dir->split = false;
    return 0;
}

static bool needs_relocation(struct fs *fs, const struct fs_mdir *dir)
{
    return fs->block_cycles > 0 &&
           (dir->rev + 1) % (((uint32_t)fs->block_cycles + 1) | 1) == 0;
}

static int count_block(void *ctx, uint32_t block)
{
    (void)block;
    (*(uint32_t *)ctx)++;
    return 0;
}

/* Compact dir with attrs applied, splitting if needed. *relocated is set
 * if the pair moved to new blocks (its parent must be told). */
static int compact(struct fs *fs, struct fs_mdir *dir, const struct mattr *attrs,
                   int count, bool *relocated, bool *expanded)
{
    *expanded = false;
    struct table t = {0};
    int err = table_load(fs, &t, dir);
    for (int i = 0; i < count && !err; i++)
        err = table_apply(fs, &t, attrs[i].tag, 0, 0, attrs[i].buf);
    if (err)
        goto out;

    struct fs_gstate gs = {0};
    gstate_xor(&gs, &fs->gdisk);
    gstate_xor(&gs, &fs->gstate);
    gstate_xor(&gs, &fs->gdelta);
    gs.tag &= ~MKTAG(0, 0, 0x3ff);
    err = mdir_getgstate(fs, dir, &gs);
    if (err)
        goto out;

    uint16_t begin = 0, end = dir->count;
    uint32_t limit = min_u32(fs->block_size - 40,
                             align_up(fs->block_size / 2, fs->prog_size));
    for (;;) {
        uint16_t split = begin;
        while (end - split > 1) {
            if (end - split < 0xff && table_size(&t, split, end) <= limit)
                break;
            split = split + (end - split) / 2;
        }
        if (split == begin)
            break;
        struct fs_mdir tail;
        err = mdir_alloc(fs, &tail);
        if (!err)
            err = compact_write(fs, &tail, &t, split, end, t.tail, t.split, 0);
        if (err)
            goto out;
        t.tail[0] = tail.pair[0];
        t.tail[1] = tail.pair[1];
        t.split = true;
        end = split;
    }

    *relocated = false;
    if (needs_relocation(fs, dir)) {
        static const uint32_t sbpair[2] = {0, 1};
        if (pair_equal(dir->pair, sbpair)) {
            /* The superblock pair never moves; when it wears, move
             * everything but the superblock entry to a new pair (the new
             * root) so {0,1} is rarely written from then on. */
            uint32_t used = 0;
            err = fs_traverse(fs, count_block, &used, false);
            if (err && err != ERR_CORRUPT)
                goto out;
            /* (a pair being formatted cannot be walked yet: no expansion) */
            if (!err && fs->block_count - used > fs->block_count / 8) {
                struct fs_mdir tail;
                err = mdir_alloc(fs, &tail);
                if (!err)
                    err = compact_write(fs, &tail, &t, begin, end, t.tail,
                                        t.split, 0);
                if (err)
                    goto out;
                t.tail[0] = tail.pair[0];
                t.tail[1] = tail.pair[1];
                t.split = true;
                if (pair_equal(fs->root, dir->pair)) {
                    fs->root[0] = tail.pair[0];
                    fs->root[1] = tail.pair[1];
                }
                end = begin + 1;
                *expanded = true;
            }
        } else if (fs->commit_depth <= 1) {
            /* Wear leveling: write the compacted pair into a fresh block
             * instead of its worn partner. (Not inside the commit that
             * tells a parent about a move: that bounds the nesting, and
             * the pair just moves on its next compaction instead.) */
            uint32_t nb;
            err = fs_alloc(fs, &nb);
            if (err == 0) {
                dir->pair[1] = nb;
                *relocated = true;
            } else if (err != ERR_NO_SPACE) {
                goto out;
            }
        }
    }

    /* A relocated pair is not reachable until its parent points at it, so
     * pending global state goes with that later commit instead. */
    struct fs_gstate own = {0};
    if (*relocated) {
        gstate_xor(&own, &fs->gdelta);
        own.tag &= ~MKTAG(0, 0, 0x3ff);
        err = mdir_getgstate(fs, dir, &own);
        if (err)
            goto out;
    }
    err = compact_write(fs, dir, &t, begin, end, t.tail, t.split,
                        *relocated ? &own : &gs);
    if (err)
        goto out;
    fs->gdelta = (struct fs_gstate){0};
    if (!*relocated)
        fs->gdisk = fs->gstate;
out:
    free(t.r);
    return err;
}

/* ---- append commits ---- */

struct size_ctx {
    uint32_t size;
};
static int add_size(void *ctx, uint32_t tag, uint32_t block, uint32_t off)
{
    if (tag_type1(tag) != T_NAME)
        ((struct size_ctx *)ctx)->size += tag_dsize(tag);
    return 0;
}

struct append_ctx {
    struct fs *fs;
    struct commit *c;
    uint16_t newid;
};
static int append_moved(void *ctx, uint32_t tag, uint32_t block, uint32_t off)
{
    struct append_ctx *a = ctx;
    if (tag_type1(tag) == T_NAME)
        return 0;
    tag = (tag & ~MKTAG(0, 0x3ff, 0)) | MKTAG(0, a->newid, 0);
    return commit_attr(a->fs, a->c, tag, NULL, block, off);
}

/* Try to append attrs to dir as one commit. ERR_NO_SPACE: compact. */
static int append(struct fs *fs, struct fs_mdir *dir, const struct mattr *attrs,
                  int count)
{
    struct fs_gstate gs = {0};
    gstate_xor(&gs, &fs->gstate);
    gstate_xor(&gs, &fs->gdisk);
    gstate_xor(&gs, &fs->gdelta);
    gs.tag &= ~MKTAG(0, 0, 0x3ff);

    uint32_t size = gstate_iszero(&gs) ? 0 : 16;
    for (int i = 0; i < count; i++) {
        if (tag_type3(attrs[i].tag) == T_FROM_MOVE) {
            const struct move_src *src = attrs[i].buf;
            struct size_ctx s = {0};
            int err = mdir_entry_tags(fs, src->dir, src->id, add_size, &s);
            if (err)
                return err;
            size += s.size;
        } else {
            size += tag_dsize(attrs[i].tag);
        }
    }
    if (dir->off + size > fs->block_size - 8)
        return ERR_NO_SPACE;

    struct commit c = {dir->pair[0], dir->off, dir->etag, 0xffffffff};
    int err = 0;
    for (int i = 0; i < count && !err; i++) {
        if (tag_type3(attrs[i].tag) == T_FROM_MOVE) {
            const struct move_src *src = attrs[i].buf;
            struct append_ctx a = {fs, &c, tag_id(attrs[i].tag)};
            err = mdir_entry_tags(fs, src->dir, src->id, append_moved, &a);
        } else {
            err = commit_attr(fs, &c, attrs[i].tag, attrs[i].buf, 0, 0);
        }
    }
    if (!err && !gstate_iszero(&gs)) {
        uint8_t b[12];
        err = mdir_getgstate(fs, dir, &gs);
        put_le32(b, gs.tag);
        put_le32(b + 4, gs.pair[0]);
        put_le32(b + 8, gs.pair[1]);
        if (!err)
            err = commit_attr(fs, &c, MKTAG(T_MOVESTATE, 0x3ff, 12), b, 0, 0);
    }
    bool erased;
    if (!err)
        err = commit_crc(fs, &c, &erased);
    if (err) {
        cache_zero(fs, &fs->pcache);
        return err;
    }
    dir->off = c.off;
    dir->etag = c.ptag;
    dir->erased = erased;
    fs->gdisk = fs->gstate;
    fs->gdelta = (struct fs_gstate){0};
    return 0;
}

/* Point whoever references a moved pair at its new blocks. */
static int fix_relocation(struct fs *fs, const uint32_t oldpair[2],
                          const uint32_t newpair[2]);

/* Commit attrs to dir (mdir_commit's private copy): append if there is
 * room, else compact (and split, relocate or expand), and tell parents
 * about a relocation. *dropped: the pair emptied and was unlinked instead;
 * *expanded: the superblock pair handed the root to a new pair. */
static int commit_raw(struct fs *fs, struct fs_mdir *dir,
                      const struct mattr *attrs, int count, bool *dropped,
                      bool *expanded)
{
    bool hasdelete = false;
    *dropped = false;
    *expanded = false;
    for (int i = 0; i < count; i++) {
        uint16_t t3 = tag_type3(attrs[i].tag);
        if (t3 == T_CREATE) {
            dir->count += 1;
        } else if (t3 == T_DELETE) {
            if (dir->count == 0)
                return ERR_CORRUPT;
            dir->count -= 1;
            hasdelete = true;
        } else if (tag_type1(attrs[i].tag) == T_TAIL) {
            const uint8_t *b = attrs[i].buf;
            dir->tail[0] = get_le32(b);
            dir->tail[1] = get_le32(b + 4);
            dir->split = tag_chunk(attrs[i].tag) & 1;
        }
    }

    /* An emptied pair that continues a directory is unlinked instead. */
    if (hasdelete && dir->count == 0) {
        struct fs_mdir pred;
        int err = mdir_pred(fs, dir->pair, &pred);
        if (err && err != ERR_NOT_FOUND)
            return err;
        if (!err && pred.split) {
            err = mdir_getgstate(fs, dir, &fs->gdelta);
            if (err)
                return err;
            uint8_t b[8];
            put_le32(b, dir->tail[0]);
            put_le32(b + 4, dir->tail[1]);
            struct mattr a = {MKTAG(T_TAIL + dir->split, 0x3ff, 8), b};
            err = mdir_commit(fs, &pred, &a, 1);
            if (err)
                return err;
            *dropped = true;
            return 0;
        }
    }

    if (dir->erased && dir->count < 0xff) {
        int err = append(fs, dir, attrs, count);
        if (err != ERR_NO_SPACE)
            return err;
    }
    bool relocated;
    uint32_t old[2] = {dir->pair[0], dir->pair[1]};
    int err = compact(fs, dir, attrs, count, &relocated, expanded);
    if (err)
        return err;
    if (relocated) {
        err = fix_relocation(fs, old, dir->pair);
        if (err)
            return err;
    }
    return 0;
}

int mdir_commit(struct fs *fs, struct fs_mdir *dir, const struct mattr *attrs,
                int count)
{
    uint32_t oldpair[2] = {dir->pair[0], dir->pair[1]};
    struct fs_mdir ldir = *dir;
    bool dropped, expanded;
    fs->commit_depth++;
    int err = commit_raw(fs, &ldir, attrs, count, &dropped, &expanded);
    fs->commit_depth--;
    if (err)
        return err;

    /* Fix every open handle on this pair: copy the new state, shift ids
     * past creates and deletes, follow a split. */
    for (struct fs_handle *h = fs->open; h; h = h->next) {
        if (!pair_equal(h->m.pair, oldpair))
            continue;
        if (&h->m != dir) {
            for (int i = 0; i < count; i++) {
                uint16_t t3 = tag_type3(attrs[i].tag);
                uint16_t id = tag_id(attrs[i].tag);
                if (t3 == T_DELETE && h->id == id && h->type != FS_TYPE_DIR) {
                    h->m.pair[0] = FS_BLOCK_NULL;
                    h->m.pair[1] = FS_BLOCK_NULL;
                } else if (t3 == T_DELETE && h->id > id) {
                    h->id -= 1;
                    if (h->type == FS_TYPE_DIR)
                        ((struct fs_dir *)h)->pos -= 1;
                } else if (t3 == T_CREATE && h->id >= id) {
                    h->id += 1;
                    if (h->type == FS_TYPE_DIR)
                        ((struct fs_dir *)h)->pos += 1;
                }
            }
        }
        if (h->m.pair[0] == FS_BLOCK_NULL)
            continue;
        if (dropped) {
            /* The directory goes on in the tail pair only when this one
             * was split; otherwise the tail is the next directory's (or
             * none) and the handle stays on the empty pair: at its end. */
            if (!ldir.split) {
                h->m = ldir;
                continue;
            }
            err = mdir_fetch(fs, &h->m, ldir.tail);
            if (err)
                return err;
            continue;
        }
        h->m = ldir;
        if (expanded && h->id >= 1) {
            /* the new root repeats the superblock entry: same ids */
            uint32_t t[2] = {ldir.tail[0], ldir.tail[1]};
            err = mdir_fetch(fs, &h->m, t);
            if (err)
                return err;
        }
        while (h->id >= h->m.count && h->m.split) {
            h->id -= h->m.count;
            uint32_t t[2] = {h->m.tail[0], h->m.tail[1]};
            err = mdir_fetch(fs, &h->m, t);
            if (err)
                return err;
        }
    }
    if (pair_equal(dir->pair, oldpair))
        *dir = ldir;
    return 0;
}

static int fix_relocation(struct fs *fs, const uint32_t oldpair[2],
                          const uint32_t newpair[2])
{
    uint8_t b[8];
    put_le32(b, newpair[0]);
    put_le32(b + 4, newpair[1]);
    if (pair_equal(fs->root, oldpair)) {
        fs->root[0] = newpair[0];
        fs->root[1] = newpair[1];
    }
    /* open handles on the pair itself are fixed by mdir_commit */
    for (struct fs_handle *h = fs->open; h; h = h->next) {
        if (h->type == FS_TYPE_DIR &&
            pair_equal(((struct fs_dir *)h)->head, oldpair)) {
            ((struct fs_dir *)h)->head[0] = newpair[0];
            ((struct fs_dir *)h)->head[1] = newpair[1];
        }
    }

    /* The parent's entry and the predecessor's tail both name the pair.
     * While they disagree the old blocks look like an orphan, so the
     * orphan bit covers the gap. */
    struct fs_mdir parent;
    int64_t tag = mdir_parent(fs, oldpair, &parent);
    if (tag < 0 && tag != ERR_NOT_FOUND)
        return tag;
    struct fs_mdir pred;
    int err = mdir_pred(fs, oldpair, &pred);
    if (err && err != ERR_NOT_FOUND)
        return err;
    bool need_pred = !err;
    if (tag >= 0) {
        if (need_pred)
            fs_prep_orphans(fs, +1);
        struct mattr a = {MKTAG(T_DIRSTRUCT, tag_id(tag), 8), b};
        err = mdir_commit(fs, &parent, &a, 1);
        if (err)
            return err;
        if (need_pred)
            fs_prep_orphans(fs, -1);
    }
    if (need_pred) {
        /* the parent commit may itself have moved things: look again */
        err = mdir_pred(fs, oldpair, &pred);
        if (err == ERR_NOT_FOUND)
            return 0;
        if (err)
            return err;
        struct mattr a = {MKTAG(T_TAIL + pred.split, 0x3ff, 8), b};
        err = mdir_commit(fs, &pred, &a, 1);
        if (err)
            return err;
    }
    return 0;
}
