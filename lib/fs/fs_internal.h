/*
 * Internal interfaces of lib/fs, shared by its source files.
 *
 * Metadata tags (littlefs v2): 32 bits stored big-endian, each XORed with
 * the tag before it:  [31] invalid | [30:20] type | [19:10] id | [9:0] size.
 * A size of 0x3ff marks a deleted attribute that carries no data.
 */
#ifndef PUS_FS_INTERNAL_H
#define PUS_FS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fs/fs.h"
#include "pus/err.h"

#define FS_BLOCK_NULL  0xffffffffu
#define FS_ID_NONE     0x3ff

/* tag types (type3 = 11 bits) */
#define T_NAME         0x000
#define T_REG          0x001
#define T_DIR          0x002
#define T_SUPERBLOCK   0x0ff
#define T_STRUCT       0x200
#define T_DIRSTRUCT    0x200
#define T_INLINESTRUCT 0x201
#define T_CTZSTRUCT    0x202
#define T_USERATTR     0x300
#define T_SPLICE       0x400
#define T_CREATE       0x401
#define T_DELETE       0x4ff
#define T_CRC          0x500
#define T_FCRC         0x5ff
#define T_TAIL         0x600
#define T_SOFTTAIL     0x600
#define T_HARDTAIL     0x601
#define T_GLOBALS      0x700
#define T_MOVESTATE    0x7ff
/* RAM-only: copy every attribute of an entry from another place */
#define T_FROM_MOVE    0x101

#define MKTAG(type, id, size) \
    (((uint32_t)(type) << 20) | ((uint32_t)(id) << 10) | (uint32_t)(size))

static inline bool tag_isvalid(uint32_t t) { return !(t & 0x80000000u); }
static inline bool tag_isdelete(uint32_t t) { return (t & 0x3ff) == 0x3ff; }
static inline uint16_t tag_type1(uint32_t t) { return (t & 0x70000000u) >> 20; }
static inline uint16_t tag_type2(uint32_t t) { return (t & 0x78000000u) >> 20; }
static inline uint16_t tag_type3(uint32_t t) { return (t & 0x7ff00000u) >> 20; }
static inline uint8_t tag_chunk(uint32_t t) { return (t >> 20) & 0xff; }
static inline int8_t tag_splice(uint32_t t) { return (int8_t)tag_chunk(t); }
static inline uint16_t tag_id(uint32_t t) { return (t >> 10) & 0x3ff; }
static inline uint32_t tag_size(uint32_t t) { return t & 0x3ff; }
static inline uint32_t tag_dsize(uint32_t t)
{
    return 4 + (tag_isdelete(t) ? 0 : tag_size(t));
}

static inline uint32_t get_le32(const void *p)
{
    const uint8_t *b = p;
    return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}
static inline void put_le32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = v; b[1] = v >> 8; b[2] = v >> 16; b[3] = v >> 24;
}
static inline uint32_t get_be32(const void *p)
{
    const uint8_t *b = p;
    return b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 |
           (uint32_t)b[0] << 24;
}
static inline void put_be32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[3] = v; b[2] = v >> 8; b[1] = v >> 16; b[0] = v >> 24;
}

static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t align_down(uint32_t a, uint32_t al) { return a - a % al; }
static inline uint32_t align_up(uint32_t a, uint32_t al)
{
    return align_down(a + al - 1, al);
}
static inline uint32_t ctz32(uint32_t a) { return __builtin_ctz(a); }
static inline uint32_t popc32(uint32_t a) { return __builtin_popcount(a); }
/* smallest power of two >= a, as a shift */
static inline uint32_t npw2(uint32_t a)
{
    return a <= 1 ? 0 : 32 - __builtin_clz(a - 1);
}

