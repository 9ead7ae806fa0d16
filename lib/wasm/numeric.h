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

/* Rounding helpers. NaN in gives an arithmetic NaN out (quiet bit set);
 * libm may not quiet a signalling NaN on every target, so do it here. */
static inline uint64_t f32_round(uint64_t a, int mode)
{
    float x = f32_of(a);
    if (x != x)
        return (uint32_t)a | 0x00400000u;
    switch (mode) {
    case 0: x = ceilf(x); break;
    case 1: x = floorf(x); break;
    case 2: x = truncf(x); break;
    default: x = rintf(x); break;       /* default rounding: to nearest even */
    }
    return bits_f32(x);
}

static inline uint64_t f64_round(uint64_t a, int mode)
{
    double x = f64_of(a);
    if (x != x)
        return a | 0x0008000000000000ull;
    switch (mode) {
    case 0: x = ceil(x); break;
    case 1: x = floor(x); break;
    case 2: x = trunc(x); break;
    default: x = rint(x); break;
    }
    return bits_f64(x);
}

/* Float-to-int conversions. Return 0 on success, 1 for NaN (invalid
 * conversion), 2 for out of range (integer overflow). The limits are the
 * exact boundaries of the representable range, compared in the source type. */
static inline int trunc_i32_s(double x, uint64_t *out)
{
    if (x != x) return 1;
    if (!(x > -2147483649.0 && x < 2147483648.0)) return 2;
    *out = (uint32_t)(int32_t)x;
    return 0;
}

static inline int trunc_i32_u(double x, uint64_t *out)
{
    if (x != x) return 1;
    if (!(x > -1.0 && x < 4294967296.0)) return 2;
    *out = (uint32_t)x;
    return 0;
}

static inline int trunc_i64_s(double x, uint64_t *out)
{
    if (x != x) return 1;
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return 2;
    *out = (uint64_t)(int64_t)x;
    return 0;
}

static inline int trunc_i64_u(double x, uint64_t *out)
{
    if (x != x) return 1;
    if (!(x > -1.0 && x < 18446744073709551616.0)) return 2;
    *out = (uint64_t)x;
    return 0;
}

/* Saturating versions: NaN gives 0, out of range clamps. */
static inline uint64_t sat_i32_s(double x)
{
    if (x != x) return 0;
    if (x <= -2147483649.0) return (uint32_t)INT32_MIN;
    if (x >= 2147483648.0) return (uint32_t)INT32_MAX;
    return (uint32_t)(int32_t)x;
}

static inline uint64_t sat_i32_u(double x)
{
    if (x != x || x <= -1.0) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}

static inline uint64_t sat_i64_s(double x)
{
    if (x != x) return 0;
    if (x < -9223372036854775808.0) return (uint64_t)INT64_MIN;
    if (x >= 9223372036854775808.0) return (uint64_t)INT64_MAX;
    return (uint64_t)(int64_t)x;
}

static inline uint64_t sat_i64_u(double x)
{
    if (x != x || x <= -1.0) return 0;
    if (x >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)x;
}

static inline uint32_t rotl32(uint32_t x, uint32_t n) { n &= 31; return (x << n) | (x >> ((32 - n) & 31)); }
static inline uint32_t rotr32(uint32_t x, uint32_t n) { n &= 31; return (x >> n) | (x << ((32 - n) & 31)); }
static inline uint64_t rotl64(uint64_t x, uint64_t n) { n &= 63; return (x << n) | (x >> ((64 - n) & 63)); }
static inline uint64_t rotr64(uint64_t x, uint64_t n) { n &= 63; return (x >> n) | (x << ((64 - n) & 63)); }

#endif
