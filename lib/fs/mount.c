/*
 * Format, mount and unmount; filesystem-wide queries (size, fsck).
 *
 * The superblock is entry 0 of the pair at blocks {0,1}: a name tag
 * "littlefs" and an inline struct with version and geometry. The root
 * directory is the last pair on the tail list that carries a superblock
 * entry (usually {0,1} itself, until the superblock pair wears and
 * expands).
 */
#include <stdlib.h>

#include "fs/fs_internal.h"

static const char magic[8] = "littlefs";

static void release(struct fs *fs)
{
    free(fs->rcache.buf);
    free(fs->pcache.buf);
    free(fs->lookahead.bits);
    fs->rcache.buf = fs->pcache.buf = 0;
    fs->lookahead.bits = 0;
}

static int setup(struct fs *fs, const struct fs_config *cfg, uint32_t count)
{
    struct blockdev *bd = cfg->bd;
    memset(fs, 0, sizeof(*fs));
    if (!bd || !bd->read || !bd->prog || !bd->erase || !bd->sync ||
        !bd->read_size || !bd->prog_size || bd->block_size < 128 ||
        bd->block_size % bd->read_size || bd->block_size % bd->prog_size ||
        count < 2)
        return ERR_INVALID_ARGS;
    fs->bd = bd;
    fs->read_size = bd->read_size;
    fs->prog_size = bd->prog_size;
    fs->block_size = bd->block_size;
    fs->block_count = count;
    uint32_t unit = max_u32(fs->read_size, fs->prog_size);
    fs->cache_size = cfg->cache_size;
    if (!fs->cache_size)
        fs->cache_size = min_u32(align_up(256, unit), fs->block_size);
    if (fs->cache_size % fs->read_size || fs->cache_size % fs->prog_size ||
        fs->block_size % fs->cache_size)
        return ERR_INVALID_ARGS;
    fs->lookahead_size = cfg->lookahead_size;
    if (!fs->lookahead_size)
        fs->lookahead_size = min_u32(256, align_up((count + 7) / 8, 8));
    if (fs->lookahead_size % 8)
        return ERR_INVALID_ARGS;
    fs->block_cycles = cfg->block_cycles > 0 ? cfg->block_cycles : -1;
    fs->name_max = FS_NAME_MAX;
    fs->file_max = FS_FILE_MAX;
    fs->attr_max = FS_ATTR_MAX;
    fs->inline_max = cfg->inline_max;
    if (!fs->inline_max)
        fs->inline_max = min_u32(min_u32(fs->cache_size, fs->attr_max),
                                 fs->block_size / 8);
    fs->inline_max = min_u32(min_u32(fs->inline_max, fs->cache_size), 1022);
    fs->read_only = cfg->read_only;
    fs->disk_version = FS_DISK_VERSION;
    fs->root[0] = fs->root[1] = FS_BLOCK_NULL;

    fs->rcache.buf = malloc(fs->cache_size);
    fs->pcache.buf = malloc(fs->cache_size);
    fs->lookahead.bits = malloc(fs->lookahead_size);
    if (!fs->rcache.buf || !fs->pcache.buf || !fs->lookahead.bits) {
        release(fs);
        return ERR_NO_MEMORY;
    }
    cache_zero(fs, &fs->rcache);
    cache_zero(fs, &fs->pcache);
    return 0;
}

static void superblock_bytes(struct fs *fs, uint8_t sb[24])
{
    put_le32(sb, fs->disk_version);
    put_le32(sb + 4, fs->block_size);
    put_le32(sb + 8, fs->block_count);
    put_le32(sb + 12, fs->name_max);
    put_le32(sb + 16, fs->file_max);
    put_le32(sb + 20, fs->attr_max);
}

int fs_format(struct fs *fs, const struct fs_config *cfg)
{
    uint32_t count = cfg->block_count ? cfg->block_count :
                     (cfg->bd ? cfg->bd->block_count : 0);
    if (cfg->bd && count > cfg->bd->block_count)
        return ERR_INVALID_ARGS;
    int err = setup(fs, cfg, count);
    if (err)
        return err;
    if (cfg->disk_version && cfg->disk_version != FS_DISK_VERSION &&
        cfg->disk_version != FS_DISK_VERSION_2_0) {
        release(fs);
        return ERR_NOT_SUPPORTED;
    }
    if (cfg->disk_version)
        fs->disk_version = cfg->disk_version;
    if (fs->read_only) {
        release(fs);
        return ERR_READ_ONLY;
    }

    memset(fs->lookahead.bits, 0, fs->lookahead_size);
    fs->lookahead.start = 0;
    fs->lookahead.next = 0;
    fs->lookahead.size = min_u32(8 * fs->lookahead_size, fs->block_count);
    fs_alloc_ckpoint(fs);

    struct fs_mdir root;
    uint8_t sb[24];
    err = mdir_alloc(fs, &root);
    if (err)
        goto out;
    superblock_bytes(fs, sb);
    struct mattr attrs[] = {
        {MKTAG(T_CREATE, 0, 0), NULL},
        {MKTAG(T_SUPERBLOCK, 0, 8), magic},
        {MKTAG(T_INLINESTRUCT, 0, 24), sb},
    };
    err = mdir_commit(fs, &root, attrs, 3);
    if (err)
        goto out;
    /* Compact once more so both blocks hold this filesystem and nothing
     * older can be mistaken for it. */
    root.erased = false;
    err = mdir_commit(fs, &root, NULL, 0);
    if (err)
        goto out;
    uint32_t p[2] = {0, 1};
    err = mdir_fetch(fs, &root, p);
out:
    release(fs);
    return err;
}

