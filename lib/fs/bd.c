/*
 * Cached access to the block device.
 *
 * Two caches of cache_size bytes sit in struct fs: rcache holds the last
 * region read, pcache collects metadata programs until a whole prog unit
 * can be written. Each open file has its own program cache for its data.
 * Reads look in the given program cache first (it is newer than the disk),
 * then in rcache, then go to the device in read_size units.
 */
#include "fs/fs_internal.h"

void cache_drop(struct fs_cache *c)
{
    c->block = FS_BLOCK_NULL;
}

void cache_zero(struct fs *fs, struct fs_cache *c)
{
    memset(c->buf, 0xff, fs->cache_size);
    c->block = FS_BLOCK_NULL;
}

/* Copy what a cache holds of [off, off+size) at its start; returns the bytes
 * copied, or 0 with *limit lowered when the cache starts further on. */
static uint32_t from_cache(const struct fs_cache *c, uint32_t block,
                           uint32_t off, uint8_t *data, uint32_t size,
                           uint32_t *limit)
{
    if (!c || c->block != block || off >= c->off + c->size)
        return 0;
    if (off >= c->off) {
        uint32_t n = min_u32(size, c->size - (off - c->off));
        memcpy(data, c->buf + (off - c->off), n);
        return n;
    }
    *limit = min_u32(*limit, c->off - off);
    return 0;
}

int bd_read(struct fs *fs, const struct fs_cache *pcache, uint32_t hint,
            uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    uint8_t *data = buf;
    if (block >= fs->block_count || off + size > fs->block_size ||
        off + size < off)
        return ERR_CORRUPT;
    uint32_t start = off;
    while (size > 0) {
        uint32_t limit = size;
        uint32_t n = from_cache(pcache, block, off, data, size, &limit);
        if (!n)
            n = from_cache(&fs->rcache, block, off, data, limit, &limit);
        if (n) {
            data += n; off += n; size -= n;
            continue;
        }
        /* What the caller will read from here on, as far as it told us. If
         * that is no more than this read (file data), caching whole read
         * units of it gains nothing: they go straight to the caller's
         * buffer, and only an unaligned start passes through the cache. */
        uint32_t ahead = hint > off - start ? hint - (off - start) : 0;
        bool stream = ahead <= limit && limit >= fs->read_size;
        if (off % fs->read_size == 0 &&
            (limit >= fs->cache_size || stream)) {
            uint32_t len = align_down(limit, fs->read_size);
            int err = fs->bd->read(fs->bd, block, off, data, len);
            if (err)
                return err;
            data += len; off += len; size -= len;
            continue;
        }
        /* Load a cache-sized window starting at the aligned offset. */
        struct fs_cache *rc = &fs->rcache;
        rc->block = block;
        rc->off = align_down(off, fs->read_size);
        uint32_t want = align_up(off + max_u32(ahead, limit), fs->read_size);
        if (stream)
            want = rc->off + fs->read_size;
        rc->size = min_u32(min_u32(want, fs->block_size) - rc->off,
                           fs->cache_size);
        int err = fs->bd->read(fs->bd, block, rc->off, rc->buf, rc->size);
        if (err) {
            cache_drop(rc);
            return err;
        }
    }
    return 0;
}

int bd_flush(struct fs *fs, struct fs_cache *pc)
{
    if (pc->block == FS_BLOCK_NULL || pc->block >= fs->block_count)
        return 0;
    uint32_t len = align_up(pc->size, fs->prog_size);
    if (fs->rcache.block == pc->block)
        cache_drop(&fs->rcache);
    int err = fs->bd->prog(fs->bd, pc->block, pc->off, pc->buf, len);
    if (err)
        return err;
    /* Only [0, size) was written since the buffer was last all 0xff. */
    memset(pc->buf, 0xff, len);
    pc->block = FS_BLOCK_NULL;
    return 0;
}

int bd_sync(struct fs *fs, struct fs_cache *pc)
{
    int err = bd_flush(fs, pc);
    if (err)
        return err;
    return fs->bd->sync(fs->bd);
}

int bd_prog(struct fs *fs, struct fs_cache *pc, uint32_t block, uint32_t off,
            const void *buf, uint32_t size)
{
    const uint8_t *data = buf;
    if (block >= fs->block_count || off + size > fs->block_size)
        return ERR_CORRUPT;
    while (size > 0) {
        if (pc->block == block && off >= pc->off &&
            off < pc->off + fs->cache_size) {
            uint32_t n = min_u32(size, fs->cache_size - (off - pc->off));
            memcpy(pc->buf + (off - pc->off), data, n);
            data += n; off += n; size -= n;
            pc->size = max_u32(pc->size, off - pc->off);
            if (pc->size == fs->cache_size) {
                int err = bd_flush(fs, pc);
                if (err)
                    return err;
            }
            continue;
        }
        /* Programs are sequential: anything still cached goes out first. */
        int err = bd_flush(fs, pc);
        if (err)
            return err;
        pc->block = block;
        pc->off = align_down(off, fs->prog_size);
        pc->size = 0;
    }
    return 0;
}

int bd_erase(struct fs *fs, uint32_t block)
{
    if (block >= fs->block_count)
        return ERR_CORRUPT;
    if (fs->rcache.block == block)
        cache_drop(&fs->rcache);
    return fs->bd->erase(fs->bd, block);
}

int bd_crc(struct fs *fs, uint32_t block, uint32_t off, uint32_t size,
           uint32_t *crc)
{
    uint8_t tmp[32];
    const struct fs_cache *pc = &fs->pcache;
    const struct fs_cache *rc = &fs->rcache;
    while (size > 0) {
        /* fast path: CRC straight out of the read cache, unless pending
         * programs could shadow the range */
        bool shadowed = pc->block == block && off + size > pc->off &&
                        off < pc->off + pc->size;
        if (!shadowed && rc->block == block && off >= rc->off &&
            off < rc->off + rc->size) {
            uint32_t n = min_u32(size, rc->size - (off - rc->off));
            *crc = fs_crc32(*crc, rc->buf + (off - rc->off), n);
            off += n;
            size -= n;
            continue;
        }
        uint32_t n = min_u32(size, sizeof(tmp));
        int err = bd_read(fs, &fs->pcache, size, block, off, tmp, n);
        if (err)
            return err;
        *crc = fs_crc32(*crc, tmp, n);
        off += n;
        size -= n;
    }
    return 0;
}

int bd_cmp(struct fs *fs, uint32_t block, uint32_t off, const void *buf,
           uint32_t size, int *res)
{
    const uint8_t *data = buf;
    uint8_t tmp[32];
    *res = 0;
    while (size > 0) {
        uint32_t n = min_u32(size, sizeof(tmp));
        int err = bd_read(fs, &fs->pcache, size, block, off, tmp, n);
        if (err)
            return err;
        int c = memcmp(tmp, data, n);
        if (c) {
            *res = c;
            return 0;
        }
        off += n; data += n; size -= n;
    }
    return 0;
}
