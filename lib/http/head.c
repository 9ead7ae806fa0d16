/*
 * Parsing of a complete message head (start line + header fields) that
 * parser.c has gathered into p->head. The head is cut in place: NULs are
 * written over the separators so that every string in p->msg points into
 * the buffer without a copy.
 *
 * Strict where lenience has led to request smuggling (RFC 9112 §6.3, §11.2):
 * whitespace before a colon, obs-fold, a bare CR, both Content-Length and
 * Transfer-Encoding in a request, conflicting Content-Lengths: all are 400.
 * A bare LF as line end is accepted (RFC 9112 §2.2 allows it).
 */
#include <string.h>

#include "http/http_internal.h"
#include "pus/err.h"

static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

/* Field values: visible ASCII, obs-text, SP and HTAB. */
static bool is_field_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool http_streq_nocase(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
        a++, b++;
    return *a == 0 && *b == 0;
}

const char *http_header_get(const struct http_message *m, const char *name)
{
    for (int i = 0; i < m->header_count; i++)
        if (http_streq_nocase(m->headers[i].name, name))
            return m->headers[i].value;
    return NULL;
}

bool http_list_has(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    const char *s = value;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        const char *start = s;
        while (*s && *s != ',')
            s++;
        const char *end = s;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tlen) {
            size_t i = 0;
            while (i < tlen && lower((unsigned char)start[i]) == lower((unsigned char)token[i]))
                i++;
            if (i == tlen)
                return true;
        }
    }
    return false;
}

enum http_method http_method_from(const char *name)
{
    static const char *const names[] = {
        [HTTP_GET] = "GET", [HTTP_HEAD] = "HEAD", [HTTP_POST] = "POST",
        [HTTP_PUT] = "PUT", [HTTP_DELETE] = "DELETE",
        [HTTP_OPTIONS] = "OPTIONS", [HTTP_PATCH] = "PATCH",
    };
    for (int m = HTTP_GET; m <= HTTP_PATCH; m++)
        if (strcmp(name, names[m]) == 0)
            return (enum http_method)m;
    return HTTP_OTHER;
}

/* "HTTP/1.1" -> 11. Returns ERR_BAD_FORMAT or ERR_NOT_SUPPORTED (505). */
static int parse_version(const char *s, size_t len, int *version)
{
    if (len != 8 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.' ||
        s[5] < '0' || s[5] > '9' || s[7] < '0' || s[7] > '9')
        return ERR_BAD_FORMAT;
    if (s[5] != '1')
        return ERR_NOT_SUPPORTED;
    /* HTTP/1.2 and later minors are spoken to as 1.1 (RFC 9110 §6.2). */
    *version = s[7] == '0' ? 10 : 11;
    return 0;
}

