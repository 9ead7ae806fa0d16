/* Option helpers: integers, Uri-Path / Uri-Query, Content-Format, Block. */
#include <string.h>

#include "coap/coap.h"
#include "pus/err.h"

const struct coap_option *coap_find(const struct coap_msg *m, uint16_t number, int index)
{
    for (int i = 0; i < m->option_count; i++)
        if (m->options[i].number == number && index-- == 0)
            return &m->options[i];
    return NULL;
}

int coap_option_uint(const struct coap_option *o, uint32_t *value)
{
    if (o->len > 4)
        return ERR_BAD_FORMAT;
    uint32_t v = 0;
    for (int i = 0; i < o->len; i++)
        v = v << 8 | o->value[i];
    *value = v;
    return 0;
}

int coap_content_format(const struct coap_msg *m)
{
    const struct coap_option *o = coap_find(m, COAP_OPT_CONTENT_FORMAT, 0);
    uint32_t v;
    if (!o || o->len > 2 || coap_option_uint(o, &v) < 0)
        return -1;
    return (int)v;
}

int coap_add_uri(struct coap_msg *m, const char *uri)
{
    const char *q = strchr(uri, '?');
    const char *end = q ? q : uri + strlen(uri);
    const char *s = uri;
    while (s < end) {
        while (s < end && *s == '/')
            s++;
        const char *e = s;
        while (e < end && *e != '/')
            e++;
        if (e > s) {
            int rc = coap_add_option(m, COAP_OPT_URI_PATH, s, (size_t)(e - s));
            if (rc < 0)
                return rc;
        }
        s = e;
    }
    while (q && *q) {
        q++;
        const char *e = strchr(q, '&');
        if (!e)
            e = q + strlen(q);
        if (e > q) {
            int rc = coap_add_option(m, COAP_OPT_URI_QUERY, q, (size_t)(e - q));
            if (rc < 0)
                return rc;
        }
        q = *e ? e : NULL;
    }
    return 0;
}

int coap_uri_path(const struct coap_msg *m, char *buf, size_t cap)
{
    size_t n = 0;
    int segments = 0;
    for (int i = 0; i < m->option_count; i++) {
        const struct coap_option *o = &m->options[i];
        if (o->number != COAP_OPT_URI_PATH)
            continue;
        /* A segment holding '/' or NUL would alias another path. */
        if (memchr(o->value, '/', o->len) || memchr(o->value, 0, o->len))
            return ERR_BAD_FORMAT;
        if (n + 1 + o->len + 1 > cap)
            return ERR_TOO_BIG;
        buf[n++] = '/';
        memcpy(buf + n, o->value, o->len);
        n += o->len;
        segments++;
    }
    if (!segments) {
        if (cap < 2)
            return ERR_TOO_BIG;
        buf[n++] = '/';
    }
    buf[n] = 0;
    return (int)n;
}

int coap_uri_query(const struct coap_msg *m, const char *name, char *buf, size_t cap)
{
    size_t nlen = strlen(name);
    for (int i = 0; i < m->option_count; i++) {
        const struct coap_option *o = &m->options[i];
        if (o->number != COAP_OPT_URI_QUERY || o->len < nlen ||
            memcmp(o->value, name, nlen) != 0 || (o->len > nlen && o->value[nlen] != '='))
            continue;
        size_t vlen = o->len > nlen ? o->len - nlen - 1 : 0;
        if (vlen + 1 > cap)
            return ERR_TOO_BIG;
        memcpy(buf, o->value + nlen + (o->len > nlen), vlen);
        buf[vlen] = 0;
        return (int)vlen;
    }
    return ERR_NOT_FOUND;
}

int coap_block_decode(const struct coap_option *o, struct coap_block *b)
{
    uint32_t v;
    if (o->len > 3 || coap_option_uint(o, &v) < 0)
        return ERR_BAD_FORMAT;
    b->num = v >> 4;
    b->more = (v >> 3) & 1;
    b->szx = v & 7;
    if (b->szx == 7)
        return ERR_BAD_FORMAT;
    return 0;
}

uint32_t coap_block_encode(const struct coap_block *b)
{
    return b->num << 4 | (uint32_t)b->more << 3 | (b->szx & 7);
}

const char *coap_code_str(uint8_t code, char buf[5])
{
    buf[0] = (char)('0' + COAP_CLASS(code));
    buf[1] = '.';
    buf[2] = (char)('0' + COAP_DETAIL(code) / 10);
    buf[3] = (char)('0' + COAP_DETAIL(code) % 10);
    buf[4] = 0;
    return buf;
}
