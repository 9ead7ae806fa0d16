/*
 * lib/json: a JSON (RFC 8259) writer and a strict, bounded parser.
 *
 * Writer: appends to a fixed buffer or to a growing one. It tracks the
 * nesting, so a misplaced key or value is refused (ERR_BAD_STATE) instead of
 * producing invalid JSON; strings are escaped and invalid UTF-8 is replaced
 * with U+FFFD, so the output is always valid JSON. Errors are sticky: a
 * sequence of calls can be checked once, at json_writer_finish().
 *
 * Parser: builds a small DOM (an array of nodes linked by index) from a
 * complete text. Iterative, never recursive: nesting is limited by
 * max_depth and held in a small explicit stack. The input must be valid
 * UTF-8; numbers follow the grammar exactly; no trailing commas, comments,
 * NaN, or bytes after the value. On error, the code, the byte offset and a
 * short English message are recorded in the document, and nothing else is
 * kept.
 *
 * Files: writer.c, parse.c (tokens and tree building), dom.c (lookups),
 * utf8.c (decoding shared by both directions).
 *
 * Single-threaded; a writer or document belongs to its caller.
 */
#ifndef PUS_JSON_H
#define PUS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- writer ------------------------------------------------------------- */

#define JSON_WRITER_DEPTH 32

struct json_writer {
    char *buf;
    size_t cap, len;
    bool growable;          /* buf is malloc'd and may be realloc'd */
    int error;              /* sticky: ERR_NO_SPACE, ERR_NO_MEMORY, ... */
    int depth;
    bool after_key;         /* inside an object, a key waits for its value */
    bool done;              /* a complete top-level value was written */
    uint32_t is_object;     /* bit d: level d is an object (else array) */
    uint32_t has_items;     /* bit d: level d has an element already */
};

/* Writes into buf[0..cap); the text is always NUL-terminated. */
void json_writer_init(struct json_writer *w, char *buf, size_t cap);
/* Writes into a malloc'd buffer that grows; free with json_writer_free(). */
int json_writer_init_alloc(struct json_writer *w, size_t initial);
void json_writer_free(struct json_writer *w);

int json_begin_object(struct json_writer *w);
int json_end_object(struct json_writer *w);
int json_begin_array(struct json_writer *w);
int json_end_array(struct json_writer *w);
/* An object member name; the next call writes its value. */
int json_key(struct json_writer *w, const char *key);
int json_string(struct json_writer *w, const char *s);
int json_string_n(struct json_writer *w, const char *s, size_t len);
int json_int(struct json_writer *w, int64_t v);
int json_uint(struct json_writer *w, uint64_t v);
/* Shortest "%.17g"-style text that reads back to the same double; NaN and
 * infinities have no JSON form: ERR_RANGE. */
int json_double(struct json_writer *w, double v);
int json_bool(struct json_writer *w, bool v);
int json_null(struct json_writer *w);

/* "key": value shorthands for objects. */
int json_kv_string(struct json_writer *w, const char *key, const char *s);
int json_kv_int(struct json_writer *w, const char *key, int64_t v);
int json_kv_double(struct json_writer *w, const char *key, double v);
int json_kv_bool(struct json_writer *w, const char *key, bool v);

/* Checks that exactly one complete value was written. Returns its length
 * or the first error (ERR_NO_SPACE: fixed buffer too small; ERR_BAD_STATE:
 * misplaced call or unclosed container; ERR_RANGE: NaN/Inf;
 * ERR_EXHAUSTED: nesting deeper than JSON_WRITER_DEPTH). */
long json_writer_finish(struct json_writer *w);

/* ---- parser / DOM ------------------------------------------------------- */

#define JSON_DEPTH_MAX 256

enum json_type {
    JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING,
    JSON_ARRAY, JSON_OBJECT,
};

struct json_value {
    uint8_t type;           /* enum json_type */
    bool is_int;            /* number written without fraction/exponent and
                               within int64: .integer is exact */
    uint32_t next;          /* index of the next sibling, 0 if last */
    uint32_t child;         /* index of the first element/member, 0 if none */
    uint32_t count;         /* elements or members */
    const char *key;        /* member name (object members), else NULL */
    size_t key_len;
    const char *str;        /* decoded string, NUL-terminated (may contain
                               NULs from \u0000: use len) */
    size_t len;
    int64_t integer;        /* when is_int */
    double number;          /* every number, nearest double (within 1 ulp) */
};

struct json_limits {
    uint32_t max_depth;     /* nesting of arrays/objects, <= JSON_DEPTH_MAX */
    uint32_t max_nodes;     /* values in the document */
};

struct json_doc {
    struct json_value *v;   /* v[0] is the root */
    uint32_t count, cap;
    char *strings;          /* decoded strings and keys */
    size_t strings_len;
    int error;              /* 0 or the parse error */
    size_t error_offset;    /* byte offset of the error in the input */
    const char *error_msg;  /* e.g. "expected ':' after key" */
};

/* Default limits: depth 32, 65536 nodes. */
void json_limits_default(struct json_limits *lim);

/*
 * Parses text[0..len) into doc. Returns 0 or a negative code:
 * ERR_BAD_FORMAT (grammar, UTF-8, escapes), ERR_EXHAUSTED (depth),
 * ERR_TOO_BIG (node count), ERR_RANGE (number beyond double),
 * ERR_NO_MEMORY. The doc holds no memory after a failure, but error_* are
 * set. Free a parsed doc with json_doc_free().
 */
int json_parse(struct json_doc *doc, const char *text, size_t len,
               const struct json_limits *lim /* NULL: defaults */);
void json_doc_free(struct json_doc *doc);

const struct json_value *json_root(const struct json_doc *doc);
/* First element/member of a container, or NULL. */
const struct json_value *json_child(const struct json_doc *doc, const struct json_value *v);
/* Next sibling, or NULL. */
const struct json_value *json_next(const struct json_doc *doc, const struct json_value *v);
/* Member of an object by name (first match), or NULL. */
const struct json_value *json_get(const struct json_doc *doc, const struct json_value *obj,
                                  const char *key);
/* Element of an array by index, or NULL. */
const struct json_value *json_at(const struct json_doc *doc, const struct json_value *arr,
                                 uint32_t index);

/* Typed member lookups: 0, ERR_NOT_FOUND (absent) or ERR_BAD_FORMAT
 * (present with another type; integers must be exact). */
int json_get_string(const struct json_doc *doc, const struct json_value *obj,
                    const char *key, const char **out);
int json_get_int(const struct json_doc *doc, const struct json_value *obj,
                 const char *key, int64_t *out);
int json_get_double(const struct json_doc *doc, const struct json_value *obj,
                    const char *key, double *out);
int json_get_bool(const struct json_doc *doc, const struct json_value *obj,
                  const char *key, bool *out);

const char *json_type_name(int type);

/* ---- UTF-8 (shared helper) ---------------------------------------------- */

/* Decodes one UTF-8 sequence at s[0..len). Returns its length (1..4) and
 * sets *cp, or 0 for an invalid, overlong, surrogate or truncated one. */
int json_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Encodes cp (<= 0x10FFFF, not a surrogate) into out; returns 1..4. */
int json_utf8_encode(uint32_t cp, char *out);

#endif
