#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runfiles.h"
#include "util.h"

int run_dir_prepare(char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
    char abs[PATH_MAX];
    if (!realpath(tmp, abs))
        return -1;
    if (strlen(abs) >= 1024)
        return -1;
    memcpy(dir, abs, strlen(abs) + 1);
    return 0;
}

int run_lock(const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s.lock", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    return fd;   /* kept open (and locked) until the process exits */
}

bool run_is_locked(const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s.lock", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool locked = flock(fd, LOCK_SH | LOCK_NB) != 0;
    close(fd);
    return locked;
}

void pid_file_write(const char *dir, const char *name, pid_t pid)
{
    char path[PATH_MAX], text[32];
    snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
    snprintf(text, sizeof(text), "%d\n", (int)pid);
    write_text(path, text, 0644);
}

pid_t pid_file_read(const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
    char *text = read_text(path, 64);
    pid_t pid = text ? (pid_t)atoi(text) : 0;
    free(text);
    return pid;
}

void pid_file_remove(const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
    unlink(path);
}

int key_read(const char *path, uint8_t *key, size_t cap)
{
    char *text = read_text(path, 1024);
    if (!text)
        return -1;
    int n = hex_decode(text, key, cap);
    free(text);
    return n;
}

int key_create(const char *path, size_t len)
{
    uint8_t key[64];
    char hex[129];
    if (len > sizeof(key))
        return -1;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, key, len) != (ssize_t)len) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    hex_encode(key, len, hex);
    strcat(hex, "\n");
    return write_text(path, hex, 0600);
}

bool node_path(const char *dir, uint32_t id, const char *suffix, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/node%u.%s", dir, id, suffix);
    return n > 0 && (size_t)n < cap;
}
