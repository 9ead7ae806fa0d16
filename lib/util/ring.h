/*
 * A single-producer, single-consumer byte ring without locks.
 *
 * The producer (often an interrupt handler, e.g. the UART receive
 * interrupt) only writes `head`; the consumer (a thread) only writes
 * `tail`. Each reads the other's index with acquire ordering and publishes
 * its own with release ordering, so the bytes written before a head update
 * are visible to the consumer that sees the update, and a slot is reused
 * only after the consumer has released it. With more than one producer or
 * more than one consumer the caller must serialise each side with a lock.
 *
 * head and tail count bytes forever (wrapping at SIZE_MAX+1, which is a
 * multiple of size), so used = head - tail needs no "full" flag.
 */
#ifndef PUS_UTIL_RING_H
#define PUS_UTIL_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
    uint8_t *buf;
    size_t size; /* a power of two */
    size_t head; /* bytes ever put; written by the producer only */
    size_t tail; /* bytes ever taken; written by the consumer only */
};

/* ERR_INVALID_ARGS unless buf is non-NULL and size a power of two. */
int ring_init(struct ring *r, void *buf, size_t size);
/* Producer side: stores up to n bytes; returns how many fitted. */
size_t ring_put(struct ring *r, const void *data, size_t n);
/* Consumer side: takes up to n bytes; returns how many there were. */
size_t ring_get(struct ring *r, void *out, size_t n);
/* Bytes waiting; exact for the consumer, a lower bound for the producer. */
size_t ring_used(const struct ring *r);
/* Free room; exact for the producer, a lower bound for the consumer. */
size_t ring_space(const struct ring *r);

#endif
