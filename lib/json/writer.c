/*
 * JSON writer. Tracks nesting in two bit masks (object-or-array and
 * has-an-element per level) so that commas and colons are placed by the
 * writer, never by the caller, and misuse is refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_internal.h"
#include "pus/err.h"

void json_writer_init(struct json_writer *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    if (cap)
        buf[0] = 0;
    else
        w->error = ERR_NO_SPACE;
}

int json_writer_init_alloc(struct json_writer *w, size_t initial)
{
    memset(w, 0, sizeof(*w));
    if (initial < 16)
        initial = 16;
    w->buf = malloc(initial);
    if (!w->buf)
        return w->error = ERR_NO_MEMORY;
    w->buf[0] = 0;
    w->cap = initial;
    w->growable = true;
    return 0;
}

void json_writer_free(struct json_writer *w)
{
    if (w->growable)
        free(w->buf);
    w->buf = NULL;
    w->cap = w->len = 0;
}

static int fail(struct json_writer *w, int err)
{
    if (!w->error)
        w->error = err;
    return w->error;
}

/* Makes room for n more bytes plus the NUL. */
static int reserve(struct json_writer *w, size_t n)
{
    if (w->len + n + 1 <= w->cap)
        return 0;
    if (!w->growable)
        return fail(w, ERR_NO_SPACE);
    size_t cap = w->cap;
    while (cap < w->len + n + 1) {
        if (cap > SIZE_MAX / 2)
            return fail(w, ERR_NO_MEMORY);
        cap *= 2;
    }
    char *b = realloc(w->buf, cap);
    if (!b)
        return fail(w, ERR_NO_MEMORY);
    w->buf = b;
    w->cap = cap;
    return 0;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
    if (w->error || reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = 0;
}

/* Called before every value: checks placement and writes the comma. */
static int before_value(struct json_writer *w)
{
    if (w->error)
        return w->error;
    if (w->depth == 0) {
        if (w->done)
            return fail(w, ERR_BAD_STATE);   /* one top-level value only */
        return 0;
    }
    uint32_t bit = 1u << (w->depth - 1);
    if (w->is_object & bit) {
        if (!w->after_key)
            return fail(w, ERR_BAD_STATE);   /* a member needs a key */
        w->after_key = false;
        return 0;
    }
    if (w->has_items & bit)
        put(w, ",", 1);
    w->has_items |= bit;
    return w->error;
}

static int after_value(struct json_writer *w)
{
    if (w->depth == 0)
        w->done = true;
    return w->error;
}

static int begin(struct json_writer *w, bool object)
{
    if (before_value(w))
        return w->error;
    if (w->depth >= JSON_WRITER_DEPTH)
        return fail(w, ERR_EXHAUSTED);
    put(w, object ? "{" : "[", 1);
    uint32_t bit = 1u << w->depth;
    w->depth++;
    if (object)
        w->is_object |= bit;
    else
        w->is_object &= ~bit;
    w->has_items &= ~bit;
    return w->error;
}

static int end(struct json_writer *w, bool object)
{
    if (w->error)
        return w->error;
    if (w->depth == 0 || w->after_key ||
        !!(w->is_object & (1u << (w->depth - 1))) != object)
        return fail(w, ERR_BAD_STATE);
    put(w, object ? "}" : "]", 1);
    w->depth--;
    return after_value(w);
}

int json_begin_object(struct json_writer *w) { return begin(w, true); }
int json_end_object(struct json_writer *w) { return end(w, true); }
int json_begin_array(struct json_writer *w) { return begin(w, false); }
int json_end_array(struct json_writer *w) { return end(w, false); }

/* Writes a quoted, escaped string. Invalid UTF-8 becomes U+FFFD so the
 * document stays valid whatever bytes the caller had. */
static void put_string(struct json_writer *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    put(w, "\"", 1);
    while (i < len && !w->error) {
        size_t run = i;
        /* copy plain ASCII in runs */
        while (run < len && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' && u[run] != '\\')
            run++;
        put(w, s + i, run - i);
        i = run;
        if (i == len)
            break;
        unsigned char c = u[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c;
            put(w, esc, 2);
            i++;
        } else if (c < 0x20) {
            const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                              : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
            if (named) {
                put(w, named, 2);
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                put(w, esc, 6);
            }
            i++;
        } else {
            uint32_t cp;
            int n = json_utf8_decode(u + i, len - i, &cp);
            if (n == 0) {
                put(w, "\xef\xbf\xbd", 3);
                i++;
            } else {
                put(w, s + i, (size_t)n);
                i += (size_t)n;
            }
        }
    }
    put(w, "\"", 1);
}

int json_key(struct json_writer *w, const char *key)
{
    if (w->error)
        return w->error;
    if (w->depth == 0 || !(w->is_object & (1u << (w->depth - 1))) || w->after_key)
        return fail(w, ERR_BAD_STATE);
    uint32_t bit = 1u << (w->depth - 1);
    if (w->has_items & bit)
        put(w, ",", 1);
    w->has_items |= bit;
    put_string(w, key, strlen(key));
    put(w, ":", 1);
    w->after_key = true;
    return w->error;
}

int json_string_n(struct json_writer *w, const char *s, size_t len)
{
    if (before_value(w))
        return w->error;
    put_string(w, s, len);
    return after_value(w);
}

int json_string(struct json_writer *w, const char *s)
{
    return json_string_n(w, s, strlen(s));
}

static int put_number(struct json_writer *w, const char *text)
{
    if (before_value(w))
        return w->error;
    put(w, text, strlen(text));
    return after_value(w);
}

int json_int(struct json_writer *w, int64_t v)
{
    char t[24];
    snprintf(t, sizeof(t), "%lld", (long long)v);
    return put_number(w, t);
}

int json_uint(struct json_writer *w, uint64_t v)
{
    char t[24];
    snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
    return put_number(w, t);
}

int json_double(struct json_writer *w, double v)
{
    char t[32];
    if (isnan(v) || isinf(v)) {
        if (w->error)
            return w->error;
        return fail(w, ERR_RANGE);
    }
    /* The shortest of 15..17 digits that provably reads back exactly:
     * a shorter form is used only when the exact fast-path conversion
     * confirms it; %.17g always round-trips. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof(t), "%.*g", prec, v);
        if (prec == 17)
            break;
        double back;
        bool exact, is_int;
        int64_t iv;
        if (json_number_convert(t, strlen(t), &back, &exact, &iv, &is_int) == 0 &&
            exact && back == v)
            break;
    }
    /* "%g" may print "1e+20", valid JSON; but never "inf" here. */
    return put_number(w, t);
}

int json_bool(struct json_writer *w, bool v)
{
    return put_number(w, v ? "true" : "false");
}

int json_null(struct json_writer *w)
{
    return put_number(w, "null");
}

int json_kv_string(struct json_writer *w, const char *key, const char *s)
{
    return json_key(w, key) ? w->error : json_string(w, s);
}

int json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
    return json_key(w, key) ? w->error : json_int(w, v);
}

int json_kv_double(struct json_writer *w, const char *key, double v)
{
    return json_key(w, key) ? w->error : json_double(w, v);
}

int json_kv_bool(struct json_writer *w, const char *key, bool v)
{
    return json_key(w, key) ? w->error : json_bool(w, v);
}

long json_writer_finish(struct json_writer *w)
{
    if (w->error)
        return w->error;
    if (w->depth != 0 || !w->done)
        return fail(w, ERR_BAD_STATE);
    return (long)w->len;
}
