/*
 * The interpreter's op families as X-macro lists: each entry names an op,
 * the type its operands are read as and the expression of its result (over
 * operands a and b). interp.c expands a list twice: once into the handlers
 * (each with its acc/immediate variants) and once into the tables of
 * variant handlers the compiler picks from, so the two cannot drift apart:
 * a table entry without its handler, or a handler no table names, fails
 * the build.
 *
 * Operand types (TYPE, IN: how a slot value is read, OUT: how the result
 * is stored):
 *   I32  uint32_t, low 32 bits of the slot, result zero-extended
 *   I64  uint64_t, the whole slot
 *   F32  float, bits of the low 32 bits
 *   F64  double, bits of the slot
 * The signed views (int32_t, int64_t) are spelled out in the expressions.
 */
#ifndef PUS_WASM_FAMILIES_H
#define PUS_WASM_FAMILIES_H

#define I32_TYPE uint32_t
#define I32_IN(x) ((uint32_t)(x))
#define I32_OUT uint32_t
#define I64_TYPE uint64_t
#define I64_IN(x) (x)
#define I64_OUT uint64_t
#define F32_TYPE float
#define F32_IN(x) f32_of(x)
#define F32_OUT uint64_t
#define F64_TYPE double
#define F64_IN(x) f64_of(x)
#define F64_OUT uint64_t

/* Loads: X(name, size in bytes, value read from p). */
#define LOAD_OPS(X) \
    X(I32_LOAD, 4, ld32(p)) \
    X(I64_LOAD, 8, ld64(p)) \
    X(I32_LOAD8_S, 1, (uint32_t)(int32_t)(int8_t)p[0]) \
    X(I32_LOAD8_U, 1, p[0]) \
    X(I32_LOAD16_S, 2, (uint32_t)(int32_t)(int16_t)ld16(p)) \
    X(I32_LOAD16_U, 2, ld16(p)) \
    X(I64_LOAD8_S, 1, (uint64_t)(int64_t)(int8_t)p[0]) \
    X(I64_LOAD8_U, 1, p[0]) \
    X(I64_LOAD16_S, 2, (uint64_t)(int64_t)(int16_t)ld16(p)) \
    X(I64_LOAD16_U, 2, ld16(p)) \
    X(I64_LOAD32_S, 4, (uint64_t)(int64_t)(int32_t)ld32(p)) \
    X(I64_LOAD32_U, 4, ld32(p))

/* Stores: X(name, size in bytes); the low bytes of the value are stored. */
#define STORE_OPS(X) \
    X(I32_STORE, 4) X(I64_STORE, 8) X(I32_STORE8, 1) X(I32_STORE16, 2) \
    X(I64_STORE8, 1) X(I64_STORE16, 2) X(I64_STORE32, 4)

/* The integer comparisons at a width (32, 64), names prefixed with P:
 * X(name, type, condition). Also the fused compare-and-branch ops. */
