/* See memops.h. Little-endian only (RISC-V and x86 are). */
#include <stdint.h>
#include "util/memops.h"

/* may_alias: the buffers are of any type, and strict aliasing must not
   let the compiler reorder our word accesses against the caller's. */
typedef uint64_t __attribute__((may_alias)) word;
#define W sizeof(word)

/* The compiler must not turn these loops back into calls to memcpy, and
   ASan must not flag the aligned words that straddle a buffer's edge (each
   holds at least one byte of the buffer, see memops.h). */
#if defined(__clang__)
#define NO_BUILTIN __attribute__((no_builtin, no_sanitize_address))
#else
#define NO_BUILTIN __attribute__((optimize("no-tree-loop-distribute-patterns"), no_sanitize_address))
#endif

NO_BUILTIN void *pus_memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (n < 2 * W) {
        while (n--)
            *d++ = *s++;
        return dst;
    }
    /* Align the destination. */
    while ((uintptr_t)d & (W - 1)) {
        *d++ = *s++;
        n--;
    }
    size_t shift = ((uintptr_t)s & (W - 1)) * 8;
    word *dw = (word *)d;
    if (shift == 0) {
        const word *sw = (const word *)s;
        while (n >= 8 * W) {
            word a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            word f = sw[4], g = sw[5], h = sw[6], i = sw[7];
            dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
            dw[4] = f; dw[5] = g; dw[6] = h; dw[7] = i;
            dw += 8;
            sw += 8;
            n -= 8 * W;
        }
        while (n >= W) {
            *dw++ = *sw++;
            n -= W;
        }
        s = (const uint8_t *)sw;
    } else {
        /* Source misaligned: merge two aligned words per output word. The
           loop stops while the next aligned word still holds needed bytes. */
        const word *sw = (const word *)((uintptr_t)s & ~(uintptr_t)(W - 1));
        word lo = *sw++;
        while (n >= 2 * W) {
            word hi = *sw++;
            *dw++ = (lo >> shift) | (hi << (64 - shift));
            lo = hi;
            n -= W;
        }
        s += (size_t)((uint8_t *)dw - d);
    }
    d = (uint8_t *)dw;
    while (n--)
        *d++ = *s++;
    return dst;
}

NO_BUILTIN void *pus_memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)
        return pus_memcpy(dst, src, n);   /* no harmful overlap forwards */
    /* Overlap with dst above src: copy backwards, words when both align. */
    d += n;
    s += n;
    if ((((uintptr_t)d ^ (uintptr_t)s) & (W - 1)) == 0) {
        while (n && ((uintptr_t)d & (W - 1))) {
            *--d = *--s;
            n--;
        }
        while (n >= W) {
            d -= W;
            s -= W;
            *(word *)d = *(const word *)s;
            n -= W;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

NO_BUILTIN void *pus_memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    word v = (uint8_t)c;
    v |= v << 8;
    v |= v << 16;
    v |= v << 32;
    while (n && ((uintptr_t)d & (W - 1))) {
        *d++ = (uint8_t)c;
        n--;
    }
    word *dw = (word *)d;
    while (n >= 4 * W) {
        dw[0] = v; dw[1] = v; dw[2] = v; dw[3] = v;
        dw += 4;
        n -= 4 * W;
    }
    while (n >= W) {
        *dw++ = v;
        n -= W;
    }
    d = (uint8_t *)dw;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}
