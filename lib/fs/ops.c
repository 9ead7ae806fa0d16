/*
 * Directory-level operations: stat, mkdir, remove, rename, reading
 * directories, custom attributes.
 */
#include "fs/fs_internal.h"

static int check_mounted(struct fs *fs)
{
    return fs && fs->mounted ? 0 : ERR_BAD_STATE;
}

int fs_stat(struct fs *fs, const char *path, struct fs_info *info)
{
    struct fs_mdir dir;
    uint16_t id;
    int err = check_mounted(fs);
    if (err)
        return err;
    int64_t tag = fs_find(fs, &dir, path, &id, NULL, NULL);
    if (tag < 0)
        return tag;
    return fs_entry_info(fs, &dir, id, info);
}

int fs_mkdir(struct fs *fs, const char *path)
{
    int err = check_mounted(fs);
    if (!err)
        err = fs_force_consistency(fs);
    if (err)
        return err;

    struct fs_dir cwd = {0};    /* tracked so commits keep it current */
    const char *name;
    uint32_t len;
    uint16_t id;
    int64_t tag = fs_find(fs, &cwd.h.m, path, &id, &name, &len);
    if (tag >= 0)
        return ERR_EXISTS;
    if (tag != ERR_NOT_FOUND || !name)
        return tag;
    if (len > fs->name_max)
        return ERR_NAME_TOO_LONG;

    fs_alloc_ckpoint(fs);
    struct fs_mdir dir;
    err = mdir_alloc(fs, &dir);
    if (err)
        return err;

    /* the new pair goes into the tail list after the parent's last pair */
    struct fs_mdir pred = cwd.h.m;
    uint32_t limit = fs->block_count;
    while (pred.split) {
        if (limit-- == 0)
            return ERR_CORRUPT;
        uint32_t t[2] = {pred.tail[0], pred.tail[1]};
        err = mdir_fetch(fs, &pred, t);
        if (err)
            return err;
    }
    uint8_t tb[8], pb[8];
    put_le32(tb, pred.tail[0]);
    put_le32(tb + 4, pred.tail[1]);
    struct mattr a0 = {MKTAG(T_SOFTTAIL, 0x3ff, 8), tb};
    err = mdir_commit(fs, &dir, &a0, 1);
    if (err)
        return err;

    put_le32(pb, dir.pair[0]);
    put_le32(pb + 4, dir.pair[1]);
    cwd.h.id = 0;
    cwd.h.type = FS_TYPE_DIR;
    handle_add(fs, &cwd.h);
    if (cwd.h.m.split) {
        /* the new pair is linked before its entry exists: an orphan
         * until the entry is committed */
        fs_prep_orphans(fs, +1);
        struct mattr a1 = {MKTAG(T_SOFTTAIL, 0x3ff, 8), pb};
        err = mdir_commit(fs, &pred, &a1, 1);
        fs_prep_orphans(fs, -1);
        if (err)
            goto out;
    }
    struct mattr attrs[4] = {
        {MKTAG(T_CREATE, id, 0), NULL},
        {MKTAG(T_DIR, id, len), name},
        {MKTAG(T_DIRSTRUCT, id, 8), pb},
        {MKTAG(T_SOFTTAIL, 0x3ff, 8), pb},
    };
    err = mdir_commit(fs, &cwd.h.m, attrs, cwd.h.m.split ? 3 : 4);
out:
    handle_remove(fs, &cwd.h);
    return err;
}

