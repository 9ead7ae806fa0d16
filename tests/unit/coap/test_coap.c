/* lib/coap tests: codec (RFC examples, extended option forms, ordering,
 * hostile datagrams), helpers, and the server's exchange rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "coap/coap.h"
#include "pus/err.h"

/* ---- codec ---- */

static void rfc_example(void **state)
{
    /* RFC 7252 Appendix A, figure 16-like: CON GET /temperature, MID 0x7d34 */
    static const uint8_t wire[] = { 0x40, 0x01, 0x7d, 0x34, 0xbb, 't', 'e', 'm', 'p', 'e',
                                    'r', 'a', 't', 'u', 'r', 'e' };
    struct coap_msg m;
    assert_int_equal(coap_parse(&m, wire, sizeof(wire)), 0);
    assert_int_equal(m.type, COAP_CON);
    assert_int_equal(m.code, COAP_GET);
    assert_int_equal(m.mid, 0x7d34);
    assert_int_equal(m.token_len, 0);
    assert_int_equal(m.option_count, 1);
    char path[64];
    assert_int_equal(coap_uri_path(&m, path, sizeof(path)), 12);
    assert_string_equal(path, "/temperature");

    struct coap_msg e;
    uint8_t buf[64];
    coap_init(&e, COAP_CON, COAP_GET, 0x7d34, NULL, 0);
    coap_add_uri(&e, "/temperature");
    assert_int_equal(coap_encode(&e, buf, sizeof(buf)), sizeof(wire));
    assert_memory_equal(buf, wire, sizeof(wire));

    /* ACK 2.05 with token and payload "22.3 C" */
    static const uint8_t ack[] = { 0x64, 0x45, 0x7d, 0x34, 0x20, 0x57, 0x00, 0x00, 0xff,
                                   '2', '2', '.', '3', ' ', 'C' };
    assert_int_equal(coap_parse(&m, ack, sizeof(ack)), 0);
    assert_int_equal(m.type, COAP_ACK);
    assert_int_equal(m.code, COAP_CONTENT);
    assert_int_equal(m.token_len, 4);
    assert_int_equal(m.payload_len, 6);
    assert_memory_equal(m.payload, "22.3 C", 6);
    char s[5];
    assert_string_equal(coap_code_str(m.code, s), "2.05");
}

