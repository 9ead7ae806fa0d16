/*
 * fsloop: the crash-test workload. `fsloop DIR COUNT` writes numbered files
 * DIR/f00000, DIR/f00001, ... (sizes from inline to several blocks, content
 * derived from the number), closes each (close syncs) and then prints
 * "synced N"; every 8 files it also replaces DIR/last by rename. A test kills
 * the machine at any moment; after the reboot `fsloop verify DIR` checks that
 * every file it printed as synced is intact.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/vfs/cmd_util.h"
#include "services/vfs/vfs.h"
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "pus/err.h"

#define MAX_SIZE 9000

static uint32_t file_size(uint32_t n)
{
    return 1 + (n * 2654435761u) % MAX_SIZE;
}

static void fill(uint8_t *buf, uint32_t n, uint32_t size)
{
    uint32_t x = n * 0x9e3779b9u + 1;
    for (uint32_t i = 0; i < size; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

static int write_file(const char *path, const void *data, uint32_t size)
{
    struct vfs_file *f;
    int r = vfs_open(path, VFS_O_WRONLY | VFS_O_CREATE | VFS_O_TRUNC, &f);
    if (r < 0)
        return r;
    r = vfs_write(f, data, size);
    if (r >= 0 && (uint32_t)r != size)
        r = ERR_IO;
    int c = vfs_close(f);
    return r < 0 ? r : c;
}

static int loop(const char *dir, long count)
{
    uint8_t *buf = malloc(MAX_SIZE);
    char *path = malloc(VFS_PATH_MAX), *tmp = malloc(VFS_PATH_MAX),
         *last = malloc(VFS_PATH_MAX);
    int r = buf && path && tmp && last ? 0 : ERR_NO_MEMORY;
    if (r == 0) {
        r = vfs_mkdir(dir);
        if (r == ERR_EXISTS)
            r = 0;
    }
    snprintf(tmp, VFS_PATH_MAX, "%s/last.tmp", dir);
    snprintf(last, VFS_PATH_MAX, "%s/last", dir);
    for (long n = 0; n < count && r == 0; n++) {
        uint32_t size = file_size((uint32_t)n);
        fill(buf, (uint32_t)n, size);
        snprintf(path, VFS_PATH_MAX, "%s/f%05ld", dir, n);
        if ((r = write_file(path, buf, size)) < 0)
            break;
        if (n % 8 == 7) {
            char text[24];
            int len = snprintf(text, sizeof(text), "%ld", n);
            if ((r = write_file(tmp, text, (uint32_t)len)) < 0 || (r = vfs_rename(tmp, last)) < 0)
                break;
        }
        kprintf("synced %ld\n", n);
    }
    free(buf); free(path); free(tmp); free(last);
    if (r < 0)
        return cmd_fail("fsloop", dir, r);
    kprintf("fsloop: done\n");
    return 0;
}

/* Files f00000... in a row that are intact; every other one is listed. */
static int verify(const char *dir)
{
    uint8_t *want = malloc(MAX_SIZE), *got = malloc(MAX_SIZE + 1);
    char *path = malloc(VFS_PATH_MAX);
    if (!want || !got || !path) {
        free(want); free(got); free(path);
        return ERR_NO_MEMORY;
    }
    long intact = 0, bad = 0, n;
    bool in_row = true;
    for (n = 0;; n++) {
        snprintf(path, VFS_PATH_MAX, "%s/f%05ld", dir, n);
        struct vfs_file *f;
        int r = vfs_open(path, VFS_O_RDONLY, &f);
        if (r == ERR_NOT_FOUND)
            break;
        if (r < 0 && r != ERR_CORRUPT && r != ERR_IO) {
            kprintf("verify: stopped at f%05ld: %s\n", n, err_str(r));
            break;                       /* the same answer for every number */
        }
        if (r < 0) {
            kprintf("bad f%05ld: %s\n", n, err_str(r));
            bad++;
            in_row = false;
            continue;
        }
        uint32_t size = file_size((uint32_t)n);
        int len = 0, k;
        while ((k = vfs_read(f, got + len, (size_t)(MAX_SIZE + 1 - len))) > 0)
            len += k;
        vfs_close(f);
        fill(want, (uint32_t)n, size);
        if (k < 0 || (uint32_t)len != size || memcmp(want, got, size) != 0) {
            kprintf("bad f%05ld: size %d of %u%s\n", n, len, size, k < 0 ? ", read error" : "");
            bad++;
            in_row = false;
        } else if (in_row) {
            intact++;
        }
    }
    char text[24] = "";
    snprintf(path, VFS_PATH_MAX, "%s/last", dir);
    struct vfs_file *f;
    if (vfs_open(path, VFS_O_RDONLY, &f) == 0) {
        int k = vfs_read(f, text, sizeof(text) - 1);
        text[k > 0 ? k : 0] = '\0';
        vfs_close(f);
    }
    kprintf("verify: %ld intact in a row, %ld bad, %ld files, last %s\n", intact, bad, n,
            text[0] ? text : "-");
    free(want); free(got); free(path);
    return 0;
}

/* DIR must be a directory, with room for "/f00000" and "/last.tmp" after it. */
static int check_dir(const char *dir)
{
    if (strlen(dir) + sizeof("/last.tmp") > VFS_PATH_MAX)
        return cmd_fail("fsloop", dir, ERR_NAME_TOO_LONG);
    struct vfs_stat st;
    int r = vfs_stat(dir, &st);
    if (r == 0 && st.type != VFS_TYPE_DIR)
        r = ERR_NOT_DIR;
    return r < 0 ? cmd_fail("fsloop", dir, r) : 0;
}

static int cmd_fsloop(int argc, char **argv)
{
    char buf[VFS_PATH_MAX];
    bool verifying = argc == 3 && strcmp(argv[1], "verify") == 0;
    if (argc != 3)
        return shell_usage("fsloop");
    long count = 0;
    if (!verifying) {
        if (!shell_parse_long(argv[2], 1, LONG_MAX, &count))
            return shell_usage("fsloop");
    }
    const char *dir = cmd_path(argv[verifying ? 2 : 1], buf);
    if (verifying)
        return check_dir(dir) ? SHELL_ERR_REPORTED : verify(dir);
    return loop(dir, count);
}
SHELL_COMMAND(fsloop, "fsloop DIR COUNT | fsloop verify DIR",
              "write and sync numbered files (crash tests), or check them", cmd_fsloop);
