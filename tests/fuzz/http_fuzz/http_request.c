/*
 * Fuzz target http_request: the request parser, split anywhere, must agree
 * with itself unsplit; then the whole server engine (router, handlers,
 * response writer) runs over the same bytes.
 */
#include <stdlib.h>

#include "http_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const uint8_t *d, size_t len)
{
    return 0;
}

static int h_echo(struct http_request *req, struct http_response *res, void *arg)
{
    if (req->param_count && !http_param(req, req->param_names[0]))
        __builtin_trap();
    char q[64];
    http_query_get(req->msg->query, "q", q, sizeof(q));
    if (req->msg->method == HTTP_PUT)
        return http_response_send(res, 200, "text/plain", req->body, req->body_len);
    http_response_begin(res, 200, NULL);
    http_response_write(res, req->body, req->body_len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_parser p1, p2;
    static struct http_conn conn;
    static struct http_router router;
    static struct http_server srv;
    struct http_limits lim = { .max_line = 200, .max_head = 1024, .max_headers = 8,
                               .max_body = 4096 };
    struct summary a, b;

    if (size < 1)
        return 0;
    size_t cut = data[0] % size;
    data++, size--;
    if (cut > size)
        cut = size;

    http_parser_init(&p1, HTTP_PARSE_REQUEST, &lim);
    http_parser_init(&p2, HTTP_PARSE_REQUEST, &lim);
    run_split(&p1, data, size, size, &a);
    run_split(&p2, data, size, cut, &b);
    compare(&a, &b);

    if (router.count == 0) {
        http_router_init(&router);
        http_router_add(&router, "GET", "/a/{name}", h_echo, NULL);
        http_router_add(&router, "PUT", "/a/{name}", h_echo, NULL);
        http_router_add(&router, "POST", "/f/{rest*}", h_echo, NULL);
        srv.router = &router;
        srv.limits = lim;
    }
    http_conn_init(&conn, &srv, sink, NULL);
    http_conn_feed(&conn, data, cut);
    http_conn_feed(&conn, data + cut, size - cut);
    http_conn_eof(&conn);
    http_conn_free(&conn);
    return 0;
}
