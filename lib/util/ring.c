/* Lock-free single-producer single-consumer byte ring; see ring.h. */
#include "util/ring.h"

#include <string.h>

#include "pus/err.h"

int ring_init(struct ring *r, void *buf, size_t size)
{
    if (!r || !buf || size == 0 || (size & (size - 1)) != 0)
        return ERR_INVALID_ARGS;
    r->buf = buf;
    r->size = size;
    r->head = 0;
    r->tail = 0;
    return 0;
}

size_t ring_used(const struct ring *r)
{
    size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    return head - tail;
}

size_t ring_space(const struct ring *r)
{
    return r->size - ring_used(r);
}

size_t ring_put(struct ring *r, const void *data, size_t n)
{
    size_t head = r->head; /* ours: no one else writes it */
    size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    size_t room = r->size - (head - tail);
    if (n > room)
        n = room;
    if (n == 0)
        return 0;
    size_t at = head & (r->size - 1);
    size_t first = r->size - at < n ? r->size - at : n;
    memcpy(r->buf + at, data, first);
    memcpy(r->buf, (const uint8_t *)data + first, n - first);
    __atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
    return n;
}

size_t ring_get(struct ring *r, void *out, size_t n)
{
    size_t tail = r->tail; /* ours */
    size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    size_t avail = head - tail;
    if (n > avail)
        n = avail;
    if (n == 0)
        return 0;
    size_t at = tail & (r->size - 1);
    size_t first = r->size - at < n ? r->size - at : n;
    memcpy(out, r->buf + at, first);
    memcpy((uint8_t *)out + first, r->buf, n - first);
    __atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);
    return n;
}
