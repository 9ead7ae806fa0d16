/* File commands: ls, cat, write, rm, mkdir, mv, stat, hexdump, sha256sum (attr: cmd_attr.c). */
#include <stdlib.h>
#include <string.h>
#include "services/vfs/cmd_util.h"
#include "services/vfs/vfs.h"
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "crypto/sha256.h"
#include "pus/err.h"

#define IO_CHUNK 4096

static void print_entry(const struct vfs_dirent *e, bool longform)
{
    if (longform)
        kprintf("%s %10llu  %s%s\n", e->type == VFS_TYPE_DIR ? "d" : "-",
                (unsigned long long)e->size, e->name, e->type == VFS_TYPE_DIR ? "/" : "");
    else
        kprintf("%s%s\n", e->name, e->type == VFS_TYPE_DIR ? "/" : "");
}

static int cmd_ls(int argc, char **argv)
{
    bool longform = false;
    const char *arg = "/";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-l") == 0)
            longform = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return shell_usage("ls");
        else
            arg = argv[i];
    }
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(arg, buf);
    struct vfs_stat st;
    int r = vfs_stat(path, &st);
    if (r < 0)
        return cmd_fail("ls", path, r);
    struct vfs_dirent *e = malloc(sizeof(*e));
    if (!e)
        return ERR_NO_MEMORY;
    if (st.type == VFS_TYPE_FILE) {
        const char *slash = strrchr(path, '/');
        e->type = VFS_TYPE_FILE;
        e->size = st.size;
        strncpy(e->name, slash ? slash + 1 : path, sizeof(e->name) - 1);
        e->name[sizeof(e->name) - 1] = '\0';
        print_entry(e, longform);
        free(e);
        return 0;
    }
    struct vfs_dir *d;
    if ((r = vfs_opendir(path, &d)) < 0) {
        free(e);
        return cmd_fail("ls", path, r);
    }
    while ((r = vfs_readdir(d, e)) == 1)
        print_entry(e, longform);
    vfs_closedir(d);
    free(e);
    return r < 0 ? cmd_fail("ls", path, r) : 0;
}
SHELL_COMMAND(ls, "ls [-l] [PATH]", "list a directory (-l: type and size)", cmd_ls);

static int cmd_cat(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage("cat");
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[1], buf);
    struct vfs_file *f;
    int r = vfs_open(path, VFS_O_RDONLY, &f);
    if (r < 0)
        return cmd_fail("cat", path, r);
    char *data = malloc(IO_CHUNK);
    if (!data) {
        vfs_close(f);
        return ERR_NO_MEMORY;
    }
    while ((r = vfs_read(f, data, IO_CHUNK)) > 0)
        console_write(data, (size_t)r);
    free(data);
    vfs_close(f);
    return r < 0 ? cmd_fail("cat", path, r) : 0;
}
SHELL_COMMAND(cat, "cat FILE", "print a file", cmd_cat);

static int cmd_write(int argc, char **argv)
{
    if (argc < 2)
        return shell_usage("write");
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[1], buf);
    struct vfs_file *f;
    int r = vfs_open(path, VFS_O_WRONLY | VFS_O_CREATE | VFS_O_TRUNC, &f);
    if (r < 0)
        return cmd_fail("write", path, r);
    /* The words after FILE, joined by single spaces, and a newline. */
    for (int i = 2; i < argc && r >= 0; i++) {
        if (i > 2)
            r = vfs_write(f, " ", 1);
        if (r >= 0)
            r = vfs_write(f, argv[i], strlen(argv[i]));
    }
    if (r >= 0)
        r = vfs_write(f, "\n", 1);
    int c = vfs_close(f);
    if (r >= 0)
        r = c;
    return r < 0 ? cmd_fail("write", path, r) : 0;
}
SHELL_COMMAND(write, "write FILE [TEXT...]", "create or overwrite FILE with TEXT and a newline",
              cmd_write);

static int cmd_rm(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage("rm");
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[1], buf);
    int r = vfs_remove(path);
    return r < 0 ? cmd_fail("rm", path, r) : 0;
}
SHELL_COMMAND(rm, "rm PATH", "remove a file or an empty directory", cmd_rm);

