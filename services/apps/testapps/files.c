/*
 * files DIR: exercises WASI files on the node's filesystem below DIR (the
 * app's preopened directory): mkdir, write, read back, list, rename, stat,
 * remove. Prints "files ok" at the end, or names the first call that
 * failed with its error and exits 1 (so a kernel without a filesystem
 * gives a clean error rather than a crash).
 *
 * files DIR many N: a directory of N files below DIR, listed (each entry
 * must come once), then emptied the way rm -r does, removing each entry
 * as the listing gives it. Prints "many ok: N entries".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
    printf("files: %s failed: %s\n", what, strerror(errno));
    return 1;
}

#define MANY_MAX 1000

static int many(const char *base, int n)
{
    static char seen[MANY_MAX];
    char dir[200], path[240];
    snprintf(dir, sizeof dir, "%s/wasm-many", strcmp(base, "/") ? base : "");
    if (n < 1 || n > MANY_MAX) {
        printf("files: many: N is 1..%d\n", MANY_MAX);
        return 1;
    }
    if (mkdir(dir, 0755))
        return fail("mkdir");
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/entry-%04d-of-a-longish-name", dir, i);
        FILE *f = fopen(path, "w");
        if (!f)
            return fail("fopen for writing");
        fclose(f);
    }
    DIR *d = opendir(dir);
    if (!d)
        return fail("opendir");
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int i;
        if (e->d_name[0] == '.')
            continue;
        if (sscanf(e->d_name, "entry-%d-", &i) != 1 || i < 0 || i >= n || seen[i]++) {
            printf("files: many: unexpected or repeated entry %s\n", e->d_name);
            return 1;
        }
        count++;
    }
    closedir(d);
    if (count != n) {
        printf("files: many: listed %d entries of %d\n", count, n);
        return 1;
    }
    /* Remove while listing: an entry removed must not make the listing
     * skip the ones after it. */
    d = opendir(dir);
    if (!d)
        return fail("opendir");
    int removed = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path))
            return fail("unlink");
        removed++;
    }
    closedir(d);
    if (rmdir(dir))
        return fail("rmdir (entries left behind by the listing)");
    printf("many ok: %d entries, %d removed while listing\n", count, removed);
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "/";
    if (argc > 3 && strcmp(argv[2], "many") == 0)
        return many(base, atoi(argv[3]));
    char dir[200], path[240], moved[240], line[64];
    snprintf(dir, sizeof dir, "%s/wasm-files", strcmp(base, "/") ? base : "");
    snprintf(path, sizeof path, "%s/note.txt", dir);
    snprintf(moved, sizeof moved, "%s/moved.txt", dir);

    if (mkdir(dir, 0755) && errno != EEXIST)
        return fail("mkdir");
    FILE *f = fopen(path, "w");
    if (!f)
        return fail("fopen for writing");
    fprintf(f, "hello files\n");
    if (fclose(f))
        return fail("fclose");
    f = fopen(path, "r");
    if (!f)
        return fail("fopen for reading");
    if (!fgets(line, sizeof line, f))
        return fail("fgets");
    fclose(f);
    printf("read: %s", line);
    DIR *d = opendir(dir);
    if (!d)
        return fail("opendir");
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            printf("entry: %s\n", e->d_name);
    closedir(d);
    if (rename(path, moved))
        return fail("rename");
    struct stat st;
    if (stat(moved, &st))
        return fail("stat");
    printf("size: %lld\n", (long long)st.st_size);
    if (unlink(moved))
        return fail("unlink");
    if (rmdir(dir))
        return fail("rmdir");
    printf("files ok\n");
    return 0;
}
