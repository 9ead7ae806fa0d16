/*
 * Server connection engine: bytes in (http_conn_feed), responses out
 * (write callback). Requests are served strictly in order, each one after
 * its whole body has arrived, so pipelined requests are answered in the
 * order they were sent (RFC 9112 §9.3.2).
 *
 * A bad request is answered with the status the parser chose and the
 * connection is closed: after a framing error we no longer know where the
 * next request would start.
 *
 * The connection is owned by the thread that reads its stream; nothing in
 * here blocks except the write callback.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_internal.h"
#include "pus/err.h"

void http_conn_init(struct http_conn *c, const struct http_server *srv,
                    http_write_fn write, void *ctx)
{
    memset(c, 0, sizeof(*c));
    c->srv = srv;
    c->write = write;
    c->ctx = ctx;
    http_parser_init(&c->parser, HTTP_PARSE_REQUEST, &srv->limits);
}

void http_conn_free(struct http_conn *c)
{
    free(c->body);
    c->body = NULL;
    c->body_len = c->body_cap = 0;
}

static void start_response(struct http_conn *c, struct http_response *res,
                           bool keep_alive)
{
    const struct http_message *m = &c->parser.msg;
    http_response_init(res, c->write, c->ctx, m->version ? m->version : 11,
                       m->method == HTTP_HEAD, keep_alive);
    if (c->srv->server_name)
        http_response_header(res, "Server", c->srv->server_name);
}

/* Answers a request we could not read, then closes. */
static int reject(struct http_conn *c, int status)
{
    struct http_response res;
    /* The head may be half-parsed garbage: answer as HTTP/1.1, no HEAD. */
    http_response_init(&res, c->write, c->ctx, 11, false, false);
    if (c->srv->server_name)
        http_response_header(&res, "Server", c->srv->server_name);
    http_response_error(&res, status);
    c->closing = true;
    if (res.error)
        c->error = res.error;
    return c->error ? c->error : HTTP_CONN_CLOSE;
}

static int append_body(struct http_conn *c, const uint8_t *data, size_t len)
{
    /* +1 keeps room for the NUL that lets handlers treat text as a string */
    if (c->body_len + len + 1 > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : 256;
        while (cap < c->body_len + len + 1)
            cap *= 2;
        uint8_t *b = realloc(c->body, cap);
        if (!b)
            return ERR_NO_MEMORY;
        c->body = b;
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, data, len);
    c->body_len += len;
    return 0;
}

static int serve(struct http_conn *c)
{
    const struct http_message *m = &c->parser.msg;
    struct http_request req;
    struct http_response res;

    memset(&req, 0, sizeof(req));
    req.msg = m;
    if (c->body_len) {
        c->body[c->body_len] = 0;
        req.body = c->body;
        req.body_len = c->body_len;
    }
    start_response(c, &res, m->keep_alive);
    int rc = c->srv->router ? http_router_dispatch(c->srv->router, &req, &res)
                            : http_response_error(&res, 404);
    if (!res.started)
        http_response_error(&res, rc < 0 ? 500 : 204);
    else if (!res.finished)
        http_response_end(&res);
    c->requests++;
    c->body_len = 0;
    /* Do not let one big upload pin memory for the life of the connection. */
    if (c->body_cap > 64 * 1024) {
        free(c->body);
        c->body = NULL;
        c->body_cap = 0;
    }
    if (res.error) {
        c->error = res.error;
        return res.error;
    }
    if (!res.keep_alive)
        c->closing = true;
    return c->closing ? HTTP_CONN_CLOSE : HTTP_CONN_OPEN;
}

int http_conn_feed(struct http_conn *c, const uint8_t *data, size_t len)
{
    if (c->error)
        return c->error;
    /* After Connection: close, anything more the client sent is dropped. */
    if (c->closing)
        return HTTP_CONN_CLOSE;
    for (;;) {
        struct http_event ev;
        long n = http_parser_run(&c->parser, data, len, &ev);
        if (n < 0)
            return reject(c, c->parser.status);
        data += n;
        len -= (size_t)n;
        switch (ev.kind) {
        case HTTP_EV_NEED_MORE:
            return HTTP_CONN_OPEN;
        case HTTP_EV_HEAD:
            c->body_len = 0;
            /* The client waits for a go-ahead before sending the body;
             * a body over the limit was refused by the parser already. */
            if (c->parser.msg.expect_continue && c->parser.msg.has_body &&
                c->parser.msg.version >= 11) {
                static const char go[] = "HTTP/1.1 100 Continue\r\n\r\n";
                int rc = c->write(c->ctx, (const uint8_t *)go, sizeof(go) - 1);
                if (rc < 0)
                    return c->error = rc;
            }
            break;
        case HTTP_EV_BODY:
            if (append_body(c, ev.data, ev.len) < 0)
                return reject(c, 503);
            break;
        case HTTP_EV_DONE: {
            int rc = serve(c);
            if (rc != HTTP_CONN_OPEN)
                return rc;
            break;
        }
        }
    }
}

int http_conn_eof(struct http_conn *c)
{
    c->closing = true;
    return HTTP_CONN_CLOSE;
}
