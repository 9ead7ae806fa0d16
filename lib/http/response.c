/*
 * Response writer. The head is formatted once, when the status is known,
 * and written in one call; body bytes go straight to the write callback.
 * The framing (Content-Length, chunked, or until-close for HTTP/1.0
 * streams) and the Connection field are chosen here so that a handler
 * cannot produce a response the client would mis-frame.
 */
#include <stdio.h>
#include <string.h>

#include "http/http_internal.h"
#include "pus/err.h"

enum framing { FRAME_NONE, FRAME_LENGTH, FRAME_CHUNKED, FRAME_CLOSE };

void http_response_init(struct http_response *r, http_write_fn write, void *ctx,
                        int version, bool head_only, bool keep_alive)
{
    memset(r, 0, sizeof(*r));
    r->write = write;
    r->ctx = ctx;
    r->version = version;
    r->head_only = head_only;
    r->keep_alive = keep_alive;
    r->declared = -1;
}

static void put(struct http_response *r, const void *data, size_t len)
{
    if (r->error || len == 0)
        return;
    int rc = r->write(r->ctx, data, len);
    if (rc < 0)
        r->error = rc;
}

/* 1xx, 204 and 304 responses never carry a body (RFC 9110 §6.4.1). */
static bool bodiless(int status)
{
    return status < 200 || status == 204 || status == 304;
}

static bool has_crlf(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return true;
    return false;
}

int http_response_header(struct http_response *r, const char *name,
                         const char *value)
{
    if (r->started)
        return ERR_BAD_STATE;
    if (!name[0] || has_crlf(name) || has_crlf(value) || strchr(name, ':') ||
        strchr(name, ' '))
        return ERR_INVALID_ARGS;
    /* Framing is ours to choose; a handler may only ask for a close. */
    if (http_streq_nocase(name, "content-length") ||
        http_streq_nocase(name, "transfer-encoding"))
        return ERR_INVALID_ARGS;
    if (http_streq_nocase(name, "connection")) {
        if (http_list_has(value, "close"))
            r->keep_alive = false;
        return 0;
    }
    int n = snprintf(r->hbuf + r->hlen, sizeof(r->hbuf) - r->hlen, "%s: %s\r\n",
                     name, value);
    if (n < 0 || (size_t)n >= sizeof(r->hbuf) - r->hlen) {
        r->hbuf[r->hlen] = 0;
        return ERR_TOO_BIG;
    }
    r->hlen += (uint32_t)n;
    return 0;
}

static int send_head(struct http_response *r, int status, const char *ctype,
                     enum framing framing, uint64_t length)
{
    char head[sizeof(r->hbuf) + 320];
    size_t n = 0;

    if (r->started)
        return ERR_BAD_STATE;
    if (status < 100 || status > 999)
        return ERR_INVALID_ARGS;
    if (ctype && has_crlf(ctype))
        return ERR_INVALID_ARGS;
    r->started = true;
    r->status = status;
    if (bodiless(status))
        framing = FRAME_NONE;
    if (framing == FRAME_CLOSE)
        r->keep_alive = false;
    r->chunked = framing == FRAME_CHUNKED;
    r->until_close = framing == FRAME_CLOSE;
    r->declared = framing == FRAME_LENGTH ? (int64_t)length : -1;

    n += (size_t)snprintf(head + n, sizeof(head) - n, "HTTP/1.1 %d %s\r\n",
                          status, http_reason(status));
    memcpy(head + n, r->hbuf, r->hlen);
    n += r->hlen;
    if (ctype && !bodiless(status))
        n += (size_t)snprintf(head + n, sizeof(head) - n, "Content-Type: %.128s\r\n", ctype);
    if (framing == FRAME_LENGTH)
        n += (size_t)snprintf(head + n, sizeof(head) - n, "Content-Length: %llu\r\n",
                              (unsigned long long)length);
    else if (framing == FRAME_CHUNKED)
        n += (size_t)snprintf(head + n, sizeof(head) - n, "Transfer-Encoding: chunked\r\n");
    if (!r->keep_alive)
        n += (size_t)snprintf(head + n, sizeof(head) - n, "Connection: close\r\n");
    else if (r->version == 10)
        n += (size_t)snprintf(head + n, sizeof(head) - n, "Connection: keep-alive\r\n");
    n += (size_t)snprintf(head + n, sizeof(head) - n, "\r\n");
    put(r, head, n);
    if (framing == FRAME_NONE)
        r->finished = true;
    return r->error;
}

int http_response_send(struct http_response *r, int status,
                       const char *content_type, const void *body, size_t len)
{
    int rc = send_head(r, status, content_type, FRAME_LENGTH, len);
    if (rc < 0)
        return rc;
    if (!r->finished && !r->head_only)
        put(r, body, len);
    r->sent = (int64_t)len;
    r->finished = true;
    return r->error;
}

int http_response_text(struct http_response *r, int status,
                       const char *content_type, const char *text)
{
    return http_response_send(r, status, content_type, text, strlen(text));
}

int http_response_begin(struct http_response *r, int status,
                        const char *content_type)
{
    return send_head(r, status, content_type,
                     r->version >= 11 ? FRAME_CHUNKED : FRAME_CLOSE, 0);
}

int http_response_begin_sized(struct http_response *r, int status,
                              const char *content_type, uint64_t len)
{
    int rc = send_head(r, status, content_type, FRAME_LENGTH, len);
    if (rc == 0 && len == 0)
        r->finished = true;
    return rc;
}

int http_response_write(struct http_response *r, const void *data, size_t len)
{
    if (!r->started || r->finished)
        return ERR_BAD_STATE;
    if (r->error)
        return r->error;
    if (len == 0)
        return 0;
    if (r->declared >= 0 && (uint64_t)len > (uint64_t)(r->declared - r->sent))
        return ERR_TOO_BIG;
    r->sent += (int64_t)len;
    if (r->head_only)
        return 0;
    if (r->chunked) {
        char size[20];
        int n = http_chunk_header(size, sizeof(size), len);
        put(r, size, (size_t)n);
        put(r, data, len);
        put(r, "\r\n", 2);
    } else {
        put(r, data, len);
    }
    return r->error;
}

int http_response_end(struct http_response *r)
{
    if (!r->started)
        return ERR_BAD_STATE;
    if (r->finished)
        return r->error;
    r->finished = true;
    if (r->chunked && !r->head_only)
        put(r, "0\r\n\r\n", 5);
    if (r->declared >= 0 && r->sent < r->declared && !r->head_only) {
        /* The client waits for bytes that will never come: only closing
         * the connection tells it the response is over. */
        r->keep_alive = false;
        return r->error ? r->error : ERR_BAD_STATE;
    }
    return r->error;
}

int http_response_error(struct http_response *r, int status)
{
    char text[64];
    snprintf(text, sizeof(text), "%d %s\n", status, http_reason(status));
    return http_response_text(r, status, "text/plain", text);
}
