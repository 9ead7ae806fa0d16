/*
 * lib/coap: CoAP (RFC 7252) messages and a small server-side dispatcher,
 * with block-wise GET (RFC 7959 Block2).
 *
 * UDP-agnostic: the server is handed one datagram and the peer's address as
 * opaque bytes, and writes at most one reply datagram into a buffer. Time
 * comes in as a millisecond argument. Single-threaded: a server belongs to
 * the thread that reads its socket.
 *
 * Files: codec.c (parse/encode), options.c (option helpers, Uri-Path,
 * Uri-Query, Block2), server.c (dispatch, dedup cache).
 */
#ifndef PUS_COAP_H
#define PUS_COAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COAP_OPTIONS_MAX   32    /* options kept per message */
#define COAP_TOKEN_MAX      8

enum coap_type { COAP_CON = 0, COAP_NON = 1, COAP_ACK = 2, COAP_RST = 3 };

/* Codes are c.dd: class in the top 3 bits, detail in the low 5. */
#define COAP_CODE(c, dd)  ((uint8_t)(((c) << 5) | (dd)))
#define COAP_CLASS(code)  ((code) >> 5)
#define COAP_DETAIL(code) ((code) & 31)

enum coap_code {
    COAP_EMPTY = 0,
    COAP_GET = 1, COAP_POST = 2, COAP_PUT = 3, COAP_DELETE = 4,
    COAP_CREATED = COAP_CODE(2, 1), COAP_DELETED = COAP_CODE(2, 2),
    COAP_VALID = COAP_CODE(2, 3), COAP_CHANGED = COAP_CODE(2, 4),
    COAP_CONTENT = COAP_CODE(2, 5),
    COAP_BAD_REQUEST = COAP_CODE(4, 0), COAP_BAD_OPTION = COAP_CODE(4, 2),
    COAP_NOT_FOUND = COAP_CODE(4, 4), COAP_METHOD_NOT_ALLOWED = COAP_CODE(4, 5),
    COAP_NOT_ACCEPTABLE = COAP_CODE(4, 6),
    COAP_REQUEST_TOO_LARGE = COAP_CODE(4, 13),
    COAP_UNSUPPORTED_FORMAT = COAP_CODE(4, 15),
    COAP_INTERNAL_ERROR = COAP_CODE(5, 0), COAP_NOT_IMPLEMENTED = COAP_CODE(5, 1),
    COAP_PROXYING_NOT_SUPPORTED = COAP_CODE(5, 5),
};

enum coap_option_number {
    COAP_OPT_IF_MATCH = 1, COAP_OPT_URI_HOST = 3, COAP_OPT_ETAG = 4,
    COAP_OPT_IF_NONE_MATCH = 5, COAP_OPT_OBSERVE = 6, COAP_OPT_URI_PORT = 7,
    COAP_OPT_LOCATION_PATH = 8, COAP_OPT_URI_PATH = 11,
    COAP_OPT_CONTENT_FORMAT = 12, COAP_OPT_MAX_AGE = 14, COAP_OPT_URI_QUERY = 15,
    COAP_OPT_ACCEPT = 17, COAP_OPT_LOCATION_QUERY = 20, COAP_OPT_BLOCK2 = 23,
    COAP_OPT_BLOCK1 = 27, COAP_OPT_SIZE2 = 28, COAP_OPT_PROXY_URI = 35,
    COAP_OPT_PROXY_SCHEME = 39, COAP_OPT_SIZE1 = 60,
};

/* Content-Format numbers (RFC 7252 §12.3). */
enum coap_format {
    COAP_FMT_TEXT = 0, COAP_FMT_LINK = 40, COAP_FMT_OCTETS = 42,
    COAP_FMT_JSON = 50, COAP_FMT_CBOR = 60,
};

struct coap_option {
    uint16_t number;
    uint16_t len;
    const uint8_t *value;    /* into the parsed datagram, or caller memory */
};

struct coap_msg {
    uint8_t type;            /* enum coap_type */
    uint8_t code;
    uint16_t mid;            /* message ID */
    uint8_t token_len;
    uint8_t token[COAP_TOKEN_MAX];
    int option_count;
    struct coap_option options[COAP_OPTIONS_MAX];   /* in number order */
    const uint8_t *payload;
    size_t payload_len;
    uint8_t scratch[32];     /* values of options added with coap_add_uint */
    uint8_t scratch_len;
};

/*
 * Parses a datagram. Options and payload point into data. Returns 0,
 * ERR_NOT_SUPPORTED (version is not 1), ERR_BAD_FORMAT (truncated header,
 * token length 9-15, reserved option nibble 15, option number overflow,
 * payload marker with no payload, an empty message that is not just a
 * header), or ERR_TOO_BIG (more than COAP_OPTIONS_MAX options).
 */
int coap_parse(struct coap_msg *m, const uint8_t *data, size_t len);

/* Starts a message for encoding. */
void coap_init(struct coap_msg *m, enum coap_type type, uint8_t code, uint16_t mid,
               const uint8_t *token, uint8_t token_len);

/* Adds an option (any order: encoding sorts them, keeping the order of
 * repeated ones). The value is not copied. ERR_TOO_BIG when full. */
int coap_add_option(struct coap_msg *m, uint16_t number, const void *value, size_t len);
/* Adds an unsigned-integer option in its shortest form (0 is empty). */
int coap_add_uint(struct coap_msg *m, uint16_t number, uint32_t value);
/* Adds one Uri-Path option per segment of "/a/b" (empty segments skipped)
 * and one Uri-Query option per '&'-separated part after '?'. */
int coap_add_uri(struct coap_msg *m, const char *uri);

/* Encodes m into buf. Returns the length or ERR_TOO_BIG. */
int coap_encode(const struct coap_msg *m, uint8_t *buf, size_t cap);

