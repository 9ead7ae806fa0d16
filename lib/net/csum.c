/*
 * Internet checksum, 8 bytes per step.
 *
 * Each 64-bit word is split into two 32-bit halves added into a 64-bit
 * accumulator, so no carry is ever lost (2^32 words before it could
 * overflow) and there is no compare-and-add per word. Loads are aligned:
 * a few leading bytes are summed first, and an odd starting address is
 * handled with RFC 1071's byte-swap property (summing a buffer shifted by
 * one byte yields the byte-swapped sum).
 */

#include "net/csum.h"
#include "net/bytes.h"

/*
 * One aligned 64-bit load. __builtin_memcpy so that it is a load even where
 * a library is built with -fno-builtin (a real call per 8 bytes made
 * checksumming cost several times the copy it follows; the kernel now
 * builds with -fbuiltin, see mk/config.mk).
 */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    return w;
}

static uint32_t fold64(uint64_t acc)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    uint32_t s = (uint32_t)acc;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return s;
}

/* p is always even here (sum_even's contract), which lets this be one
   halfword load instead of two byte loads put together. */
static inline uint16_t load16(const uint8_t *p)
{
    uint16_t h;
    __builtin_memcpy(&h, __builtin_assume_aligned(p, 2), 2);
    return h;
}

/*
 * Sum of a buffer starting at an even address, as native 16-bit words.
 * The few bytes before the first aligned word and after the last are
 * summed as 16-bit loads (the address is even, so they are aligned), not
 * copied out with a variable-length memcpy: that was a library call for
 * nearly every header (an IP header after the 14-byte Ethernet header is
 * never 8-aligned) and a third of the instructions of answering a ping.
 */
static uint32_t sum_even(const uint8_t *p, size_t len)
{
    uint64_t a0 = 0, a1 = 0, w;
    size_t lead = (8 - ((uintptr_t)p & 7)) & 7;

    if (lead > len)
        lead = len & ~(size_t)1;   /* an odd last byte is the tail's */
    for (; lead; lead -= 2, p += 2, len -= 2)
        a0 += load16(p);
    if (len >= 8) {
        /* p is 8-aligned here (a shorter buffer was all lead and tail);
           loads from a pointer known to be aligned compile to plain loads */
        const uint8_t *q = __builtin_assume_aligned(p, 8);
        while (len >= 32) {
            uint64_t x = load64(q), y = load64(q + 8), z = load64(q + 16), v = load64(q + 24);
            a0 += (x & 0xffffffffu) + (x >> 32) + (y & 0xffffffffu) + (y >> 32);
            a1 += (z & 0xffffffffu) + (z >> 32) + (v & 0xffffffffu) + (v >> 32);
            q += 32;
            len -= 32;
        }
        while (len >= 8) {
            w = load64(q);
            q += 8;
            a0 += (w & 0xffffffffu) + (w >> 32);
            len -= 8;
        }
        p = q;
    }
    for (; len >= 2; len -= 2, p += 2)
        a1 += load16(p);
    if (len) {
        uint16_t last = 0;
        __builtin_memcpy(&last, p, 1);   /* an odd tail is padded with a zero byte */
        a1 += last;
    }
    return fold64(a0 + a1);
}

static uint32_t swap16(uint32_t s)
{
    return ((s & 0xff) << 8) | ((s >> 8) & 0xff);
}

uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint32_t s;

    if (len == 0)
        return sum;
    if ((uintptr_t)p & 1) {
        uint16_t first = 0;
        __builtin_memcpy(&first, p, 1);   /* p[0] in the first byte of a word */
        s = first + swap16(sum_even(p + 1, len - 1));
    } else {
        s = sum_even(p, len);
    }
    return fold64((uint64_t)sum + s);
}

uint32_t csum_add_odd(uint32_t sum, const void *buf, size_t len)
{
    /* RFC 1071 2(B): bytes shifted by one position sum byte-swapped */
    return fold64((uint64_t)sum + swap16(csum_add(0, buf, len)));
}

uint16_t csum_finish(uint32_t sum)
{
    sum = fold64(sum);
    return (uint16_t)~sum;
}

void csum_store(uint8_t *p, uint16_t csum)
{
    __builtin_memcpy(p, &csum, 2);
}

uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint8_t ph[12];
    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, len);
    return csum_add(0, ph, sizeof ph);
}

uint16_t csum_buf(const void *buf, size_t len)
{
    return csum_finish(csum_add(0, buf, len));
}
