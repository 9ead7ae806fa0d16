/*
 * Client side: request heads and chunk framing. Responses are read with the
 * same incremental parser in HTTP_PARSE_RESPONSE mode (parser.c).
 */
#include <stdio.h>
#include <string.h>

#include "http/http_internal.h"
#include "pus/err.h"

static bool clean(const char *s, bool allow_space)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == 0x7f || (c < 0x20 && !(allow_space && c == '\t')) ||
            (c == ' ' && !allow_space))
            return false;
    }
    return true;
}

static int add(char *buf, size_t cap, size_t *n, const char *fmt, const char *a,
               const char *b)
{
    int w = snprintf(buf + *n, cap - *n, fmt, a, b);
    if (w < 0 || (size_t)w >= cap - *n)
        return ERR_TOO_BIG;
    *n += (size_t)w;
    return 0;
}

int http_client_format(char *buf, size_t cap, const struct http_client_request *req)
{
    size_t n = 0;
    char len[24];
    int rc;

    if (cap == 0)
        return ERR_TOO_BIG;
    buf[0] = 0;
    if (!req->method || !req->method[0] || !clean(req->method, false) ||
        !req->target || !req->target[0] || !clean(req->target, false) ||
        !req->host || !clean(req->host, false))
        return ERR_INVALID_ARGS;
    rc = add(buf, cap, &n, "%s %s HTTP/1.1\r\n", req->method, req->target);
    if (rc == 0)
        rc = add(buf, cap, &n, "Host: %s%s\r\n", req->host, "");
    for (int i = 0; rc == 0 && i < req->header_count; i++) {
        const struct http_header *h = &req->headers[i];
        if (!h->name[0] || !clean(h->name, false) || strchr(h->name, ':') ||
            !clean(h->value, true))
            return ERR_INVALID_ARGS;
        rc = add(buf, cap, &n, "%s: %s\r\n", h->name, h->value);
    }
    if (rc == 0 && req->body_len < 0)
        rc = add(buf, cap, &n, "Transfer-Encoding: chunked\r\n%s%s", "", "");
    else if (rc == 0 && (req->body_len > 0 || strcmp(req->method, "POST") == 0 ||
                         strcmp(req->method, "PUT") == 0)) {
        snprintf(len, sizeof(len), "%lld", (long long)req->body_len);
        rc = add(buf, cap, &n, "Content-Length: %s\r\n%s", len, "");
    }
    if (rc == 0 && req->close)
        rc = add(buf, cap, &n, "Connection: close\r\n%s%s", "", "");
    if (rc == 0)
        rc = add(buf, cap, &n, "\r\n%s%s", "", "");
    if (rc < 0) {
        buf[0] = 0;
        return rc;
    }
    return (int)n;
}

int http_chunk_header(char *buf, size_t cap, size_t len)
{
    int n = len ? snprintf(buf, cap, "%zx\r\n", len) : snprintf(buf, cap, "0\r\n\r\n");
    if (n < 0 || (size_t)n >= cap)
        return ERR_TOO_BIG;
    return n;
}
