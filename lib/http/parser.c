/*
 * Incremental HTTP/1.1 message parser (RFC 9112).
 *
 * Bytes arrive in pieces of any size, split anywhere. The head is gathered
 * into a bounded buffer and parsed in one go once its empty line arrives
 * (head.c); the body is decoded byte-wise by a small state machine and
 * handed out without copying. After a message, the parser starts on the
 * next one, so pipelined requests need nothing special.
 *
 * Limits are checked as bytes arrive, so an oversized head is refused as
 * soon as it crosses the limit, not after it has been buffered.
 */
#include <string.h>

#include "http/http_internal.h"
#include "pus/err.h"

#define CHUNK_EXT_MAX 1024

void http_limits_default(struct http_limits *lim)
{
    lim->max_line = 4096;
    lim->max_head = HTTP_HEAD_MAX;
    lim->max_headers = 32;
    lim->max_body = 1024 * 1024;
}

static void start_message(struct http_parser *p)
{
    p->state = ST_HEAD;
    p->head_len = 0;
    p->line_start = 0;
    p->in_first_line = true;
    p->aux_len = 0;
    p->hex_digits = 0;
    p->remaining = 0;
    p->body_total = 0;
}

void http_parser_init(struct http_parser *p, enum http_parse_mode mode,
                      const struct http_limits *lim)
{
    memset(p, 0, sizeof(*p));
    p->mode = (uint8_t)mode;
    struct http_limits def;
    http_limits_default(&def);
    p->lim = lim ? *lim : def;
    /* zero means the default; then the compile-time ceilings apply */
    if (p->lim.max_line == 0)
        p->lim.max_line = def.max_line;
    if (p->lim.max_head == 0 || p->lim.max_head > HTTP_HEAD_MAX)
        p->lim.max_head = HTTP_HEAD_MAX;
    if (p->lim.max_headers == 0)
        p->lim.max_headers = def.max_headers;
    if (p->lim.max_headers > HTTP_HEADERS_MAX)
        p->lim.max_headers = HTTP_HEADERS_MAX;
    if (p->lim.max_line > p->lim.max_head)
        p->lim.max_line = p->lim.max_head;
    if (p->lim.max_body == 0)
        p->lim.max_body = def.max_body;
    start_message(p);
}

void http_parser_expect_head(struct http_parser *p, bool head_request)
{
    p->head_request = head_request;
}

bool http_parser_idle(const struct http_parser *p)
{
    return p->state == ST_HEAD && p->head_len == 0;
}

int http_fail(struct http_parser *p, int status, int err)
{
    p->status = status;
    p->error = err;
    p->state = ST_ERROR;
    return err;
}

/* One byte of the head. Returns 1 when the head is complete, 0 to go on,
 * or a negative code. */
static int head_byte(struct http_parser *p, uint8_t c)
{
    /* Empty lines before a request line are skipped (RFC 9112 §2.2). */
    if (p->head_len == 0 && (c == '\r' || c == '\n'))
        return 0;
    if (p->head_len >= p->lim.max_head) {
        if (p->in_first_line && p->mode == HTTP_PARSE_REQUEST)
            return http_fail(p, 414, ERR_TOO_BIG);
        return http_fail(p, 431, ERR_TOO_BIG);
    }
    p->head[p->head_len++] = (char)c;
    if (c != '\n') {
        /* +1 leaves room for the CR of a line that is exactly max_line. */
        if (p->in_first_line && p->head_len - p->line_start > p->lim.max_line + 1)
            return http_fail(p, p->mode == HTTP_PARSE_REQUEST ? 414 : 400, ERR_TOO_BIG);
        return 0;
    }
    uint32_t len = p->head_len - 1 - p->line_start;
    if (len > 0 && p->head[p->head_len - 2] == '\r')
        len--;
    p->line_start = p->head_len;
    if (p->in_first_line) {
        p->in_first_line = false;
        if (len > p->lim.max_line)
            return http_fail(p, p->mode == HTTP_PARSE_REQUEST ? 414 : 400, ERR_TOO_BIG);
        return 0;
    }
    if (len != 0)
        return 0;
    p->head[p->head_len] = 0;
    int rc = http_parse_head(p);
    return rc < 0 ? rc : 1;
}

/* A framing byte that must be want; then the parser moves to state next. */
static int expect_byte(struct http_parser *p, uint8_t c, uint8_t want, int next)
{
    if (c != want)
        return http_fail(p, 400, ERR_BAD_FORMAT);
    p->state = next;
    return 0;
}

/* One byte of chunk framing (everything but chunk data). Returns 0 or a
 * negative code. */