int fs_mount(struct fs *fs, const struct fs_config *cfg)
{
    struct blockdev *bd = cfg->bd;
    if (!bd)
        return ERR_INVALID_ARGS;
    if (cfg->block_count > bd->block_count)
        return ERR_INVALID_ARGS;
    int err = setup(fs, cfg, cfg->block_count ? cfg->block_count :
                             bd->block_count);
    if (err)
        return err;

    struct fs_mdir dir;
    uint32_t tail[2] = {0, 1};
    uint32_t limit = fs->block_count;
    uint8_t b[24];
    bool first = true;
    while (!pair_isnull(tail)) {
        if (limit-- == 0) {
            err = ERR_CORRUPT;
            goto fail;
        }
        struct fetch_info fi;
        err = mdir_fetch_info(fs, &dir, tail, &fi);
        if (err) {
            if (first && err == ERR_CORRUPT)
                err = ERR_BAD_FORMAT;      /* blank or foreign disk */
            goto fail;
        }
        int64_t tag = ERR_NOT_FOUND;
        if (fi.sb_unsure) {
            tag = mdir_get(fs, &dir, MKTAG(0x7ff, 0x3ff, 0),
                           MKTAG(T_SUPERBLOCK, 0, 8), 0, b, 8);
        } else if (fi.sb_off) {
            tag = MKTAG(T_SUPERBLOCK, 0, 8);
            err = bd_read(fs, NULL, 8, dir.pair[0], fi.sb_off + 4, b, 8);
            if (err)
                goto fail;
        }
        if (tag < 0 && tag != ERR_NOT_FOUND) {
            err = tag;
            goto fail;
        }
        if (tag >= 0 && tag_size(tag) == 8 && !memcmp(b, magic, 8)) {
            fs->root[0] = dir.pair[0];
            fs->root[1] = dir.pair[1];
            tag = mdir_get(fs, &dir, MKTAG(0x7ff, 0x3ff, 0),
                           MKTAG(T_INLINESTRUCT, 0, 24), 0, b, 24);
            if (tag < 0) {
                err = tag == ERR_NOT_FOUND ? ERR_CORRUPT : tag;
                goto fail;
            }
            uint32_t version = get_le32(b);
            uint32_t bsize = get_le32(b + 4), bcount = get_le32(b + 8);
            uint32_t name_max = get_le32(b + 12), file_max = get_le32(b + 16);
            uint32_t attr_max = get_le32(b + 20);
            if (version >> 16 != 2 || (version & 0xffff) > 1) {
                err = ERR_NOT_SUPPORTED;
                goto fail;
            }
            if (bsize != fs->block_size) {
                err = ERR_INVALID_ARGS;
                goto fail;
            }
            if (bcount < 2 || bcount > bd->block_count ||
                (cfg->block_count && bcount != cfg->block_count)) {
                err = ERR_INVALID_ARGS;
                goto fail;
            }
            if (name_max > FS_NAME_MAX || file_max > FS_FILE_MAX ||
                attr_max > FS_ATTR_MAX) {
                err = ERR_NOT_SUPPORTED;
                goto fail;
            }
            fs->block_count = bcount;
            fs->name_max = name_max ? name_max : FS_NAME_MAX;
            fs->file_max = file_max ? file_max : FS_FILE_MAX;
            fs->attr_max = attr_max ? attr_max : FS_ATTR_MAX;
            fs->inline_max = min_u32(fs->inline_max, fs->attr_max);
            fs->disk_version = version;
            fs->need_superblock = version < FS_DISK_VERSION;
        } else if (first) {
            err = ERR_BAD_FORMAT;
            goto fail;
        }
        if (fi.gs_off) {
            err = bd_read(fs, NULL, 12, dir.pair[0], fi.gs_off + 4, b, 12);
            if (err)
                goto fail;
            fs->gdisk.tag ^= get_le32(b);
            fs->gdisk.pair[0] ^= get_le32(b + 4);
            fs->gdisk.pair[1] ^= get_le32(b + 8);
        }
        first = false;
        tail[0] = dir.tail[0];
        tail[1] = dir.tail[1];
    }
    if (pair_isnull(fs->root)) {
        err = ERR_BAD_FORMAT;
        goto fail;
    }
    fs->gstate = fs->gdisk;
    fs->lookahead.start = fs->seed % fs->block_count;
    fs_alloc_drop(fs);
    fs->mounted = true;
    return 0;
fail:
    release(fs);
    return err;
}

int fs_unmount(struct fs *fs)
{
    if (!fs->mounted)
        return ERR_BAD_STATE;
    release(fs);
    fs->mounted = false;
    fs->open = 0;
    return 0;
}

static int count_cb(void *ctx, uint32_t block)
{
    (void)block;
    (*(uint32_t *)ctx)++;
    return 0;
}

long fs_used_blocks(struct fs *fs)
{
    uint32_t n = 0;
    if (!fs->mounted)
        return ERR_BAD_STATE;
    int err = fs_traverse(fs, count_cb, &n, false);
    return err ? err : (long)n;
}

int fs_statfs(struct fs *fs, struct fs_stats *st)
{
    long used = fs_used_blocks(fs);
    if (used < 0)
        return used;
    st->block_size = fs->block_size;
    st->block_count = fs->block_count;
    st->blocks_used = used;
    st->name_max = fs->name_max;
    st->file_max = fs->file_max;
    st->attr_max = fs->attr_max;
    st->disk_version = fs->disk_version;
    return 0;
}