static inline bool pair_isnull(const uint32_t p[2])
{
    return p[0] == FS_BLOCK_NULL || p[1] == FS_BLOCK_NULL;
}
/* Two pairs name the same metadata pair if they share a block. */
static inline bool pair_same(const uint32_t a[2], const uint32_t b[2])
{
    return a[0] == b[0] || a[1] == b[1] || a[0] == b[1] || a[1] == b[0];
}
static inline bool pair_equal(const uint32_t a[2], const uint32_t b[2])
{
    return (a[0] == b[0] && a[1] == b[1]) || (a[0] == b[1] && a[1] == b[0]);
}

/* crc32.c: reflected CRC-32 (0xedb88320), no final inversion. */
uint32_t fs_crc32(uint32_t crc, const void *buf, size_t size);

/* bd.c: cached access to the block device. */
int bd_read(struct fs *fs, const struct fs_cache *pcache, uint32_t hint,
            uint32_t block, uint32_t off, void *buf, uint32_t size);
int bd_prog(struct fs *fs, struct fs_cache *pcache, uint32_t block,
            uint32_t off, const void *buf, uint32_t size);
int bd_flush(struct fs *fs, struct fs_cache *pcache);
int bd_sync(struct fs *fs, struct fs_cache *pcache);
int bd_erase(struct fs *fs, uint32_t block);
int bd_crc(struct fs *fs, uint32_t block, uint32_t off, uint32_t size,
           uint32_t *crc);
/* Compare disk bytes with buf: <0, 0, >0 like memcmp (disk first). */
int bd_cmp(struct fs *fs, uint32_t block, uint32_t off, const void *buf,
           uint32_t size, int *res);
void cache_drop(struct fs_cache *c);
void cache_zero(struct fs *fs, struct fs_cache *c);

/* A pending change to a metadata pair. For T_FROM_MOVE, buf points to a
 * struct move_src naming the entry whose attributes are copied. */
struct mattr {
    uint32_t tag;
    const void *buf;
};
struct move_src {
    const struct fs_mdir *dir;
    uint16_t id;
};

/* gstate helpers (gstate.c) */
static inline bool gstate_iszero(const struct fs_gstate *g)
{
    return g->tag == 0 && g->pair[0] == 0 && g->pair[1] == 0;
}
static inline void gstate_xor(struct fs_gstate *a, const struct fs_gstate *b)
{
    a->tag ^= b->tag; a->pair[0] ^= b->pair[0]; a->pair[1] ^= b->pair[1];
}
static inline bool gstate_hasmove(const struct fs_gstate *g)
{
    return tag_type1(g->tag) != 0;
}
static inline bool gstate_hasmovehere(const struct fs_gstate *g,
                                      const uint32_t pair[2])
{
    return gstate_hasmove(g) && pair_same(g->pair, pair);
}
static inline bool gstate_hasorphans(const struct fs_gstate *g)
{
    return (g->tag & 0x80000000u) != 0;
}

/* mdir.c: metadata pairs */
int mdir_fetch(struct fs *fs, struct fs_mdir *dir, const uint32_t pair[2]);
/* What a fetch noticed on the way (offsets of tags, 0 = none). */
struct fetch_info {
    uint32_t sb_off;     /* superblock name tag of entry 0 */
    bool sb_unsure;      /* entry 0 was created or deleted: look it up */
    uint32_t gs_off;     /* newest MOVESTATE tag */
};
int mdir_fetch_info(struct fs *fs, struct fs_mdir *dir, const uint32_t pair[2],
                    struct fetch_info *info);
/* Newest attribute matching (gmask & tag) == (gmask & gtag), read into
 * buf (zero padded to size). Returns the tag, ERR_NOT_FOUND or an error. */
int64_t mdir_get(struct fs *fs, const struct fs_mdir *dir, uint32_t gmask,
                 uint32_t gtag, uint32_t goff, void *buf, uint32_t size);
/* Look up name in one pair: returns the NAME tag or ERR_NOT_FOUND, with
 * *id set to the entry or to where the name would be inserted. */
