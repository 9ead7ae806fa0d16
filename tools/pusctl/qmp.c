/*
 * QMP wire facts this follows: the server speaks first with a greeting
 * object {"QMP": {...}}; the client must send {"execute":"qmp_capabilities"}
 * before any other command; each message is one JSON object followed by a
 * newline (CRLF from QEMU); replies carry "return" or "error"; asynchronous
 * notifications carry "event".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "qmp.h"
#include "util.h"

enum qmp_phase { QMP_OFF, QMP_GREETING, QMP_NEGOTIATING, QMP_READY };

struct qmp {
    char path[108];
    int fd;
    enum qmp_phase phase;
    uint64_t next_try;
    char buf[65536];
    size_t len;
};

struct qmp *qmp_new(const char *socket_path)
{
    struct qmp *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    snprintf(q->path, sizeof(q->path), "%s", socket_path);
    q->fd = -1;
    return q;
}

void qmp_free(struct qmp *q)
{
    if (!q)
        return;
    qmp_disconnect(q);
    free(q);
}

bool qmp_connected(const struct qmp *q) { return q->fd >= 0; }
bool qmp_ready(const struct qmp *q) { return q->fd >= 0 && q->phase == QMP_READY; }

void qmp_disconnect(struct qmp *q)
{
    if (q->fd >= 0)
        close(q->fd);
    q->fd = -1;
    q->phase = QMP_OFF;
    q->len = 0;
}

static int unix_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int qmp_try_connect(struct qmp *q, uint64_t now_ms)
{
    if (q->fd >= 0 || now_ms < q->next_try)
        return -1;
    q->next_try = now_ms + 200;
    int fd = unix_connect(q->path);
    if (fd < 0)
        return -1;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    q->fd = fd;
    q->phase = QMP_GREETING;
    q->len = 0;
    return fd;
}

static int send_line(int fd, const char *text)
{
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = send(fd, text + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            poll(&p, 1, 100);
            continue;
        }
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

int qmp_execute(struct qmp *q, const char *command)
{
    if (!qmp_ready(q))
        return -1;
    char line[256];
    snprintf(line, sizeof(line), "{\"execute\": \"%s\"}\n", command);
    return send_line(q->fd, line);
}

/* Handles one complete message; returns 1 if it was an event. */
static int handle_message(struct qmp *q, const char *text, char *event_name, size_t cap)
{
    cJSON *msg = cJSON_Parse(text);
    if (!msg)
        return 0;
    int is_event = 0;
    cJSON *ev = cJSON_GetObjectItem(msg, "event");
    if (cJSON_GetObjectItem(msg, "QMP") && q->phase == QMP_GREETING) {
        q->phase = QMP_NEGOTIATING;
        send_line(q->fd, "{\"execute\": \"qmp_capabilities\"}\n");
    } else if (cJSON_GetObjectItem(msg, "return") && q->phase == QMP_NEGOTIATING) {
        q->phase = QMP_READY;
    } else if (cJSON_IsString(ev)) {
        snprintf(event_name, cap, "%s", ev->valuestring);
        is_event = 1;
    } else if (cJSON_GetObjectItem(msg, "error")) {
        cJSON *desc = cJSON_GetObjectItem(cJSON_GetObjectItem(msg, "error"), "desc");
        log_msg("qmp %s: error: %s", q->path, cJSON_IsString(desc) ? desc->valuestring : "?");
    }
    cJSON_Delete(msg);
    return is_event;
}

int qmp_on_readable(struct qmp *q, char *event_name, size_t cap)
{
    if (q->fd < 0)
        return -1;
    for (;;) {
        /* Whole lines already buffered come first. */
        char *nl = memchr(q->buf, '\n', q->len);
        if (nl) {
            *nl = 0;
            int r = handle_message(q, q->buf, event_name, cap);
            size_t used = (size_t)(nl + 1 - q->buf);
            memmove(q->buf, nl + 1, q->len - used);
            q->len -= used;
            if (r)
                return 1;
            continue;
        }
        if (q->len == sizeof(q->buf))
            return -1;                       /* a line longer than we accept */
        ssize_t n = recv(q->fd, q->buf + q->len, sizeof(q->buf) - q->len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (n <= 0)
            return -1;
        q->len += (size_t)n;
    }
}

/* Reads one message (blocking up to the deadline) into a cJSON. */
static cJSON *read_message(int fd, char *buf, size_t cap, size_t *len, uint64_t deadline)
{
    for (;;) {
        char *nl = memchr(buf, '\n', *len);
        if (nl) {
            *nl = 0;
            cJSON *m = cJSON_Parse(buf);
            size_t used = (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, *len - used);
            *len -= used;
            if (m)
                return m;
            continue;
        }
        uint64_t now = mono_ms();
        if (now >= deadline || *len == cap)
            return NULL;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, (int)(deadline - now)) <= 0)
            return NULL;
        ssize_t n = recv(fd, buf + *len, cap - *len, 0);
        if (n <= 0)
            return NULL;
        *len += (size_t)n;
    }
}

int qmp_command_sync(const char *socket_path, const char *command, int timeout_ms,
                     char *err, size_t errcap)
{
    uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
    int fd = unix_connect(socket_path);
    if (fd < 0) {
        snprintf(err, errcap, "cannot connect to %s: %s", socket_path, strerror(errno));
        return -1;
    }
    static char buf[65536];
    size_t len = 0;
    int rc = -1;
    const char *steps[2] = { "qmp_capabilities", command };
    cJSON *m = read_message(fd, buf, sizeof(buf), &len, deadline);
    if (!m || !cJSON_GetObjectItem(m, "QMP")) {
        snprintf(err, errcap, "no QMP greeting on %s", socket_path);
        goto out;
    }
    for (int s = 0; s < 2; s++) {
        char line[256];
        snprintf(line, sizeof(line), "{\"execute\": \"%s\"}\n", steps[s]);
        if (send_line(fd, line) != 0) {
            snprintf(err, errcap, "QMP connection lost");
            goto out;
        }
        for (;;) {
            cJSON_Delete(m);
            m = read_message(fd, buf, sizeof(buf), &len, deadline);
            if (!m) {
                /* `quit` may close the socket instead of answering. */
                if (s == 1 && strcmp(command, "quit") == 0)
                    rc = 0;
                else
                    snprintf(err, errcap, "no reply to %s", steps[s]);
                goto out;
            }
            if (cJSON_GetObjectItem(m, "event"))
                continue;
            if (cJSON_GetObjectItem(m, "error")) {
                cJSON *desc = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "error"), "desc");
                snprintf(err, errcap, "%s: %s", steps[s],
                         cJSON_IsString(desc) ? desc->valuestring : "error");
                goto out;
            }
            break;
        }
    }
    rc = 0;
out:
    cJSON_Delete(m);
    close(fd);
    return rc;
}

int qmp_connect_now(struct qmp *q, int timeout_ms)
{
    if (q->fd >= 0)
        return q->fd;
    q->next_try = 0;
    if (qmp_try_connect(q, mono_ms()) < 0)
        return -1;
    /* Greeting and capabilities, waiting at most timeout_ms. */
    uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
    char ev[64];
    while (q->phase != QMP_READY) {
        uint64_t now = mono_ms();
        struct pollfd p = { .fd = q->fd, .events = POLLIN };
        if (now >= deadline || poll(&p, 1, (int)(deadline - now)) <= 0 ||
            qmp_on_readable(q, ev, sizeof(ev)) < 0) {
            qmp_disconnect(q);
            return -1;
        }
    }
    return q->fd;
}