#define INT_COMPARISONS(X, P, BITS) \
    X(P##EQ, I##BITS, a == b) \
    X(P##NE, I##BITS, a != b) \
    X(P##LT_S, I##BITS, (int##BITS##_t)a < (int##BITS##_t)b) \
    X(P##LT_U, I##BITS, a < b) \
    X(P##GT_S, I##BITS, (int##BITS##_t)a > (int##BITS##_t)b) \
    X(P##GT_U, I##BITS, a > b) \
    X(P##LE_S, I##BITS, (int##BITS##_t)a <= (int##BITS##_t)b) \
    X(P##LE_U, I##BITS, a <= b) \
    X(P##GE_S, I##BITS, (int##BITS##_t)a >= (int##BITS##_t)b) \
    X(P##GE_U, I##BITS, a >= b)

#define FLOAT_COMPARISONS(X, BITS) \
    X(F##BITS##_EQ, F##BITS, a == b) X(F##BITS##_NE, F##BITS, a != b) \
    X(F##BITS##_LT, F##BITS, a < b) X(F##BITS##_GT, F##BITS, a > b) \
    X(F##BITS##_LE, F##BITS, a <= b) X(F##BITS##_GE, F##BITS, a >= b)

/* Integer arithmetic that cannot trap (division can: interp.c has it). */
#define INT_ARITHMETIC(X, BITS) \
    X(I##BITS##_ADD, I##BITS, a + b) \
    X(I##BITS##_SUB, I##BITS, a - b) \
    X(I##BITS##_MUL, I##BITS, a * b) \
    X(I##BITS##_AND, I##BITS, a & b) \
    X(I##BITS##_OR, I##BITS, a | b) \
    X(I##BITS##_XOR, I##BITS, a ^ b) \
    X(I##BITS##_SHL, I##BITS, a << (b & (BITS - 1))) \
    X(I##BITS##_SHR_S, I##BITS, (int##BITS##_t)a >> (b & (BITS - 1))) \
    X(I##BITS##_SHR_U, I##BITS, a >> (b & (BITS - 1))) \
    X(I##BITS##_ROTL, I##BITS, rotl##BITS(a, b)) \
    X(I##BITS##_ROTR, I##BITS, rotr##BITS(a, b))

/* Float arithmetic; min, max and copysign work on the bits (NaN and sign
 * of zero rules), SIGN is the sign bit. */
#define FLOAT_ARITHMETIC(X, BITS, SIGN) \
    X(F##BITS##_ADD, F##BITS, bits_f##BITS(a + b)) \
    X(F##BITS##_SUB, F##BITS, bits_f##BITS(a - b)) \
    X(F##BITS##_MUL, F##BITS, bits_f##BITS(a * b)) \
    X(F##BITS##_DIV, F##BITS, bits_f##BITS(a / b)) \
    X(F##BITS##_MIN, I64, f##BITS##_min(a, b)) \
    X(F##BITS##_MAX, I64, f##BITS##_max(a, b)) \
    X(F##BITS##_COPYSIGN, I##BITS, (a & ~(SIGN)) | (b & (SIGN)))

/* Ops with two operands: X(name, type, result). Each has the variants
 * _A1, _A2, _I2 and _A1I2. */
#define BINARY_OPS(X) \
    INT_COMPARISONS(X, I32_, 32) \
    INT_COMPARISONS(X, I64_, 64) \
    FLOAT_COMPARISONS(X, 32) \
    FLOAT_COMPARISONS(X, 64) \
    INT_ARITHMETIC(X, 32) \
    INT_ARITHMETIC(X, 64) \
    FLOAT_ARITHMETIC(X, 32, 0x80000000u) \
    FLOAT_ARITHMETIC(X, 64, 0x8000000000000000ull)

/* BUILTIN_SUFFIX: of __builtin_clz and friends for the width. */
#define INT_COUNTS(X, BITS, BUILTIN_SUFFIX) \
    X(I##BITS##_CLZ, I##BITS, a ? __builtin_clz##BUILTIN_SUFFIX(a) : BITS) \
    X(I##BITS##_CTZ, I##BITS, a ? __builtin_ctz##BUILTIN_SUFFIX(a) : BITS) \
    X(I##BITS##_POPCNT, I##BITS, __builtin_popcount##BUILTIN_SUFFIX(a))

/* f32_round/f64_round modes: 0 ceil, 1 floor, 2 trunc, 3 nearest. */
#define FLOAT_UNARY(X, BITS, SIGN, SQRT) \
    X(F##BITS##_ABS, I##BITS, a & ~(SIGN)) \
    X(F##BITS##_NEG, I##BITS, a ^ (SIGN)) \
    X(F##BITS##_CEIL, I64, f##BITS##_round(a, 0)) \
    X(F##BITS##_FLOOR, I64, f##BITS##_round(a, 1)) \
    X(F##BITS##_TRUNC, I64, f##BITS##_round(a, 2)) \
    X(F##BITS##_NEAREST, I64, f##BITS##_round(a, 3)) \
    X(F##BITS##_SQRT, F##BITS, bits_f##BITS(SQRT(a)))

/* Integer to float of BITS bits, whose C type is FT. */
#define INT_TO_FLOAT(X, BITS, FT) \
    X(F##BITS##_CONVERT_I32_S, I64, bits_f##BITS((FT)(int32_t)a)) \
    X(F##BITS##_CONVERT_I32_U, I64, bits_f##BITS((FT)(uint32_t)a)) \
    X(F##BITS##_CONVERT_I64_S, I64, bits_f##BITS((FT)(int64_t)a)) \
    X(F##BITS##_CONVERT_I64_U, I64, bits_f##BITS((FT)a))

/* Saturating float to int: NaN gives 0, out of range clamps. */
#define TRUNC_SAT(X, IBITS, FBITS) \
    X(I##IBITS##_TRUNC_SAT_F##FBITS##_S, F##FBITS, sat_i##IBITS##_s(a)) \
    X(I##IBITS##_TRUNC_SAT_F##FBITS##_U, F##FBITS, sat_i##IBITS##_u(a))

/* Ops with one operand that cannot trap: X(name, type, result). Each has
 * the variant _A1. */
#define UNARY_OPS(X) \
    X(I32_EQZ, I32, a == 0) \
    X(I64_EQZ, I64, a == 0) \
    X(REF_IS_NULL, I64, a == 0) \
    INT_COUNTS(X, 32, ) \
    INT_COUNTS(X, 64, ll) \
    FLOAT_UNARY(X, 32, 0x80000000u, sqrtf) \
    FLOAT_UNARY(X, 64, 0x8000000000000000ull, sqrt) \
    X(I32_WRAP_I64, I64, (uint32_t)a) \
    X(I64_EXTEND_I32_S, I64, (uint64_t)(int64_t)(int32_t)a) \
    X(I64_EXTEND_I32_U, I64, (uint32_t)a) \
    INT_TO_FLOAT(X, 32, float) \
    INT_TO_FLOAT(X, 64, double) \
    X(I32_REINTERPRET_F32, I64, a) \
    X(I64_REINTERPRET_F64, I64, a) \
    X(F32_REINTERPRET_I32, I64, a) \
    X(F64_REINTERPRET_I64, I64, a) \
    X(I32_EXTEND8_S, I32, (int32_t)(int8_t)a) \
    X(I32_EXTEND16_S, I32, (int32_t)(int16_t)a) \
    X(I64_EXTEND8_S, I64, (int64_t)(int8_t)a) \
    X(I64_EXTEND16_S, I64, (int64_t)(int16_t)a) \
    X(I64_EXTEND32_S, I64, (int64_t)(int32_t)a) \
    TRUNC_SAT(X, 32, 32) TRUNC_SAT(X, 32, 64) \
    TRUNC_SAT(X, 64, 32) TRUNC_SAT(X, 64, 64)

#endif
