/*
 * Files.
 *
 * A small file lives inline in its directory entry; it is held whole in
 * the file's cache and committed with the entry. A larger file is a CTZ
 * skip-list: block n starts with ctz(n)+1 pointers back to blocks n-1,
 * n-2, n-4, ..., so any offset is reached in O(log n) reads from the last
 * block. Blocks are copy-on-write: writing allocates new blocks, and the
 * entry is switched to the new list by one commit at sync or close.
 *
 * The file remembers which block and offset its position maps to (block,
 * off), so sequential reads and appends never walk the list again, and a
 * seek costs one O(log n) walk.
 */
#include <stdlib.h>

#include "fs/fs_internal.h"

#define BLOCK_INLINE 0xfffffffeu

static bool readable(const struct fs_file *f)
{
    return (f->flags & FS_O_ACCMODE) != FS_O_WRONLY;
}
static bool writable(const struct fs_file *f)
{
    return (f->flags & FS_O_ACCMODE) != FS_O_RDONLY;
}

static int check(struct fs *fs, struct fs_file *f)
{
    if (!fs || !fs->mounted)
        return ERR_BAD_STATE;
    if (!f || !f->cache.buf)
        return ERR_BAD_HANDLE;
    return 0;
}

/* Start a new block for the file after byte size-1 of the list ending at
 * head: copy a partial last block, or link a new one with its pointers. */
/* While a file is written, win[] remembers the addresses of its last
 * FS_READ_WINDOW blocks (block index i at win[i % FS_READ_WINDOW], for
 * indices win_first .. win_first + win_count - 1), so linking a new block
 * rarely reads pointers back from the disk. */
static void ring_note(struct fs_file *f, uint32_t index, uint32_t block)
{
    if (!f->win_count || index != f->win_first + f->win_count) {
        f->win_first = index;
        f->win_count = 0;
    }
    f->win[index % FS_READ_WINDOW] = block;
    if (f->win_count < FS_READ_WINDOW)
        f->win_count++;
    else
        f->win_first++;
}

static int ctz_extend(struct fs *fs, struct fs_file *f, uint32_t head,
                      uint32_t size, uint32_t *block, uint32_t *off)
{
    struct fs_cache *pc = &f->cache;
    uint32_t nblock;
    int err = fs_alloc(fs, &nblock);
    if (!err)
        err = bd_erase(fs, nblock);
    if (err)
        return err;
    if (size == 0) {
        *block = nblock;
        *off = 0;
        ring_note(f, 0, nblock);
        return 0;
    }
    uint32_t noff = size - 1;
    uint32_t index = ctz_index(fs, &noff);
    noff += 1;
    if (noff != fs->block_size) {
        uint8_t tmp[64];
        for (uint32_t i = 0; i < noff; i += sizeof(tmp)) {
            uint32_t n = min_u32(sizeof(tmp), noff - i);
            err = bd_read(fs, NULL, noff - i, head, i, tmp, n);
            if (!err)
                err = bd_prog(fs, pc, nblock, i, tmp, n);
            if (err)
                return err;
        }
        *block = nblock;
        *off = noff;
        ring_note(f, index, nblock);
        return 0;
    }
    index += 1;
    uint32_t skips = ctz32(index) + 1;
    uint32_t nhead = head;
    uint8_t b[4 * 32];
    for (uint32_t i = 0; i < skips; i++) {
        put_le32(b + 4 * i, nhead);
        if (i != skips - 1) {
            /* pointer i of block index - 2^i is block index - 2^(i+1) */
            uint32_t want = index - (2u << i);
            if (f->win_count && want >= f->win_first &&
                want - f->win_first < f->win_count) {
                nhead = f->win[want % FS_READ_WINDOW];
            } else {
                uint8_t p[4];
                err = bd_read(fs, NULL, 4, nhead, 4 * i, p, 4);
                if (err)
                    return err;
                nhead = get_le32(p);
            }
        }
    }
    err = bd_prog(fs, pc, nblock, 0, b, 4 * skips);
    if (err)
        return err;
    ring_note(f, index, nblock);
    *block = nblock;
    *off = 4 * skips;
    return 0;
}