int fs_remove(struct fs *fs, const char *path)
{
    int err = check_mounted(fs);
    if (!err)
        err = fs_force_consistency(fs);
    if (err)
        return err;

    struct fs_mdir cwd;
    uint16_t id;
    int64_t tag = fs_find(fs, &cwd, path, &id, NULL, NULL);
    if (tag < 0)
        return tag;
    if (id == FS_ID_NONE)
        return ERR_INVALID_ARGS;          /* the root */

    struct fs_dir child = {0};
    if (tag_type3(tag) == T_DIR) {
        uint8_t b[8];
        int64_t t = mdir_get(fs, &cwd, MKTAG(0x700, 0x3ff, 0),
                             MKTAG(T_STRUCT, id, 8), 0, b, 8);
        if (t < 0)
            return t == ERR_NOT_FOUND ? ERR_CORRUPT : t;
        uint32_t p[2] = {get_le32(b), get_le32(b + 4)};
        err = mdir_fetch(fs, &child.h.m, p);
        if (err)
            return err;
        if (child.h.m.count > 0 || child.h.m.split)
            return ERR_NOT_EMPTY;
        fs_prep_orphans(fs, +1);
        child.h.id = 0;
        child.h.type = FS_TYPE_DIR;
        handle_add(fs, &child.h);
    }

    struct mattr a = {MKTAG(T_DELETE, id, 0), NULL};
    err = mdir_commit(fs, &cwd, &a, 1);
    if (err) {
        if (tag_type3(tag) == T_DIR) {
            handle_remove(fs, &child.h);
            fs_prep_orphans(fs, -1);
        }
        return err;
    }

    if (tag_type3(tag) == T_DIR) {
        /* unlink the removed directory's pair from the tail list */
        handle_remove(fs, &child.h);
        fs_prep_orphans(fs, -1);
        struct fs_mdir pred;
        err = mdir_pred(fs, child.h.m.pair, &pred);
        if (err)
            return err;
        err = mdir_getgstate(fs, &child.h.m, &fs->gdelta);
        if (err)
            return err;
        uint8_t b[8];
        put_le32(b, child.h.m.tail[0]);
        put_le32(b + 4, child.h.m.tail[1]);
        struct mattr t = {MKTAG(T_TAIL + child.h.m.split, 0x3ff, 8), b};
        err = mdir_commit(fs, &pred, &t, 1);
        if (err)
            return err;
    }
    return 0;
}

/* Is path `inner` inside directory `outer` (or equal)? Compares
 * normalised components. */
static bool path_within(const char *outer, const char *inner)
{
    for (;;) {
        outer += strspn(outer, "/");
        inner += strspn(inner, "/");
        size_t lo = strcspn(outer, "/"), li = strcspn(inner, "/");
        if (lo == 0)
            return true;
        if (lo != li || memcmp(outer, inner, lo))
            return false;
        outer += lo;
        inner += li;
    }
}

