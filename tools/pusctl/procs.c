#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"
#include "util.h"

pid_t spawn_logged(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int in = open("/dev/null", O_RDONLY);
    int out = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0)
        _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    syscall(SYS_close_range, 3, ~0U, 0);
    execvp(argv[0], argv);
    dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static bool gone(pid_t pid)
{
    /* Reap it if it is our child; otherwise ask the kernel. */
    if (waitpid(pid, NULL, WNOHANG) == pid)
        return true;
    if (kill(pid, 0) != 0)
        return true;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    char *stat = read_text(path, 1024);
    bool zombie = false;
    if (stat) {
        char *paren = strrchr(stat, ')');
        zombie = paren && paren[1] == ' ' && paren[2] == 'Z';
        free(stat);
    }
    return zombie;
}

bool stop_process(pid_t pid, int ms)
{
    if (pid <= 1)
        return true;
    kill(pid, SIGTERM);
    uint64_t deadline = mono_ms() + (uint64_t)ms;
    while (mono_ms() < deadline) {
        if (gone(pid))
            return true;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    for (int i = 0; i < 200; i++) {
        if (gone(pid))
            return true;
        usleep(10000);
    }
    return false;
}

int find_processes(const char *needle, pid_t *out, int cap)
{
    DIR *dir = opendir("/proc");
    if (!dir)
        return 0;
    int n = 0;
    struct dirent *e;
    pid_t self = getpid();
    while ((e = readdir(dir)) && n < cap) {
        long pid;
        if (!parse_long(e->d_name, 2, 1L << 30, &pid) || pid == self)
            continue;
        if (pid_matches((pid_t)pid, needle))
            out[n++] = (pid_t)pid;
    }
    closedir(dir);
    return n;
}

int run_wait(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (log) {
            int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (out >= 0) {
                dup2(out, 1);
                dup2(out, 2);
            }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool waitpid_nohang(pid_t pid)
{
    return waitpid(pid, NULL, WNOHANG) == pid;
}
