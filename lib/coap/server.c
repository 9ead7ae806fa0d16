/*
 * CoAP server: one datagram in, at most one datagram out.
 *
 * Requests are answered at once (piggybacked in the ACK for CON, a NON for
 * NON), so the server never has a CON of its own in flight and needs no
 * retransmission timers. What it must remember is which requests it has
 * answered: a CON whose ACK was lost is retransmitted by the client with
 * the same message ID, and must get the same answer without the handler
 * running twice (a PUT or POST is not always idempotent). The dedup cache
 * holds (peer, message ID) -> reply bytes for EXCHANGE_LIFETIME.
 */
#include <string.h>

#include "coap/coap.h"
#include "pus/err.h"

#define BLOCK_SZX_MAX 6   /* 1024 bytes: the largest block (RFC 7959) */

void coap_server_init(struct coap_server *s, uint16_t mid_seed)
{
    memset(s, 0, sizeof(*s));
    s->next_mid = mid_seed;
}

int coap_server_add(struct coap_server *s, const char *path, unsigned methods,
                    coap_handler_fn fn, void *arg)
{
    if (!path || path[0] != '/' || !fn || !methods)
        return ERR_INVALID_ARGS;
    if (s->count == COAP_RESOURCES_MAX)
        return ERR_NO_SPACE;
    s->resources[s->count++] = (struct coap_resource){ path, methods, fn, arg };
    return 0;
}

int coap_reply_set(struct coap_reply *r, uint8_t code, int content_format,
                   const void *payload, size_t len)
{
    if (len > sizeof(r->payload))
        return ERR_TOO_BIG;
    r->code = code;
    r->content_format = content_format;
    if (len)
        memcpy(r->payload, payload, len);
    r->len = len;
    return 0;
}

int coap_reply_option(struct coap_reply *r, uint16_t number, const void *value, size_t len)
{
    if (r->option_count == (int)(sizeof(r->options) / sizeof(r->options[0])) ||
        len > sizeof(r->option_bytes) - r->option_used)
        return ERR_TOO_BIG;
    uint8_t *v = r->option_bytes + r->option_used;
    if (len)
        memcpy(v, value, len);
    r->option_used += len;
    r->options[r->option_count++] = (struct coap_option){ number, (uint16_t)len, v };
    return 0;
}

/* ---- dedup cache ---- */

static struct coap_dedup *dedup_find(struct coap_server *s, const void *peer, size_t plen,
                                     uint16_t mid, uint64_t now)
{
    for (int i = 0; i < COAP_DEDUP_SLOTS; i++) {
        struct coap_dedup *d = &s->dedup[i];
        if (d->used && now >= d->expires_ms)
            d->used = false;
        if (d->used && d->mid == mid && d->peer_len == plen && memcmp(d->peer, peer, plen) == 0)
            return d;
    }
    return NULL;
}

/* A free slot, else the one closest to expiry. */
static struct coap_dedup *dedup_slot(struct coap_server *s)
{
    struct coap_dedup *best = &s->dedup[0];
    for (int i = 0; i < COAP_DEDUP_SLOTS; i++) {
        if (!s->dedup[i].used)
            return &s->dedup[i];
        if (s->dedup[i].expires_ms < best->expires_ms)
            best = &s->dedup[i];
    }
    return best;
}

/* ---- dispatch ---- */

/* Critical options (odd numbers) we act on; any other one gets 4.02. */
static bool understood(uint16_t n)
{
    return !(n & 1) || n == COAP_OPT_URI_HOST || n == COAP_OPT_URI_PORT ||
           n == COAP_OPT_URI_PATH || n == COAP_OPT_URI_QUERY || n == COAP_OPT_ACCEPT ||
           n == COAP_OPT_BLOCK2 || n == COAP_OPT_PROXY_URI || n == COAP_OPT_PROXY_SCHEME;
}