static void extended_options(void **state)
{
    uint8_t v300[300], v20[20], buf[1024];
    memset(v300, 'x', sizeof(v300));
    memset(v20, 'y', sizeof(v20));
    static const uint8_t tok[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    struct coap_msg e, m;
    coap_init(&e, COAP_NON, COAP_PUT, 0xbeef, tok, 8);
    coap_add_option(&e, 2000, v20, sizeof(v20));     /* delta 14-ext, len 13-ext */
    coap_add_option(&e, 11, v300, sizeof(v300));     /* len 14-ext */
    coap_add_option(&e, 24, "", 0);                  /* delta 13-ext, empty */
    coap_add_uint(&e, 60, 70000);
    coap_add_uint(&e, 12, 0);                        /* zero: empty value */
    coap_add_option(&e, 65535, "z", 1);              /* largest number */
    e.payload = (const uint8_t *)"data";
    e.payload_len = 4;
    int n = coap_encode(&e, buf, sizeof(buf));
    assert_true(n > 0);
    /* header, 8-byte token, 0xb-delta with 14-ext length 300 - 269 = 31 */
    assert_int_equal(buf[12], 0xbe);
    assert_int_equal(buf[13], 0);
    assert_int_equal(buf[14], 31);

    assert_int_equal(coap_parse(&m, buf, (size_t)n), 0);
    assert_int_equal(m.option_count, 6);
    const uint16_t numbers[] = { 11, 12, 24, 60, 2000, 65535 };
    for (int i = 0; i < 6; i++)
        assert_int_equal(m.options[i].number, numbers[i]);
    assert_int_equal(m.options[0].len, 300);
    assert_int_equal(m.options[1].len, 0);
    assert_int_equal(coap_content_format(&m), 0);
    uint32_t v;
    assert_int_equal(coap_option_uint(&m.options[3], &v), 0);
    assert_int_equal(v, 70000);
    assert_int_equal(m.options[3].len, 3);
    assert_memory_equal(m.options[4].value, v20, 20);
    assert_int_equal(m.payload_len, 4);
    assert_memory_equal(m.token, tok, 8);

    /* re-encoding what we parsed gives the same bytes */
    uint8_t again[1024];
    assert_int_equal(coap_encode(&m, again, sizeof(again)), n);
    assert_memory_equal(again, buf, (size_t)n);

    /* too small a buffer: every size fails cleanly */
    for (int cap = 0; cap < n; cap++)
        assert_int_equal(coap_encode(&e, buf, (size_t)cap), ERR_TOO_BIG);
}

static void repeated_options_keep_order(void **state)
{
    struct coap_msg e, m;
    uint8_t buf[128];
    coap_init(&e, COAP_CON, COAP_GET, 1, NULL, 0);
    coap_add_option(&e, COAP_OPT_URI_QUERY, "b=2", 3);
    coap_add_option(&e, COAP_OPT_URI_PATH, "a", 1);
    coap_add_uint(&e, COAP_OPT_ACCEPT, 50);
    coap_add_option(&e, COAP_OPT_URI_PATH, "b", 1);
    coap_add_option(&e, COAP_OPT_URI_QUERY, "flag", 4);
    coap_add_option(&e, COAP_OPT_URI_PATH, "c", 1);
    int n = coap_encode(&e, buf, sizeof(buf));
    assert_int_equal(coap_parse(&m, buf, (size_t)n), 0);
    char path[32], q[8];
    assert_int_equal(coap_uri_path(&m, path, sizeof(path)), 6);
    assert_string_equal(path, "/a/b/c");
    assert_int_equal(coap_uri_query(&m, "b", q, sizeof(q)), 1);
    assert_string_equal(q, "2");
    assert_int_equal(coap_uri_query(&m, "flag", q, sizeof(q)), 0);
    assert_int_equal(coap_uri_query(&m, "fla", q, sizeof(q)), ERR_NOT_FOUND);
    assert_int_equal(coap_uri_query(&m, "b", q, 1), ERR_TOO_BIG);
    assert_int_equal(coap_uri_path(&m, path, 6), ERR_TOO_BIG);
    assert_non_null(coap_find(&m, COAP_OPT_URI_PATH, 2));
    assert_null(coap_find(&m, COAP_OPT_URI_PATH, 3));

    /* coap_add_uri splits paths and queries */
    coap_init(&e, COAP_CON, COAP_GET, 1, NULL, 0);
    coap_add_uri(&e, "//x//y/?k=v&&z");
    assert_int_equal(e.option_count, 4);
    assert_int_equal(coap_uri_path(&e, path, sizeof(path)), 4);
    assert_string_equal(path, "/x/y");
    assert_int_equal(coap_uri_query(&e, "z", q, sizeof(q)), 0);

    /* a segment holding '/' must not alias "/x/y" */
    coap_init(&e, COAP_CON, COAP_GET, 1, NULL, 0);
    coap_add_option(&e, COAP_OPT_URI_PATH, "x/y", 3);
    assert_int_equal(coap_uri_path(&e, path, sizeof(path)), ERR_BAD_FORMAT);
}

static void hostile_datagrams(void **state)
{
    static const struct { uint8_t b[24]; size_t len; int err; } cases[] = {
        { { 0x40, 0x01, 0x00 }, 3, ERR_BAD_FORMAT },                       /* short header */
        { { 0x80, 0x01, 0x00, 0x01 }, 4, ERR_NOT_SUPPORTED },              /* version 2 */
        { { 0x49, 0x01, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 13, ERR_BAD_FORMAT }, /* TKL 9 */
        { { 0x42, 0x01, 0x00, 0x01, 1 }, 5, ERR_BAD_FORMAT },              /* token cut */
        { { 0x40, 0x01, 0x00, 0x01, 0xf1, 'a' }, 6, ERR_BAD_FORMAT },      /* delta 15 */
        { { 0x40, 0x01, 0x00, 0x01, 0x1f, 'a' }, 6, ERR_BAD_FORMAT },      /* length 15 */
        { { 0x40, 0x01, 0x00, 0x01, 0xd1 }, 5, ERR_BAD_FORMAT },           /* ext delta cut */
        { { 0x40, 0x01, 0x00, 0x01, 0x1e, 0x00 }, 6, ERR_BAD_FORMAT },     /* ext length cut */
        { { 0x40, 0x01, 0x00, 0x01, 0x13, 'a', 'b' }, 7, ERR_BAD_FORMAT }, /* value cut */
        { { 0x40, 0x01, 0x00, 0x01, 0xff }, 5, ERR_BAD_FORMAT },           /* marker, no payload */
        { { 0x41, 0x00, 0x00, 0x01, 0x07 }, 5, ERR_BAD_FORMAT },           /* empty with token */
        { { 0x40, 0x00, 0x00, 0x01, 0xff, 'x' }, 6, ERR_BAD_FORMAT },      /* empty with payload */
        { { 0x40, 0x01, 0x00, 0x01, 0xe0, 0xff, 0xff, 0xe0, 0xff, 0xff }, 10, ERR_BAD_FORMAT }, /* number > 65535 */
    };
    struct coap_msg m;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = coap_parse(&m, cases[i].b, cases[i].len);
        if (rc != cases[i].err)
            fail_msg("case %zu: %d, want %d", i, rc, cases[i].err);
    }
    /* more options than we keep */
    uint8_t many[4 + COAP_OPTIONS_MAX + 1];
    memcpy(many, "\x40\x01\x00\x01", 4);
    memset(many + 4, 0x00, sizeof(many) - 4);   /* delta 0, length 0: option 0 repeated */
    assert_int_equal(coap_parse(&m, many, sizeof(many)), ERR_TOO_BIG);
    assert_int_equal(coap_parse(&m, many, sizeof(many) - 1), 0);

    /* every prefix of a valid message parses or fails cleanly */
    uint8_t buf[256];
    struct coap_msg e;
    coap_init(&e, COAP_CON, COAP_POST, 7, (const uint8_t *)"tok", 3);
    coap_add_uri(&e, "/a/very/long/path/segment?x=1");
    coap_add_uint(&e, COAP_OPT_BLOCK2, 0x1234);
    e.payload = (const uint8_t *)"payload";
    e.payload_len = 7;
    int n = coap_encode(&e, buf, sizeof(buf));
    for (int len = 0; len <= n; len++) {
        uint8_t *copy = malloc((size_t)len + 1);   /* exact size: ASan sees overreads */
        memcpy(copy, buf, (size_t)len);
        int rc = coap_parse(&m, copy, (size_t)len);
        assert_true(rc == 0 || rc == ERR_BAD_FORMAT);
        free(copy);
    }
}

static void blocks(void **state)
{
    struct coap_block b = { 5, true, 6 }, d;
    uint32_t v = coap_block_encode(&b);
    assert_int_equal(v, 5 << 4 | 8 | 6);
    struct coap_msg m;
    coap_init(&m, COAP_CON, COAP_GET, 1, NULL, 0);
    coap_add_uint(&m, COAP_OPT_BLOCK2, v);
    assert_int_equal(coap_block_decode(coap_find(&m, COAP_OPT_BLOCK2, 0), &d), 0);
    assert_int_equal(d.num, 5);
    assert_true(d.more);
    assert_int_equal(coap_block_size(d.szx), 1024);
    coap_init(&m, COAP_CON, COAP_GET, 1, NULL, 0);
    coap_add_uint(&m, COAP_OPT_BLOCK2, 7);
    assert_int_equal(coap_block_decode(coap_find(&m, COAP_OPT_BLOCK2, 0), &d), ERR_BAD_FORMAT);
}

/* ---- server ---- */

static struct coap_server *srv;
static int calls;
static char stored[64] = "initial";
static uint8_t big[3000];

static int h_hello(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    calls++;
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_TEXT, "hello", 5);
}

