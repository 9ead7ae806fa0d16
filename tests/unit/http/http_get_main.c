/*
 * Host HTTP client for tests/proto/test_proto_http.py: lib/http's request
 * builder and response parser over a real TCP socket, against a real
 * server. Host-only.
 *
 *   http_get PORT METHOD TARGET [-n COUNT] [-d BODY] [-c]
 *
 * Sends COUNT requests (default 1) one after another on one connection
 * (with -c the last one says Connection: close) and prints, per response,
 * "status N", "header name: value" lines, "body <length> <text>" (text with
 * newlines as \n), then "done". Exits 1 on a parse error or early close.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "pus/err.h"

static int send_all(int fd, const void *d, size_t n)
{
    const char *p = d;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void print_body(const char *b, size_t n)
{
    printf("body %zu ", n);
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\n')
            printf("\\n");
        else
            putchar(b[i]);
    }
    putchar('\n');
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: http_get PORT METHOD TARGET [-n COUNT] [-d BODY] [-c]\n");
        return 2;
    }
    int port = atoi(argv[1]), count = 1;
    const char *method = argv[2], *target = argv[3], *body = NULL;
    bool close_last = false;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-d") && i + 1 < argc)
            body = argv[++i];
        else if (!strcmp(argv[i], "-c"))
            close_last = true;
    }

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("http_get: connect");
        return 1;
    }

    static struct http_parser p;
    http_parser_init(&p, HTTP_PARSE_RESPONSE, NULL);
    static char text[1 << 20];
    size_t text_len = 0;
    uint8_t buf[4096];
    size_t have = 0, off = 0;
    bool eof = false;

    for (int r = 0; r < count; r++) {
        char head[512];
        char host[32];
        snprintf(host, sizeof(host), "127.0.0.1:%d", port);
        struct http_header extra[] = { { "User-Agent", "pusos-http-test" } };
        struct http_client_request req = {
            .method = method, .host = host, .target = target, .headers = extra,
            .header_count = 1, .body_len = body ? (int64_t)strlen(body) : 0,
            .close = close_last && r == count - 1,
        };
        int n = http_client_format(head, sizeof(head), &req);
        if (n < 0 || send_all(fd, head, (size_t)n) < 0 ||
            (body && send_all(fd, body, strlen(body)) < 0))
            return 1;
        http_parser_expect_head(&p, strcmp(method, "HEAD") == 0);

        bool done = false;
        while (!done) {
            /* Run the parser first, even on no input: DONE may be pending
             * after the last body byte. Read only when it needs more. */
            struct http_event ev;
            long used = http_parser_run(&p, buf + off, have - off, &ev);
            if (used < 0) {
                printf("error %s (status %d)\n", err_str((int)used), p.status);
                return 1;
            }
            off += (size_t)used;
            if (ev.kind == HTTP_EV_NEED_MORE) {
                if (!eof) {
                    ssize_t got = recv(fd, buf, sizeof(buf), 0);
                    if (got <= 0)
                        eof = true;
                    else
                        have = (size_t)got, off = 0;
                    continue;
                }
                int rc = http_parser_finish(&p, &ev);
                if (rc <= 0) {
                    printf("error %s\n", rc < 0 ? err_str(rc) : "closed between messages");
                    return 1;
                }
            }
            switch (ev.kind) {
            case HTTP_EV_HEAD:
                printf("status %d\n", p.msg.status);
                for (int i = 0; i < p.msg.header_count; i++)
                    printf("header %s: %s\n", p.msg.headers[i].name, p.msg.headers[i].value);
                text_len = 0;
                break;
            case HTTP_EV_BODY:
                if (text_len + ev.len <= sizeof(text)) {
                    memcpy(text + text_len, ev.data, ev.len);
                    text_len += ev.len;
                }
                break;
            case HTTP_EV_DONE:
                if (p.msg.status >= 200) {   /* interim 1xx: keep reading */
                    print_body(text, text_len);
                    done = true;
                }
                break;
            default:
                break;
            }
        }
    }
    printf("done\n");
    close(fd);
    return 0;
}
