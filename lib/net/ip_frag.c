/*
 * Reassembly of incoming IPv4 fragments (RFC 791, RFC 815 hole tracking by
 * an 8-byte block bitmap). Bounded: at most cfg.reasm_max datagrams and
 * cfg.reasm_mem bytes at once (the oldest is dropped to make room), and a
 * datagram not complete within cfg.reasm_timeout_ns is freed.
 * Overlapping fragments simply overwrite: the checksum of the transport
 * layer catches any inconsistency.
 */
#include "net/priv.h"

#define IP_MAX 65535u

static size_t frag_cost(const struct frag_buf *f)
{
    return sizeof *f + f->size + (IP_MAX / 8 + 8) / 8;
}

static void frag_drop(struct net_stack *s, struct frag_buf *f)
{
    struct frag_buf **pp = &s->frags;
    while (*pp != f)
        pp = &(*pp)->next;
    *pp = f->next;
    s->frag_mem -= frag_cost(f);
    s->n_frags--;
    net_free(s, f->data, f->size);
    net_free(s, f->have, (IP_MAX / 8 + 8) / 8);
    net_free(s, f, sizeof *f);
}

void frag_free_all(struct net_stack *s)
{
    while (s->frags)
        frag_drop(s, s->frags);
}

static struct frag_buf *oldest(struct net_stack *s)
{
    struct frag_buf *o = NULL;
    for (struct frag_buf *f = s->frags; f; f = f->next)
        if (!o || f->deadline < o->deadline)
            o = f;
    return o;
}

static bool have_all(const struct frag_buf *f)
{
    uint32_t blocks = (f->total + 7) / 8;
    for (uint32_t i = 0; i < blocks; i++)
        if (!(f->have[i / 8] & (1u << (i % 8))))
            return false;
    return true;
}

void frag_input(struct net_stack *s, struct net_netif *nif, const uint8_t *p, size_t len,
                unsigned flags)
{
    s->stats.ip_frag_in++;
    size_t hlen = (size_t)(p[0] & 15) * 4;
    uint16_t fl = get16(p + 6);
    uint32_t off = (uint32_t)(fl & 0x1fff) * 8;
    bool more = fl & 0x2000;
    uint32_t dlen = (uint32_t)(len - hlen);
    uint32_t src = get32(p + 12), dst = get32(p + 16);
    uint16_t id = get16(p + 4);

    /* every fragment but the last carries a multiple of 8 bytes */
    if ((more && (dlen % 8 || dlen == 0)) || off + dlen > IP_MAX - IP_HLEN) {
        nif->stats.rx_errors++;
        return;
    }
    struct frag_buf *f;
    for (f = s->frags; f; f = f->next)
        if (f->src == src && f->dst == dst && f->id == id && f->proto == p[9])
            break;
    if (!f) {
        while (s->n_frags >= s->cfg.reasm_max && s->frags)
            frag_drop(s, oldest(s));
        f = net_alloc(s, sizeof *f);
        if (!f) {
            nif->stats.rx_dropped++;
            return;
        }
        memset(f, 0, sizeof *f);
        f->have = net_alloc(s, (IP_MAX / 8 + 8) / 8);
        if (!f->have) {
            net_free(s, f, sizeof *f);
            nif->stats.rx_dropped++;
            return;
        }
        memset(f->have, 0, (IP_MAX / 8 + 8) / 8);
        f->src = src;
        f->dst = dst;
        f->id = id;
        f->proto = p[9];
        f->deadline = s->now + s->cfg.reasm_timeout_ns;
        f->next = s->frags;
        s->frags = f;
        s->n_frags++;
        s->frag_mem += frag_cost(f);
    }
    if (!more) {
        if (f->total && f->total != off + dlen)
            goto bad;   /* two different "last" fragments */
        f->total = off + dlen;
    }
    if (f->total && off + dlen > f->total)
        goto bad;
    if (off + dlen > f->size) {
        /* grow to what is known; round up to limit reallocation */
        uint32_t want = f->total ? f->total : ((off + dlen + 4095) & ~4095u);
        size_t cost_delta = want - f->size;
        while (s->frag_mem + cost_delta > s->cfg.reasm_mem && s->n_frags > 1) {
            struct frag_buf *o = oldest(s);
            if (o == f)
                break;
            frag_drop(s, o);
        }
        if (s->frag_mem + cost_delta > s->cfg.reasm_mem)
            goto bad;
        uint8_t *nd = net_alloc(s, want);
        if (!nd)
            goto bad;
        if (f->data)
            memcpy(nd, f->data, f->size);
        net_free(s, f->data, f->size);
        s->frag_mem += cost_delta;
        f->data = nd;
        f->size = want;
    }
    memcpy(f->data + off, p + hlen, dlen);
    for (uint32_t b = off / 8; b < (off + dlen + 7) / 8; b++)
        f->have[b / 8] |= (uint8_t)(1u << (b % 8));
    if (off == 0)
        memcpy(f->hdr, p, IP_HLEN);
    if (!f->total || !have_all(f))
        return;

    /* complete: hand a whole datagram to the transport layer */
    s->stats.ip_reasm_ok++;
    uint8_t hdr[IP_HLEN];
    memcpy(hdr, f->hdr, IP_HLEN);
    hdr[0] = 0x45;
    put16(hdr + 2, (uint16_t)(IP_HLEN + f->total));
    put16(hdr + 6, 0);
    /* detach the buffer first: delivery may send and allocate */
    uint8_t *data = f->data;
    uint32_t size = f->size, total = f->total;
    f->data = NULL;
    f->size = 0;
    s->frag_mem -= size;
    frag_drop(s, f);
    ip_deliver(s, nif, hdr, data, total, flags);
    net_free(s, data, size);
    return;
bad:
    nif->stats.rx_errors++;
    frag_drop(s, f);
}

void frag_poll(struct net_stack *s, uint64_t now)
{
    struct frag_buf *f = s->frags;
    while (f) {
        struct frag_buf *next = f->next;
        if (now >= f->deadline) {
            s->stats.ip_reasm_timeout++;
            /* RFC 792: time exceeded (reassembly) if we had the first fragment */
            frag_drop(s, f);
        }
        f = next;
    }
}

uint64_t frag_deadline(struct net_stack *s)
{
    uint64_t d = NEVER;
    for (struct frag_buf *f = s->frags; f; f = f->next)
        d = min64(d, f->deadline);
    return d;
}
