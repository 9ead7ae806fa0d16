/*
 * lib/http server engine tests: a router with a few handlers behind
 * http_conn_feed(), answers read back with the library's own response
 * parser (and checked as raw text where the exact bytes matter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"
#include "pus/err.h"

/* ---- output capture ---- */

static char out[65536];
static size_t out_len;
static int write_fail_after = -1;   /* fail the Nth write when >= 0 */

static int capture(void *ctx, const uint8_t *data, size_t len)
{
    if (write_fail_after >= 0 && write_fail_after-- == 0)
        return ERR_CONN_RESET;
    assert_true(out_len + len < sizeof(out));
    memcpy(out + out_len, data, len);
    out_len += len;
    out[out_len] = 0;
    return 0;
}

/* ---- handlers ---- */

static int h_hello(struct http_request *req, struct http_response *res, void *arg)
{
    return http_response_text(res, 200, "text/plain", "hello\n");
}

static int h_param(struct http_request *req, struct http_response *res, void *arg)
{
    char text[256];
    snprintf(text, sizeof(text), "%s=%s", (const char *)arg,
             http_param(req, (const char *)arg));
    return http_response_text(res, 200, "text/plain", text);
}

static int h_echo(struct http_request *req, struct http_response *res, void *arg)
{
    http_response_header(res, "X-Method", req->msg->method_name);
    return http_response_send(res, 200, "application/octet-stream", req->body, req->body_len);
}

static int h_stream(struct http_request *req, struct http_response *res, void *arg)
{
    http_response_begin(res, 200, "text/plain");
    http_response_write(res, "a", 1);
    http_response_write(res, "bb", 2);
    http_response_write(res, "", 0);
    http_response_write(res, "ccc", 3);
    return 0;   /* the engine ends the stream */
}

static int h_fail(struct http_request *req, struct http_response *res, void *arg)
{
    return ERR_IO;
}

static int h_silent(struct http_request *req, struct http_response *res, void *arg)
{
    return 0;
}

static int h_half(struct http_request *req, struct http_response *res, void *arg)
{
    http_response_begin_sized(res, 200, NULL, 10);
    return http_response_write(res, "abc", 3);
}

static int h_query(struct http_request *req, struct http_response *res, void *arg)
{
    char v[64];
    int n = http_query_get(req->msg->query, "q", v, sizeof(v));
    if (n < 0)
        return http_response_error(res, 400);
    return http_response_send(res, 200, NULL, v, (size_t)n);
}

static struct http_router router;
static struct http_server server;
static struct http_conn *conn;

static int setup(void **state)
{
    http_router_init(&router);
    assert_int_equal(http_router_add(&router, "GET", "/hello", h_hello, NULL), 0);
    assert_int_equal(http_router_add(&router, "GET", "/apps/{name}", h_param, "name"), 0);
    assert_int_equal(http_router_add(&router, "DELETE", "/apps/{name}", h_silent, NULL), 0);
    assert_int_equal(http_router_add(&router, "GET", "/fs/{path*}", h_param, "path"), 0);
    assert_int_equal(http_router_add(&router, "POST", "/echo", h_echo, NULL), 0);
    assert_int_equal(http_router_add(&router, "PUT", "/echo", h_echo, NULL), 0);
    assert_int_equal(http_router_add(&router, "GET", "/stream", h_stream, NULL), 0);
    assert_int_equal(http_router_add(&router, "GET", "/fail", h_fail, NULL), 0);
    assert_int_equal(http_router_add(&router, "GET", "/half", h_half, NULL), 0);
    assert_int_equal(http_router_add(&router, "GET", "/query", h_query, NULL), 0);
    assert_int_equal(http_router_add(&router, "GET", "/", h_hello, NULL), 0);
    server.router = &router;
    http_limits_default(&server.limits);
    server.limits.max_body = 64;
    server.server_name = "pusos-test";
    conn = malloc(sizeof(*conn));
    http_conn_init(conn, &server, capture, NULL);
    out_len = 0;
    out[0] = 0;
    write_fail_after = -1;
    return 0;
}

static int teardown(void **state)
{
    http_conn_free(conn);
    free(conn);
    return 0;
}

/* ---- reading the answers back ---- */

struct answer {
    int status;
    char headers[512];    /* "name=value;" list */
    char body[512];
};