static int parse_request_line(struct http_parser *p, char *line, size_t len)
{
    struct http_message *m = &p->msg;
    char *end = line + len;
    char *sp1 = memchr(line, ' ', len);
    if (!sp1)
        return http_fail(p, 400, ERR_BAD_FORMAT);
    char *target = sp1 + 1;
    char *sp2 = memchr(target, ' ', (size_t)(end - target));
    if (!sp2)
        return http_fail(p, 400, ERR_BAD_FORMAT);
    if (!is_token(line, (size_t)(sp1 - line)) || sp2 == target)
        return http_fail(p, 400, ERR_BAD_FORMAT);
    for (char *t = target; t < sp2; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return http_fail(p, 400, ERR_BAD_FORMAT);
    int rc = parse_version(sp2 + 1, (size_t)(end - sp2 - 1), &m->version);
    if (rc == ERR_NOT_SUPPORTED)
        return http_fail(p, 505, rc);
    if (rc < 0)
        return http_fail(p, 400, rc);

    *sp1 = 0;
    *sp2 = 0;
    m->method_name = line;
    m->method = http_method_from(line);

    /* origin-form "/p?q", absolute-form "http://host/p?q", asterisk "*" */
    char *path = target;
    if (strncmp(target, "http://", 7) == 0 || strncmp(target, "https://", 8) == 0) {
        char *authority = strstr(target, "//") + 2;
        char *slash = authority;
        while (*slash && *slash != '/' && *slash != '?')
            slash++;
        if (slash == authority)
            return http_fail(p, 400, ERR_BAD_FORMAT);
        if (*slash != '/') {
            /* "http://host" or "http://host?q": the path is "/". The
             * authority is not kept, so its last byte becomes that '/'. */
            slash[-1] = '/';
            path = slash - 1;
            if (*slash == '?') {
                *slash = 0;
                m->path = path;
                m->query = slash + 1;
                return 0;
            }
        } else {
            path = slash;
        }
    } else if (strcmp(target, "*") == 0) {
        if (m->method != HTTP_OPTIONS)
            return http_fail(p, 400, ERR_BAD_FORMAT);
    } else if (target[0] != '/') {
        return http_fail(p, 400, ERR_BAD_FORMAT);
    }
    m->path = path;
    char *q = strchr(path, '?');
    if (q) {
        *q = 0;
        m->query = q + 1;
    } else {
        m->query = "";
    }
    return 0;
}

static int parse_status_line(struct http_parser *p, char *line, size_t len)
{
    struct http_message *m = &p->msg;
    int rc = parse_version(line, len < 8 ? len : 8, &m->version);
    if (rc < 0)
        return http_fail(p, 400, rc);
    /* "HTTP/1.1 200 OK", reason may be empty; "HTTP/1.1 200" tolerated. */
    if (len < 12 || line[8] != ' ')
        return http_fail(p, 400, ERR_BAD_FORMAT);
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (line[i] < '0' || line[i] > '9')
            return http_fail(p, 400, ERR_BAD_FORMAT);
        status = status * 10 + (line[i] - '0');
    }
    if (status < 100)
        return http_fail(p, 400, ERR_BAD_FORMAT);
    if (len > 12 && line[12] != ' ')
        return http_fail(p, 400, ERR_BAD_FORMAT);
    for (size_t i = 13; i < len; i++)
        if (!is_field_char((unsigned char)line[i]))
            return http_fail(p, 400, ERR_BAD_FORMAT);
    m->status = status;
    m->reason = len > 13 ? line + 13 : "";
    line[len] = 0;
    return 0;
}

/* Content-Length: 1*DIGIT. Returns the value or -1 when malformed. */
static int64_t parse_length(const char *s)
{
    int64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* Transfer-Encoding: the codings in order. Sets *chunked if the last one is
 * chunked; *other if any other coding is present; fails if chunked is not
 * last or appears twice (p->aux_len counts codings across fields). */
static int scan_codings(const char *v, bool *chunked, bool *other)
{
    const char *s = v;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (!*s)
            break;
        const char *start = s;
        while (*s && *s != ',' && *s != ';')
            s++;
        const char *end = s;
        while (*s && *s != ',')  /* transfer-parameters are skipped */
            s++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (*chunked)            /* something after chunked */
            return ERR_BAD_FORMAT;
        if (end - start == 7 && lower(start[0]) == 'c') {
            char word[8];
            for (int i = 0; i < 7; i++)
                word[i] = (char)lower((unsigned char)start[i]);
            word[7] = 0;
            if (strcmp(word, "chunked") == 0) {
                *chunked = true;
                continue;
            }
        }
        *other = true;
    }
    return 0;
}

