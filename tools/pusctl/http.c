/*
 * HTTP/1.0 with "Connection: close": the response ends when the server
 * closes, so no chunked decoding is needed. Only for loopback requests to
 * our own daemon; not a general client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "util.h"

static int wait_fd(int fd, short events, uint64_t deadline)
{
    uint64_t now = mono_ms();
    if (now >= deadline)
        return -1;
    struct pollfd p = { .fd = fd, .events = events };
    return poll(&p, 1, (int)(deadline - now)) == 1 ? 0 : -1;
}

int http_request(const char *host, int port, const char *method, const char *path,
                 int timeout_ms, char **body)
{
    *body = NULL;
    uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, deadline) != 0) {
            close(fd);
            return -1;
        }
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            close(fd);
            errno = err;
            return -1;
        }
    }
    char req[1024];
    int n = snprintf(req, sizeof(req),
                     "%s %s HTTP/1.0\r\nHost: %s:%d\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n", method, path, host, port);
    for (int done = 0; done < n;) {
        if (wait_fd(fd, POLLOUT, deadline) != 0) {
            close(fd);
            return -1;
        }
        ssize_t w = send(fd, req + done, (size_t)(n - done), MSG_NOSIGNAL);
        if (w <= 0 && errno != EAGAIN) {
            close(fd);
            return -1;
        }
        if (w > 0)
            done += (int)w;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (wait_fd(fd, POLLIN, deadline) != 0) {
            free(buf);
            close(fd);
            errno = ETIMEDOUT;
            return -1;
        }
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        ssize_t r = recv(fd, buf + len, cap - len, 0);
        if (r < 0 && errno == EAGAIN)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = 0;
    int status = -1;
    if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
        free(buf);
        return -1;
    }
    char *start = strstr(buf, "\r\n\r\n");
    start = start ? start + 4 : buf + len;
    *body = strdup(start);
    free(buf);
    return status;
}
