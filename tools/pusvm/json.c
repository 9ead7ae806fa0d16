/* A recursive-descent JSON reader: enough for wast2json output, strict
 * enough to refuse garbage with NULL instead of misreading it. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

struct parser {
    const char *p;
    int depth;
};

static void skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t')
        ps->p++;
}

static void put_utf8(char **out, unsigned cp)
{
    char *o = *out;
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    *out = o;
}

static char *parse_string(struct parser *ps, size_t *len)
{
    if (*ps->p != '"')
        return NULL;
    ps->p++;
    const char *start = ps->p;
    size_t cap = 0;
    while (start[cap] && start[cap] != '"') {
        if (start[cap] == '\\' && start[cap + 1])
            cap++;
        cap++;
    }
    char *out = malloc(cap * 3 + 1), *o = out;
    if (!out)
        return NULL;
    while (*ps->p && *ps->p != '"') {
        char c = *ps->p++;
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        c = *ps->p++;
        switch (c) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            unsigned cp = 0;
            for (int i = 0; i < 4; i++) {
                char h = *ps->p++;
                cp <<= 4;
                if (h >= '0' && h <= '9') cp |= (unsigned)(h - '0');
                else if (h >= 'a' && h <= 'f') cp |= (unsigned)(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F') cp |= (unsigned)(h - 'A' + 10);
                else { free(out); return NULL; }
            }
            put_utf8(&o, cp);
            break;
        }
        case 0: free(out); return NULL;
        default: *o++ = c; break;
        }
    }
    if (*ps->p != '"') {
        free(out);
        return NULL;
    }
    ps->p++;
    *o = 0;
    if (len)
        *len = (size_t)(o - out);
    return out;
}

static int parse_value(struct parser *ps, struct json *j);

static int parse_container(struct parser *ps, struct json *j, char close)
{
    size_t cap = 0;
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (j->n == cap) {
            cap = cap ? cap * 2 : 4;
            struct json *ni = realloc(j->items, cap * sizeof *ni);
            if (!ni)
                return -1;
            j->items = ni;
            if (close == '}') {
                char **nk = realloc(j->keys, cap * sizeof *nk);
                if (!nk)
                    return -1;
                j->keys = nk;
            }
        }
        skip_ws(ps);
        if (close == '}') {
            char *k = parse_string(ps, NULL);
            if (!k)
                return -1;
            j->keys[j->n] = k;
            skip_ws(ps);
            if (*ps->p != ':') {
                free(k);
                return -1;
            }
            ps->p++;
        }
        memset(&j->items[j->n], 0, sizeof j->items[0]);
        if (parse_value(ps, &j->items[j->n])) {
            if (close == '}')
                free(j->keys[j->n]);
            json_free(&j->items[j->n]);
            return -1;
        }
        j->n++;
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            return 0;
        }
        return -1;
    }
}

static int parse_value(struct parser *ps, struct json *j)
{
    skip_ws(ps);
    if (++ps->depth > 64)
        return -1;
    int rc = 0;
    char c = *ps->p;
    if (c == '{') {
        j->kind = JSON_OBJECT;
        rc = parse_container(ps, j, '}');
    } else if (c == '[') {
        j->kind = JSON_ARRAY;
        rc = parse_container(ps, j, ']');
    } else if (c == '"') {
        j->kind = JSON_STRING;
        j->str = parse_string(ps, &j->len);
        rc = j->str ? 0 : -1;
    } else if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
        j->kind = JSON_BOOL;
        j->boolean = c == 't';
        ps->p += j->boolean ? 4 : 5;
    } else if (!strncmp(ps->p, "null", 4)) {
        j->kind = JSON_NULL;
        ps->p += 4;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        j->kind = JSON_NUMBER;
        j->num = strtod(ps->p, &end);
        j->str = strndup(ps->p, (size_t)(end - ps->p));
        ps->p = end;
    } else {
        rc = -1;
    }
    ps->depth--;
    return rc;
}

struct json *json_parse(const char *text)
{
    struct parser ps = {text, 0};
    struct json *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    if (parse_value(&ps, j)) {
        json_free(j);
        free(j);
        return NULL;
    }
    return j;
}

void json_free(struct json *j)
{
    if (!j)
        return;
    free(j->str);
    for (size_t i = 0; i < j->n; i++) {
        json_free(&j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    j->items = NULL;
    j->keys = NULL;
    j->str = NULL;
    j->n = 0;
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->kind != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key))
            return &obj->items[i];
    return NULL;
}

const char *json_str(const struct json *obj, const char *key)
{
    const struct json *v = json_get(obj, key);
    return v && v->kind == JSON_STRING ? v->str : NULL;
}