/* The index-th option with this number, or NULL. */
const struct coap_option *coap_find(const struct coap_msg *m, uint16_t number, int index);
/* Unsigned-integer option value (up to 4 bytes); ERR_BAD_FORMAT if longer. */
int coap_option_uint(const struct coap_option *o, uint32_t *value);
/* Content-Format of the message, or -1 if absent or malformed. */
int coap_content_format(const struct coap_msg *m);

/* Joins the Uri-Path options as "/a/b" ("/" when none). Returns the
 * length or ERR_TOO_BIG. */
int coap_uri_path(const struct coap_msg *m, char *buf, size_t cap);
/* Finds "name=value" (or bare "name") among the Uri-Query options and
 * copies the value. Returns its length, ERR_NOT_FOUND or ERR_TOO_BIG. */
int coap_uri_query(const struct coap_msg *m, const char *name, char *buf, size_t cap);

/* Block option value: NUM (20 bits), M (more), SZX (size 2^(SZX+4)). */
struct coap_block {
    uint32_t num;
    bool more;
    uint8_t szx;             /* 0..6; 7 is reserved */
};
int coap_block_decode(const struct coap_option *o, struct coap_block *b);
uint32_t coap_block_encode(const struct coap_block *b);
static inline size_t coap_block_size(uint8_t szx) { return (size_t)16 << szx; }

/* "2.05" for a code; buf needs 5 bytes. */
const char *coap_code_str(uint8_t code, char buf[5]);

/* ---- server ------------------------------------------------------------- */

#define COAP_RESOURCES_MAX   32
#define COAP_PAYLOAD_MAX   4096    /* largest representation (sent in blocks) */
#define COAP_DATAGRAM_MAX  1152    /* reply size: RFC 7252 §4.6 */
#define COAP_DEDUP_SLOTS     16
#define COAP_PEER_MAX        20    /* opaque peer address bytes */
#define COAP_EXCHANGE_LIFETIME_MS 247000u   /* RFC 7252 §4.8.2 */
#define COAP_NON_LIFETIME_MS      145000u

/* Method bits for coap_server_add(). */
#define COAP_M_GET    (1u << COAP_GET)
#define COAP_M_POST   (1u << COAP_POST)
#define COAP_M_PUT    (1u << COAP_PUT)
#define COAP_M_DELETE (1u << COAP_DELETE)

/* What a handler fills in. */
struct coap_reply {
    uint8_t code;            /* 0: not answered yet */
    int content_format;      /* -1: none */
    int option_count;        /* extra options (e.g. Location-Path, ETag) */
    struct coap_option options[4];
    uint8_t option_bytes[64];
    size_t option_used;
    size_t len;
    uint8_t payload[COAP_PAYLOAD_MAX];   /* last: left uncleared per request */
};

/* Sets the answer; copies the payload. ERR_TOO_BIG over COAP_PAYLOAD_MAX. */
int coap_reply_set(struct coap_reply *r, uint8_t code, int content_format,
                   const void *payload, size_t len);
/* Adds an option to the answer (value copied). */
int coap_reply_option(struct coap_reply *r, uint16_t number, const void *value, size_t len);

typedef int (*coap_handler_fn)(const struct coap_msg *req, struct coap_reply *reply,
                               void *arg);

struct coap_resource {
    const char *path;        /* "/sensors/temp", matched exactly */
    unsigned methods;        /* COAP_M_* bits */
    coap_handler_fn fn;
    void *arg;
};

struct coap_dedup {
    bool used;
    bool has_reply;
    uint8_t peer_len;
    uint16_t mid;
    uint16_t reply_len;
    uint64_t expires_ms;
    uint8_t peer[COAP_PEER_MAX];
    uint8_t reply[COAP_DATAGRAM_MAX];    /* last: left uncleared */
};

struct coap_server {
    struct coap_resource resources[COAP_RESOURCES_MAX];
    int count;
    uint16_t next_mid;       /* for NON replies */
    unsigned long duplicates;   /* statistics */
    struct coap_dedup dedup[COAP_DEDUP_SLOTS];
    struct coap_reply reply; /* scratch for the handler being run */
};

/* mid_seed should be random (RFC 7252 §4.4). */
void coap_server_init(struct coap_server *s, uint16_t mid_seed);
/* path and arg must outlive the server. ERR_NO_SPACE, ERR_INVALID_ARGS. */
int coap_server_add(struct coap_server *s, const char *path, unsigned methods,
                    coap_handler_fn fn, void *arg);

/*
 * Handles one datagram from peer (opaque address bytes, at most
 * COAP_PEER_MAX) at time now_ms. Writes the reply datagram into out and
 * returns its length, 0 when nothing is to be sent, or a negative code
 * (ERR_TOO_BIG: out smaller than the reply).
 *
 * CON request -> ACK with the response piggybacked; NON request -> NON
 * response. A repeated CON (same peer and message ID within
 * EXCHANGE_LIFETIME) gets the same reply again without running the handler;
 * a repeated NON is dropped. CON ping (empty) -> RST. A CON that cannot be
 * parsed -> RST; a bad NON, ACKs and RSTs -> nothing. Unknown path -> 4.04,
 * method not in the resource's set -> 4.05, unrecognised critical option
 * -> 4.02, Proxy-Uri -> 5.05, handler error without a code -> 5.00.
 * GET /.well-known/core lists the resources (RFC 6690). Representations
 * larger than one block go out block-wise (Block2).
 */
int coap_server_handle(struct coap_server *s, const void *peer, size_t peer_len,
                       uint64_t now_ms, const uint8_t *in, size_t in_len,
                       uint8_t *out, size_t out_cap);

#endif