static long flushed_write(struct fs *fs, struct fs_file *f, const void *buf,
                          uint32_t size)
{
    const uint8_t *data = buf;
    uint32_t left = size;
    while (left > 0) {
        if (!(f->flags & F_WRITING) || f->off == fs->block_size) {
            if (f->flags & F_INLINE) {
                f->block = BLOCK_INLINE;
                f->off = f->pos;
            } else {
                if (!(f->flags & F_WRITING) && f->pos > 0) {
                    uint32_t dummy;
                    int err = ctz_find(fs, NULL, f->head, f->size, f->pos - 1,
                                       &f->block, &dummy);
                    if (err)
                        return err;
                    cache_zero(fs, &f->cache);
                }
                fs_alloc_ckpoint(fs);
                if (!(f->flags & F_WRITING))
                    f->win_count = 0;     /* no longer a read window */
                int err = ctz_extend(fs, f, f->block, f->pos,
                                     &f->block, &f->off);
                if (err) {
                    f->flags |= F_ERRED;
                    return err;
                }
            }
            f->flags |= F_WRITING;
        }
        uint32_t n = min_u32(left, fs->block_size - f->off);
        if (f->flags & F_INLINE) {
            memcpy(f->cache.buf + f->off, data, n);
        } else {
            int err = bd_prog(fs, &f->cache, f->block, f->off, data, n);
            if (err) {
                f->flags |= F_ERRED;
                return err;
            }
        }
        f->pos += n;
        f->off += n;
        data += n;
        left -= n;
        fs_alloc_ckpoint(fs);
    }
    return size;
}

int file_flush(struct fs *fs, struct fs_file *f)
{
    if (f->flags & F_READING) {
        f->flags &= ~F_READING;
    }
    if (!(f->flags & F_WRITING))
        return 0;
    uint32_t pos = f->pos;
    if (f->flags & F_INLINE) {
        f->size = max_u32(f->size, f->pos);
    } else {
        /* copy the rest of the old list after what was written */
        uint8_t tmp[64];
        while (f->pos < f->size) {
            uint32_t block, off;
            int err = ctz_find(fs, NULL, f->head, f->size, f->pos, &block,
                               &off);
            if (err)
                return err;
            uint32_t n = min_u32(f->size - f->pos, fs->block_size - off);
            for (uint32_t i = 0; i < n; i += sizeof(tmp)) {
                uint32_t k = min_u32(sizeof(tmp), n - i);
                err = bd_read(fs, NULL, n - i, block, off + i, tmp, k);
                if (err)
                    return err;
                long r = flushed_write(fs, f, tmp, k);
                if (r < 0)
                    return r;
            }
        }
        int err = bd_flush(fs, &f->cache);
        if (err) {
            f->flags |= F_ERRED;
            return err;
        }
        f->head = f->block;
        f->size = f->pos;
        f->flags &= ~F_CURSOR;
        f->win_count = 0;
    }
    f->pos = pos;
    f->flags &= ~F_WRITING;
    f->flags |= F_DIRTY;
    return 0;
}

/* An inline file grew past inline_max: move its data into a CTZ list. */
static int outline(struct fs *fs, struct fs_file *f)
{
    int err = file_flush(fs, f);
    if (err)
        return err;
    uint32_t size = f->size, pos = f->pos;
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return ERR_NO_MEMORY;
    memcpy(copy, f->cache.buf, size);
    f->flags &= ~(F_INLINE | F_READING | F_WRITING | F_CURSOR);
    f->win_count = 0;
    f->head = FS_BLOCK_NULL;
    f->size = 0;
    f->pos = 0;
    cache_zero(fs, &f->cache);
    long r = flushed_write(fs, f, copy, size);
    free(copy);
    if (r < 0)
        return r;
    err = file_flush(fs, f);
    f->pos = pos;
    return err;
}

