/*
 * attr: custom attributes on files and directories (littlefs user
 * attributes, a type 0..255 and up to 1022 bytes). Apps and services keep
 * small metadata there (a checksum, a version) without a second file.
 */
#include <stdlib.h>
#include <string.h>
#include "services/vfs/cmd_util.h"
#include "services/vfs/vfs.h"
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "pus/err.h"

#define ATTR_MAX 1022

/* A type from 0 to 255, or -1. */
static int parse_type(const char *s)
{
    char *end;
    long v = strtol(s, &end, 0);
    return *s && !*end && v >= 0 && v <= 255 ? (int)v : -1;
}

static int attr_get(const char *path, int type)
{
    char *buf = malloc(ATTR_MAX + 1);
    if (!buf)
        return cmd_fail("attr", path, ERR_NO_MEMORY);
    int n = vfs_getattr(path, (uint8_t)type, buf, ATTR_MAX);
    if (n < 0) {
        free(buf);
        return cmd_fail("attr", path, n);
    }
    /* Text is printed as it is; anything else in hex. */
    bool text = true;
    for (int i = 0; i < n; i++)
        if (buf[i] < 0x20 || buf[i] > 0x7e)
            text = false;
    if (text) {
        buf[n] = '\0';
        kprintf("%s\n", buf);
    } else {
        for (int i = 0; i < n; i++)
            kprintf("%02x", (uint8_t)buf[i]);
        kprintf("\n");
    }
    free(buf);
    return 0;
}

static int cmd_attr(int argc, char **argv)
{
    if (argc < 4)
        return shell_usage("attr");
    char pbuf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[2], pbuf);
    int type = parse_type(argv[3]);
    if (type < 0) {
        kprintf("error: attr: type must be 0..255, not '%s'\n", argv[3]);
        return SHELL_ERR_REPORTED;
    }
    if (strcmp(argv[1], "get") == 0 && argc == 4)
        return attr_get(path, type);
    if (strcmp(argv[1], "rm") == 0 && argc == 4) {
        int r = vfs_removeattr(path, (uint8_t)type);
        return r < 0 ? cmd_fail("attr", path, r) : 0;
    }
    if (strcmp(argv[1], "set") == 0 && argc == 5) {
        size_t n = strlen(argv[4]);
        if (n > ATTR_MAX)
            return cmd_fail("attr", path, ERR_TOO_BIG);
        int r = vfs_setattr(path, (uint8_t)type, argv[4], n);
        return r < 0 ? cmd_fail("attr", path, r) : 0;
    }
    return shell_usage("attr");
}
SHELL_COMMAND(attr, "attr get|rm PATH TYPE | attr set PATH TYPE TEXT",
              "custom attributes (type 0..255) of a file or directory", cmd_attr);