static int apply_semantics(struct http_parser *p)
{
    struct http_message *m = &p->msg;
    bool request = p->mode == HTTP_PARSE_REQUEST;
    bool has_te = false, chunked = false, other = false;
    int hosts = 0;

    m->content_length = -1;
    m->keep_alive = m->version >= 11;
    for (int i = 0; i < m->header_count; i++) {
        const char *n = m->headers[i].name, *v = m->headers[i].value;
        if (http_streq_nocase(n, "content-length")) {
            int64_t len = parse_length(v);
            if (len < 0 || (m->content_length >= 0 && m->content_length != len))
                return http_fail(p, 400, ERR_BAD_FORMAT);
            m->content_length = len;
        } else if (http_streq_nocase(n, "transfer-encoding")) {
            has_te = true;
            if (scan_codings(v, &chunked, &other) < 0)
                return http_fail(p, 400, ERR_BAD_FORMAT);
        } else if (http_streq_nocase(n, "connection")) {
            if (http_list_has(v, "close"))
                m->keep_alive = false;
            else if (m->version == 10 && http_list_has(v, "keep-alive"))
                m->keep_alive = true;
        } else if (http_streq_nocase(n, "host")) {
            hosts++;
        } else if (http_streq_nocase(n, "expect")) {
            m->expect_continue = http_streq_nocase(v, "100-continue");
        }
    }
    /* A later "Connection: close" wins over an earlier keep-alive. */
    for (int i = 0; i < m->header_count; i++)
        if (http_streq_nocase(m->headers[i].name, "connection") &&
            http_list_has(m->headers[i].value, "close"))
            m->keep_alive = false;

    if (request) {
        if (hosts > 1 || (m->version >= 11 && hosts == 0))
            return http_fail(p, 400, ERR_BAD_FORMAT);
        if (has_te) {
            if (m->content_length >= 0 || m->version == 10)
                return http_fail(p, 400, ERR_BAD_FORMAT);
            if (other)
                return http_fail(p, 501, ERR_NOT_SUPPORTED);
            if (!chunked)
                return http_fail(p, 400, ERR_BAD_FORMAT);
            m->chunked = true;
        }
        if (m->content_length > 0 && (uint64_t)m->content_length > p->lim.max_body)
            return http_fail(p, 413, ERR_TOO_BIG);
        m->has_body = m->chunked || m->content_length > 0;
        if (m->chunked)
            p->state = ST_CHUNK_SIZE;
        else if (m->content_length > 0)
            p->state = ST_LENGTH;
        else
            p->state = ST_DONE;
        p->remaining = m->content_length > 0 ? (uint64_t)m->content_length : 0;
        return 0;
    }

    /* Responses (RFC 9112 §6.3): no body after HEAD, 1xx, 204, 304. */
    if (p->head_request || m->status < 200 || m->status == 204 || m->status == 304) {
        m->has_body = false;
        m->chunked = false;
        p->state = ST_DONE;
        return 0;
    }
    if (has_te) {
        m->chunked = chunked && !other;
        if (m->chunked) {
            p->state = ST_CHUNK_SIZE;
        } else {
            p->state = ST_CLOSE;
            m->keep_alive = false;
        }
        m->has_body = true;
        return 0;
    }
    if (m->content_length >= 0) {
        if ((uint64_t)m->content_length > p->lim.max_body)
            return http_fail(p, 413, ERR_TOO_BIG);
        m->has_body = m->content_length > 0;
        p->remaining = (uint64_t)m->content_length;
        p->state = m->has_body ? ST_LENGTH : ST_DONE;
        return 0;
    }
    m->has_body = true;
    m->keep_alive = false;
    p->state = ST_CLOSE;
    return 0;
}

/* Cuts the next line out of [*s, end): returns its length without the line
 * end and NUL-terminates it. Fails on a CR that does not end the line. */
static int next_line(char **s, char *end, char **line)
{
    char *nl = memchr(*s, '\n', (size_t)(end - *s));
    if (!nl)
        return ERR_BAD_FORMAT;
    char *e = nl;
    if (e > *s && e[-1] == '\r')
        e--;
    if (memchr(*s, '\r', (size_t)(e - *s)) || memchr(*s, 0, (size_t)(e - *s)))
        return ERR_BAD_FORMAT;
    *line = *s;
    *e = 0;
    *s = nl + 1;
    return (int)(e - *line);
}

int http_parse_head(struct http_parser *p)
{
    struct http_message *m = &p->msg;
    char *s = p->head, *end = p->head + p->head_len;
    char *line;

    memset(m, 0, sizeof(*m));
    int len = next_line(&s, end, &line);
    if (len < 0)
        return http_fail(p, 400, len);
    int rc = p->mode == HTTP_PARSE_REQUEST ? parse_request_line(p, line, (size_t)len)
                                           : parse_status_line(p, line, (size_t)len);
    if (rc < 0)
        return rc;

    for (;;) {
        len = next_line(&s, end, &line);
        if (len < 0)
            return http_fail(p, 400, len);
        if (len == 0)
            break;
        if (line[0] == ' ' || line[0] == '\t')   /* obs-fold */
            return http_fail(p, 400, ERR_BAD_FORMAT);
        char *colon = memchr(line, ':', (size_t)len);
        if (!colon || !is_token(line, (size_t)(colon - line)))
            return http_fail(p, 400, ERR_BAD_FORMAT);
        char *v = colon + 1, *ve = line + len;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        for (char *c = v; c < ve; c++)
            if (!is_field_char((unsigned char)*c))
                return http_fail(p, 400, ERR_BAD_FORMAT);
        if ((uint32_t)m->header_count >= p->lim.max_headers)
            return http_fail(p, 431, ERR_TOO_BIG);
        *colon = 0;
        *ve = 0;
        m->headers[m->header_count].name = line;
        m->headers[m->header_count].value = v;
        m->header_count++;
    }
    return apply_semantics(p);
}