static int h_store(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    calls++;
    if (req->code == COAP_PUT) {
        if (req->payload_len >= sizeof(stored))
            return coap_reply_set(r, COAP_REQUEST_TOO_LARGE, -1, NULL, 0);
        memcpy(stored, req->payload, req->payload_len);
        stored[req->payload_len] = 0;
        return 0;   /* default: 2.04 Changed */
    }
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_TEXT, stored, strlen(stored));
}

static int h_big(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    calls++;
    return coap_reply_set(r, COAP_CONTENT, COAP_FMT_OCTETS, big, sizeof(big));
}

static int h_fail(const struct coap_msg *req, struct coap_reply *r, void *arg)
{
    return ERR_IO;
}

static int setup(void **state)
{
    srv = malloc(sizeof(*srv));
    coap_server_init(srv, 0x1000);
    assert_int_equal(coap_server_add(srv, "/hello", COAP_M_GET, h_hello, NULL), 0);
    assert_int_equal(coap_server_add(srv, "/store", COAP_M_GET | COAP_M_PUT, h_store, NULL), 0);
    assert_int_equal(coap_server_add(srv, "/big", COAP_M_GET, h_big, NULL), 0);
    assert_int_equal(coap_server_add(srv, "/fail", COAP_M_POST, h_fail, NULL), 0);
    assert_int_equal(coap_server_add(srv, "bad", COAP_M_GET, h_fail, NULL), ERR_INVALID_ARGS);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    calls = 0;
    strcpy(stored, "initial");
    return 0;
}

