/*
 * files DIR: exercises WASI files on the node's filesystem below DIR (the
 * app's preopened directory): mkdir, write, read back, list, rename, stat,
 * remove. Prints "files ok" at the end, or names the first call that
 * failed with its error and exits 1 (so a kernel without a filesystem
 * gives a clean error rather than a crash).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
    printf("files: %s failed: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "/";
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