static int parse_answers(struct answer *a, int max, bool closed)
{
    struct http_parser *p = malloc(sizeof(*p));
    const uint8_t *d = (const uint8_t *)out;
    size_t len = out_len;
    int count = 0;

    http_parser_init(p, HTTP_PARSE_RESPONSE, NULL);
    memset(a, 0, sizeof(*a) * max);
    for (;;) {
        struct http_event ev;
        long n = http_parser_run(p, d, len, &ev);
        assert_true(n >= 0);
        d += n;
        len -= (size_t)n;
        if (ev.kind == HTTP_EV_NEED_MORE) {
            if (closed && http_parser_finish(p, &ev) == 1)
                count++;
            break;
        }
        assert_true(count < max);
        if (ev.kind == HTTP_EV_HEAD) {
            a[count].status = p->msg.status;
            for (int i = 0; i < p->msg.header_count; i++) {
                size_t o = strlen(a[count].headers);
                snprintf(a[count].headers + o, sizeof(a[count].headers) - o, "%s=%s;",
                         p->msg.headers[i].name, p->msg.headers[i].value);
            }
        } else if (ev.kind == HTTP_EV_BODY) {
            strncat(a[count].body, (const char *)ev.data, ev.len);
        } else {
            count++;
        }
    }
    free(p);
    return count;
}

static int feed(const char *s)
{
    return http_conn_feed(conn, (const uint8_t *)s, strlen(s));
}

/* ---- tests ---- */

static void get_and_params(void **state)
{
    struct answer a[4];
    assert_int_equal(feed("GET /hello HTTP/1.1\r\nHost: n\r\n\r\n"
                          "GET /apps/my%20app HTTP/1.1\r\nHost: n\r\n\r\n"
                          "GET /fs/a/b%2Fc/d.txt HTTP/1.1\r\nHost: n\r\n\r\n"
                          "GET /fs/ HTTP/1.1\r\nHost: n\r\n\r\n"), HTTP_CONN_OPEN);
    assert_int_equal(parse_answers(a, 4, false), 4);
    assert_int_equal(a[0].status, 200);
    assert_string_equal(a[0].body, "hello\n");
    assert_string_equal(a[0].headers,
                        "Server=pusos-test;Content-Type=text/plain;Content-Length=6;");
    assert_string_equal(a[1].body, "name=my app");
    assert_string_equal(a[2].body, "path=a/b/c/d.txt");
    assert_string_equal(a[3].body, "path=");
    assert_int_equal(conn->requests, 4);
}

static void not_found_and_not_allowed(void **state)
{
    struct answer a[6];
    assert_int_equal(feed("GET /nope HTTP/1.1\r\nHost: n\r\n\r\n"
                          "POST /hello HTTP/1.1\r\nHost: n\r\nContent-Length: 0\r\n\r\n"
                          "PUT /apps/x HTTP/1.1\r\nHost: n\r\nContent-Length: 0\r\n\r\n"
                          "BREW /hello HTTP/1.1\r\nHost: n\r\n\r\n"
                          "GET /apps/ HTTP/1.1\r\nHost: n\r\n\r\n"
                          "GET /hello/ HTTP/1.1\r\nHost: n\r\n\r\n"), HTTP_CONN_OPEN);
    assert_int_equal(parse_answers(a, 6, false), 6);
    assert_int_equal(a[0].status, 404);
    assert_string_equal(a[0].body, "404 Not Found\n");
    assert_int_equal(a[1].status, 405);
    assert_non_null(strstr(a[1].headers, "Allow=GET, HEAD;"));
    assert_int_equal(a[2].status, 405);
    assert_non_null(strstr(a[2].headers, "Allow=GET, HEAD, DELETE;"));
    assert_int_equal(a[3].status, 501);
    assert_int_equal(a[4].status, 404);   /* {name} needs a non-empty segment */
    assert_int_equal(a[5].status, 404);
}

static void head_requests(void **state)
{
    assert_int_equal(feed("HEAD /hello HTTP/1.1\r\nHost: n\r\n\r\n"
                          "HEAD /stream HTTP/1.1\r\nHost: n\r\n\r\n"
                          "GET /hello HTTP/1.1\r\nHost: n\r\n\r\n"), HTTP_CONN_OPEN);
    /* HEAD: the GET head with its Content-Length, and no body bytes */
    const char *expect =
        "HTTP/1.1 200 OK\r\nServer: pusos-test\r\nContent-Type: text/plain\r\n"
        "Content-Length: 6\r\n\r\n"
        "HTTP/1.1 200 OK\r\nServer: pusos-test\r\nContent-Type: text/plain\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "HTTP/1.1 200 OK\r\nServer: pusos-test\r\nContent-Type: text/plain\r\n"
        "Content-Length: 6\r\n\r\nhello\n";
    assert_string_equal(out, expect);
}