int fs_rename(struct fs *fs, const char *from, const char *to)
{
    int err = check_mounted(fs);
    if (!err)
        err = fs_force_consistency(fs);
    if (err)
        return err;

    struct fs_mdir oldcwd;
    uint16_t oldid;
    int64_t oldtag = fs_find(fs, &oldcwd, from, &oldid, NULL, NULL);
    if (oldtag < 0)
        return oldtag;
    if (oldid == FS_ID_NONE)
        return ERR_INVALID_ARGS;

    struct fs_dir newcwd = {0};
    uint16_t newid;
    const char *name;
    uint32_t len;
    int64_t prevtag = fs_find(fs, &newcwd.h.m, to, &newid, &name, &len);
    if (prevtag < 0 && !(prevtag == ERR_NOT_FOUND && name))
        return prevtag;
    if (prevtag >= 0 && newid == FS_ID_NONE)
        return ERR_INVALID_ARGS;
    if (tag_type3(oldtag) == T_DIR && path_within(from, to) &&
        !(prevtag >= 0 && pair_equal(oldcwd.pair, newcwd.h.m.pair) &&
          oldid == newid))
        return ERR_INVALID_ARGS;          /* into itself */

    bool samepair = pair_equal(oldcwd.pair, newcwd.h.m.pair);
    uint16_t newoldid = oldid;
    struct fs_dir prevdir = {0};
    uint8_t nb[FS_NAME_MAX];

    if (prevtag == ERR_NOT_FOUND) {
        if (len > fs->name_max)
            return ERR_NAME_TOO_LONG;
        if (samepair && newid <= newoldid)
            newoldid++;
    } else {
        if (tag_type3(prevtag) != tag_type3(oldtag))
            return tag_type3(prevtag) == T_DIR ? ERR_IS_DIR : ERR_NOT_DIR;
        if (samepair && newid == newoldid)
            return 0;                    /* renamed onto itself */
        /* keep the name as stored */
        int64_t t = mdir_get(fs, &newcwd.h.m, MKTAG(0x780, 0x3ff, 0),
                             MKTAG(T_NAME, newid, FS_NAME_MAX), 0, nb,
                             FS_NAME_MAX);
        if (t < 0)
            return t;
        name = (const char *)nb;
        len = tag_size(t);
        if (tag_type3(prevtag) == T_DIR) {
            uint8_t b[8];
            t = mdir_get(fs, &newcwd.h.m, MKTAG(0x700, 0x3ff, 0),
                         MKTAG(T_STRUCT, newid, 8), 0, b, 8);
            if (t < 0)
                return t == ERR_NOT_FOUND ? ERR_CORRUPT : t;
            uint32_t p[2] = {get_le32(b), get_le32(b + 4)};
            err = mdir_fetch(fs, &prevdir.h.m, p);
            if (err)
                return err;
            if (prevdir.h.m.count > 0 || prevdir.h.m.split)
                return ERR_NOT_EMPTY;
            fs_prep_orphans(fs, +1);
            prevdir.h.type = FS_TYPE_DIR;
            handle_add(fs, &prevdir.h);
        }
    }

    newcwd.h.type = FS_TYPE_DIR;
    newcwd.h.id = 0;
    handle_add(fs, &newcwd.h);
    struct fs_dir oldh = {.h = {.type = FS_TYPE_DIR, .id = oldid, .m = oldcwd}};
    handle_add(fs, &oldh.h);

    if (!samepair)
        fs_prep_move(fs, newoldid, oldcwd.pair);

    struct move_src src = {&oldh.h.m, oldid};
    struct mattr attrs[5];
    int n = 0;
    if (prevtag >= 0)
        attrs[n++] = (struct mattr){MKTAG(T_DELETE, newid, 0), NULL};
    attrs[n++] = (struct mattr){MKTAG(T_CREATE, newid, 0), NULL};
    attrs[n++] = (struct mattr){MKTAG(tag_type3(oldtag), newid, len), name};
    attrs[n++] = (struct mattr){MKTAG(T_FROM_MOVE, newid, 0), &src};
    if (samepair)
        attrs[n++] = (struct mattr){MKTAG(T_DELETE, newoldid, 0), NULL};
    /* the source must be read as it was before this commit */
    struct fs_mdir srcdir = oldcwd;
    src.dir = &srcdir;
    err = mdir_commit(fs, &newcwd.h.m, attrs, n);
    if (err) {
        if (!samepair)
            fs_prep_move(fs, FS_ID_NONE, NULL);
        goto out;
    }

    if (!samepair && gstate_hasmove(&fs->gstate)) {
        /* second step: delete the source; clears the move mark */
        fs_prep_move(fs, FS_ID_NONE, NULL);
        struct mattr d = {MKTAG(T_DELETE, oldh.h.id, 0), NULL};
        err = mdir_commit(fs, &oldh.h.m, &d, 1);
        if (err)
            goto out;
    }

    if (prevtag >= 0 && tag_type3(prevtag) == T_DIR) {
        handle_remove(fs, &prevdir.h);
        fs_prep_orphans(fs, -1);
        struct fs_mdir pred;
        err = mdir_pred(fs, prevdir.h.m.pair, &pred);
        if (!err)
            err = mdir_getgstate(fs, &prevdir.h.m, &fs->gdelta);
        if (!err) {
            uint8_t b[8];
            put_le32(b, prevdir.h.m.tail[0]);
            put_le32(b + 4, prevdir.h.m.tail[1]);
            struct mattr t = {MKTAG(T_TAIL + prevdir.h.m.split, 0x3ff, 8), b};
            err = mdir_commit(fs, &pred, &t, 1);
        }
    }
out:
    handle_remove(fs, &oldh.h);
    handle_remove(fs, &newcwd.h);
    handle_remove(fs, &prevdir.h);
    return err;
}

/* ---- directories ---- */

