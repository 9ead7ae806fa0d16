/*
 * Byte rings for TCP buffers, and the out-of-order map.
 *
 * Received data is written once, straight into the receive ring at its
 * place in sequence space, even when it arrives out of order; seq_range
 * entries remember which stretches beyond the in-order bytes are filled.
 * So reordering costs no extra copies and no per-segment allocation, and a
 * connection never holds more than its ring.
 */
#include "net/tcp_priv.h"

int ring_alloc(struct net_stack *s, struct ring *r, uint32_t cap)
{
    r->buf = net_alloc(s, cap);
    if (!r->buf)
        return ERR_NO_MEMORY;
    r->cap = cap;
    r->head = r->len = 0;
    return 0;
}

void ring_free(struct net_stack *s, struct ring *r)
{
    net_free(s, r->buf, r->cap);
    r->buf = NULL;
    r->cap = r->head = r->len = 0;
}

/* Copies n bytes in at byte off after head (two pieces at the wrap). */
void ring_put_at(struct ring *r, uint32_t off, const void *data, uint32_t n)
{
    uint32_t pos = r->head + off;
    if (pos >= r->cap)
        pos -= r->cap;
    uint32_t first = r->cap - pos;
    if (first > n)
        first = n;
    memcpy(r->buf + pos, data, first);
    memcpy(r->buf, (const uint8_t *)data + first, n - first);
}

uint32_t ring_append(struct ring *r, const void *data, uint32_t n)
{
    uint32_t space = r->cap - r->len;
    if (n > space)
        n = space;
    ring_put_at(r, r->len, data, n);
    r->len += n;
    return n;
}

void ring_peek(const struct ring *r, uint32_t off, void *dst, uint32_t n)
{
    uint32_t pos = r->head + off;
    if (pos >= r->cap)
        pos -= r->cap;
    uint32_t first = r->cap - pos;
    if (first > n)
        first = n;
    memcpy(dst, r->buf + pos, first);
    memcpy((uint8_t *)dst + first, r->buf, n - first);
}

void ring_consume(struct ring *r, uint32_t n)
{
    r->head += n;
    if (r->head >= r->cap)
        r->head -= r->cap;
    r->len -= n;
    /* head is not rewound when empty: out-of-order bytes may lie beyond */
}

/*
 * Records [start, end) as received beyond rcv_nxt. Keeps the list sorted
 * and merged. False when the list is full (the caller drops the segment;
 * the sender will send it again).
 */
bool ooo_add(struct tcp_pcb *tp, uint32_t start, uint32_t end)
{
    int i = 0;
    while (i < tp->n_ooo && seq_lt(tp->ooo[i].end, start))
        i++;
    /* i: first range that ends at or after start */
    if (i < tp->n_ooo && seq_le(tp->ooo[i].start, end)) {
        /* overlaps or touches range i: widen it, then swallow followers */
        if (seq_lt(start, tp->ooo[i].start))
            tp->ooo[i].start = start;
        if (seq_gt(end, tp->ooo[i].end))
            tp->ooo[i].end = end;
        int j = i + 1;
        while (j < tp->n_ooo && seq_le(tp->ooo[j].start, tp->ooo[i].end)) {
            if (seq_gt(tp->ooo[j].end, tp->ooo[i].end))
                tp->ooo[i].end = tp->ooo[j].end;
            j++;
        }
        int gone = j - (i + 1);
        if (gone) {
            memmove(&tp->ooo[i + 1], &tp->ooo[j], sizeof tp->ooo[0] * (size_t)(tp->n_ooo - j));
            tp->n_ooo -= gone;
        }
        return true;
    }
    if (tp->n_ooo == TCP_OOO_MAX)
        return false;
    memmove(&tp->ooo[i + 1], &tp->ooo[i], sizeof tp->ooo[0] * (size_t)(tp->n_ooo - i));
    tp->ooo[i].start = start;
    tp->ooo[i].end = end;
    tp->n_ooo++;
    return true;
}

/*
 * After rcv_nxt moved: absorbs ranges it reached. Returns how many more
 * bytes became in-order (already in the ring).
 */
uint32_t ooo_advance(struct tcp_pcb *tp)
{
    uint32_t gained = 0;
    while (tp->n_ooo && seq_le(tp->ooo[0].start, tp->rcv_nxt)) {
        if (seq_gt(tp->ooo[0].end, tp->rcv_nxt)) {
            gained += tp->ooo[0].end - tp->rcv_nxt;
            tp->rcv_nxt = tp->ooo[0].end;
        }
        memmove(&tp->ooo[0], &tp->ooo[1], sizeof tp->ooo[0] * (size_t)(tp->n_ooo - 1));
        tp->n_ooo--;
    }
    return gained;
}
