/*
 * lib/http: HTTP/1.1 (RFC 9110 semantics, RFC 9112 message syntax) for
 * in-kernel services and for host tools.
 *
 * Transport-agnostic and single-threaded. Nothing here touches a socket:
 * bytes go in through http_parser_run() / http_conn_feed() and come out
 * through a write callback. One connection object is owned by one thread
 * (the service thread that reads its socket); no locks are taken inside.
 *
 * Pieces, one file each:
 *   parser.c     incremental message parser (requests and responses)
 *   head.c       parsing of a complete head: start line and header fields
 *   chunked.c    body framing: Content-Length, chunked, until-close
 *   response.c   response writer for handlers (Content-Length or chunked)
 *   router.c     (method, "/path/{param}") -> handler table
 *   conn.c       server connection state machine: http_conn_feed()
 *   client.c     request builder for the client side
 *   url.c        percent-decoding and query lookup
 *   status.c     reason phrases
 */
#ifndef PUS_HTTP_H
#define PUS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- compile-time ceilings (runtime limits may be lower) ---------------- */

#define HTTP_HEAD_MAX     8192   /* bytes of start line + header fields */
#define HTTP_HEADERS_MAX    48   /* header fields per message */
#define HTTP_PARAMS_MAX      8   /* {param} captures per route */
#define HTTP_PARAMS_BYTES  512   /* decoded names + values of captures */
#define HTTP_ROUTES_MAX     64

/* Runtime limits; http_limits_default() fills sensible values, and a zero
 * field means its default. max_body also bounds until-close response
 * bodies on the client side. */
struct http_limits {
    uint32_t max_line;      /* request line (target included): else 414 */
    uint32_t max_head;      /* whole head, <= HTTP_HEAD_MAX: else 431 */
    uint32_t max_headers;   /* field count, <= HTTP_HEADERS_MAX: else 431 */
    uint64_t max_body;      /* decoded body bytes: else 413 */
};
void http_limits_default(struct http_limits *lim);

enum http_method {
    HTTP_OTHER = 0,          /* a valid token we do not know */
    HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_DELETE,
    HTTP_OPTIONS, HTTP_PATCH,
};
/* "GET" -> HTTP_GET; unknown -> HTTP_OTHER. */
enum http_method http_method_from(const char *name);

struct http_header {
    const char *name;        /* as received; compare case-insensitively */
    const char *value;       /* surrounding whitespace removed */
};

/*
 * A parsed head. Strings are NUL-terminated and point into the parser's
 * buffer: valid until the parser is fed the first byte of the next message.
 */
struct http_message {
    /* requests */
    enum http_method method;
    const char *method_name;
    const char *path;        /* "/a/b" of the target, not decoded; the
                                scheme and authority of an absolute-form
                                target are dropped; "*" for OPTIONS * */
    const char *query;       /* text after '?', not decoded; "" when none */
    /* responses */
    int status;              /* 100..999 */
    const char *reason;
    /* both */
    int version;             /* 10 for HTTP/1.0, 11 for HTTP/1.1 */
    struct http_header headers[HTTP_HEADERS_MAX];
    int header_count;
    int64_t content_length;  /* -1 when absent */
    bool chunked;            /* Transfer-Encoding ends in chunked */
    bool keep_alive;         /* connection persists after this message */
    bool expect_continue;    /* Expect: 100-continue */
    bool has_body;           /* false when no body follows the head */
};

/* Value of the first field called name (case-insensitive), or NULL. */
const char *http_header_get(const struct http_message *m, const char *name);

/* Case-insensitive: does a comma-separated field value hold token? */
bool http_list_has(const char *value, const char *token);

/* ---- incremental parser ------------------------------------------------- */

enum http_parse_mode { HTTP_PARSE_REQUEST, HTTP_PARSE_RESPONSE };

enum http_event_kind {
    HTTP_EV_NEED_MORE = 0,   /* every byte given was consumed; feed more */
    HTTP_EV_HEAD,            /* p->msg is filled in */
    HTTP_EV_BODY,            /* ev.data/ev.len: decoded body bytes (in input) */
    HTTP_EV_DONE,            /* message complete; the next one may follow */
};

struct http_event {
    enum http_event_kind kind;
    const uint8_t *data;
    size_t len;
};

struct http_parser {
    uint8_t mode;            /* enum http_parse_mode */
    uint8_t state;           /* private */
    bool head_request;       /* response mode: the request was HEAD */
    bool in_first_line;
    struct http_limits lim;
    struct http_message msg;
    int status;              /* HTTP status that describes the last error */
    int error;               /* sticky negative code once failed */
    uint32_t head_len;
    uint32_t line_start;
    uint32_t aux_len;        /* chunk-ext / trailer bytes seen */
    uint8_t hex_digits;
    uint64_t remaining;      /* body bytes left (length or current chunk) */
    uint64_t body_total;
    char head[HTTP_HEAD_MAX + 1];
};

