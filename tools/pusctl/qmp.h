/*
 * A small non-blocking QMP client (QEMU Machine Protocol): connect to the
 * VM's QMP socket, read the greeting, negotiate with qmp_capabilities, then
 * send commands and collect asynchronous events. Replies to commands are
 * only checked for errors (logged); the daemon needs no return values.
 */
#ifndef PUSCTL_QMP_H
#define PUSCTL_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qmp;

struct qmp *qmp_new(const char *socket_path);
void qmp_free(struct qmp *q);

/* Tries to connect (at most every 200 ms); returns the fd to watch or -1. */
int  qmp_try_connect(struct qmp *q, uint64_t now_ms);
bool qmp_connected(const struct qmp *q);
/* Connects and negotiates right away, waiting up to timeout_ms (for a VM
 * that is known to be up, e.g. one adopted after a daemon restart). */
int  qmp_connect_now(struct qmp *q, int timeout_ms);
bool qmp_ready(const struct qmp *q);           /* capabilities negotiated */
void qmp_disconnect(struct qmp *q);

/* Call when the fd is readable. Returns 1 and fills event_name when a QMP
 * event arrived (call again for more), 0 when nothing more is buffered,
 * -1 when the connection is gone. */
int  qmp_on_readable(struct qmp *q, char *event_name, size_t cap);

/* Sends {"execute": command}. 0 or -1. */
int  qmp_execute(struct qmp *q, const char *command);

/* Blocking one-shot use (CLI, tests): connect, negotiate, run command,
 * wait for its reply. Returns 0 or -1 with a message in err. */
int  qmp_command_sync(const char *socket_path, const char *command, int timeout_ms,
                      char *err, size_t errcap);

#endif