static int cmd_mkdir(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage("mkdir");
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[1], buf);
    int r = vfs_mkdir(path);
    return r < 0 ? cmd_fail("mkdir", path, r) : 0;
}
SHELL_COMMAND(mkdir, "mkdir PATH", "make a directory", cmd_mkdir);

static int cmd_mv(int argc, char **argv)
{
    if (argc != 3)
        return shell_usage("mv");
    char a[VFS_PATH_MAX], b[VFS_PATH_MAX];
    const char *from = cmd_path(argv[1], a), *to = cmd_path(argv[2], b);
    int r = vfs_rename(from, to);
    if (r == ERR_NOT_SUPPORTED) {
        kprintf("error: mv: %s -> %s: not on the same filesystem\n", from, to);
        return SHELL_ERR_REPORTED;
    }
    return r < 0 ? cmd_fail("mv", from, r) : 0;
}
SHELL_COMMAND(mv, "mv FROM TO", "rename (atomic; replaces an existing file)", cmd_mv);

static int cmd_stat(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage("stat");
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[1], buf);
    struct vfs_stat st;
    int r = vfs_stat(path, &st);
    if (r < 0)
        return cmd_fail("stat", path, r);
    if (st.type == VFS_TYPE_DIR)
        kprintf("%s: directory\n", path);
    else
        kprintf("%s: file, %llu bytes\n", path, (unsigned long long)st.size);
    return 0;
}
SHELL_COMMAND(stat, "stat PATH", "type and size of a file or directory", cmd_stat);

static int cmd_hexdump(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage("hexdump");
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[1], buf);
    struct vfs_file *f;
    int r = vfs_open(path, VFS_O_RDONLY, &f);
    if (r < 0)
        return cmd_fail("hexdump", path, r);
    uint8_t line[16];
    uint64_t off = 0;
    for (;;) {
        int n = 0;
        /* Fill a whole line unless the file ends. */
        while (n < 16 && (r = vfs_read(f, line + n, (size_t)(16 - n))) > 0)
            n += r;
        if (n == 0)
            break;
        char text[17];
        kprintf("%08llx ", (unsigned long long)off);
        for (int i = 0; i < 16; i++) {
            if (i < n)
                kprintf(" %02x", line[i]);
            else
                kprintf("   ");
            text[i] = i < n ? (line[i] >= 32 && line[i] < 127 ? (char)line[i] : '.') : '\0';
        }
        text[16] = '\0';
        kprintf("  |%s|\n", text);
        off += (uint64_t)n;
        if (r <= 0)
            break;
    }
    vfs_close(f);
    if (r < 0)
        return cmd_fail("hexdump", path, r);
    kprintf("%08llx\n", (unsigned long long)off);
    return 0;
}
SHELL_COMMAND(hexdump, "hexdump FILE", "print a file in hex and ASCII", cmd_hexdump);

static int cmd_sha256sum(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage("sha256sum");
    char buf[VFS_PATH_MAX];
    const char *path = cmd_path(argv[1], buf);
    struct vfs_file *f;
    int r = vfs_open(path, VFS_O_RDONLY, &f);
    if (r < 0)
        return cmd_fail("sha256sum", path, r);
    uint8_t *data = malloc(IO_CHUNK);
    struct sha256 *ctx = malloc(sizeof(*ctx));
    if (!data || !ctx) {
        free(data);
        free(ctx);
        vfs_close(f);
        return ERR_NO_MEMORY;
    }
    sha256_init(ctx);
    while ((r = vfs_read(f, data, IO_CHUNK)) > 0)
        sha256_update(ctx, data, (size_t)r);
    vfs_close(f);
    uint8_t digest[32];
    sha256_final(ctx, digest);
    free(data);
    free(ctx);
    if (r < 0)
        return cmd_fail("sha256sum", path, r);
    for (int i = 0; i < 32; i++)
        kprintf("%02x", digest[i]);
    kprintf("  %s\n", path);
    return 0;
}
SHELL_COMMAND(sha256sum, "sha256sum FILE", "SHA-256 of a file's contents", cmd_sha256sum);