static int teardown(void **state)
{
    free(srv);
    return 0;
}

/* Sends a request built from the arguments; parses the reply into *rep. */
static uint8_t reply_buf[1500];
static int ask(struct coap_msg *rep, const char *peer, uint64_t now, enum coap_type type,
               uint8_t code, uint16_t mid, const char *uri, const char *payload,
               int block2 /* -1: none */, int extra_option /* 0: none */)
{
    struct coap_msg req;
    uint8_t buf[512];
    coap_init(&req, type, code, mid, (const uint8_t *)"\xa1\xb2", 2);
    if (uri)
        coap_add_uri(&req, uri);
    if (block2 >= 0)
        coap_add_uint(&req, COAP_OPT_BLOCK2, (uint32_t)block2);
    if (extra_option)
        coap_add_uint(&req, (uint16_t)extra_option, 50);
    if (payload) {
        req.payload = (const uint8_t *)payload;
        req.payload_len = strlen(payload);
    }
    int n = coap_encode(&req, buf, sizeof(buf));
    assert_true(n > 0);
    int r = coap_server_handle(srv, peer, strlen(peer), now, buf, (size_t)n, reply_buf,
                               sizeof(reply_buf));
    if (r > 0)
        assert_int_equal(coap_parse(rep, reply_buf, (size_t)r), 0);
    return r;
}

static void con_and_non(void **state)
{
    struct coap_msg rep;
    assert_true(ask(&rep, "peerA", 0, COAP_CON, COAP_GET, 0x4242, "/hello", NULL, -1, 0) > 0);
    assert_int_equal(rep.type, COAP_ACK);
    assert_int_equal(rep.mid, 0x4242);
    assert_int_equal(rep.code, COAP_CONTENT);
    assert_int_equal(rep.token_len, 2);
    assert_memory_equal(rep.token, "\xa1\xb2", 2);
    assert_int_equal(coap_content_format(&rep), COAP_FMT_TEXT);
    assert_memory_equal(rep.payload, "hello", 5);

    assert_true(ask(&rep, "peerA", 0, COAP_NON, COAP_GET, 0x4243, "/hello", NULL, -1, 0) > 0);
    assert_int_equal(rep.type, COAP_NON);
    assert_int_equal(rep.mid, 0x1000);          /* the server's own IDs */
    assert_memory_equal(rep.token, "\xa1\xb2", 2);
    assert_true(ask(&rep, "peerA", 0, COAP_NON, COAP_GET, 0x4244, "/hello", NULL, -1, 0) > 0);
    assert_int_equal(rep.mid, 0x1001);
}

static void errors(void **state)
{
    struct coap_msg rep;
    uint16_t mid = 1;
    ask(&rep, "p", 0, COAP_CON, COAP_GET, mid++, "/nothing", NULL, -1, 0);
    assert_int_equal(rep.code, COAP_NOT_FOUND);
    ask(&rep, "p", 0, COAP_CON, COAP_DELETE, mid++, "/hello", NULL, -1, 0);
    assert_int_equal(rep.code, COAP_METHOD_NOT_ALLOWED);
    ask(&rep, "p", 0, COAP_CON, 5 /* FETCH */, mid++, "/hello", NULL, -1, 0);
    assert_int_equal(rep.code, COAP_METHOD_NOT_ALLOWED);
    ask(&rep, "p", 0, COAP_CON, COAP_GET, mid++, "/hello", NULL, -1, 9);  /* critical, unknown */
    assert_int_equal(rep.code, COAP_BAD_OPTION);
    ask(&rep, "p", 0, COAP_CON, COAP_GET, mid++, "/hello", NULL, -1, 2);  /* elective, unknown */
    assert_int_equal(rep.code, COAP_CONTENT);
    ask(&rep, "p", 0, COAP_CON, COAP_GET, mid++, "/hello", NULL, -1, COAP_OPT_PROXY_URI);
    assert_int_equal(rep.code, COAP_PROXYING_NOT_SUPPORTED);
    ask(&rep, "p", 0, COAP_CON, COAP_GET, mid++, "/hello", NULL, -1, COAP_OPT_ACCEPT); /* 50 */
    assert_int_equal(rep.code, COAP_NOT_ACCEPTABLE);
    ask(&rep, "p", 0, COAP_CON, COAP_POST, mid++, "/fail", NULL, -1, 0);
    assert_int_equal(rep.code, COAP_INTERNAL_ERROR);
    assert_int_equal(rep.mid, mid - 1);
}

