/*
 * Block allocation, and the traversal it is built on.
 *
 * There is no free-space map on disk: a block is free if nothing reachable
 * uses it. The allocator keeps a bitmap (the lookahead) of a window of
 * blocks, fills it by walking every metadata pair and file, and hands out
 * blocks from it in order; when the window is used up it moves on. Since
 * the window keeps moving around the device, writes spread over all blocks
 * (dynamic wear leveling).
 *
 * When is the disk full? A window is a snapshot: blocks freed after its
 * walk still look used in it. So an operation that looked at every block
 * without finding a free one has proved nothing if some of those blocks
 * were seen through a window walked before the operation began (a long
 * stretch of blocks freed since, ahead of the allocator, ended operations
 * with "no space" on disks half empty). Each operation starts with a
 * checkpoint (fs_alloc_ckpoint: nothing allocated is in flight then); the
 * disk is full only when a whole disk's worth of blocks has been looked
 * at through windows walked since the checkpoint (fresh_left reaches 0).
 *
 * A walk sees what commits and open files name, not blocks this operation
 * has taken and not yet committed: those are remembered in held[] and
 * marked in every new window. If an operation takes more than held[]
 * keeps, the allocator falls back to never letting its windows come round
 * to where the operation began (ckpoint counts what is left of that lap),
 * and to calling the disk full at the end of the lap.
 */
#include "fs/fs_internal.h"

void fs_alloc_ckpoint(struct fs *fs)
{
    fs->lookahead.ckpoint = fs->block_count;
    fs->lookahead.fresh_left = fs->block_count;
    fs->lookahead.fresh = false;
    fs->lookahead.overflow = false;
    fs->lookahead.nheld = 0;
}

void fs_alloc_drop(struct fs *fs)
{
    fs->lookahead.size = 0;
    fs->lookahead.next = 0;
    fs_alloc_ckpoint(fs);
}

static int mark_lookahead(void *ctx, uint32_t block)
{
    struct fs *fs = ctx;
    uint32_t off = (block + fs->block_count - fs->lookahead.start) %
                   fs->block_count;
    if (block < fs->block_count && off < fs->lookahead.size)
        fs->lookahead.bits[off / 8] |= 1u << (off % 8);
    return 0;
}

static int scan(struct fs *fs)
{
    uint32_t size = min_u32(8 * fs->lookahead_size, fs->block_count);
    if (fs->lookahead.overflow)
        size = min_u32(size, fs->lookahead.ckpoint);
    fs->lookahead.start = (fs->lookahead.start + fs->lookahead.next) %
                          fs->block_count;
    fs->lookahead.next = 0;
    fs->lookahead.size = size;
    memset(fs->lookahead.bits, 0, fs->lookahead_size);
    int err = fs_traverse(fs, mark_lookahead, fs, true);
    if (err) {
        fs_alloc_drop(fs);
        return err;
    }
    for (uint32_t i = 0; i < fs->lookahead.nheld; i++)
        mark_lookahead(fs, fs->lookahead.held[i]);
    fs->lookahead.fresh = true;
    return 0;
}

int fs_alloc(struct fs *fs, uint32_t *block)
{
    for (;;) {
        while (fs->lookahead.next < fs->lookahead.size) {
            uint32_t n = fs->lookahead.next++;
            if (fs->lookahead.ckpoint > 0)
                fs->lookahead.ckpoint--;
            if (fs->lookahead.fresh && fs->lookahead.fresh_left > 0)
                fs->lookahead.fresh_left--;
            if (!(fs->lookahead.bits[n / 8] & (1u << (n % 8)))) {
                fs->lookahead.bits[n / 8] |= 1u << (n % 8);
                *block = (fs->lookahead.start + n) % fs->block_count;
                if (fs->lookahead.nheld < FS_ALLOC_HELD)
                    fs->lookahead.held[fs->lookahead.nheld++] = *block;
                else
                    fs->lookahead.overflow = true;
                return 0;
            }
        }
        if (fs->lookahead.fresh_left == 0 ||
            (fs->lookahead.overflow && fs->lookahead.ckpoint == 0))
            return ERR_NO_SPACE;
        int err = scan(fs);
        if (err)
            return err;
    }
}

/* ---- CTZ skip-lists ---- */

/* Block index holding byte off of a file; *off becomes the offset in it. */
uint32_t ctz_index(struct fs *fs, uint32_t *off)
{
    uint32_t size = *off;
    uint32_t b = fs->block_size - 2 * 4;
    uint32_t i = size / b;
    if (i == 0)
        return 0;
    i = (size - 4 * (popc32(i - 1) + 2)) / b;
    *off = size - b * i - 4 * popc32(i);
    return i;
}

int ctz_find(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
             uint32_t size, uint32_t pos, uint32_t *block, uint32_t *off)
{
    if (size == 0) {
        *block = FS_BLOCK_NULL;
        *off = 0;
        return 0;
    }
    uint32_t last = size - 1;
    return ctz_find_from(fs, pcache, head, ctz_index(fs, &last), pos, block,
                         off);
}

/* Walk back from block number `current` of a list (at address head) to
 * the block holding byte pos, taking the longest skip that does not
 * overshoot: O(log distance) reads. */
