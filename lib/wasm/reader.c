/*
 * Bounds-checked reading of the binary format: bytes and LEB128 integers.
 * Every reader refuses over-long encodings and unused bits that are not a
 * sign extension, as the spec requires ("integer too large").
 */
#include <stdio.h>

#include "wasm/internal.h"

bool rd_u8(struct reader *r, uint8_t *v)
{
    if (r->p >= r->end)
        return false;
    *v = *r->p++;
    return true;
}

bool rd_bytes(struct reader *r, size_t n, const uint8_t **p)
{
    if ((size_t)(r->end - r->p) < n)
        return false;
    *p = r->p;
    r->p += n;
    return true;
}

/* Unsigned LEB128 of at most `bits` bits. */
static bool rd_uleb(struct reader *r, unsigned bits, uint64_t *v)
{
    uint64_t result = 0;
    unsigned shift = 0;
    for (;;) {
        uint8_t b;
        if (!rd_u8(r, &b))
            return false;
        if (shift + 7 >= bits) {
            /* last allowed byte: no continuation, unused bits zero */
            unsigned used = bits - shift;
            if (b & 0x80)
                return false;
            if (used < 7 && (b >> used) != 0)
                return false;
            result |= (uint64_t)b << shift;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    *v = result;
    return true;
}

/* Signed LEB128 of at most `bits` bits. */
static bool rd_sleb(struct reader *r, unsigned bits, int64_t *v)
{
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t b;
    for (;;) {
        if (!rd_u8(r, &b))
            return false;
        if (shift + 7 >= bits) {
            unsigned used = bits - shift;   /* value bits in this byte, 1..7 */
            if (b & 0x80)
                return false;
            /* bits above `used` must all equal the sign bit */
            int sign = (b >> (used - 1)) & 1;
            uint8_t rest = (uint8_t)((b & 0x7f) >> used);
            uint8_t want = sign ? (uint8_t)(0x7f >> used) : 0;
            if (used < 7 && rest != want)
                return false;
            result |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (shift < 64 && (b & 0x40))
        result |= ~(uint64_t)0 << shift;
    *v = (int64_t)result;
    return true;
}

bool rd_u32(struct reader *r, uint32_t *v)
{
    uint64_t x;
    if (!rd_uleb(r, 32, &x))
        return false;
    *v = (uint32_t)x;
    return true;
}

bool rd_s32(struct reader *r, int32_t *v)
{
    int64_t x;
    if (!rd_sleb(r, 32, &x))
        return false;
    *v = (int32_t)x;
    return true;
}

bool rd_s33(struct reader *r, int64_t *v)
{
    return rd_sleb(r, 33, v);
}

bool rd_s64(struct reader *r, int64_t *v)
{
    return rd_sleb(r, 64, v);
}

int load_fail(struct loadctx *lc, int status, const struct reader *r, const char *fmt, ...)
{
    if (lc->status)
        return lc->status;
    lc->status = status;
    if (lc->err && lc->errlen) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(lc->err, lc->errlen, "%s, offset 0x%zx: %s",
                 lc->section ? lc->section : "module header",
                 r ? (size_t)(r->p - r->base) : (size_t)0, msg);
    }
    return status;
}

const char *wasm_type_name(uint8_t t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_V128: return "v128";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    case 0: return "any";
    }
    return "?";
}
