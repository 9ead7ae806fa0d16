/*
 * lib/http parser tests: requests and responses fed whole, split at every
 * byte boundary and one byte at a time; hostile inputs and limits, each
 * with the status code the server must answer.
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

/* Appends to a transcript (none when out is NULL), never past cap. */
__attribute__((format(printf, 4, 5)))
static void note(char *out, size_t cap, size_t *o, const char *fmt, ...)
{
    if (!out || *o >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *o, cap - *o, fmt, ap);
    va_end(ap);
    if (n > 0)
        *o += (size_t)n;
}

/* Feeds input in pieces (cuts[] are split offsets) and writes a transcript
 * of the events into out (if not NULL). Returns the first error (or 0). */
static int transcript(struct http_parser *p, const char *in, size_t len,
                      const size_t *cuts, int ncuts, bool finish, char *out, size_t cap)
{
    size_t o = 0, start = 0;
    if (out)
        out[0] = 0;
    for (int k = 0; k <= ncuts; k++) {
        size_t end = k < ncuts ? cuts[k] : len;
        const uint8_t *d = (const uint8_t *)in + start;
        size_t n = end - start;
        for (;;) {
            struct http_event ev;
            long used = http_parser_run(p, d, n, &ev);
            if (used < 0)
                return (int)used;
            d += used;
            n -= (size_t)used;
            if (ev.kind == HTTP_EV_NEED_MORE)
                break;
            if (ev.kind == HTTP_EV_HEAD) {
                const struct http_message *m = &p->msg;
                if (p->mode == HTTP_PARSE_REQUEST)
                    note(out, cap, &o, "[%s %s ? %s v%d ka%d cl%lld ch%d",
                                  m->method_name, m->path, m->query, m->version,
                                  m->keep_alive, (long long)m->content_length, m->chunked);
                else
                    note(out, cap, &o, "[%d %s v%d ka%d cl%lld ch%d",
                                  m->status, m->reason, m->version, m->keep_alive,
                                  (long long)m->content_length, m->chunked);
                for (int i = 0; i < m->header_count; i++)
                    note(out, cap, &o, " %s=%s", m->headers[i].name,
                                  m->headers[i].value);
                note(out, cap, &o, "]");
            } else if (ev.kind == HTTP_EV_BODY) {
                /* Body pieces are concatenated: splits must not show. */
                note(out, cap, &o, "%.*s", (int)ev.len, (const char *)ev.data);
            } else {
                note(out, cap, &o, "<done>");
            }
        }
        start = end;
    }
    if (finish) {
        struct http_event ev;
        int rc = http_parser_finish(p, &ev);
        if (rc < 0)
            return rc;
        if (ev.kind == HTTP_EV_DONE)
            note(out, cap, &o, "<done>");
    }
    return 0;
}

static char whole[16384], piece[16384];

