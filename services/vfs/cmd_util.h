/* Helpers shared by the file shell commands. */
#ifndef SERVICES_VFS_CMD_UTIL_H
#define SERVICES_VFS_CMD_UTIL_H

#include "services/vfs/vfs.h"

/* Shell paths may omit the leading '/' ("ls etc" is "ls /etc"). */
const char *cmd_path(const char *arg, char buf[VFS_PATH_MAX]);
/* Print "error: CMD: PATH: reason" and return SHELL_ERR_REPORTED. */
int cmd_fail(const char *cmd, const char *path, int err);

#endif