int64_t mdir_find_name(struct fs *fs, const struct fs_mdir *dir,
                       const char *name, uint32_t len, uint16_t *id);
/* Call cb for every live attribute of entry id (newest of each kind). */
int mdir_entry_tags(struct fs *fs, const struct fs_mdir *dir, uint16_t id,
                    int (*cb)(void *ctx, uint32_t tag, uint32_t block,
                              uint32_t off),
                    void *ctx);
int mdir_getgstate(struct fs *fs, const struct fs_mdir *dir,
                   struct fs_gstate *g);
int mdir_commit(struct fs *fs, struct fs_mdir *dir, const struct mattr *attrs,
                int count);
int mdir_alloc(struct fs *fs, struct fs_mdir *dir);
int mdir_compact_only(struct fs *fs, struct fs_mdir *dir);
/* Find the pair whose tail points at pair. */
int mdir_pred(struct fs *fs, const uint32_t pair[2], struct fs_mdir *pred);
/* Find the entry (DIRSTRUCT) that names pair; returns its tag. */
int64_t mdir_parent(struct fs *fs, const uint32_t pair[2],
                    struct fs_mdir *parent);

/* alloc.c: block allocation and traversal */
int fs_alloc(struct fs *fs, uint32_t *block);
void fs_alloc_ckpoint(struct fs *fs);
void fs_alloc_drop(struct fs *fs);
int fs_traverse(struct fs *fs, int (*cb)(void *ctx, uint32_t block),
                void *ctx, bool include_orphans);
int ctz_traverse(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
                 uint32_t size, int (*cb)(void *ctx, uint32_t block),
                 void *ctx);
int ctz_find(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
             uint32_t size, uint32_t pos, uint32_t *block, uint32_t *off);
int ctz_find_from(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
                  uint32_t current, uint32_t pos, uint32_t *block,
                  uint32_t *off);
/* Address of block number target of a list, from block number current
 * (at address head) of it. */
int ctz_walk(struct fs *fs, const struct fs_cache *pcache, uint32_t head,
             uint32_t current, uint32_t target, uint32_t *block);
uint32_t ctz_index(struct fs *fs, uint32_t *off);

/* consist.c: repairs run before the first write */
int fs_force_consistency(struct fs *fs);
void fs_prep_orphans(struct fs *fs, int delta);
void fs_prep_move(struct fs *fs, uint16_t id, const uint32_t pair[2]);

/* fs_file.flags above the open flags */
#define F_DIRTY    0x010000   /* size/head differ from the committed entry */
#define F_WRITING  0x020000   /* block/off/cache hold unflushed writes */
#define F_READING  0x040000   /* block/off point at pos for reading */
#define F_ERRED    0x080000   /* a write failed; do not commit */
#define F_INLINE   0x100000   /* data lives in the entry, in cache.buf */
#define F_CURSOR   0x200000   /* cur_block is block cur_index of the list */

/* path.c */
/* Walk path. On success returns the entry's tag with *dir and *id set; for a
 * missing last component returns ERR_NOT_FOUND with *dir set to the pair
 * to insert into, *id to the insert position, and *name, *len to the
 * component (if the parent exists). */
int64_t fs_find(struct fs *fs, struct fs_mdir *dir, const char *path,
                uint16_t *id, const char **name, uint32_t *len);
int fs_entry_info(struct fs *fs, struct fs_mdir *dir, uint16_t id,
                  struct fs_info *info);

int file_flush(struct fs *fs, struct fs_file *f);

static inline void handle_add(struct fs *fs, struct fs_handle *h)
{
    h->next = fs->open;
    fs->open = h;
}
static inline void handle_remove(struct fs *fs, struct fs_handle *h)
{
    for (struct fs_handle **p = &fs->open; *p; p = &(*p)->next)
        if (*p == h) {
            *p = h->next;
            break;
        }
}

#endif
