#include <stdio.h>
#include <string.h>
#include "services/vfs/cmd_util.h"
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "pus/err.h"

const char *cmd_path(const char *arg, char buf[VFS_PATH_MAX])
{
    if (arg[0] == '/')
        return arg;
    int n = snprintf(buf, VFS_PATH_MAX, "/%s", arg);
    /* Too long with the '/': hand back the argument as typed, which the
     * VFS refuses (not absolute) instead of acting on a shortened name. */
    return n < VFS_PATH_MAX ? buf : arg;
}

int cmd_fail(const char *cmd, const char *path, int err)
{
    const char *why = err_str(err);
    if (err == ERR_NO_DEVICE)
        why = "no filesystem mounted there";
    else if (err == ERR_READ_ONLY)
        why = "read-only filesystem";
    else if (err == ERR_INVALID_ARGS && path)
        why = "invalid path or arguments";
    if (path)
        kprintf("error: %s: %s: %s\n", cmd, path, why);
    else
        kprintf("error: %s: %s\n", cmd, why);
    return SHELL_ERR_REPORTED;
}
