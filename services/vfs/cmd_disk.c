/* Filesystem-wide commands: df, fsck, format. */
#include <string.h>
#include "services/vfs/cmd_util.h"
#include "services/vfs/vfs_internal.h"
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "pus/err.h"

static int cmd_df(int argc, char **argv)
{
    if (argc != 1)
        return shell_usage("df");
    kprintf("%-6s %-12s %10s %10s %10s %5s  %s\n", "mount", "device", "size KiB", "used KiB",
            "free KiB", "use%", "state");
    for (int i = 0; i < VFS_MOUNTS; i++) {
        struct mount *m = &vfs_mounts[i];
        if (!m->path)
            continue;
        struct vfs_statfs st;
        if (vfs_statfs(m->path, &st) < 0) {
            kprintf("%-6s %-12s %10s %10s %10s %5s  %s\n", m->path, m->source, "-", "-", "-",
                    "-", m->state ? m->state : "not mounted");
            continue;
        }
        uint64_t total = st.blocks_total * st.block_size >> 10;
        uint64_t used = st.blocks_used * st.block_size >> 10;
        kprintf("%-6s %-12s %10llu %10llu %10llu %4llu%%  %s\n", m->path, m->source,
                (unsigned long long)total, (unsigned long long)used,
                (unsigned long long)(total - used),
                (unsigned long long)(total ? used * 100 / total : 0),
                m->read_only ? "read-only" : "read-write");
    }
    return 0;
}
SHELL_COMMAND(df, "df", "filesystems: size, use, state", cmd_df);

static int cmd_fsck(int argc, char **argv)
{
    if (argc > 2)
        return shell_usage("fsck");
    int bad = 0, checked = 0;
    char buf[VFS_PATH_MAX];
    const char *only = argc == 2 ? cmd_path(argv[1], buf) : NULL;
    for (int i = 0; i < VFS_MOUNTS; i++) {
        struct mount *m = &vfs_mounts[i];
        if (!m->path || (only && strcmp(only, m->path) != 0))
            continue;
        vfs_lock_mount(m);             /* a first use sets /tmp up */
        mutex_release(&m->lock);
        if (!m->mounted) {
            if (only) {
                kprintf("error: fsck: %s: not mounted (%s)\n", m->path, m->state);
                return SHELL_ERR_REPORTED;
            }
            continue;
        }
        checked++;
        int r = vfs_fsck_mount(m);
        if (r < 0) {
            kprintf("error: fsck: %s: %s\n", m->path, err_str(r));
            bad++;
        } else {
            kprintf("fsck: %s: clean\n", m->path);
        }
    }
    if (only && !checked) {
        kprintf("error: fsck: %s: not a mount point\n", only);
        return SHELL_ERR_REPORTED;
    }
    return bad ? SHELL_ERR_REPORTED : 0;
}
SHELL_COMMAND(fsck, "fsck [MOUNT]", "check every mounted filesystem (or one)", cmd_fsck);

/* One line from the console, echoed; empty lines are skipped (the end of
 * the command's own line may still be pending). */
static int read_answer(char *buf, size_t size, int64_t timeout_ns)
{
    size_t n = 0;
    for (;;) {
        char c;
        int r = console_read(&c, 1, timeout_ns);
        if (r <= 0)
            return r < 0 ? r : ERR_TIMED_OUT;
        if (c == '\r' || c == '\n') {
            if (n == 0)
                continue;
            console_write("\n", 1);
            buf[n] = '\0';
            return 0;
        }
        if ((c == 0x7f || c == 8) && n > 0) {
            n--;
            console_write("\b \b", 3);
            continue;
        }
        if (c >= 32 && c < 127 && n + 1 < size) {
            buf[n++] = c;
            console_write(&c, 1);
        }
    }
}

static int cmd_format(int argc, char **argv)
{
    bool yes = argc == 2 && strcmp(argv[1], "--yes") == 0;
    if (argc > 2 || (argc == 2 && !yes))
        return shell_usage("format");
    if (!yes) {
        kprintf("format: this erases everything on virtio-blk0 (mounted at /).\n"
                "Type yes to continue: ");
        char answer[16];
        int r = read_answer(answer, sizeof(answer), 60ll * 1000 * 1000 * 1000);
        if (r < 0 || strcmp(answer, "yes") != 0) {
            kprintf("%sformat: cancelled, nothing written\n", r < 0 ? "\n" : "");
            return 0;
        }
    }
    int r = vfs_format_root();
    if (r == ERR_BUSY) {
        kprintf("error: format: files are open on /\n");
        return SHELL_ERR_REPORTED;
    }
    if (r < 0)
        return cmd_fail("format", "virtio-blk0", r);
    kprintf("format: / is an empty littlefs filesystem\n");
    return 0;
}
SHELL_COMMAND(format, "format [--yes]",
              "erase the disk and make an empty filesystem on / (asks for 'yes')", cmd_format);