static void bodies_and_pipelining(void **state)
{
    struct answer a[3];
    assert_int_equal(feed("POST /echo HTTP/1.1\r\nHost: n\r\nContent-Length: 5\r\n\r\nab"), HTTP_CONN_OPEN);
    assert_int_equal(out_len, 0);            /* nothing until the body is in */
    assert_int_equal(feed("cdePUT /echo HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3\r\nxyz\r\n2\r\n12\r\n0\r\n\r\nPOST /echo HTTP/1.1\r\nHost: n\r\n"
                          "Content-Length: 0\r\n\r\n"), HTTP_CONN_OPEN);
    assert_int_equal(parse_answers(a, 3, false), 3);
    assert_string_equal(a[0].body, "abcde");
    assert_non_null(strstr(a[0].headers, "X-Method=POST;"));
    assert_string_equal(a[1].body, "xyz12");
    assert_non_null(strstr(a[1].headers, "X-Method=PUT;"));
    assert_string_equal(a[2].body, "");
}

static void byte_by_byte(void **state)
{
    const char *in = "POST /echo HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nxyz\r\n0\r\n\r\nGET /apps/q HTTP/1.1\r\nHost: n\r\n\r\n";
    for (size_t i = 0; in[i]; i++)
        assert_int_equal(http_conn_feed(conn, (const uint8_t *)in + i, 1), HTTP_CONN_OPEN);
    struct answer a[2];
    assert_int_equal(parse_answers(a, 2, false), 2);
    assert_string_equal(a[0].body, "xyz");
    assert_string_equal(a[1].body, "name=q");
}

static void streamed_chunked(void **state)
{
    assert_int_equal(feed("GET /stream HTTP/1.1\r\nHost: n\r\n\r\n"), HTTP_CONN_OPEN);
    assert_non_null(strstr(out, "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n2\r\nbb\r\n3\r\nccc\r\n0\r\n\r\n"));
    struct answer a[1];
    assert_int_equal(parse_answers(a, 1, false), 1);
    assert_string_equal(a[0].body, "abbccc");
}