static int chunk_byte(struct http_parser *p, uint8_t c)
{
    switch (p->state) {
    case ST_CHUNK_SIZE: {
        int h = http_hex_value((char)c);
        if (h >= 0) {
            if (++p->hex_digits > 15)          /* no chunk is 2^60 bytes */
                return http_fail(p, 400, ERR_BAD_FORMAT);
            p->remaining = p->remaining * 16 + (uint64_t)h;
            return 0;
        }
        if (p->hex_digits == 0)
            return http_fail(p, 400, ERR_BAD_FORMAT);
        if (c == ';' || c == ' ' || c == '\t') {
            p->state = ST_CHUNK_EXT;
            p->aux_len = 0;
        } else if (c == '\r') {
            p->state = ST_CHUNK_SIZE_LF;
        } else {
            return http_fail(p, 400, ERR_BAD_FORMAT);
        }
        return 0;
    }
    case ST_CHUNK_EXT:
        if (c == '\r')
            p->state = ST_CHUNK_SIZE_LF;
        else if ((c < 0x20 && c != '\t') || c == 0x7f || ++p->aux_len > CHUNK_EXT_MAX)
            return http_fail(p, 400, ERR_BAD_FORMAT);
        return 0;
    case ST_CHUNK_SIZE_LF:
        if (c != '\n')
            return http_fail(p, 400, ERR_BAD_FORMAT);
        p->hex_digits = 0;
        if (p->remaining == 0) {
            p->state = ST_TRAILER_START;
            p->aux_len = 0;
            return 0;
        }
        if (p->remaining > p->lim.max_body - p->body_total)
            return http_fail(p, 413, ERR_TOO_BIG);
        p->body_total += p->remaining;
        p->state = ST_CHUNK_DATA;
        return 0;
    case ST_CHUNK_DATA_CR:
        return expect_byte(p, c, '\r', ST_CHUNK_DATA_LF);
    case ST_CHUNK_DATA_LF:
        p->remaining = 0;
        return expect_byte(p, c, '\n', ST_CHUNK_SIZE);
    case ST_TRAILER_START:
        if (c == '\r') {
            p->state = ST_TRAILER_END_LF;
            return 0;
        }
        if (c == '\n') {
            p->state = ST_DONE;
            return 0;
        }
        p->state = ST_TRAILER_LINE;
        /* fall through */
    case ST_TRAILER_LINE:
        /* Trailer fields are read and dropped (RFC 9110 §6.5 allows it). */
        if (++p->aux_len > p->lim.max_head)
            return http_fail(p, 431, ERR_TOO_BIG);
        if (c == '\n')
            p->state = ST_TRAILER_START;
        else if (c == 0)
            return http_fail(p, 400, ERR_BAD_FORMAT);
        return 0;
    case ST_TRAILER_END_LF:
        return expect_byte(p, c, '\n', ST_DONE);
    }
    return http_fail(p, 400, ERR_BAD_STATE);
}

static size_t min_size(uint64_t a, size_t b)
{
    return a < b ? (size_t)a : b;
}

long http_parser_run(struct http_parser *p, const uint8_t *data, size_t len,
                     struct http_event *ev)
{
    size_t i = 0;

    ev->kind = HTTP_EV_NEED_MORE;
    ev->data = NULL;
    ev->len = 0;
    if (p->state == ST_ERROR)
        return p->error;
    for (;;) {
        switch (p->state) {
        case ST_DONE:
            ev->kind = HTTP_EV_DONE;
            start_message(p);
            return (long)i;
        case ST_LENGTH:
        case ST_CHUNK_DATA:
        case ST_CLOSE: {
            if (i == len)
                return (long)i;
            size_t n = p->state == ST_CLOSE ? len - i : min_size(p->remaining, len - i);
            if (p->state == ST_CLOSE) {
                if (n > p->lim.max_body - p->body_total)
                    return http_fail(p, 413, ERR_TOO_BIG);
                p->body_total += n;
            } else {
                p->remaining -= n;
                if (p->remaining == 0)
                    p->state = p->state == ST_LENGTH ? ST_DONE : ST_CHUNK_DATA_CR;
            }
            ev->kind = HTTP_EV_BODY;
            ev->data = data + i;
            ev->len = n;
            return (long)(i + n);
        }
        case ST_HEAD: {
            if (i == len)
                return (long)i;
            int rc = head_byte(p, data[i++]);
            if (rc < 0)
                return rc;
            if (rc == 1) {
                ev->kind = HTTP_EV_HEAD;
                return (long)i;
            }
            break;
        }
        case ST_ERROR:
            return p->error;
        default: {
            if (i == len)
                return (long)i;
            int rc = chunk_byte(p, data[i++]);
            if (rc < 0)
                return rc;
            break;
        }
        }
    }
}

int http_parser_finish(struct http_parser *p, struct http_event *ev)
{
    ev->kind = HTTP_EV_NEED_MORE;
    ev->data = NULL;
    ev->len = 0;
    if (p->state == ST_ERROR)
        return p->error;
    if (http_parser_idle(p))
        return 0;
    if (p->state == ST_CLOSE || p->state == ST_DONE) {
        ev->kind = HTTP_EV_DONE;
        start_message(p);
        return 1;
    }
    return http_fail(p, 400, ERR_CLOSED);
}