void http_parser_init(struct http_parser *p, enum http_parse_mode mode,
                      const struct http_limits *lim /* NULL: defaults */);

/*
 * Consumes bytes from data until one event happens or the input runs out.
 * Returns the number of bytes consumed (the event says what they were) or a
 * negative code from pus/err.h; then p->status holds the HTTP status to
 * answer with (400, 413, 414, 431, 501, 505) and every later call fails the
 * same way. Loop until HTTP_EV_NEED_MORE before waiting for more input:
 * DONE is an event of its own that consumes no bytes (after the last body
 * byte, or right after a bodiless HEAD), so a reader that blocks on its
 * socket as soon as the input is used up would miss it.
 *
 * Body bytes are never copied: an HTTP_EV_BODY event points into data.
 */
long http_parser_run(struct http_parser *p, const uint8_t *data, size_t len,
                     struct http_event *ev);

/* Response mode: the next response answers a HEAD request (no body). */
void http_parser_expect_head(struct http_parser *p, bool head_request);

/*
 * The peer closed the stream. Completes an until-close body (returns 1 and
 * sets ev to DONE), returns 0 if the parser was idle between messages, or
 * ERR_CLOSED if a message was cut short.
 */
int http_parser_finish(struct http_parser *p, struct http_event *ev);

/* True between messages (nothing of a next message seen yet). */
bool http_parser_idle(const struct http_parser *p);

/* ---- status codes ------------------------------------------------------- */

/* "Not Found" for 404; "Unknown" for codes we do not name. */
const char *http_reason(int status);

/* ---- URLs --------------------------------------------------------------- */

/*
 * Percent-decodes src[0..len) into dst (NUL-terminated, at most cap bytes
 * including the NUL). plus_is_space decodes '+' as ' ' (query strings).
 * Returns the decoded length, ERR_BAD_FORMAT for a bad %XY or a decoded NUL,
 * ERR_TOO_BIG if dst is too small.
 */
int http_percent_decode(char *dst, size_t cap, const char *src, size_t len,
                        bool plus_is_space);

/*
 * Finds name in a query string "a=1&b=x%20y" and decodes its value into dst.
 * A key without '=' has the value "". Returns the value length,
 * ERR_NOT_FOUND, or an error from http_percent_decode().
 */
int http_query_get(const char *query, const char *name, char *dst, size_t cap);

/* ---- response writer (used by handlers) --------------------------------- */

/* Output of a connection. Must take every byte (the glue buffers or blocks);
 * returns 0 or a negative code, which ends the connection. */
typedef int (*http_write_fn)(void *ctx, const uint8_t *data, size_t len);

struct http_response {
    http_write_fn write;
    void *ctx;
    int status;
    int version;             /* of the request: 10 or 11 */
    bool head_only;          /* HEAD request: send the head, never a body */
    bool keep_alive;         /* cleared when the connection must close */
    bool started;            /* head sent */
    bool finished;
    bool chunked;
    bool until_close;        /* HTTP/1.0 streaming: body ends at close */
    int error;               /* first write error, sticky */
    int64_t declared;        /* Content-Length sent, -1 if none */
    int64_t sent;            /* body bytes sent */
    uint32_t hlen;
    char hbuf[1024];         /* extra header fields until the head is sent */
};

/* Adds a header field to the response head (before it is sent).
 * Returns 0, ERR_BAD_STATE after the head went out, ERR_TOO_BIG, or
 * ERR_INVALID_ARGS for a name or value holding CR/LF. */
int http_response_header(struct http_response *r, const char *name,
                         const char *value);

/* Sends a complete response with Content-Length. content_type may be NULL. */
int http_response_send(struct http_response *r, int status,
                       const char *content_type, const void *body, size_t len);

/* Sends a NUL-terminated string body. */
int http_response_text(struct http_response *r, int status,
                       const char *content_type, const char *text);

/* Streams a body of unknown length: chunked for HTTP/1.1 clients, or
 * until-close for HTTP/1.0 ones. Then http_response_write() any number of
 * times and http_response_end(). */
int http_response_begin(struct http_response *r, int status,
                        const char *content_type);
/* Streams a body whose length is known up front (Content-Length). */
int http_response_begin_sized(struct http_response *r, int status,
                              const char *content_type, uint64_t len);
int http_response_write(struct http_response *r, const void *data, size_t len);
int http_response_end(struct http_response *r);