int fs_file_open(struct fs *fs, struct fs_file *f, const char *path,
                 int flags)
{
    if (!fs || !fs->mounted)
        return ERR_BAD_STATE;
    memset(f, 0, sizeof(*f));
    int acc = flags & FS_O_ACCMODE;
    if (acc == 0 || (flags & ~(FS_O_ACCMODE | FS_O_CREAT | FS_O_EXCL |
                               FS_O_TRUNC | FS_O_APPEND)))
        return ERR_INVALID_ARGS;
    if (acc != FS_O_RDONLY) {
        int err = fs_force_consistency(fs);
        if (err)
            return err;
    } else if (flags & (FS_O_CREAT | FS_O_TRUNC | FS_O_APPEND)) {
        return ERR_INVALID_ARGS;
    }
    f->flags = flags;
    f->h.type = FS_TYPE_FILE;
    handle_add(fs, &f->h);

    const char *name;
    uint32_t len;
    uint16_t id;
    uint8_t b[8];
    int err;
    int64_t tag = fs_find(fs, &f->h.m, path, &id, &name, &len);
    if (tag < 0 && !(tag == ERR_NOT_FOUND && name)) {
        err = tag;
        goto fail;
    }
    f->h.id = id;
    if (tag == ERR_NOT_FOUND) {
        if (!(flags & FS_O_CREAT)) {
            err = ERR_NOT_FOUND;
            goto fail;
        }
        if (len > fs->name_max) {
            err = ERR_NAME_TOO_LONG;
            goto fail;
        }
        struct mattr attrs[3] = {
            {MKTAG(T_CREATE, id, 0), NULL},
            {MKTAG(T_REG, id, len), name},
            {MKTAG(T_INLINESTRUCT, id, 0), NULL},
        };
        fs_alloc_ckpoint(fs);
        err = mdir_commit(fs, &f->h.m, attrs, 3);
        if (err)
            goto fail;
        tag = MKTAG(T_INLINESTRUCT, 0, 0);
    } else {
        if (flags & FS_O_EXCL) {
            err = ERR_EXISTS;
            goto fail;
        }
        if (tag_type3(tag) != T_REG) {
            err = ERR_IS_DIR;
            goto fail;
        }
        if (flags & FS_O_TRUNC) {
            tag = MKTAG(T_INLINESTRUCT, 0, 0);
            f->flags |= F_DIRTY;
        } else {
            tag = mdir_get(fs, &f->h.m, MKTAG(0x700, 0x3ff, 0),
                           MKTAG(T_STRUCT, id, 8), 0, b, 8);
            if (tag < 0) {
                err = tag == ERR_NOT_FOUND ? ERR_CORRUPT : tag;
                goto fail;
            }
        }
    }

    uint32_t bufsize = fs->cache_size;
    if (tag_type3(tag) == T_INLINESTRUCT)
        bufsize = max_u32(bufsize, tag_size(tag));
    f->cache.buf = malloc(bufsize);
    if (!f->cache.buf) {
        err = ERR_NO_MEMORY;
        goto fail;
    }
    cache_zero(fs, &f->cache);

    if (tag_type3(tag) == T_INLINESTRUCT) {
        f->head = BLOCK_INLINE;
        f->size = tag_size(tag);
        f->flags |= F_INLINE;
        if (f->size > 0) {
            int64_t t = mdir_get(fs, &f->h.m, MKTAG(0x700, 0x3ff, 0),
                                 MKTAG(T_STRUCT, id, 0), 0, f->cache.buf,
                                 f->size);
            if (t < 0) {
                err = t;
                goto fail;
            }
        }
    } else if (tag_type3(tag) == T_CTZSTRUCT) {
        f->head = get_le32(b);
        f->size = get_le32(b + 4);
        if (f->size > fs->file_max ||
            (f->size && f->head >= fs->block_count)) {
            err = ERR_CORRUPT;
            goto fail;
        }
    } else {
        err = ERR_CORRUPT;
        goto fail;
    }
    return 0;
fail:
    handle_remove(fs, &f->h);
    free(f->cache.buf);
    f->cache.buf = NULL;
    return err;
}

int fs_file_sync(struct fs *fs, struct fs_file *f)
{
    int err = check(fs, f);
    if (err)
        return err;
    if (f->flags & F_ERRED)
        return 0;
    err = file_flush(fs, f);
    if (err) {
        f->flags |= F_ERRED;
        return err;
    }
    if (!(f->flags & F_DIRTY) || pair_isnull(f->h.m.pair) || !writable(f))
        return 0;
    uint8_t b[8];
    struct mattr a;
    if (f->flags & F_INLINE) {
        a = (struct mattr){MKTAG(T_INLINESTRUCT, f->h.id, f->size),
                           f->cache.buf};
    } else {
        put_le32(b, f->head);
        put_le32(b + 4, f->size);
        a = (struct mattr){MKTAG(T_CTZSTRUCT, f->h.id, 8), b};
    }
    err = mdir_commit(fs, &f->h.m, &a, 1);
    if (err) {
        f->flags |= F_ERRED;
        return err;
    }
    f->flags &= ~F_DIRTY;
    return 0;
}

int fs_file_close(struct fs *fs, struct fs_file *f)
{
    int err = check(fs, f);
    if (err)
        return err;
    if (writable(f))
        err = fs_file_sync(fs, f);
    handle_remove(fs, &f->h);
    free(f->cache.buf);
    f->cache.buf = NULL;
    return err;
}

static long file_read(struct fs *fs, struct fs_file *f, void *buf,
                      size_t size);

