/*
 * Strict JSON parser (RFC 8259) that builds the DOM of json.h.
 *
 * No recursion: containers being filled are kept on an explicit stack
 * bounded by max_depth, so hostile nesting costs a clean ERR_EXHAUSTED,
 * never the C stack. Nodes live in one array grown with realloc and are
 * linked by index (so growth moves nothing the caller sees; pointers are
 * handed out only after parsing). Decoded strings go to one buffer sized
 * to the input, which is always enough: no escape decodes longer than it
 * is written and each closing quote becomes the NUL.
 */
#include <stdlib.h>
#include <string.h>

#include "json/json_internal.h"
#include "pus/err.h"

struct parser {
    const unsigned char *s;
    size_t len, pos;
    struct json_doc *doc;
    uint32_t max_nodes;
};

void json_limits_default(struct json_limits *lim)
{
    lim->max_depth = 32;
    lim->max_nodes = 65536;
}

static int perr(struct parser *P, int err, size_t at, const char *msg)
{
    P->doc->error = err;
    P->doc->error_offset = at;
    P->doc->error_msg = msg;
    return err;
}

static void skip_ws(struct parser *P)
{
    while (P->pos < P->len) {
        unsigned char c = P->s[P->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        P->pos++;
    }
}

static int new_node(struct parser *P, uint8_t type, uint32_t *idx)
{
    struct json_doc *doc = P->doc;
    if (doc->count >= P->max_nodes)
        return perr(P, ERR_TOO_BIG, P->pos, "too many values");
    if (doc->count == doc->cap) {
        uint32_t cap = doc->cap ? doc->cap * 2 : 16;
        struct json_value *v = realloc(doc->v, cap * sizeof(*v));
        if (!v)
            return perr(P, ERR_NO_MEMORY, P->pos, "out of memory");
        doc->v = v;
        doc->cap = cap;
    }
    *idx = doc->count++;
    memset(&doc->v[*idx], 0, sizeof(doc->v[*idx]));
    doc->v[*idx].type = type;
    return 0;
}

static int hex4(const unsigned char *s, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (h < 0)
            return -1;
        *v = *v * 16 + (uint32_t)h;
    }
    return 0;
}

/* At an opening quote: decodes the string into the strings buffer. */
static int parse_string(struct parser *P, const char **out, size_t *out_len)
{
    struct json_doc *doc = P->doc;
    char *dst = doc->strings + doc->strings_len;
    size_t o = 0;

    P->pos++;
    for (;;) {
        if (P->pos >= P->len)
            return perr(P, ERR_BAD_FORMAT, P->pos, "unterminated string");
        unsigned char c = P->s[P->pos];
        if (c == '"') {
            P->pos++;
            break;
        }
        if (c < 0x20)
            return perr(P, ERR_BAD_FORMAT, P->pos, "control character in string");
        if (c == '\\') {
            size_t at = P->pos;
            if (P->pos + 1 >= P->len)
                return perr(P, ERR_BAD_FORMAT, at, "unterminated string");
            unsigned char e = P->s[P->pos + 1];
            P->pos += 2;
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                dst[o++] = map[simple - "\"\\/bfnrt"];
                continue;
            }
            uint32_t cp, lo;
            if (e != 'u' || P->len - P->pos < 4 || hex4(P->s + P->pos, &cp) < 0)
                return perr(P, ERR_BAD_FORMAT, at, "bad escape in string");
            P->pos += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return perr(P, ERR_BAD_FORMAT, at, "lone surrogate in \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (P->len - P->pos < 6 || P->s[P->pos] != '\\' || P->s[P->pos + 1] != 'u' ||
                    hex4(P->s + P->pos + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                    return perr(P, ERR_BAD_FORMAT, at, "lone surrogate in \\u escape");
                P->pos += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            o += (size_t)json_utf8_encode(cp, dst + o);
            continue;
        }
        if (c < 0x80) {
            dst[o++] = (char)c;
            P->pos++;
            continue;
        }
        uint32_t cp;
        int n = json_utf8_decode(P->s + P->pos, P->len - P->pos, &cp);
        if (n == 0)
            return perr(P, ERR_BAD_FORMAT, P->pos, "invalid UTF-8");
        memcpy(dst + o, P->s + P->pos, (size_t)n);
        o += (size_t)n;
        P->pos += (size_t)n;
    }
    dst[o] = 0;
    doc->strings_len += o + 1;
    *out = dst;
    *out_len = o;
    return 0;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct parser *P, struct json_value *v)
{
    size_t start = P->pos, i = P->pos;
    const unsigned char *s = P->s;
#define DIGIT(k) ((k) < P->len && s[k] >= '0' && s[k] <= '9')
    if (i < P->len && s[i] == '-')
        i++;
    if (!DIGIT(i))
        return perr(P, ERR_BAD_FORMAT, i, "bad number");
    if (s[i] == '0') {
        i++;
        if (DIGIT(i))
            return perr(P, ERR_BAD_FORMAT, i, "leading zero in number");
    } else {
        while (DIGIT(i))
            i++;
    }
    if (i < P->len && s[i] == '.') {
        i++;
        if (!DIGIT(i))
            return perr(P, ERR_BAD_FORMAT, i, "digit expected after '.'");
        while (DIGIT(i))
            i++;
    }
    if (i < P->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < P->len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!DIGIT(i))
            return perr(P, ERR_BAD_FORMAT, i, "digit expected in exponent");
        while (DIGIT(i))
            i++;
    }
#undef DIGIT
    bool exact;
    if (json_number_convert((const char *)s + start, i - start, &v->number, &exact,
                            &v->integer, &v->is_int) < 0)
        return perr(P, ERR_RANGE, start, "number out of range");
    P->pos = i;
    return 0;
}

