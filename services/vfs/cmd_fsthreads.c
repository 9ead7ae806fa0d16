/*
 * fsthreads: several threads use the VFS at once (the per-filesystem mutex
 * at work). Each thread writes, reads back and removes its own files in
 * DIR, all in the same directory, and appends a fixed-size record to its
 * own log file after each one (open, append, close); at the end every log
 * must hold every record, whole and in order.
 *
 * Each thread has its own log because littlefs gives every handle its own
 * copy-on-write view of a file: two handles appending to one file each
 * commit their own version at close, and the last one wins (as with the
 * reference littlefs). The VFS does not change that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/vfs/cmd_util.h"
#include "services/vfs/vfs.h"
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "kernel/thread.h"
#include "pus/err.h"

#define MAX_THREADS 8
#define RECORD 32

struct worker {
    int id, count, errors;
    char dir[VFS_PATH_MAX - 32];
};

static int check_file(const char *path, const uint8_t *want, int size, uint8_t *got)
{
    struct vfs_file *f;
    int r = vfs_open(path, VFS_O_RDONLY, &f);
    if (r < 0)
        return r;
    int n = vfs_read(f, got, (size_t)size + 1);
    vfs_close(f);
    return n == size && memcmp(want, got, (size_t)size) == 0 ? 0 : ERR_CORRUPT;
}

static int worker_main(void *arg)
{
    struct worker *w = arg;
    uint8_t *data = malloc(6000), *back = malloc(6001);
    char path[VFS_PATH_MAX], shared[VFS_PATH_MAX], rec[RECORD + 1];
    if (!data || !back) {
        w->errors++;
        goto out;
    }
    snprintf(shared, sizeof(shared), "%s/log%d", w->dir, w->id);
    for (int i = 0; i < w->count; i++) {
        int size = 1 + (w->id * 977 + i * 131) % 6000;
        for (int k = 0; k < size; k++)
            data[k] = (uint8_t)(w->id * 31 + i * 7 + k);
        snprintf(path, sizeof(path), "%s/t%d-%d", w->dir, w->id, i);
        struct vfs_file *f;
        int r = vfs_open(path, VFS_O_WRONLY | VFS_O_CREATE | VFS_O_TRUNC, &f);
        if (r == 0) {
            r = vfs_write(f, data, (size_t)size);
            int c = vfs_close(f);
            r = r < 0 ? r : c;
        }
        if (r == 0)
            r = check_file(path, data, size, back);
        if (r == 0 && i % 2)
            r = vfs_remove(path);
        if (r == 0) {
            snprintf(rec, sizeof(rec), "thread %d record %-14d\n", w->id, i);
            r = vfs_open(shared, VFS_O_WRONLY | VFS_O_CREATE | VFS_O_APPEND, &f);
            if (r == 0) {
                int n = vfs_write(f, rec, RECORD);
                int c = vfs_close(f);
                r = n != RECORD ? (n < 0 ? n : ERR_IO) : c;
            }
        }
        if (r < 0) {
            kprintf("error: fsthreads: thread %d, file %d: %s\n", w->id, i, err_str(r));
            w->errors++;
        }
    }
out:
    free(data);
    free(back);
    return 0;
}

static int cmd_fsthreads(int argc, char **argv)
{
    if (argc != 4)
        return shell_usage("fsthreads");
    int threads = atoi(argv[2]), count = atoi(argv[3]);
    if (threads < 1 || threads > MAX_THREADS || count < 1 || count > 10000)
        return shell_usage("fsthreads");
    char buf[VFS_PATH_MAX];
    const char *dir = cmd_path(argv[1], buf);
    if (strlen(dir) >= sizeof(((struct worker *)0)->dir))
        return cmd_fail("fsthreads", dir, ERR_NAME_TOO_LONG);
    int r = vfs_mkdir(dir);
    if (r < 0 && r != ERR_EXISTS)
        return cmd_fail("fsthreads", dir, r);
    static struct worker workers[MAX_THREADS];
    struct thread *t[MAX_THREADS] = {0};
    for (int i = 0; i < threads; i++) {
        workers[i] = (struct worker){ .id = i, .count = count };
        strcpy(workers[i].dir, dir);
        t[i] = thread_spawn("fsthreads", worker_main, &workers[i], THREAD_PRIORITY_DEFAULT,
                            THREAD_STACK_DEFAULT);
        if (!t[i])
            kprintf("error: fsthreads: cannot start thread %d\n", i);
    }
    int errors = 0;
    for (int i = 0; i < threads; i++) {
        if (!t[i]) {
            errors++;
            continue;
        }
        thread_join(t[i], NULL, TIMEOUT_INFINITE);
        errors += workers[i].errors;
    }
    /* Every record whole, each thread's in its own order. */
    long records = 0;
    for (int id = 0; id < threads; id++) {
        snprintf(buf, sizeof(buf), "%s/log%d", dir, id);
        struct vfs_file *f;
        if ((r = vfs_open(buf, VFS_O_RDONLY, &f)) < 0)
            return cmd_fail("fsthreads", buf, r);
        char rec[RECORD + 1];
        int next = 0, n;
        while ((n = vfs_read(f, rec, RECORD)) == RECORD) {
            int tid, i;
            rec[RECORD] = '\0';
            if (sscanf(rec, "thread %d record %d", &tid, &i) != 2 || tid != id || i != next++) {
                kprintf("error: fsthreads: %s: bad record: %s", buf, rec);
                errors++;
                break;
            }
            records++;
        }
        vfs_close(f);
        if (n != 0 || next != count) {
            kprintf("error: fsthreads: %s: %d of %d records\n", buf, next, count);
            errors++;
        }
        vfs_remove(buf);
    }
    kprintf("fsthreads: %d threads x %d files, %ld records, %d errors\n", threads, count,
            records, errors);
    return errors ? SHELL_ERR_REPORTED : 0;
}
SHELL_COMMAND(fsthreads, "fsthreads DIR THREADS COUNT",
              "threads writing, reading and appending at once (VFS locking test)", cmd_fsthreads);