int fs_dir_open(struct fs *fs, struct fs_dir *d, const char *path)
{
    uint16_t id;
    uint8_t b[8];
    int err = check_mounted(fs);
    if (err)
        return err;
    memset(d, 0, sizeof(*d));
    int64_t tag = fs_find(fs, &d->h.m, path, &id, NULL, NULL);
    if (tag < 0)
        return tag;
    if (tag_type3(tag) != T_DIR)
        return ERR_NOT_DIR;
    uint32_t pair[2];
    if (id == FS_ID_NONE) {
        pair[0] = fs->root[0];
        pair[1] = fs->root[1];
    } else {
        int64_t t = mdir_get(fs, &d->h.m, MKTAG(0x700, 0x3ff, 0),
                             MKTAG(T_STRUCT, id, 8), 0, b, 8);
        if (t < 0)
            return t == ERR_NOT_FOUND ? ERR_CORRUPT : t;
        pair[0] = get_le32(b);
        pair[1] = get_le32(b + 4);
    }
    err = mdir_fetch(fs, &d->h.m, pair);
    if (err)
        return err;
    d->head[0] = d->h.m.pair[0];
    d->head[1] = d->h.m.pair[1];
    d->h.id = pair_equal(d->h.m.pair, fs->root) ? 1 : 0;
    d->h.type = FS_TYPE_DIR;
    d->pos = 0;
    handle_add(fs, &d->h);
    return 0;
}

int fs_dir_read(struct fs *fs, struct fs_dir *d, struct fs_info *info)
{
    int err = check_mounted(fs);
    if (err)
        return err;
    uint32_t limit = 0x10000 + fs->block_count;
    while (limit--) {
        if (d->h.id >= d->h.m.count) {
            if (!d->h.m.split)
                return 0;
            uint32_t t[2] = {d->h.m.tail[0], d->h.m.tail[1]};
            err = mdir_fetch(fs, &d->h.m, t);
            if (err)
                return err;
            d->h.id = 0;
            continue;
        }
        err = fs_entry_info(fs, &d->h.m, d->h.id, info);
        d->h.id++;
        if (err == ERR_NOT_FOUND)
            continue;
        if (err)
            return err;
        d->pos++;
        return 1;
    }
    return ERR_CORRUPT;
}

int fs_dir_rewind(struct fs *fs, struct fs_dir *d)
{
    int err = check_mounted(fs);
    if (err)
        return err;
    uint32_t head[2] = {d->head[0], d->head[1]};
    err = mdir_fetch(fs, &d->h.m, head);
    if (err)
        return err;
    d->h.id = pair_equal(d->h.m.pair, fs->root) ? 1 : 0;
    d->pos = 0;
    return 0;
}

int fs_dir_close(struct fs *fs, struct fs_dir *d)
{
    handle_remove(fs, &d->h);
    return 0;
}

/* ---- custom attributes ---- */

long fs_getattr(struct fs *fs, const char *path, uint8_t type, void *buf,
                size_t size)
{
    struct fs_mdir dir;
    uint16_t id;
    int err = check_mounted(fs);
    if (err)
        return err;
    int64_t tag = fs_find(fs, &dir, path, &id, NULL, NULL);
    if (tag < 0)
        return tag;
    if (id == FS_ID_NONE) {
        id = 0;                 /* the root's attributes live on entry 0 */
        err = mdir_fetch(fs, &dir, fs->root);
        if (err)
            return err;
    }
    tag = mdir_get(fs, &dir, MKTAG(0x7ff, 0x3ff, 0),
                   MKTAG(T_USERATTR + type, id,
                         min_u32(size, fs->attr_max)), 0, buf,
                   min_u32(size, fs->attr_max));
    if (tag < 0)
        return tag;
    return tag_size(tag);
}

static int commit_attr(struct fs *fs, const char *path, uint8_t type,
                       const void *buf, uint32_t size)
{
    struct fs_mdir dir;
    uint16_t id;
    int err = check_mounted(fs);
    if (!err)
        err = fs_force_consistency(fs);
    if (err)
        return err;
    int64_t tag = fs_find(fs, &dir, path, &id, NULL, NULL);
    if (tag < 0)
        return tag;
    if (id == FS_ID_NONE) {
        id = 0;
        err = mdir_fetch(fs, &dir, fs->root);
        if (err)
            return err;
    }
    struct mattr a = {MKTAG(T_USERATTR + type, id, size), buf};
    return mdir_commit(fs, &dir, &a, 1);
}

int fs_setattr(struct fs *fs, const char *path, uint8_t type,
               const void *buf, size_t size)
{
    if (fs && size > fs->attr_max)
        return ERR_TOO_BIG;
    if (!buf && size)
        return ERR_INVALID_ARGS;
    return commit_attr(fs, path, type, buf, size);
}

int fs_removeattr(struct fs *fs, const char *path, uint8_t type)
{
    return commit_attr(fs, path, type, NULL, 0x3ff);
}