/* RFC 6690 link format: </a>,</b> */
static void well_known_core(const struct coap_server *s, struct coap_reply *r)
{
    size_t n = 0;
    for (int i = 0; i < s->count; i++) {
        size_t plen = strlen(s->resources[i].path);
        if (n + plen + 3 > sizeof(r->payload))
            break;
        if (n)
            r->payload[n++] = ',';
        r->payload[n++] = '<';
        memcpy(r->payload + n, s->resources[i].path, plen);
        n += plen;
        r->payload[n++] = '>';
    }
    r->code = COAP_CONTENT;
    r->content_format = COAP_FMT_LINK;
    r->len = n;
}

static void dispatch(struct coap_server *s, const struct coap_msg *req, struct coap_reply *r)
{
    char path[256];

    for (int i = 0; i < req->option_count; i++) {
        uint16_t n = req->options[i].number;
        if (n == COAP_OPT_PROXY_URI || n == COAP_OPT_PROXY_SCHEME) {
            r->code = COAP_PROXYING_NOT_SUPPORTED;
            return;
        }
        if (!understood(n)) {
            r->code = COAP_BAD_OPTION;
            return;
        }
    }
    int plen = coap_uri_path(req, path, sizeof(path));
    if (plen == ERR_TOO_BIG) {
        r->code = COAP_NOT_FOUND;
        return;
    }
    if (plen < 0) {
        r->code = COAP_BAD_REQUEST;
        return;
    }
    if (req->code < COAP_GET || req->code > COAP_DELETE) {
        r->code = COAP_METHOD_NOT_ALLOWED;     /* RFC 7252 §5.8: unknown method */
        return;
    }
    if (strcmp(path, "/.well-known/core") == 0) {
        if (req->code == COAP_GET)
            well_known_core(s, r);
        else
            r->code = COAP_METHOD_NOT_ALLOWED;
        return;
    }
    const struct coap_resource *res = NULL;
    for (int i = 0; i < s->count && !res; i++)
        if (strcmp(s->resources[i].path, path) == 0)
            res = &s->resources[i];
    if (!res) {
        r->code = COAP_NOT_FOUND;
        return;
    }
    if (!(res->methods & (1u << req->code))) {
        r->code = COAP_METHOD_NOT_ALLOWED;
        return;
    }
    int rc = res->fn(req, r, res->arg);
    if (r->code == 0) {
        r->len = 0;
        r->content_format = -1;
        r->code = rc < 0 ? COAP_INTERNAL_ERROR
                : req->code == COAP_GET ? COAP_CONTENT
                : req->code == COAP_DELETE ? COAP_DELETED : COAP_CHANGED;
    }
    const struct coap_option *accept = coap_find(req, COAP_OPT_ACCEPT, 0);
    uint32_t want;
    if (accept && COAP_CLASS(r->code) == 2 && r->content_format >= 0 &&
        coap_option_uint(accept, &want) == 0 && want != (uint32_t)r->content_format) {
        r->code = COAP_NOT_ACCEPTABLE;
        r->len = 0;
        r->content_format = -1;
        r->option_count = 0;
    }
}

/* An RST for message ID mid: "I got it and will not process it". */
static int reset(uint16_t mid, uint8_t *out, size_t cap)
{
    if (cap < 4)
        return ERR_TOO_BIG;
    out[0] = 1 << 6 | COAP_RST << 4;
    out[1] = 0;
    out[2] = (uint8_t)(mid >> 8);
    out[3] = (uint8_t)mid;
    return 4;
}

