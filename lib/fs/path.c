/*
 * Path lookup: walk a path from the root, one directory (a chain of
 * metadata pairs) at a time. "." is skipped and "name/.." cancels name, as
 * the reference does it: by looking ahead in the string, without a stack.
 */
#include "fs/fs_internal.h"

int64_t fs_find(struct fs *fs, struct fs_mdir *dir, const char *path,
                uint16_t *id, const char **oname, uint32_t *olen)
{
    const char *name = path;
    uint32_t tag = MKTAG(T_DIR, FS_ID_NONE, 0);
    uint8_t b[8];

    if (oname)
        *oname = NULL;
    if (id)
        *id = FS_ID_NONE;
    int err = mdir_fetch(fs, dir, fs->root);
    if (err)
        return err;
    uint32_t limit = 4096;   /* bounds work on absurd paths */

    for (;;) {
    next:
        if (limit-- == 0)
            return ERR_INVALID_ARGS;
        name += strspn(name, "/");
        uint32_t len = strcspn(name, "/");
        if (len == 0)
            return tag;                         /* end of path */
        if (len == 1 && name[0] == '.') {
            name += len;
            goto next;
        }
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            return ERR_INVALID_ARGS;            /* above the root */
        }
        /* skip name if a later ".." cancels it */
        const char *suffix = name + len;
        int depth = 1;
        for (;;) {
            suffix += strspn(suffix, "/");
            uint32_t slen = strcspn(suffix, "/");
            if (slen == 0)
                break;
            if (slen == 2 && suffix[0] == '.' && suffix[1] == '.') {
                if (--depth == 0) {
                    name = suffix + slen;
                    goto next;
                }
            } else if (!(slen == 1 && suffix[0] == '.')) {
                depth++;
            }
            suffix += slen;
        }

        if (tag_type3(tag) != T_DIR)
            return ERR_NOT_DIR;
        if (tag_id(tag) != FS_ID_NONE) {
            int64_t t = mdir_get(fs, dir, MKTAG(0x700, 0x3ff, 0),
                                 MKTAG(T_STRUCT, tag_id(tag), 8), 0, b, 8);
            if (t < 0)
                return t == ERR_NOT_FOUND ? ERR_CORRUPT : t;
            if (tag_type3(t) != T_DIRSTRUCT)
                return ERR_CORRUPT;
            uint32_t p[2] = {get_le32(b), get_le32(b + 4)};
            err = mdir_fetch(fs, dir, p);
            if (err)
                return err;
        }

        /* search each pair of the directory */
        uint32_t pairs = fs->block_count;
        for (;;) {
            uint16_t where;
            int64_t t = mdir_find_name(fs, dir, name, len, &where);
            if (t >= 0) {
                tag = t;
                if (id)
                    *id = tag_id(t);
                break;
            }
            if (t != ERR_NOT_FOUND)
                return t;
            /* Entries are sorted across the pairs of a directory: a pair
             * holding a greater name is where this name belongs, and no
             * later pair can hold it (the reference relies on this). */
            if (where < dir->count || !dir->split || pairs-- == 0) {
                const char *rest = name + len;
                rest += strspn(rest, "/");
                if (*rest == 0) {
                    /* the parent exists: say where the name would go */
                    if (id)
                        *id = where;
                    if (oname) {
                        *oname = name;
                        *olen = len;
                    }
                }
                return ERR_NOT_FOUND;
            }
            uint32_t tl[2] = {dir->tail[0], dir->tail[1]};
            err = mdir_fetch(fs, dir, tl);
            if (err)
                return err;
        }
        name += len;
    }
}

int fs_entry_info(struct fs *fs, struct fs_mdir *dir, uint16_t id,
                  struct fs_info *info)
{
    uint8_t b[8];
    if (id == FS_ID_NONE) {
        memset(info, 0, sizeof(*info));
        info->type = FS_TYPE_DIR;
        strcpy(info->name, "/");
        return 0;
    }
    int64_t tag = mdir_get(fs, dir, MKTAG(0x780, 0x3ff, 0),
                           MKTAG(T_NAME, id, FS_NAME_MAX + 1), 0, info->name,
                           FS_NAME_MAX + 1);
    if (tag < 0)
        return tag;
    if (tag_size(tag) > FS_NAME_MAX)
        return ERR_CORRUPT;
    info->name[tag_size(tag)] = 0;
    if (tag_type3(tag) == T_REG)
        info->type = FS_TYPE_FILE;
    else if (tag_type3(tag) == T_DIR)
        info->type = FS_TYPE_DIR;
    else
        return ERR_CORRUPT;
    info->size = 0;
    if (info->type == FS_TYPE_FILE) {
        tag = mdir_get(fs, dir, MKTAG(0x700, 0x3ff, 0),
                       MKTAG(T_STRUCT, id, 8), 0, b, 8);
        if (tag < 0)
            return tag == ERR_NOT_FOUND ? ERR_CORRUPT : tag;
        if (tag_type3(tag) == T_CTZSTRUCT)
            info->size = get_le32(b + 4);
        else if (tag_type3(tag) == T_INLINESTRUCT)
            info->size = tag_size(tag);
        else
            return ERR_CORRUPT;
    }
    return 0;
}