static void put_then_get(void **state)
{
    struct coap_msg rep;
    ask(&rep, "p", 0, COAP_CON, COAP_PUT, 10, "/store", "new value", -1, 0);
    assert_int_equal(rep.code, COAP_CHANGED);
    assert_int_equal(rep.payload_len, 0);
    ask(&rep, "p", 0, COAP_CON, COAP_GET, 11, "/store", NULL, -1, 0);
    assert_int_equal(rep.payload_len, 9);
    assert_memory_equal(rep.payload, "new value", 9);
}

static void duplicates(void **state)
{
    struct coap_msg rep;
    uint8_t first[1500];
    int n1 = ask(&rep, "peerA", 1000, COAP_CON, COAP_PUT, 77, "/store", "once", -1, 0);
    memcpy(first, reply_buf, (size_t)n1);
    assert_int_equal(calls, 1);
    /* retransmission: same bytes back, handler not run again */
    int n2 = ask(&rep, "peerA", 3000, COAP_CON, COAP_PUT, 77, "/store", "once", -1, 0);
    assert_int_equal(n2, n1);
    assert_memory_equal(reply_buf, first, (size_t)n1);
    assert_int_equal(calls, 1);
    assert_int_equal(srv->duplicates, 1);
    /* same message ID from another peer is another exchange */
    ask(&rep, "peerB", 3000, COAP_CON, COAP_PUT, 77, "/store", "twice", -1, 0);
    assert_int_equal(calls, 2);
    /* after EXCHANGE_LIFETIME the ID may be reused */
    ask(&rep, "peerA", 1000 + COAP_EXCHANGE_LIFETIME_MS, COAP_CON, COAP_PUT, 77, "/store", "x", -1, 0);
    assert_int_equal(calls, 3);
    /* NON duplicates are dropped */
    assert_true(ask(&rep, "peerC", 0, COAP_NON, COAP_GET, 5, "/hello", NULL, -1, 0) > 0);
    assert_int_equal(ask(&rep, "peerC", 10, COAP_NON, COAP_GET, 5, "/hello", NULL, -1, 0), 0);
    assert_int_equal(calls, 4);
    /* the cache is bounded: old entries are evicted, nothing breaks */
    for (int i = 0; i < 3 * COAP_DEDUP_SLOTS; i++)
        ask(&rep, "peerD", 20000, COAP_CON, COAP_GET, (uint16_t)(1000 + i), "/hello", NULL, -1, 0);
    assert_int_equal(calls, 4 + 3 * COAP_DEDUP_SLOTS);
}

static void empty_and_odd_messages(void **state)
{
    uint8_t out[64];
    static const uint8_t ping[] = { 0x40, 0x00, 0x12, 0x34 };
    assert_int_equal(coap_server_handle(srv, "p", 1, 0, ping, 4, out, sizeof(out)), 4);
    assert_int_equal(out[0], 0x70);                     /* RST, no token */
    assert_int_equal(out[2] << 8 | out[3], 0x1234);
    static const uint8_t non_ping[] = { 0x50, 0x00, 0x12, 0x34 };
    assert_int_equal(coap_server_handle(srv, "p", 1, 0, non_ping, 4, out, sizeof(out)), 0);
    static const uint8_t ack[] = { 0x60, 0x00, 0x12, 0x34 };
    assert_int_equal(coap_server_handle(srv, "p", 1, 0, ack, 4, out, sizeof(out)), 0);
    static const uint8_t bad_con[] = { 0x40, 0x01, 0x55, 0x66, 0xf0 };
    assert_int_equal(coap_server_handle(srv, "p", 1, 0, bad_con, 5, out, sizeof(out)), 4);
    assert_int_equal(out[0], 0x70);
    assert_int_equal(out[3], 0x66);
    static const uint8_t bad_non[] = { 0x50, 0x01, 0x55, 0x66, 0xf0 };
    assert_int_equal(coap_server_handle(srv, "p", 1, 0, bad_non, 5, out, sizeof(out)), 0);
    static const uint8_t response_con[] = { 0x40, 0x45, 0x55, 0x67 };   /* 2.05 sent to us */
    assert_int_equal(coap_server_handle(srv, "p", 1, 0, response_con, 4, out, sizeof(out)), 4);
    assert_int_equal(coap_server_handle(srv, "p", 1, 0, ping, 4, out, 2), ERR_TOO_BIG);
    char longpeer[COAP_PEER_MAX + 2] = { 0 };
    assert_int_equal(coap_server_handle(srv, longpeer, sizeof(longpeer), 0, ping, 4, out, 64),
                     ERR_INVALID_ARGS);
}

