/*
 * Numeric helpers with exactly the semantics of the wasm spec, written out
 * rather than trusting the hardware or libm: RISC-V fmin/fmax, x86 minss and
 * C's fmin() all differ from wasm on NaN and signed zero, and C's
 * float-to-int casts are undefined out of range.
 *
 * Floats travel as bit patterns in uint64_t slots; these convert.
 */
#ifndef PUS_WASM_NUMERIC_H
#define PUS_WASM_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float f32_of(uint64_t v) { uint32_t u = (uint32_t)v; float f; memcpy(&f, &u, 4); return f; }
static inline double f64_of(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static inline uint64_t bits_f32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline uint64_t bits_f64(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

#define F32_CANON_NAN 0x7fc00000u
#define F64_CANON_NAN 0x7ff8000000000000ull

/* min/max: any NaN operand gives a NaN; -0 is less than +0. */
static inline uint64_t f32_min(uint64_t a, uint64_t b)
{
    float x = f32_of(a), y = f32_of(b);
    if (x != x || y != y)
        return F32_CANON_NAN;
    if (x == y)
        return (uint32_t)(a | b);       /* equal: only zeros differ, in sign */
    return x < y ? (uint32_t)a : (uint32_t)b;
}

static inline uint64_t f32_max(uint64_t a, uint64_t b)
{
    float x = f32_of(a), y = f32_of(b);
    if (x != x || y != y)
        return F32_CANON_NAN;
    if (x == y)
        return (uint32_t)(a & b);
    return x > y ? (uint32_t)a : (uint32_t)b;
}

static inline uint64_t f64_min(uint64_t a, uint64_t b)
{
    double x = f64_of(a), y = f64_of(b);
    if (x != x || y != y)
        return F64_CANON_NAN;
    if (x == y)
        return a | b;
    return x < y ? a : b;
}

static inline uint64_t f64_max(uint64_t a, uint64_t b)
{
    double x = f64_of(a), y = f64_of(b);
    if (x != x || y != y)
        return F64_CANON_NAN;
    if (x == y)
        return a & b;
    return x > y ? a : b;
}

/*
 * Rounding to an integer (ceil, floor, trunc, nearest), done on the bits
 * rather than with libm: picolibc's RISC-V floor/ceil get some large
 * values wrong (found by running the spec tests on rv64), and libm may not
 * quiet signalling NaNs. Values of magnitude 2^mantissa_bits or more are
 * already integers. nearest relies on the default rounding mode (to nearest
 * even), which the kernel never changes: adding and subtracting 2^52 rounds.
 * mode: 0 ceil, 1 floor, 2 trunc, 3 nearest.
 */
static inline uint64_t f64_round(uint64_t a, int mode)
{
    const uint64_t sign = a & 0x8000000000000000ull;
    int e = (int)((a >> 52) & 0x7ff) - 1023;
    if (e == 1024)                          /* inf or NaN */
        return (a & 0x000fffffffffffffull) ? a | 0x0008000000000000ull : a;
    if (e >= 52)
        return a;
    double x = f64_of(a);
    if (mode == 3) {
        double y = x < 0 ? -x : x;
        y = (y + 4503599627370496.0) - 4503599627370496.0;
        return bits_f64(y) | sign;
    }
    if (e < 0) {                            /* |x| < 1 */
        if ((a << 1) == 0)
            return a;                       /* +-0 */
        if (mode == 0)
            return sign ? sign : bits_f64(1.0);
        if (mode == 1)
            return sign ? bits_f64(-1.0) : 0;
        return sign;
    }
    uint64_t frac = 0x000fffffffffffffull >> e;
    if (!(a & frac))
        return a;
    uint64_t t = a & ~frac;                 /* truncated toward zero */
    if (mode == 0 && !sign)
        return bits_f64(f64_of(t) + 1.0);
    if (mode == 1 && sign)
        return bits_f64(f64_of(t) - 1.0);
    return t;
}

static inline uint64_t f32_round(uint64_t a32, int mode)
{
    uint32_t a = (uint32_t)a32;
    const uint32_t sign = a & 0x80000000u;
    int e = (int)((a >> 23) & 0xff) - 127;
    if (e == 128)
        return (a & 0x007fffffu) ? (a | 0x00400000u) : a;
    if (e >= 23)
        return a;
    float x = f32_of(a);
    if (mode == 3) {
        float y = x < 0 ? -x : x;
        y = (y + 8388608.0f) - 8388608.0f;
        return (uint32_t)bits_f32(y) | sign;
    }
    if (e < 0) {
        if ((uint32_t)(a << 1) == 0)
            return a;
        if (mode == 0)
            return sign ? sign : (uint32_t)bits_f32(1.0f);
        if (mode == 1)
            return sign ? (uint32_t)bits_f32(-1.0f) : 0;
        return sign;
    }
    uint32_t frac = 0x007fffffu >> e;
    if (!(a & frac))
        return a;
    uint32_t t = a & ~frac;
    if (mode == 0 && !sign)
        return bits_f32(f32_of(t) + 1.0f);
    if (mode == 1 && sign)
        return bits_f32(f32_of(t) - 1.0f);
    return t;
}

/* Float-to-int conversions. Return 0 on success, 1 for NaN (invalid
 * conversion), 2 for out of range (integer overflow). The limits are the
 * exact boundaries of the representable range, compared in the source type. */
#define TRUNCATING(name, in_range, value) \
static inline int name(double x, uint64_t *out) \
{ \
    if (x != x) return 1; \
    if (!(in_range)) return 2; \
    *out = (value); \
    return 0; \
}
TRUNCATING(trunc_i32_s, x > -2147483649.0 && x < 2147483648.0, (uint32_t)(int32_t)x)
TRUNCATING(trunc_i32_u, x > -1.0 && x < 4294967296.0, (uint32_t)x)
TRUNCATING(trunc_i64_s, x >= -9223372036854775808.0 && x < 9223372036854775808.0, (uint64_t)(int64_t)x)
TRUNCATING(trunc_i64_u, x > -1.0 && x < 18446744073709551616.0, (uint64_t)x)
#undef TRUNCATING

/* Saturating versions: NaN gives 0, out of range clamps to lo or hi. */
#define SATURATING(name, below, lo, above, hi, value) \
static inline uint64_t name(double x) \
{ \
    if (x != x) return 0; \
    if (below) return (lo); \
    if (above) return (hi); \
    return (value); \
}
SATURATING(sat_i32_s, x <= -2147483649.0, (uint32_t)INT32_MIN,
           x >= 2147483648.0, (uint32_t)INT32_MAX, (uint32_t)(int32_t)x)
SATURATING(sat_i32_u, x <= -1.0, 0, x >= 4294967296.0, UINT32_MAX, (uint32_t)x)
SATURATING(sat_i64_s, x < -9223372036854775808.0, (uint64_t)INT64_MIN,
           x >= 9223372036854775808.0, (uint64_t)INT64_MAX, (uint64_t)(int64_t)x)
SATURATING(sat_i64_u, x <= -1.0, 0, x >= 18446744073709551616.0, UINT64_MAX, (uint64_t)x)
#undef SATURATING

static inline uint32_t rotl32(uint32_t x, uint32_t n) { n &= 31; return (x << n) | (x >> ((32 - n) & 31)); }
static inline uint32_t rotr32(uint32_t x, uint32_t n) { n &= 31; return (x >> n) | (x << ((32 - n) & 31)); }
static inline uint64_t rotl64(uint64_t x, uint64_t n) { n &= 63; return (x << n) | (x >> ((64 - n) & 63)); }
static inline uint64_t rotr64(uint64_t x, uint64_t n) { n &= 63; return (x >> n) | (x << ((64 - n) & 63)); }

#endif