long fs_file_read(struct fs *fs, struct fs_file *f, void *buf, size_t size)
{
    int err = check(fs, f);
    if (err)
        return err;
    if (!readable(f))
        return ERR_BAD_HANDLE;
    return file_read(fs, f, buf, size);
}

/*
 * Address of block index of the file's list. From the window if it has it;
 * otherwise walk to the last block the new window covers (from the cursor
 * when that is at or past it, else from the head) and fill the window back
 * from there, one pointer per block.
 */
static int window_lookup(struct fs *fs, struct fs_file *f, uint32_t index,
                         uint32_t *block)
{
    if (f->win_count && f->win_head == f->head && f->win_size == f->size &&
        index >= f->win_first && index - f->win_first < f->win_count) {
        *block = f->win[index - f->win_first];
        return 0;
    }
    /* A reader going on from where the window ended gets one twice as
     * big (up to FS_READ_WINDOW); any other lookup (a seek) walks to just
     * the block it needs, as a random reader only wants that one. */
    uint32_t want = 1;
    if (f->win_count && f->win_head == f->head && f->win_size == f->size &&
        index == f->win_first + f->win_count)
        want = min_u32(2 * f->win_count, FS_READ_WINDOW);
    f->win_count = 0;
    uint32_t last = f->size - 1;
    uint32_t last_index = ctz_index(fs, &last);
    if (index > last_index)
        return ERR_CORRUPT;
    uint32_t end = min_u32(last_index, index + want - 1);
    uint32_t at;
    int err;
    if ((f->flags & F_CURSOR) && f->cur_index >= end)
        err = ctz_walk(fs, NULL, f->cur_block, f->cur_index, end, &at);
    else
        err = ctz_walk(fs, NULL, f->head, last_index, end, &at);
    if (err)
        return err;
    f->cur_block = at;
    f->cur_index = end;
    f->flags |= F_CURSOR;
    for (uint32_t i = end; ; i--) {
        f->win[i - index] = at;
        if (i == index)
            break;
        uint8_t b[4];
        err = bd_read(fs, NULL, 4, at, 0, b, 4);
        if (err)
            return err;
        at = get_le32(b);
        if (at >= fs->block_count)
            return ERR_CORRUPT;
    }
    f->win_head = f->head;
    f->win_size = f->size;
    f->win_first = index;
    f->win_count = end - index + 1;
    *block = f->win[0];
    return 0;
}

static long file_read(struct fs *fs, struct fs_file *f, void *buf, size_t size)
{
    int err;
    if (f->flags & F_WRITING) {
        err = file_flush(fs, f);
        if (err)
            return err;
    }
    if (f->pos >= f->size)
        return 0;
    uint32_t n = (uint32_t)min_u32(size > UINT32_MAX ? UINT32_MAX : size,
                                   f->size - f->pos);
    uint8_t *data = buf;
    if (f->flags & F_INLINE) {
        memcpy(data, f->cache.buf + f->pos, n);
        f->pos += n;
        return n;
    }
    uint32_t left = n;
    while (left > 0) {
        if (!(f->flags & F_READING) || f->off == fs->block_size) {
            uint32_t o = f->pos;
            uint32_t index = ctz_index(fs, &o);
            err = window_lookup(fs, f, index, &f->block);
            if (err)
                return err;
            f->off = o;
            f->flags |= F_READING;
        }
        uint32_t k = min_u32(left, fs->block_size - f->off);
        if (k == fs->block_size - f->off && f->off <= 4 * 32 &&
            (uint32_t)(data - (uint8_t *)buf) >= f->off &&
            f->block < fs->block_count && fs->block_size % fs->read_size == 0) {
            /* A whole block's data, with room before it in the buffer we
             * filled ourselves: read the whole block, pointers included,
             * in one aligned call straight into the buffer, and put back
             * the bytes its pointers overwrote. */
            uint8_t keep[4 * 32];
            uint8_t *at = data - f->off;
            memcpy(keep, at, f->off);
            err = fs->bd->read(fs->bd, f->block, 0, at, fs->block_size);
            memcpy(at, keep, f->off);
        } else {
            err = bd_read(fs, NULL, k, f->block, f->off, data, k);
        }
        if (err)
            return err;
        f->pos += k;
        f->off += k;
        data += k;
        left -= k;
    }
    return n;
}

