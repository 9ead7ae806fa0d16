/* Path normalization for the VFS: one canonical spelling per file. */
#include <string.h>
/* Relative includes: this file also builds for host tests and fuzzing. */
#include "path.h"
#include "vfs.h"
#include "pus/err.h"

/*
 * "/a//b/./c/../d/" becomes "/a/b/d". Paths must be absolute; ".." at the
 * root is an error rather than silently staying at "/", so that a caller
 * confined to a directory by prefix cannot be walked out of it.
 */
int vfs_normalize(const char *in, char *out, size_t out_size)
{
    if (!in || !out || out_size < 2)
        return ERR_INVALID_ARGS;
    if (in[0] != '/')
        return ERR_INVALID_ARGS;
    size_t len = 0;
    const char *p = in;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - start);
        if (n == 1 && start[0] == '.')
            continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            if (len == 0)
                return ERR_INVALID_ARGS;          /* above "/" */
            while (len > 0 && out[len - 1] != '/')
                len--;
            len--;                                /* the '/' too */
            continue;
        }
        if (n > VFS_NAME_MAX)
            return ERR_NAME_TOO_LONG;
        if (len + 1 + n + 1 > out_size || len + 1 + n >= VFS_PATH_MAX)
            return ERR_NAME_TOO_LONG;
        out[len++] = '/';
        memcpy(out + len, start, n);
        len += n;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return 0;
}