int coap_server_handle(struct coap_server *s, const void *peer, size_t peer_len,
                       uint64_t now_ms, const uint8_t *in, size_t in_len,
                       uint8_t *out, size_t out_cap)
{
    struct coap_msg req, rep;
    struct coap_reply *r = &s->reply;

    if (peer_len > COAP_PEER_MAX)
        return ERR_INVALID_ARGS;
    if (coap_parse(&req, in, in_len) < 0) {
        /* Only a confirmable message we can identify deserves an RST. */
        if (in_len >= 4 && in[0] >> 6 == 1 && ((in[0] >> 4) & 3) == COAP_CON)
            return reset((uint16_t)(in[2] << 8 | in[3]), out, out_cap);
        return 0;
    }
    if (req.type == COAP_ACK || req.type == COAP_RST)
        return 0;
    if (req.code == COAP_EMPTY || COAP_CLASS(req.code) != 0)
        return req.type == COAP_CON ? reset(req.mid, out, out_cap) : 0;

    struct coap_dedup *d = dedup_find(s, peer, peer_len, req.mid, now_ms);
    if (d) {
        s->duplicates++;
        if (!d->has_reply)
            return 0;
        if (d->reply_len > out_cap)
            return ERR_TOO_BIG;
        memcpy(out, d->reply, d->reply_len);
        return d->reply_len;
    }

    memset(r, 0, sizeof(*r) - sizeof(r->payload));
    r->content_format = -1;
    dispatch(s, &req, r);

    bool con = req.type == COAP_CON;
    coap_init(&rep, con ? COAP_ACK : COAP_NON, r->code, con ? req.mid : s->next_mid++,
              req.token, req.token_len);
    if (r->content_format >= 0)
        coap_add_uint(&rep, COAP_OPT_CONTENT_FORMAT, (uint32_t)r->content_format);
    for (int i = 0; i < r->option_count; i++)
        coap_add_option(&rep, r->options[i].number, r->options[i].value, r->options[i].len);

    /* Block2: slice the representation when asked, or when it is too big
     * for one datagram. */
    const struct coap_option *b2 = coap_find(&req, COAP_OPT_BLOCK2, 0);
    struct coap_block blk = { 0, false, BLOCK_SZX_MAX };
    bool blockwise = r->len > coap_block_size(BLOCK_SZX_MAX);
    if (b2 && COAP_CLASS(r->code) == 2) {
        if (coap_block_decode(b2, &blk) < 0) {
            rep.code = COAP_BAD_OPTION;
            r->len = 0;
            rep.option_count = 0;
        } else {
            if (blk.szx > BLOCK_SZX_MAX)
                blk.szx = BLOCK_SZX_MAX;
            blockwise = true;
        }
    }
    rep.payload = r->payload;
    rep.payload_len = r->len;
    if (blockwise && rep.code != COAP_BAD_OPTION) {
        size_t bs = coap_block_size(blk.szx);
        uint64_t offset = (uint64_t)blk.num * bs;
        if (offset > r->len || (offset == r->len && r->len > 0)) {
            coap_init(&rep, rep.type, COAP_BAD_OPTION, rep.mid, req.token, req.token_len);
        } else {
            size_t left = r->len - (size_t)offset;
            blk.more = left > bs;
            rep.payload = r->payload + offset;
            rep.payload_len = blk.more ? bs : left;
            coap_add_uint(&rep, COAP_OPT_BLOCK2, coap_block_encode(&blk));
            coap_add_uint(&rep, COAP_OPT_SIZE2, (uint32_t)r->len);
        }
    }

    int n = coap_encode(&rep, out, out_cap);
    if (n < 0)
        return n;
    d = dedup_slot(s);
    memset(d, 0, sizeof(*d) - sizeof(d->reply));
    d->used = true;
    d->mid = req.mid;
    d->peer_len = (uint8_t)peer_len;
    memcpy(d->peer, peer, peer_len);
    d->expires_ms = now_ms + (con ? COAP_EXCHANGE_LIFETIME_MS : COAP_NON_LIFETIME_MS);
    if (con && (size_t)n <= sizeof(d->reply)) {
        d->has_reply = true;
        d->reply_len = (uint16_t)n;
        memcpy(d->reply, out, (size_t)n);
    }
    return n;
}