long fs_file_write(struct fs *fs, struct fs_file *f, const void *buf,
                   size_t size)
{
    int err = check(fs, f);
    if (err)
        return err;
    if (!writable(f))
        return ERR_BAD_HANDLE;
    if (f->flags & F_READING) {
        err = file_flush(fs, f);
        if (err)
            return err;
    }
    if ((f->flags & FS_O_APPEND) && f->pos < f->size)
        f->pos = f->size;
    if (size > fs->file_max || f->pos + size > fs->file_max)
        return ERR_TOO_BIG;
    if (!(f->flags & F_WRITING) && f->pos > f->size) {
        /* a seek past the end: the gap reads as zeros */
        static const uint8_t zeros[64];
        uint32_t end = f->pos;
        f->pos = f->size;
        while (f->pos < end) {
            uint32_t k = min_u32(sizeof(zeros), end - f->pos);
            if ((f->flags & F_INLINE) && f->pos + k > fs->inline_max) {
                err = outline(fs, f);
                if (err)
                    return err;
            }
            long r = flushed_write(fs, f, zeros, k);
            if (r < 0)
                return r;
        }
    }
    if ((f->flags & F_INLINE) && f->pos + size > fs->inline_max) {
        err = outline(fs, f);
        if (err)
            return err;
    }
    long r = flushed_write(fs, f, buf, size);
    if (r >= 0)
        f->flags &= ~F_ERRED;
    return r;
}

long fs_file_size(struct fs *fs, struct fs_file *f)
{
    int err = check(fs, f);
    if (err)
        return err;
    if (f->flags & F_WRITING)
        return max_u32(f->pos, f->size);
    return f->size;
}

long fs_file_tell(struct fs *fs, struct fs_file *f)
{
    int err = check(fs, f);
    return err ? err : (long)f->pos;
}

long fs_file_seek(struct fs *fs, struct fs_file *f, long off, int whence)
{
    int err = check(fs, f);
    if (err)
        return err;
    int64_t npos;
    if (whence == FS_SEEK_SET)
        npos = off;
    else if (whence == FS_SEEK_CUR)
        npos = (int64_t)f->pos + off;
    else if (whence == FS_SEEK_END)
        npos = (int64_t)fs_file_size(fs, f) + off;
    else
        return ERR_INVALID_ARGS;
    if (npos < 0 || npos > fs->file_max)
        return ERR_INVALID_ARGS;
    if (npos == f->pos)
        return npos;
    /* a read position inside the same block stays valid */
    if ((f->flags & F_READING) && !(f->flags & F_INLINE) &&
        f->off != fs->block_size) {
        uint32_t o = f->pos, n = (uint32_t)npos;
        uint32_t oi = ctz_index(fs, &o), ni = ctz_index(fs, &n);
        if (oi == ni && npos < f->size) {
            f->pos = npos;
            f->off = n;
            return npos;
        }
    }
    err = file_flush(fs, f);
    if (err)
        return err;
    f->pos = npos;
    return npos;
}

int fs_file_truncate(struct fs *fs, struct fs_file *f, uint32_t size)
{
    int err = check(fs, f);
    if (err)
        return err;
    if (!writable(f))
        return ERR_BAD_HANDLE;
    if (size > fs->file_max)
        return ERR_INVALID_ARGS;
    uint32_t pos = f->pos;
    uint32_t oldsize = fs_file_size(fs, f);
    err = file_flush(fs, f);
    if (err)
        return err;
    f->flags &= ~F_CURSOR;
    f->win_count = 0;
    if (size < oldsize) {
        if (f->flags & F_INLINE) {
            f->size = size;
        } else if (size <= fs->inline_max) {
            /* small again: back into the entry */
            f->pos = 0;
            long r = file_read(fs, f, f->cache.buf, size);
            if (r < 0)
                return r;
            f->flags &= ~(F_READING | F_WRITING);
            f->flags |= F_INLINE;
            f->head = BLOCK_INLINE;
            f->size = size;
            f->cache.block = FS_BLOCK_NULL;
        } else {
            uint32_t off;
            err = ctz_find(fs, NULL, f->head, f->size, size - 1, &f->head,
                           &off);
            if (err)
                return err;
            f->size = size;
            f->flags &= ~F_READING;
        }
        f->flags |= F_DIRTY;
    } else if (size > oldsize) {
        f->pos = oldsize;
        static const uint8_t zeros[64];
        while (f->pos < size) {
            uint32_t k = min_u32(sizeof(zeros), size - f->pos);
            if ((f->flags & F_INLINE) && f->pos + k > fs->inline_max) {
                err = outline(fs, f);
                if (err)
                    return err;
            }
            long r = flushed_write(fs, f, zeros, k);
            if (r < 0)
                return r;
        }
        err = file_flush(fs, f);
        if (err)
            return err;
    }
    f->pos = pos;
    return 0;
}