/* The transcript is the same for every way of splitting the input. */
static void check_all_splits(enum http_parse_mode mode, const char *in, bool finish,
                             const char *expect)
{
    size_t len = strlen(in);
    struct http_parser *p = malloc(sizeof(*p));

    http_parser_init(p, mode, NULL);
    assert_int_equal(transcript(p, in, len, NULL, 0, finish, whole, sizeof(whole)), 0);
    if (expect)
        assert_string_equal(whole, expect);
    for (size_t cut = 1; cut < len; cut++) {
        http_parser_init(p, mode, NULL);
        assert_int_equal(transcript(p, in, len, &cut, 1, finish, piece, sizeof(piece)), 0);
        assert_string_equal(piece, whole);
    }
    /* one byte at a time */
    size_t *cuts = malloc(len * sizeof(size_t));
    for (size_t i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
    http_parser_init(p, mode, NULL);
    assert_int_equal(transcript(p, in, len, cuts, (int)(len - 1), finish, piece, sizeof(piece)), 0);
    assert_string_equal(piece, whole);
    free(cuts);
    free(p);
}

static void simple_get(void **state)
{
    check_all_splits(HTTP_PARSE_REQUEST,
                     "GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: node\r\nX-Thing:  v a l \t\r\n\r\n",
                     false,
                     "[GET /a/b ? x=1&y=%20 v11 ka1 cl-1 ch0 Host=node X-Thing=v a l]<done>");
}

static void content_length_body(void **state)
{
    check_all_splits(HTTP_PARSE_REQUEST,
                     "PUT /f HTTP/1.1\r\nhost: n\r\nContent-Length: 11\r\n\r\nhello world",
                     false, "[PUT /f ?  v11 ka1 cl11 ch0 host=n Content-Length=11]hello world<done>");
}

static void chunked_body(void **state)
{
    check_all_splits(HTTP_PARSE_REQUEST,
                     "POST /c HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n1;ext=\"x y\"\r\n \r\nA\r\n0123456789\r\n0\r\n"
                     "Trailer-One: 1\r\nTrailer-Two: 2\r\n\r\n",
                     false,
                     "[POST /c ?  v11 ka1 cl-1 ch1 Host=n Transfer-Encoding=chunked]"
                     "hello 0123456789<done>");
}

static void pipelined(void **state)
{
    check_all_splits(HTTP_PARSE_REQUEST,
                     "\r\nGET /1 HTTP/1.1\r\nHost: n\r\n\r\n"
                     "POST /2 HTTP/1.1\r\nHost: n\r\nContent-Length: 3\r\n\r\nabc"
                     "POST /3 HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
                     "GET /4 HTTP/1.0\n\n",
                     false,
                     "[GET /1 ?  v11 ka1 cl-1 ch0 Host=n]<done>"
                     "[POST /2 ?  v11 ka1 cl3 ch0 Host=n Content-Length=3]abc<done>"
                     "[POST /3 ?  v11 ka1 cl-1 ch1 Host=n Transfer-Encoding=Chunked]xy<done>"
                     "[GET /4 ?  v10 ka0 cl-1 ch0]<done>");
}

static void keep_alive_rules(void **state)
{
    check_all_splits(HTTP_PARSE_REQUEST,
                     "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                     "GET / HTTP/1.1\r\nHost: n\r\nConnection: foo, close\r\n\r\n"
                     "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nConnection: close\r\n\r\n",
                     false,
                     "[GET / ?  v10 ka1 cl-1 ch0 Connection=keep-alive]<done>"
                     "[GET / ?  v11 ka0 cl-1 ch0 Host=n Connection=foo, close]<done>"
                     "[GET / ?  v10 ka0 cl-1 ch0 Connection=Keep-Alive Connection=close]<done>");
}

static void target_forms(void **state)
{
    check_all_splits(HTTP_PARSE_REQUEST,
                     "GET http://host:80/p/q?z HTTP/1.1\r\nHost: h\r\n\r\n"
                     "GET http://host HTTP/1.1\r\nHost: h\r\n\r\n"
                     "GET http://host?k=v HTTP/1.1\r\nHost: h\r\n\r\n"
                     "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"
                     "BREW /pot HTTP/1.9\r\nHost: h\r\n\r\n",
                     false,
                     "[GET /p/q ? z v11 ka1 cl-1 ch0 Host=h]<done>"
                     "[GET / ?  v11 ka1 cl-1 ch0 Host=h]<done>"
                     "[GET / ? k=v v11 ka1 cl-1 ch0 Host=h]<done>"
                     "[OPTIONS * ?  v11 ka1 cl-1 ch0 Host=h]<done>"
                     "[BREW /pot ?  v11 ka1 cl-1 ch0 Host=h]<done>");
}

/* ---- hostile input: each gets the right status and a sticky error ---- */

struct bad_case {
    const char *in;
    int status;
};

static const struct bad_case bad_requests[] = {
    { "GET / HTTP/1.1\r\n\r\n", 400 },                              /* no Host */
    { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
    { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
    { "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505 },
    { "GET / http/1.1\r\nHost: a\r\n\r\n", 400 },
    { "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400 },
    { "GET / HTTP/11\r\nHost: a\r\n\r\n", 400 },
    { "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
    { "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
    { "GET a HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
    { "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
    { "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
    { "GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },                  /* space before colon */
    { "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", 400 },             /* bare CR */
    { "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", 400 },
    { "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\nx", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\n", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rX", 400 },
    { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFF\r\n", 0 },
    { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", 413 },
};

static int feed_all(struct http_parser *p, const char *in, size_t len)
{
    return transcript(p, in, len, NULL, 0, false, NULL, 0);
}

/* A fresh request parser with limits lim, fed all of in: the result. */
static int request_fed(struct http_parser *p, const struct http_limits *lim,
                       const char *in, size_t len)
{
    http_parser_init(p, HTTP_PARSE_REQUEST, lim);
    return feed_all(p, in, len);
}

/* A request at a limit passes; over is one past it, refused with status. */
static void at_the_limit(struct http_parser *p, const struct http_limits *lim,
                         const char *at, const char *over, int status)
{
    assert_int_equal(request_fed(p, lim, at, strlen(at)), 0);
    assert_int_equal(request_fed(p, lim, over, strlen(over)), ERR_TOO_BIG);
    assert_int_equal(p->status, status);
}

/* head, then 500 bytes of one endless field: refused with status before
 * the field ends. */
static void refused_while_arriving(struct http_parser *p, const struct http_limits *lim,
                                   const char *head, int status)
{
    char buf[1024];
    size_t n = strlen(head);
    memcpy(buf, head, n);
    memset(buf + n, 'x', 500);
    assert_int_equal(request_fed(p, lim, buf, n + 500), ERR_TOO_BIG);
    assert_int_equal(p->status, status);
}

static void hostile_requests(void **state)
{
    struct http_parser *p = malloc(sizeof(*p));
    for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
        const struct bad_case *c = &bad_requests[i];
        int rc = request_fed(p, NULL, c->in, strlen(c->in));
        if (c->status == 0) {
            if (rc != 0)
                fail_msg("case %zu: unexpected error %d (status %d)", i, rc, p->status);
            continue;
        }
        if (rc >= 0 || p->status != c->status)
            fail_msg("case %zu: rc %d status %d, want %d: %s", i, rc, p->status,
                     c->status, c->in);
        /* sticky: more input changes nothing */
        struct http_event ev;
        assert_int_equal(http_parser_run(p, (const uint8_t *)"GET", 3, &ev), rc);
        assert_int_equal(p->status, c->status);
    }
    free(p);
}

static void limits(void **state)
{
    struct http_limits lim;
    struct http_parser *p = malloc(sizeof(*p));
    char buf[9000];

    http_limits_default(&lim);
    lim.max_line = 100;
    lim.max_head = 400;
    lim.max_headers = 3;
    lim.max_body = 10;

    /* request line of exactly max_line bytes passes; one more is 414 */
    memset(buf, 0, sizeof(buf));
    strcpy(buf, "GET /");
    memset(buf + 5, 'a', 100 - 5 - 9);
    strcat(buf, " HTTP/1.1");
    assert_int_equal(strlen(buf), 100);
    strcat(buf, "\r\nHost: h\r\n\r\n");
    assert_int_equal(request_fed(p, &lim, buf, strlen(buf)), 0);
    assert_string_equal(p->msg.method_name, "GET");

    memmove(buf + 6, buf + 5, strlen(buf + 5) + 1);
    assert_int_equal(request_fed(p, &lim, buf, strlen(buf)), ERR_TOO_BIG);
    assert_int_equal(p->status, 414);

    /* a long target is refused as soon as it crosses the limit, before
     * its end arrives */
    memset(buf, 'a', 200);
    memcpy(buf, "GET /", 5);
    assert_int_equal(request_fed(p, &lim, buf, 200), ERR_TOO_BIG);
    assert_int_equal(p->status, 414);

    /* header count */
    at_the_limit(p, &lim, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431);

    /* head size: refused while the header is still arriving */
    refused_while_arriving(p, &lim, "GET / HTTP/1.1\r\nHost: h\r\nBig: ", 431);

    /* body: Content-Length at the limit passes, above it is 413 */
    at_the_limit(p, &lim, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789",
                 "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 413);

    /* chunked: the running total counts */
    const char *ch = "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\n01234\r\n5\r\n56789\r\n1\r\n";
    assert_int_equal(request_fed(p, &lim, ch, strlen(ch)), ERR_TOO_BIG);
    assert_int_equal(p->status, 413);

    /* an all-zero limits struct means the defaults, not "nothing allowed" */
    struct http_limits zero = { 0 };
    at_the_limit(p, &zero, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n",
                 "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n", 413);
    assert_int_equal(p->lim.max_line, 4096);
    assert_int_equal(p->lim.max_headers, 32);

    /* trailers are bounded like the head */
    refused_while_arriving(p, &lim, "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                           "\r\n0\r\nT: ", 431);
    free(p);
}

/* ---- responses ---- */

static void responses(void **state)
{
    check_all_splits(HTTP_PARSE_RESPONSE,
                     "HTTP/1.1 100 Continue\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                     "HTTP/1.1 201 Created Now\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                     "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
                     "HTTP/1.1 304 Not Modified\r\n\r\n"
                     "HTTP/1.0 200\r\n\r\nuntil close",
                     true,
                     "[100 Continue v11 ka1 cl-1 ch0]<done>"
                     "[200 OK v11 ka1 cl5 ch0 Content-Length=5]hello<done>"
                     "[201 Created Now v11 ka1 cl-1 ch1 Transfer-Encoding=chunked]abc<done>"
                     "[204 No Content v11 ka1 cl7 ch0 Content-Length=7]<done>"
                     "[304 Not Modified v11 ka1 cl-1 ch0]<done>"
                     "[200  v10 ka0 cl-1 ch0]until close<done>");
    check_all_splits(HTTP_PARSE_RESPONSE,
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw bytes",
                     true,
                     "[200 OK v11 ka0 cl-1 ch0 Transfer-Encoding=gzip]raw bytes<done>");
}

static void response_to_head(void **state)
{
    struct http_parser p;
    char out[512];
    const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                     "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
    http_parser_init(&p, HTTP_PARSE_RESPONSE, NULL);
    http_parser_expect_head(&p, true);
    /* only the first head; then switch back for the GET that follows */
    assert_int_equal(transcript(&p, in, 39, NULL, 0, false, out, sizeof(out)), 0);
    assert_string_equal(out, "[200 OK v11 ka1 cl5 ch0 Content-Length=5]<done>");
    http_parser_expect_head(&p, false);
    assert_int_equal(transcript(&p, in + 39, strlen(in + 39), NULL, 0, false, out, sizeof(out)), 0);
    assert_string_equal(out, "[404 Not Found v11 ka1 cl2 ch0 Content-Length=2]no<done>");
}

static void truncated_response(void **state)
{
    struct http_parser p;
    struct http_event ev;
    const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel";
    http_parser_init(&p, HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(feed_all(&p, in, strlen(in)), 0);
    assert_int_equal(http_parser_finish(&p, &ev), ERR_CLOSED);

    http_parser_init(&p, HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(http_parser_finish(&p, &ev), 0);   /* idle: clean close */

    static const char *const bad[] = {
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n",
        "HTTP/1.1200 OK\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n", "HTTP/3.0 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "ICY 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        http_parser_init(&p, HTTP_PARSE_RESPONSE, NULL);
        assert_true(feed_all(&p, bad[i], strlen(bad[i])) < 0);
    }
}

/* ---- helpers ---- */

static void percent_and_query(void **state)
{
    char out[32];
    assert_int_equal(http_percent_decode(out, sizeof(out), "a%20b%2Fc+d", 11, false), 7);
    assert_string_equal(out, "a b/c+d");
    assert_int_equal(http_percent_decode(out, sizeof(out), "a+b", 3, true), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(http_percent_decode(out, sizeof(out), "%4", 2, false), ERR_BAD_FORMAT);
    assert_int_equal(http_percent_decode(out, sizeof(out), "%", 1, false), ERR_BAD_FORMAT);
    assert_int_equal(http_percent_decode(out, sizeof(out), "%zz", 3, false), ERR_BAD_FORMAT);
    assert_int_equal(http_percent_decode(out, sizeof(out), "a%00b", 5, false), ERR_BAD_FORMAT);
    assert_int_equal(http_percent_decode(out, 4, "abcd", 4, false), ERR_TOO_BIG);
    assert_int_equal(http_percent_decode(out, 5, "abcd", 4, false), 4);

    assert_int_equal(http_query_get("a=1&bb=x%20y&c&d=", "bb", out, sizeof(out)), 3);
    assert_string_equal(out, "x y");
    assert_int_equal(http_query_get("a=1&bb=x%20y&c&d=", "c", out, sizeof(out)), 0);
    assert_int_equal(http_query_get("a=1&bb=x%20y&c&d=", "d", out, sizeof(out)), 0);
    assert_int_equal(http_query_get("a=1&bb=x%20y&c&d=", "b", out, sizeof(out)), ERR_NOT_FOUND);
    assert_int_equal(http_query_get("", "a", out, sizeof(out)), ERR_NOT_FOUND);

    assert_true(http_list_has("foo, Close ,bar", "close"));
    assert_false(http_list_has("closed", "close"));
    assert_int_equal(http_method_from("DELETE"), HTTP_DELETE);
    assert_int_equal(http_method_from("get"), HTTP_OTHER);
    assert_string_equal(http_reason(431), "Request Header Fields Too Large");
}

static void client_format(void **state)
{
    char buf[256];
    struct http_header h[] = { { "Accept", "application/json" } };
    struct http_client_request r = {
        .method = "PUT", .host = "10.0.2.2:8080", .target = "/apps/x?y=1",
        .headers = h, .header_count = 1, .body_len = 42, .close = true,
    };
    int n = http_client_format(buf, sizeof(buf), &r);
    assert_string_equal(buf, "PUT /apps/x?y=1 HTTP/1.1\r\nHost: 10.0.2.2:8080\r\n"
                             "Accept: application/json\r\nContent-Length: 42\r\n"
                             "Connection: close\r\n\r\n");
    assert_int_equal(n, strlen(buf));

    /* what we write, we read back */
    struct http_parser p;
    http_parser_init(&p, HTTP_PARSE_REQUEST, NULL);
    struct http_event ev;
    assert_int_equal(http_parser_run(&p, (uint8_t *)buf, n, &ev), n);
    assert_int_equal(ev.kind, HTTP_EV_HEAD);
    assert_int_equal(p.msg.content_length, 42);

    r.body_len = -1;
    r.close = false;
    r.header_count = 0;
    n = http_client_format(buf, sizeof(buf), &r);
    assert_non_null(strstr(buf, "Transfer-Encoding: chunked\r\n\r\n"));
    assert_int_equal(http_client_format(buf, 20, &r), ERR_TOO_BIG);
    assert_string_equal(buf, "");
    r.target = "/a b";
    assert_int_equal(http_client_format(buf, sizeof(buf), &r), ERR_INVALID_ARGS);
    r.target = "/";
    struct http_header evil[] = { { "X", "a\r\nInjected: 1" } };
    r.headers = evil;
    r.header_count = 1;
    assert_int_equal(http_client_format(buf, sizeof(buf), &r), ERR_INVALID_ARGS);

    assert_int_equal(http_chunk_header(buf, sizeof(buf), 26), 4);
    assert_string_equal(buf, "1a\r\n");
    assert_int_equal(http_chunk_header(buf, sizeof(buf), 0), 5);
    assert_string_equal(buf, "0\r\n\r\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_get),
        cmocka_unit_test(content_length_body),
        cmocka_unit_test(chunked_body),
        cmocka_unit_test(pipelined),
        cmocka_unit_test(keep_alive_rules),
        cmocka_unit_test(target_forms),
        cmocka_unit_test(hostile_requests),
        cmocka_unit_test(limits),
        cmocka_unit_test(responses),
        cmocka_unit_test(response_to_head),
        cmocka_unit_test(truncated_response),
        cmocka_unit_test(percent_and_query),
        cmocka_unit_test(client_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