static void http10(void **state)
{
    /* 1.0 keep-alive is honoured and echoed; a 1.0 stream ends at close */
    assert_int_equal(feed("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), HTTP_CONN_OPEN);
    assert_non_null(strstr(out, "Connection: keep-alive\r\n"));
    out_len = 0;
    assert_int_equal(feed("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), HTTP_CONN_CLOSE);
    assert_null(strstr(out, "chunked"));
    assert_non_null(strstr(out, "Connection: close\r\n\r\nabbccc"));
    struct answer a[1];
    assert_int_equal(parse_answers(a, 1, true), 1);
    assert_string_equal(a[0].body, "abbccc");
    /* after close, further input is ignored */
    out_len = 0;
    assert_int_equal(feed("GET /hello HTTP/1.1\r\nHost: n\r\n\r\n"), HTTP_CONN_CLOSE);
    assert_int_equal(out_len, 0);
}

static void http10_default_close(void **state)
{
    assert_int_equal(feed("GET /hello HTTP/1.0\r\n\r\nGET /hello HTTP/1.0\r\n\r\n"), HTTP_CONN_CLOSE);
    struct answer a[2];
    assert_int_equal(parse_answers(a, 2, true), 1);   /* only the first is served */
    assert_non_null(strstr(a[0].headers, "Connection=close;"));
}

static void connection_close(void **state)
{
    assert_int_equal(feed("GET /hello HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n"), HTTP_CONN_CLOSE);
    assert_non_null(strstr(out, "Connection: close\r\n"));
}

static void too_large(void **state)
{
    /* Refused from the head alone: the client never has to send the body. */
    assert_int_equal(feed("PUT /echo HTTP/1.1\r\nHost: n\r\nContent-Length: 65\r\n"
                          "Expect: 100-continue\r\n\r\n"), HTTP_CONN_CLOSE);
    assert_null(strstr(out, "100 Continue"));
    struct answer a[1];
    assert_int_equal(parse_answers(a, 1, false), 1);
    assert_int_equal(a[0].status, 413);
    assert_non_null(strstr(a[0].headers, "Connection=close;"));
}

static void expect_continue(void **state)
{
    assert_int_equal(feed("PUT /echo HTTP/1.1\r\nHost: n\r\nContent-Length: 2\r\n"
                          "Expect: 100-continue\r\n\r\n"), HTTP_CONN_OPEN);
    assert_string_equal(out, "HTTP/1.1 100 Continue\r\n\r\n");
    assert_int_equal(feed("ok"), HTTP_CONN_OPEN);
    struct answer a[2];
    assert_int_equal(parse_answers(a, 2, false), 2);
    assert_int_equal(a[0].status, 100);
    assert_string_equal(a[1].body, "ok");
}

static void bad_requests(void **state)
{
    static const struct { const char *in; int status; } cases[] = {
        { "GET / HTTP/1.1\r\n\r\n", 400 },
        { "GET / HTTP/3.0\r\nHost: n\r\n\r\n", 505 },
        { "POST /echo HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: br\r\n\r\n", 501 },
        { "GET /apps/%zz HTTP/1.1\r\nHost: n\r\n\r\n", 400 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        teardown(state);
        setup(state);
        int rc = feed(cases[i].in);
        struct answer a[1];
        assert_int_equal(parse_answers(a, 1, true), 1);
        assert_int_equal(a[0].status, cases[i].status);
        if (cases[i].status != 400 || i == 0)
            assert_int_equal(rc, HTTP_CONN_CLOSE);
    }
}

static void handler_outcomes(void **state)
{
    struct answer a[3];
    assert_int_equal(feed("GET /fail HTTP/1.1\r\nHost: n\r\n\r\n"
                          "DELETE /apps/x HTTP/1.1\r\nHost: n\r\n\r\n"
                          "GET /query?q=a+b%21 HTTP/1.1\r\nHost: n\r\n\r\n"), HTTP_CONN_OPEN);
    assert_int_equal(parse_answers(a, 3, false), 3);
    assert_int_equal(a[0].status, 500);
    assert_int_equal(a[1].status, 204);
    assert_null(strstr(a[1].headers, "Content-Length"));
    assert_string_equal(a[2].body, "a b!");
    /* a handler that breaks its promised length forces a close */
    out_len = 0;
    assert_int_equal(feed("GET /half HTTP/1.1\r\nHost: n\r\n\r\n"), HTTP_CONN_CLOSE);
    assert_non_null(strstr(out, "Content-Length: 10\r\n"));
}

static void write_errors(void **state)
{
    write_fail_after = 0;
    assert_int_equal(feed("GET /hello HTTP/1.1\r\nHost: n\r\n\r\n"), ERR_CONN_RESET);
    assert_int_equal(feed("GET /hello HTTP/1.1\r\nHost: n\r\n\r\n"), ERR_CONN_RESET);
}

static void response_api(void **state)
{
    struct http_response r;
    memset(&r, 0, sizeof(r));
    r.write = capture;
    r.version = 11;
    r.keep_alive = true;
    r.declared = -1;
    assert_int_equal(http_response_header(&r, "X-Bad", "a\r\nb: c"), ERR_INVALID_ARGS);
    assert_int_equal(http_response_header(&r, "Bad Name", "x"), ERR_INVALID_ARGS);
    assert_int_equal(http_response_header(&r, "Content-Length", "1"), ERR_INVALID_ARGS);
    assert_int_equal(http_response_write(&r, "x", 1), ERR_BAD_STATE);
    char big[2000];
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    assert_int_equal(http_response_header(&r, "X-Big", big), ERR_TOO_BIG);
    assert_int_equal(http_response_header(&r, "X-Ok", "1"), 0);
    assert_int_equal(http_response_begin_sized(&r, 200, NULL, 4), 0);
    assert_int_equal(http_response_header(&r, "X-Late", "1"), ERR_BAD_STATE);
    assert_int_equal(http_response_write(&r, "12345", 5), ERR_TOO_BIG);
    assert_int_equal(http_response_write(&r, "1234", 4), 0);
    assert_int_equal(http_response_end(&r), 0);
    assert_string_equal(out, "HTTP/1.1 200 OK\r\nX-Ok: 1\r\nContent-Length: 4\r\n\r\n1234");
}

static void router_patterns(void **state)
{
    struct http_router r;
    http_router_init(&r);
    assert_int_equal(http_router_add(&r, "GET", "nope", h_hello, NULL), ERR_INVALID_ARGS);
    assert_int_equal(http_router_add(&r, "GET", "/{rest*}/x", h_hello, NULL), ERR_INVALID_ARGS);
    assert_int_equal(http_router_add(&r, "GET", "/a{b}", h_hello, NULL), ERR_INVALID_ARGS);
    assert_int_equal(http_router_add(&r, "GET", "/{*}", h_hello, NULL), ERR_INVALID_ARGS);
    assert_int_equal(http_router_add(&r, "GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h_hello, NULL),
                     ERR_INVALID_ARGS);
    for (int i = 0; i < HTTP_ROUTES_MAX; i++)
        assert_int_equal(http_router_add(&r, "GET", "/x", h_hello, NULL), 0);
    assert_int_equal(http_router_add(&r, "GET", "/x", h_hello, NULL), ERR_NO_SPACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(get_and_params, setup, teardown),
        cmocka_unit_test_setup_teardown(not_found_and_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(head_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(bodies_and_pipelining, setup, teardown),
        cmocka_unit_test_setup_teardown(byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(streamed_chunked, setup, teardown),
        cmocka_unit_test_setup_teardown(http10, setup, teardown),
        cmocka_unit_test_setup_teardown(http10_default_close, setup, teardown),
        cmocka_unit_test_setup_teardown(connection_close, setup, teardown),
        cmocka_unit_test_setup_teardown(too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(expect_continue, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(handler_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(write_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(response_api, setup, teardown),
        cmocka_unit_test(router_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
