/*
 * Host test server for tests/proto/test_proto_http.py: runs the lib/http engine
 * over real TCP sockets on 127.0.0.1 so that curl can talk to it. Host-only
 * (POSIX sockets); the kernel glue does the same over the PusOS stack.
 *
 * Prints "port N" on stdout once listening, then serves connections one at
 * a time until killed. Routes:
 *   GET  /hello            "hello\n"
 *   GET  /apps/{name}      "name=<decoded name>"
 *   GET  /count            requests served on this connection so far + 1
 *   POST /echo, PUT /echo  the request body
 *   GET  /stream?n=N       N chunks "line i\n", streamed
 * Request bodies are limited to 1024 bytes (413 above that).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "pus/err.h"

static struct http_conn conn;

static int sock_write(void *ctx, const uint8_t *data, size_t len)
{
    int fd = *(int *)ctx;
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return ERR_CONN_RESET;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int h_hello(struct http_request *req, struct http_response *res, void *arg)
{
    return http_response_text(res, 200, "text/plain", "hello\n");
}

static int h_app(struct http_request *req, struct http_response *res, void *arg)
{
    char text[300];
    snprintf(text, sizeof(text), "name=%s", http_param(req, "name"));
    return http_response_text(res, 200, "text/plain", text);
}

static int h_count(struct http_request *req, struct http_response *res, void *arg)
{
    char text[32];
    snprintf(text, sizeof(text), "%lu\n", conn.requests + 1);
    return http_response_text(res, 200, "text/plain", text);
}

static int h_echo(struct http_request *req, struct http_response *res, void *arg)
{
    return http_response_send(res, 200, "application/octet-stream", req->body, req->body_len);
}

static int h_stream(struct http_request *req, struct http_response *res, void *arg)
{
    char v[16], line[32];
    int n = http_query_get(req->msg->query, "n", v, sizeof(v)) > 0 ? atoi(v) : 3;
    http_response_begin(res, 200, "text/plain");
    for (int i = 0; i < n; i++) {
        int len = snprintf(line, sizeof(line), "line %d\n", i);
        http_response_write(res, line, (size_t)len);
    }
    return http_response_end(res);
}

/* Close politely: stop sending, then drain what the client still sends
 * (e.g. a body we refused) so that our last response is not destroyed by
 * a TCP reset. */
static void linger_close(int fd)
{
    char buf[4096];
    shutdown(fd, SHUT_WR);
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 2000) <= 0)
            break;
        if (recv(fd, buf, sizeof(buf), 0) <= 0)
            break;
    }
    close(fd);
}

int main(void)
{
    struct http_router router;
    struct http_server srv = { .router = &router, .server_name = "pusos-host-test" };
    http_limits_default(&srv.limits);
    srv.limits.max_body = 1024;
    http_router_init(&router);
    http_router_add(&router, "GET", "/hello", h_hello, NULL);
    http_router_add(&router, "GET", "/apps/{name}", h_app, NULL);
    http_router_add(&router, "GET", "/count", h_count, NULL);
    http_router_add(&router, "POST", "/echo", h_echo, NULL);
    http_router_add(&router, "PUT", "/echo", h_echo, NULL);
    http_router_add(&router, "GET", "/stream", h_stream, NULL);

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 8) < 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) < 0) {
        perror("http_server: listen");
        return 1;
    }
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);

    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        http_conn_init(&conn, &srv, sock_write, &fd);
        uint8_t buf[1500];   /* about one TCP segment per feed, as in the kernel */
        int rc = HTTP_CONN_OPEN;
        while (rc == HTTP_CONN_OPEN) {
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) {
                rc = http_conn_eof(&conn);
                break;
            }
            rc = http_conn_feed(&conn, buf, (size_t)n);
        }
        fprintf(stderr, "http_server: connection done after %lu requests (%s)\n",
                conn.requests, rc < 0 ? err_str(rc) : "closed");
        http_conn_free(&conn);
        linger_close(fd);
    }
}