int ctz_find_from(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
                  uint32_t current, uint32_t pos, uint32_t *block,
                  uint32_t *off)
{
    uint32_t target = ctz_index(fs, &pos);
    int err = ctz_walk(fs, pcache, head, current, target, block);
    if (!err)
        *off = pos;
    return err;
}

int ctz_walk(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
             uint32_t current, uint32_t target, uint32_t *block)
{
    if (target > current)
        return ERR_INVALID_ARGS;
    while (current > target) {
        uint32_t skip = min_u32(npw2(current - target + 1) - 1, ctz32(current));
        uint8_t b[4];
        int err = bd_read(fs, pcache, 4, head, 4 * skip, b, 4);
        if (err)
            return err;
        head = get_le32(b);
        current -= 1u << skip;
    }
    *block = head;
    return 0;
}

int ctz_traverse(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
                 uint32_t size, int (*cb)(void *ctx, uint32_t block),
                 void *ctx)
{
    if (size == 0)
        return 0;
    uint32_t last = size - 1;
    uint32_t index = ctz_index(fs, &last);
    if (index >= fs->block_count)
        return ERR_CORRUPT;     /* more blocks than the disk has */
    for (;;) {
        int err = cb(ctx, head);
        if (err)
            return err;
        if (index == 0)
            return 0;
        uint8_t b[8];
        uint32_t count = 2 - (index & 1);
        err = bd_read(fs, pcache, count * 4, head, 0, b, count * 4);
        if (err)
            return err;
        if (count == 2) {
            err = cb(ctx, get_le32(b));
            if (err)
                return err;
        }
        head = get_le32(b + 4 * (count - 1));
        index -= count;
    }
}

/* ---- traversal ---- */

/*
 * The blocks named by the entries of one pair: every file's CTZ list and,
 * with `children`, the pairs of its subdirectories. While a move may be
 * half done (`half_moved`), a child pair may not be on the tail list yet,
 * so its files are walked here too.
 */
static int traverse_entries(struct fs *fs, const struct fs_mdir *dir,
                            int (*cb)(void *ctx, uint32_t block), void *ctx,
                            bool children, bool half_moved)
{
    uint8_t b[8];
    for (uint16_t id = 0; id < dir->count; id++) {
        int64_t tag = mdir_get(fs, dir, MKTAG(0x700, 0x3ff, 0),
                               MKTAG(T_STRUCT, id, 8), 0, b, 8);
        if (tag == ERR_NOT_FOUND)
            continue;
        if (tag < 0)
            return tag;
        int err = 0;
        if (tag_type3(tag) == T_CTZSTRUCT) {
            err = ctz_traverse(fs, NULL, get_le32(b), get_le32(b + 4), cb, ctx);
        } else if (children && tag_type3(tag) == T_DIRSTRUCT) {
            uint32_t child[2] = {get_le32(b), get_le32(b + 4)};
            for (int i = 0; i < 2 && !err; i++)
                err = cb(ctx, child[i]);
            if (!err && half_moved) {
                struct fs_mdir cdir;
                err = mdir_fetch(fs, &cdir, child);
                if (!err)
                    err = traverse_entries(fs, &cdir, cb, ctx, false, false);
                if (err == ERR_CORRUPT)
                    err = 0;       /* a child cut short mid-move: nothing of it to keep */
            }
        }
        if (err)
            return err;
    }
    return 0;
}

int fs_traverse(struct fs *fs, int (*cb)(void *ctx, uint32_t block),
                void *ctx, bool include_orphans)
{
    struct fs_mdir dir;
    /* While the orphan mark is set, a directory's entry may name a pair
     * that moved but is not yet on the tail list (a move cut short, or
     * in progress). Its new blocks and files must not look free. */
    bool half_moved = include_orphans &&
                      (gstate_hasorphans(&fs->gstate) ||
                       gstate_hasorphans(&fs->gdisk));
    uint32_t tail[2] = {0, 1};
    uint32_t limit = fs->block_count;

    while (!pair_isnull(tail)) {
        if (limit-- == 0)
            return ERR_CORRUPT;    /* the tail list loops */
        for (int i = 0; i < 2; i++) {
            int err = cb(ctx, tail[i]);
            if (err)
                return err;
        }
        int err = mdir_fetch(fs, &dir, tail);
        if (err)
            return err;
        err = traverse_entries(fs, &dir, cb, ctx, include_orphans, half_moved);
        if (err)
            return err;
        tail[0] = dir.tail[0];
        tail[1] = dir.tail[1];
    }

    /* Open files may own blocks no commit names yet (written, not yet
     * synced), or no longer (a handle reading the version it opened while
     * another handle replaced or removed the file): neither may be reused
     * while the handle is open, as its list and read window point there. */
    for (struct fs_handle *h = fs->open; h; h = h->next) {
        if (h->type != FS_TYPE_FILE)
            continue;
        struct fs_file *f = (struct fs_file *)h;
        if (!(f->flags & F_INLINE) && f->size > 0) {
            int err = ctz_traverse(fs, &f->cache, f->head, f->size, cb, ctx);
            if (err)
                return err;
        }
        if ((f->flags & F_WRITING) &&
            !(f->flags & F_INLINE)) {
            int err = ctz_traverse(fs, &f->cache, f->block, f->pos, cb, ctx);
            if (err)
                return err;
        }
    }
    return 0;
}