/* Error reply with a short text body, e.g. "404 Not Found\n". */
int http_response_error(struct http_response *r, int status);

/* ---- router ------------------------------------------------------------- */

struct http_request {
    const struct http_message *msg;
    const uint8_t *body;     /* whole decoded body (NUL-terminated), or NULL */
    size_t body_len;
    int param_count;
    const char *param_names[HTTP_PARAMS_MAX];
    const char *param_values[HTTP_PARAMS_MAX];  /* percent-decoded */
    char params_buf[HTTP_PARAMS_BYTES];
};

/* Value of the {name} capture of the matched route, or NULL. */
const char *http_param(const struct http_request *req, const char *name);

/* A handler answers through res (one of the http_response_* calls). If it
 * returns without answering, the engine answers 500 (negative return) or
 * 204 (otherwise); if it leaves a stream open, the engine ends it. */
typedef int (*http_handler_fn)(struct http_request *req,
                               struct http_response *res, void *arg);

struct http_route {
    const char *method;      /* "GET", ...; GET routes also serve HEAD */
    const char *pattern;     /* "/apps/{name}/logs", "/fs/{path*}" */
    http_handler_fn fn;
    void *arg;
};

struct http_router {
    struct http_route routes[HTTP_ROUTES_MAX];
    int count;
};

void http_router_init(struct http_router *r);

/*
 * Registers a route. Patterns are absolute paths whose segments are
 * literals, "{name}" (one non-empty segment) or, as the last segment,
 * "{name*}" (the rest of the path, slashes included, possibly empty).
 * method and pattern must outlive the router. Returns 0, ERR_NO_SPACE,
 * ERR_INVALID_ARGS (bad pattern).
 */
int http_router_add(struct http_router *r, const char *method,
                    const char *pattern, http_handler_fn fn, void *arg);

/*
 * Finds the route for req->msg, fills req's params, calls the handler.
 * Answers 404 (no path matches), 405 with Allow (path matches, method does
 * not), 501 (method unknown to every route), 400 (bad percent-encoding).
 * Returns the handler's result, or 0 after an error reply.
 */
int http_router_dispatch(const struct http_router *r, struct http_request *req,
                         struct http_response *res);

/* ---- server connection engine ------------------------------------------ */

struct http_server {
    const struct http_router *router;
    struct http_limits limits;
    const char *server_name; /* "Server:" field, or NULL */
};

struct http_conn {
    const struct http_server *srv;
    http_write_fn write;
    void *ctx;
    bool closing;            /* no more requests will be served */
    bool body_rejected;
    int error;
    uint8_t *body;           /* grows to the request body (malloc) */
    size_t body_len, body_cap;
    unsigned long requests;  /* served so far */
    struct http_parser parser;
};

#define HTTP_CONN_OPEN   0   /* keep reading */
#define HTTP_CONN_CLOSE  1   /* all output written; close the stream now */

/* The connection must stay at a fixed address while in use. */
void http_conn_init(struct http_conn *c, const struct http_server *srv,
                    http_write_fn write, void *ctx);

/*
 * Feeds bytes read from the stream. Complete requests are dispatched in
 * order (pipelining) and their responses written before this returns.
 * Returns HTTP_CONN_OPEN, HTTP_CONN_CLOSE (a response said Connection:
 * close, or the input was bad and was answered with 4xx/5xx), or a negative
 * code from the write callback.
 */
int http_conn_feed(struct http_conn *c, const uint8_t *data, size_t len);

/* The peer closed its side. Returns HTTP_CONN_CLOSE. */
int http_conn_eof(struct http_conn *c);

/* Frees the body buffer. */
void http_conn_free(struct http_conn *c);

/* ---- client ------------------------------------------------------------- */

struct http_client_request {
    const char *method;      /* "GET" */
    const char *host;        /* Host field value, e.g. "10.0.2.2:8080" */
    const char *target;      /* "/path?query" */
    const struct http_header *headers;   /* extra fields, may be NULL */
    int header_count;
    int64_t body_len;        /* Content-Length, or -1 for chunked, or 0 */
    bool close;              /* send Connection: close */
};

/* Writes the request head into buf (NUL-terminated). Returns its length,
 * ERR_TOO_BIG, or ERR_INVALID_ARGS (CR/LF or space where not allowed). */
int http_client_format(char *buf, size_t cap,
                       const struct http_client_request *req);

/* Chunk framing for a chunked request body: writes "1a\r\n" (len > 0) or
 * the last chunk "0\r\n\r\n" (len == 0) into buf. Returns its length. */
int http_chunk_header(char *buf, size_t cap, size_t len);

#endif
