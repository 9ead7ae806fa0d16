/* Starting and stopping the helper processes of a cluster. */
#ifndef PUSCTL_PROCS_H
#define PUSCTL_PROCS_H

#include <stdbool.h>
#include <sys/types.h>

/* Starts argv in its own session, stdin from /dev/null, stdout and stderr
 * appended to log. Returns the pid or -1. */
pid_t spawn_logged(char *const argv[], const char *log);

/* SIGTERM, wait up to ms, then SIGKILL. True if it is gone. */
bool stop_process(pid_t pid, int ms);

/* Pids of live processes whose command line contains needle (not ours). */
int find_processes(const char *needle, pid_t *out, int cap);

/* Runs argv, waits; returns its exit status (or -1). Output to log or inherit. */
int run_wait(char *const argv[], const char *log);

/* True if our child pid has exited (and reaps it). */
bool waitpid_nohang(pid_t pid);

#endif
