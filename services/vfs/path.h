/* Path normalization (no kernel dependencies: unit-tested on the host). */
#ifndef SERVICES_VFS_PATH_H
#define SERVICES_VFS_PATH_H

#include <stddef.h>

/* Canonical absolute path: "/" or "/a/b" (no ".", "..", "//", trailing /).
 * ERR_INVALID_ARGS for a relative path or ".." above "/",
 * ERR_NAME_TOO_LONG for a name over VFS_NAME_MAX or a path of VFS_PATH_MAX
 * bytes or more. */
int vfs_normalize(const char *in, char *out, size_t out_size);

#endif