static int literal(struct parser *P, const char *word)
{
    size_t n = strlen(word);
    if (P->len - P->pos < n || memcmp(P->s + P->pos, word, n) != 0)
        return perr(P, ERR_BAD_FORMAT, P->pos, "unknown literal");
    P->pos += n;
    return 0;
}

enum { WANT_VALUE, WANT_VALUE_OR_END, WANT_KEY, WANT_KEY_OR_END, WANT_COMMA_OR_END };

static int run(struct parser *P, uint32_t max_depth)
{
    struct json_doc *doc = P->doc;
    uint32_t stack[JSON_DEPTH_MAX], last[JSON_DEPTH_MAX];
    uint32_t depth = 0;
    const char *key = NULL;
    size_t key_len = 0;
    int want = WANT_VALUE;

    for (;;) {
        skip_ws(P);
        if (P->pos >= P->len)
            return perr(P, ERR_BAD_FORMAT, P->pos,
                        doc->count ? "unexpected end of input" : "empty input");
        unsigned char c = P->s[P->pos];
        size_t at = P->pos;

        if (want == WANT_KEY || want == WANT_KEY_OR_END) {
            if (c == '}' && want == WANT_KEY_OR_END)
                goto close;
            if (c != '"')
                return perr(P, ERR_BAD_FORMAT, at, "expected a string key");
            if (parse_string(P, &key, &key_len) < 0)
                return doc->error;
            skip_ws(P);
            if (P->pos >= P->len || P->s[P->pos] != ':')
                return perr(P, ERR_BAD_FORMAT, P->pos, "expected ':' after key");
            P->pos++;
            want = WANT_VALUE;
            continue;
        }
        if (want == WANT_COMMA_OR_END) {
            if (c == ',') {
                P->pos++;
                want = doc->v[stack[depth - 1]].type == JSON_OBJECT ? WANT_KEY : WANT_VALUE;
                continue;
            }
            goto close;
        }
        if (want == WANT_VALUE_OR_END && c == ']')
            goto close;

        /* a value */
        {
            uint8_t type;
            switch (c) {
            case '{': type = JSON_OBJECT; break;
            case '[': type = JSON_ARRAY; break;
            case '"': type = JSON_STRING; break;
            case 't': type = JSON_TRUE; break;
            case 'f': type = JSON_FALSE; break;
            case 'n': type = JSON_NULL; break;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    type = JSON_NUMBER;
                    break;
                }
                return perr(P, ERR_BAD_FORMAT, at, "expected a value");
            }
            uint32_t idx;
            if (new_node(P, type, &idx) < 0)
                return doc->error;
            if (depth > 0) {
                uint32_t parent = stack[depth - 1];
                if (last[depth - 1])
                    doc->v[last[depth - 1]].next = idx;
                else
                    doc->v[parent].child = idx;
                last[depth - 1] = idx;
                doc->v[parent].count++;
                if (doc->v[parent].type == JSON_OBJECT) {
                    doc->v[idx].key = key;
                    doc->v[idx].key_len = key_len;
                }
            }
            int rc = 0;
            switch (type) {
            case JSON_OBJECT:
            case JSON_ARRAY:
                if (depth >= max_depth)
                    return perr(P, ERR_EXHAUSTED, at, "nesting too deep");
                stack[depth] = idx;
                last[depth] = 0;
                depth++;
                P->pos++;
                want = type == JSON_OBJECT ? WANT_KEY_OR_END : WANT_VALUE_OR_END;
                continue;
            case JSON_STRING: {
                const char *str;
                size_t len;
                rc = parse_string(P, &str, &len);
                doc->v[idx].str = str;
                doc->v[idx].len = len;
                break;
            }
            case JSON_TRUE: rc = literal(P, "true"); break;
            case JSON_FALSE: rc = literal(P, "false"); break;
            case JSON_NULL: rc = literal(P, "null"); break;
            default: rc = parse_number(P, &doc->v[idx]); break;
            }
            if (rc < 0)
                return rc;
            goto value_done;
        }

close:
        {
            uint8_t type = doc->v[stack[depth - 1]].type;
            if ((type == JSON_OBJECT && c != '}') || (type == JSON_ARRAY && c != ']'))
                return perr(P, ERR_BAD_FORMAT, at,
                            type == JSON_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
            P->pos++;
            depth--;
        }
value_done:
        if (depth == 0) {
            skip_ws(P);
            if (P->pos != P->len)
                return perr(P, ERR_BAD_FORMAT, P->pos, "trailing characters after value");
            return 0;
        }
        want = WANT_COMMA_OR_END;
    }
}

int json_parse(struct json_doc *doc, const char *text, size_t len,
               const struct json_limits *lim)
{
    struct json_limits def;
    struct parser P = { (const unsigned char *)text, len, 0, doc, 0 };

    if (!lim) {
        json_limits_default(&def);
        lim = &def;
    }
    memset(doc, 0, sizeof(*doc));
    P.max_nodes = lim->max_nodes ? lim->max_nodes : 1;
    uint32_t max_depth = lim->max_depth > JSON_DEPTH_MAX ? JSON_DEPTH_MAX : lim->max_depth;
    doc->strings = malloc(len + 1);
    if (!doc->strings)
        return perr(&P, ERR_NO_MEMORY, 0, "out of memory");
    int rc = run(&P, max_depth);
    if (rc < 0) {
        free(doc->v);
        free(doc->strings);
        doc->v = NULL;
        doc->strings = NULL;
        doc->count = doc->cap = 0;
        doc->strings_len = 0;
        return rc;
    }
    return 0;
}

void json_doc_free(struct json_doc *doc)
{
    free(doc->v);
    free(doc->strings);
    memset(doc, 0, sizeof(*doc));
}
