/* Shared by the lib/http fuzz targets: run the parser over input split at
 * one point and summarise what it reported, so that split and unsplit runs
 * can be compared (the parser must not care where the input is cut). */
#include <stdint.h>
#include <string.h>

#include "http/http.h"

struct summary {
    int heads, dones, err, status;
    uint64_t body_bytes;
    uint32_t body_hash;
};

static void run_split(struct http_parser *p, const uint8_t *data, size_t size, size_t cut,
                      struct summary *s)
{
    memset(s, 0, sizeof(*s));
    s->body_hash = 2166136261u;
    size_t starts[2] = { 0, cut }, ends[2] = { cut, size };
    for (int k = 0; k < 2 && !s->err; k++) {
        const uint8_t *d = data + starts[k];
        size_t n = ends[k] - starts[k];
        for (;;) {
            struct http_event ev;
            long used = http_parser_run(p, d, n, &ev);
            if (used < 0) {
                s->err = (int)used;
                s->status = p->status;
                break;
            }
            if ((size_t)used > n)
                __builtin_trap();
            d += used;
            n -= (size_t)used;
            if (ev.kind == HTTP_EV_NEED_MORE)
                break;
            if (ev.kind == HTTP_EV_HEAD) {
                s->heads++;
                /* every string must be readable and every header found */
                for (int i = 0; i < p->msg.header_count; i++)
                    if (!http_header_get(&p->msg, p->msg.headers[i].name))
                        __builtin_trap();
            } else if (ev.kind == HTTP_EV_BODY) {
                if (ev.data < data || ev.data + ev.len > data + size)
                    __builtin_trap();
                s->body_bytes += ev.len;
                for (size_t i = 0; i < ev.len; i++)
                    s->body_hash = (s->body_hash ^ ev.data[i]) * 16777619u;
            } else {
                s->dones++;
            }
        }
    }
}

static void compare(const struct summary *a, const struct summary *b)
{
    if (a->heads != b->heads || a->dones != b->dones || a->err != b->err ||
        a->status != b->status || a->body_bytes != b->body_bytes ||
        a->body_hash != b->body_hash)
        __builtin_trap();
}
