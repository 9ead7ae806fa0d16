/* Percent-decoding (RFC 3986 §2.1) and query-string lookup. */
#include <string.h>

#include "http/http_internal.h"
#include "pus/err.h"

int http_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_percent_decode(char *dst, size_t cap, const char *src, size_t len,
                        bool plus_is_space)
{
    size_t o = 0;
    if (cap == 0)
        return ERR_TOO_BIG;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            if (len - i < 3)
                return ERR_BAD_FORMAT;
            int hi = http_hex_value(src[i + 1]), lo = http_hex_value(src[i + 2]);
            if (hi < 0 || lo < 0)
                return ERR_BAD_FORMAT;
            c = (char)(hi * 16 + lo);
            if (c == 0)     /* would cut the string short: refuse */
                return ERR_BAD_FORMAT;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        } else if (c == 0) {
            return ERR_BAD_FORMAT;
        }
        if (o + 1 >= cap)
            return ERR_TOO_BIG;
        dst[o++] = c;
    }
    dst[o] = 0;
    return (int)o;
}

int http_query_get(const char *query, const char *name, char *dst, size_t cap)
{
    size_t nlen = strlen(name);
    const char *s = query;
    while (*s) {
        const char *end = strchr(s, '&');
        if (!end)
            end = s + strlen(s);
        const char *eq = memchr(s, '=', (size_t)(end - s));
        const char *kend = eq ? eq : end;
        /* Keys are compared raw: names PusOS uses need no escaping. */
        if ((size_t)(kend - s) == nlen && memcmp(s, name, nlen) == 0) {
            const char *v = eq ? eq + 1 : end;
            return http_percent_decode(dst, cap, v, (size_t)(end - v), true);
        }
        s = *end ? end + 1 : end;
    }
    return ERR_NOT_FOUND;
}
