/* Shared between the files of lib/http; not part of the API. */
#ifndef PUS_HTTP_INTERNAL_H
#define PUS_HTTP_INTERNAL_H

#include "http/http.h"

/* Parser states (struct http_parser.state). */
enum {
    ST_HEAD = 0,         /* gathering the head into p->head */
    ST_LENGTH,           /* Content-Length body: p->remaining left */
    ST_CHUNK_SIZE,       /* hex digits of a chunk size */
    ST_CHUNK_EXT,        /* chunk extensions up to CR (ignored) */
    ST_CHUNK_SIZE_LF,
    ST_CHUNK_DATA,
    ST_CHUNK_DATA_CR,
    ST_CHUNK_DATA_LF,
    ST_TRAILER_START,    /* at the start of a trailer line */
    ST_TRAILER_LINE,     /* inside a trailer field (ignored) */
    ST_TRAILER_END_LF,   /* CR of the empty line after the trailers seen */
    ST_CLOSE,            /* response body that ends when the stream does */
    ST_DONE,             /* message complete; DONE not yet reported */
    ST_ERROR,
};

/* Records an error: HTTP status to answer with and a pus/err.h code. */
int http_fail(struct http_parser *p, int status, int err);

/* Parses p->head[0..head_len) into p->msg and picks the body state. */
int http_parse_head(struct http_parser *p);

/* The value of a hex digit, or -1 (chunk sizes, percent-encoding). */
int http_hex_value(char c);

bool http_streq_nocase(const char *a, const char *b);

/* Prepares a response to a request of the given version. */
void http_response_init(struct http_response *r, http_write_fn write, void *ctx,
                        int version, bool head_only, bool keep_alive);

#endif
