/*
 * Route table: (method, path pattern) -> handler. Patterns are matched
 * segment by segment against the raw (still percent-encoded) path, so an
 * encoded "%2F" inside a segment never splits it; captured values are then
 * decoded into the request's params buffer.
 *
 * Lookup is a linear scan: a node serves a few dozen routes at most.
 */
#include <string.h>

#include "http/http_internal.h"
#include "pus/err.h"

void http_router_init(struct http_router *r)
{
    memset(r, 0, sizeof(*r));
}

/* Is [s, e) of the form "{name}" or "{name*}"? Returns 0 (literal), 1 (one
 * segment), 2 (rest of path); sets the name bounds. */
static int capture_kind(const char *s, const char *e, const char **ns, const char **ne)
{
    if (e - s < 3 || s[0] != '{' || e[-1] != '}')
        return 0;
    *ns = s + 1;
    *ne = e - 1;
    if ((*ne)[-1] == '*') {
        (*ne)--;
        return *ne > *ns ? 2 : -1;
    }
    return 1;
}

static const char *seg_end(const char *s)
{
    while (*s && *s != '/')
        s++;
    return s;
}

int http_router_add(struct http_router *r, const char *method,
                    const char *pattern, http_handler_fn fn, void *arg)
{
    if (!method || !method[0] || !pattern || pattern[0] != '/' || !fn)
        return ERR_INVALID_ARGS;
    int captures = 0;
    for (const char *s = pattern + 1;;) {
        const char *e = seg_end(s), *ns, *ne;
        int kind = capture_kind(s, e, &ns, &ne);
        if (kind < 0 || (kind == 2 && *e) || memchr(s, '{', (size_t)(e - s)) != (kind ? s : NULL))
            return ERR_INVALID_ARGS;
        if (kind && ++captures > HTTP_PARAMS_MAX)
            return ERR_INVALID_ARGS;
        if (!*e)
            break;
        s = e + 1;
    }
    if (r->count >= HTTP_ROUTES_MAX)
        return ERR_NO_SPACE;
    r->routes[r->count++] = (struct http_route){ method, pattern, fn, arg };
    return 0;
}

/* Stores name and decoded value in req's params. */
static int capture(struct http_request *req, size_t *used, const char *ns,
                   const char *ne, const char *vs, const char *ve)
{
    size_t nlen = (size_t)(ne - ns);
    char *buf = req->params_buf;
    if (*used + nlen + 1 > sizeof(req->params_buf))
        return ERR_TOO_BIG;
    memcpy(buf + *used, ns, nlen);
    buf[*used + nlen] = 0;
    req->param_names[req->param_count] = buf + *used;
    *used += nlen + 1;
    int n = http_percent_decode(buf + *used, sizeof(req->params_buf) - *used, vs,
                                (size_t)(ve - vs), false);
    if (n < 0)
        return n;
    req->param_values[req->param_count++] = buf + *used;
    *used += (size_t)n + 1;
    return 0;
}

/* Returns 1 on a match (params filled when req is given), 0 when the path
 * does not match, or a negative code for a bad encoding in a capture. */
static int match(const char *pattern, const char *path, struct http_request *req)
{
    size_t used = 0;
    if (req)
        req->param_count = 0;
    if (path[0] != '/')
        return 0;
    const char *p = pattern + 1, *s = path + 1;
    for (;;) {
        const char *pe = seg_end(p), *se = seg_end(s), *ns, *ne;
        int kind = capture_kind(p, pe, &ns, &ne);
        if (kind == 2) {
            se = s + strlen(s);
            if (req) {
                int rc = capture(req, &used, ns, ne, s, se);
                if (rc < 0)
                    return rc;
            }
            return 1;
        }
        if (kind == 1) {
            if (se == s)
                return 0;
            if (req) {
                int rc = capture(req, &used, ns, ne, s, se);
                if (rc < 0)
                    return rc;
            }
        } else if (pe - p != se - s || memcmp(p, s, (size_t)(pe - p)) != 0) {
            return 0;
        }
        if (!*pe || !*se)
            return !*pe && !*se;
        p = pe + 1;
        s = se + 1;
    }
}

const char *http_param(const struct http_request *req, const char *name)
{
    for (int i = 0; i < req->param_count; i++)
        if (strcmp(req->param_names[i], name) == 0)
            return req->param_values[i];
    return NULL;
}

static bool serves(const struct http_route *rt, const char *method)
{
    return strcmp(rt->method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
}

/* Appends method to an Allow list unless it is there already. */
static void allow_add(char *allow, size_t cap, const char *method)
{
    size_t mlen = strlen(method);
    for (const char *s = allow; *s;) {
        const char *e = strstr(s, ", ");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == mlen && memcmp(s, method, mlen) == 0)
            return;
        s += len + (e ? 2 : 0);
    }
    size_t used = strlen(allow);
    if (used + mlen + 3 > cap)
        return;
    if (used) {
        memcpy(allow + used, ", ", 2);
        used += 2;
    }
    memcpy(allow + used, method, mlen + 1);
}

int http_router_dispatch(const struct http_router *r, struct http_request *req,
                         struct http_response *res)
{
    const struct http_message *m = req->msg;
    char allow[128] = "";
    bool path_matched = false, method_known = m->method != HTTP_OTHER;

    for (int i = 0; i < r->count; i++) {
        const struct http_route *rt = &r->routes[i];
        if (strcmp(rt->method, m->method_name) == 0)
            method_known = true;
        if (match(rt->pattern, m->path, NULL) != 1)
            continue;
        if (serves(rt, m->method_name)) {
            int rc = match(rt->pattern, m->path, req);
            if (rc < 0)
                return http_response_error(res, rc == ERR_TOO_BIG ? 414 : 400), 0;
            return rt->fn(req, res, rt->arg);
        }
        path_matched = true;
        allow_add(allow, sizeof(allow), rt->method);
        if (strcmp(rt->method, "GET") == 0)
            allow_add(allow, sizeof(allow), "HEAD");
    }
    if (!method_known) {
        http_response_error(res, 501);
        return 0;
    }
    if (path_matched) {
        http_response_header(res, "Allow", allow);
        http_response_error(res, 405);
        return 0;
    }
    http_response_error(res, 404);
    return 0;
}