static void blockwise(void **state)
{
    struct coap_msg rep;
    struct coap_block b;
    uint8_t got[sizeof(big)];
    size_t have = 0;
    /* no Block2 asked: the server starts block-wise by itself */
    ask(&rep, "p", 0, COAP_CON, COAP_GET, 300, "/big", NULL, -1, 0);
    for (uint16_t mid = 301;; mid++) {
        assert_int_equal(rep.code, COAP_CONTENT);
        assert_int_equal(coap_block_decode(coap_find(&rep, COAP_OPT_BLOCK2, 0), &b), 0);
        assert_int_equal(b.num * 1024, have);
        uint32_t size2;
        coap_option_uint(coap_find(&rep, COAP_OPT_SIZE2, 0), &size2);
        assert_int_equal(size2, sizeof(big));
        memcpy(got + have, rep.payload, rep.payload_len);
        have += rep.payload_len;
        if (!b.more)
            break;
        assert_int_equal(rep.payload_len, 1024);
        struct coap_block next = { b.num + 1, false, b.szx };
        ask(&rep, "p", 0, COAP_CON, COAP_GET, mid, "/big", NULL, (int)coap_block_encode(&next), 0);
    }
    assert_int_equal(have, sizeof(big));
    assert_memory_equal(got, big, sizeof(big));

    /* a smaller block size asked by the client */
    struct coap_block small = { 3, false, 2 };
    ask(&rep, "p", 0, COAP_CON, COAP_GET, 400, "/big", NULL, (int)coap_block_encode(&small), 0);
    assert_int_equal(rep.payload_len, 64);
    assert_memory_equal(rep.payload, big + 3 * 64, 64);
    /* past the end */
    struct coap_block past = { 3, false, 6 };
    ask(&rep, "p", 0, COAP_CON, COAP_GET, 401, "/big", NULL, (int)coap_block_encode(&past), 0);
    assert_int_equal(rep.code, COAP_BAD_OPTION);
    /* small representation with Block2 asked: one block, M=0 */
    ask(&rep, "p", 0, COAP_CON, COAP_GET, 402, "/hello", NULL, 0x06, 0);
    assert_int_equal(coap_block_decode(coap_find(&rep, COAP_OPT_BLOCK2, 0), &b), 0);
    assert_false(b.more);
    assert_int_equal(rep.payload_len, 5);
    ask(&rep, "p", 0, COAP_CON, COAP_GET, 403, "/hello", NULL, 0x07, 0);  /* SZX 7 */
    assert_int_equal(rep.code, COAP_BAD_OPTION);
}

static void discovery(void **state)
{
    struct coap_msg rep;
    ask(&rep, "p", 0, COAP_CON, COAP_GET, 500, "/.well-known/core", NULL, -1, 0);
    assert_int_equal(rep.code, COAP_CONTENT);
    assert_int_equal(coap_content_format(&rep), COAP_FMT_LINK);
    assert_int_equal(rep.payload_len, strlen("</hello>,</store>,</big>,</fail>"));
    assert_memory_equal(rep.payload, "</hello>,</store>,</big>,</fail>", rep.payload_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc_example),
        cmocka_unit_test(extended_options),
        cmocka_unit_test(repeated_options_keep_order),
        cmocka_unit_test(hostile_datagrams),
        cmocka_unit_test(blocks),
        cmocka_unit_test_setup_teardown(con_and_non, setup, teardown),
        cmocka_unit_test_setup_teardown(errors, setup, teardown),
        cmocka_unit_test_setup_teardown(put_then_get, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_and_odd_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(blockwise, setup, teardown),
        cmocka_unit_test_setup_teardown(discovery, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
