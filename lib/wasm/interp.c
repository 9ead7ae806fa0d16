/*
 * The interpreter: direct-threaded code (each cell holds its handler's
 * address, gcc's computed goto dispatches) over the cells compile.c made.
 *
 * All execution state lives in the instance: the value stack (frames of
 * 8-byte slots: locals, constants, temporaries), the frame stack, the current
 * function and the pc/fp indexes. Wasm calls push a frame and jump; they
 * never recurse on the C stack, so this function's C frame is the whole C
 * stack cost of a run, and leaving at any safe point loses nothing.
 *
 * Registers while running: pc (cell pointer), fp (frame base; operands are
 * fp[slot]), mem/memsize (memory 0 of the running function's instance,
 * reloaded after calls and growth), mi (that instance).
 */
#include <stdlib.h>

#include "wasm/internal.h"
#include "wasm/numeric.h"
#include "wasm/ops.h"

static int interp_core(wasm_instance *self, const void *const **labels_out);

void wasm_interp_labels(const void *const *tables[5])
{
    interp_core(NULL, tables);
}

int wasm_interp(wasm_instance *inst)
{
    return interp_core(inst, NULL);
}

/* Binary search of the pc map for the wasm offset of a cell. */
static uint32_t offset_of(const struct code *c, uint32_t pc)
{
    uint32_t lo = 0, hi = c->nmap;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (c->map[mid].pc <= pc)
            lo = mid;
        else
            hi = mid;
    }
    return c->nmap ? c->map[lo].offset : 0;
}

/* Moves n values to a lower (or the same) place: branch results and
 * return values only ever move down the stack. */
static inline void copy_down(wasm_value *dst, const wasm_value *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = src[i];
}

/* A callee's frame: declared locals zeroed, constants copied in. Written
 * as plain loops the compiler must not turn into memset/memcpy calls, which
 * cost more than the few slots a typical function has. */
static inline void enter_frame(wasm_value *fp, uint32_t nparams, const struct code *c)
{
    wasm_value *p = fp + nparams, *end = fp + c->nlocals;
    while (p < end) {
        *p++ = 0;
        __asm__("" : "+r"(p));
    }
    const wasm_value *k = c->consts;
    for (uint32_t i = 0; i < c->nconsts; i++) {
        *p++ = *k++;
        __asm__("" : "+r"(p));
    }
}

static inline uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t ld64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static int interp_core(wasm_instance *self, const void *const **labels_out)
{
    static const void *const labels[OP_COUNT] = {
#define IR_LABEL(name) &&L_##name,
        WASM_IR_OPS(IR_LABEL)
#undef IR_LABEL
    };
    /* Variant handlers (acc operands, immediate second operand); NULL:
     * none for that op (the compiler then uses the plain op). */
    static const void *const labels_a1[OP_COUNT] = {
        [OP_I32_EQZ] = &&L_I32_EQZ_A1,
        [OP_I64_EQZ] = &&L_I64_EQZ_A1,
        [OP_REF_IS_NULL] = &&L_REF_IS_NULL_A1,
        [OP_I32_CLZ] = &&L_I32_CLZ_A1,
        [OP_I32_CTZ] = &&L_I32_CTZ_A1,
        [OP_I32_POPCNT] = &&L_I32_POPCNT_A1,
        [OP_I64_CLZ] = &&L_I64_CLZ_A1,
        [OP_I64_CTZ] = &&L_I64_CTZ_A1,
        [OP_I64_POPCNT] = &&L_I64_POPCNT_A1,
        [OP_F32_ABS] = &&L_F32_ABS_A1,
        [OP_F32_NEG] = &&L_F32_NEG_A1,
        [OP_F32_CEIL] = &&L_F32_CEIL_A1,
        [OP_F32_FLOOR] = &&L_F32_FLOOR_A1,
        [OP_F32_TRUNC] = &&L_F32_TRUNC_A1,
        [OP_F32_NEAREST] = &&L_F32_NEAREST_A1,
        [OP_F32_SQRT] = &&L_F32_SQRT_A1,
        [OP_F64_ABS] = &&L_F64_ABS_A1,
        [OP_F64_NEG] = &&L_F64_NEG_A1,
        [OP_F64_CEIL] = &&L_F64_CEIL_A1,
        [OP_F64_FLOOR] = &&L_F64_FLOOR_A1,
        [OP_F64_TRUNC] = &&L_F64_TRUNC_A1,
        [OP_F64_NEAREST] = &&L_F64_NEAREST_A1,
        [OP_F64_SQRT] = &&L_F64_SQRT_A1,
        [OP_I32_WRAP_I64] = &&L_I32_WRAP_I64_A1,
        [OP_I64_EXTEND_I32_S] = &&L_I64_EXTEND_I32_S_A1,
        [OP_I64_EXTEND_I32_U] = &&L_I64_EXTEND_I32_U_A1,
        [OP_F32_CONVERT_I32_S] = &&L_F32_CONVERT_I32_S_A1,
        [OP_F32_CONVERT_I32_U] = &&L_F32_CONVERT_I32_U_A1,
        [OP_F32_CONVERT_I64_S] = &&L_F32_CONVERT_I64_S_A1,
        [OP_F32_CONVERT_I64_U] = &&L_F32_CONVERT_I64_U_A1,
        [OP_F64_CONVERT_I32_S] = &&L_F64_CONVERT_I32_S_A1,
        [OP_F64_CONVERT_I32_U] = &&L_F64_CONVERT_I32_U_A1,
        [OP_F64_CONVERT_I64_S] = &&L_F64_CONVERT_I64_S_A1,
        [OP_F64_CONVERT_I64_U] = &&L_F64_CONVERT_I64_U_A1,
        [OP_I32_REINTERPRET_F32] = &&L_I32_REINTERPRET_F32_A1,
        [OP_I64_REINTERPRET_F64] = &&L_I64_REINTERPRET_F64_A1,
        [OP_F32_REINTERPRET_I32] = &&L_F32_REINTERPRET_I32_A1,
        [OP_F64_REINTERPRET_I64] = &&L_F64_REINTERPRET_I64_A1,
        [OP_I32_EXTEND8_S] = &&L_I32_EXTEND8_S_A1,
        [OP_I32_EXTEND16_S] = &&L_I32_EXTEND16_S_A1,
        [OP_I64_EXTEND8_S] = &&L_I64_EXTEND8_S_A1,
        [OP_I64_EXTEND16_S] = &&L_I64_EXTEND16_S_A1,
        [OP_I64_EXTEND32_S] = &&L_I64_EXTEND32_S_A1,
        [OP_I32_TRUNC_SAT_F32_S] = &&L_I32_TRUNC_SAT_F32_S_A1,
        [OP_I32_TRUNC_SAT_F32_U] = &&L_I32_TRUNC_SAT_F32_U_A1,
        [OP_I32_TRUNC_SAT_F64_S] = &&L_I32_TRUNC_SAT_F64_S_A1,
        [OP_I32_TRUNC_SAT_F64_U] = &&L_I32_TRUNC_SAT_F64_U_A1,
        [OP_I64_TRUNC_SAT_F32_S] = &&L_I64_TRUNC_SAT_F32_S_A1,
        [OP_I64_TRUNC_SAT_F32_U] = &&L_I64_TRUNC_SAT_F32_U_A1,
        [OP_I64_TRUNC_SAT_F64_S] = &&L_I64_TRUNC_SAT_F64_S_A1,
        [OP_I64_TRUNC_SAT_F64_U] = &&L_I64_TRUNC_SAT_F64_U_A1,
        [OP_I32_EQ] = &&L_I32_EQ_A1,
        [OP_I32_NE] = &&L_I32_NE_A1,
        [OP_I32_LT_S] = &&L_I32_LT_S_A1,
        [OP_I32_LT_U] = &&L_I32_LT_U_A1,
        [OP_I32_GT_S] = &&L_I32_GT_S_A1,
        [OP_I32_GT_U] = &&L_I32_GT_U_A1,
        [OP_I32_LE_S] = &&L_I32_LE_S_A1,
        [OP_I32_LE_U] = &&L_I32_LE_U_A1,
        [OP_I32_GE_S] = &&L_I32_GE_S_A1,
        [OP_I32_GE_U] = &&L_I32_GE_U_A1,
        [OP_I64_EQ] = &&L_I64_EQ_A1,
        [OP_I64_NE] = &&L_I64_NE_A1,
        [OP_I64_LT_S] = &&L_I64_LT_S_A1,
        [OP_I64_LT_U] = &&L_I64_LT_U_A1,
        [OP_I64_GT_S] = &&L_I64_GT_S_A1,
        [OP_I64_GT_U] = &&L_I64_GT_U_A1,
        [OP_I64_LE_S] = &&L_I64_LE_S_A1,
        [OP_I64_LE_U] = &&L_I64_LE_U_A1,
        [OP_I64_GE_S] = &&L_I64_GE_S_A1,
        [OP_I64_GE_U] = &&L_I64_GE_U_A1,
        [OP_F32_EQ] = &&L_F32_EQ_A1,
        [OP_F32_NE] = &&L_F32_NE_A1,
        [OP_F32_LT] = &&L_F32_LT_A1,
        [OP_F32_GT] = &&L_F32_GT_A1,
        [OP_F32_LE] = &&L_F32_LE_A1,
        [OP_F32_GE] = &&L_F32_GE_A1,
        [OP_F64_EQ] = &&L_F64_EQ_A1,
        [OP_F64_NE] = &&L_F64_NE_A1,
        [OP_F64_LT] = &&L_F64_LT_A1,
        [OP_F64_GT] = &&L_F64_GT_A1,
        [OP_F64_LE] = &&L_F64_LE_A1,
        [OP_F64_GE] = &&L_F64_GE_A1,
        [OP_I32_ADD] = &&L_I32_ADD_A1,
        [OP_I32_SUB] = &&L_I32_SUB_A1,
        [OP_I32_MUL] = &&L_I32_MUL_A1,
        [OP_I32_AND] = &&L_I32_AND_A1,
        [OP_I32_OR] = &&L_I32_OR_A1,
        [OP_I32_XOR] = &&L_I32_XOR_A1,
        [OP_I32_SHL] = &&L_I32_SHL_A1,
        [OP_I32_SHR_S] = &&L_I32_SHR_S_A1,
        [OP_I32_SHR_U] = &&L_I32_SHR_U_A1,
        [OP_I32_ROTL] = &&L_I32_ROTL_A1,
        [OP_I32_ROTR] = &&L_I32_ROTR_A1,
        [OP_I64_ADD] = &&L_I64_ADD_A1,
        [OP_I64_SUB] = &&L_I64_SUB_A1,
        [OP_I64_MUL] = &&L_I64_MUL_A1,
        [OP_I64_AND] = &&L_I64_AND_A1,
        [OP_I64_OR] = &&L_I64_OR_A1,
        [OP_I64_XOR] = &&L_I64_XOR_A1,
        [OP_I64_SHL] = &&L_I64_SHL_A1,
        [OP_I64_SHR_S] = &&L_I64_SHR_S_A1,
        [OP_I64_SHR_U] = &&L_I64_SHR_U_A1,
        [OP_I64_ROTL] = &&L_I64_ROTL_A1,
        [OP_I64_ROTR] = &&L_I64_ROTR_A1,
        [OP_F32_ADD] = &&L_F32_ADD_A1,
        [OP_F32_SUB] = &&L_F32_SUB_A1,
        [OP_F32_MUL] = &&L_F32_MUL_A1,
        [OP_F32_DIV] = &&L_F32_DIV_A1,
        [OP_F32_MIN] = &&L_F32_MIN_A1,
        [OP_F32_MAX] = &&L_F32_MAX_A1,
        [OP_F32_COPYSIGN] = &&L_F32_COPYSIGN_A1,
        [OP_F64_ADD] = &&L_F64_ADD_A1,
        [OP_F64_SUB] = &&L_F64_SUB_A1,
        [OP_F64_MUL] = &&L_F64_MUL_A1,
        [OP_F64_DIV] = &&L_F64_DIV_A1,
        [OP_F64_MIN] = &&L_F64_MIN_A1,
        [OP_F64_MAX] = &&L_F64_MAX_A1,
        [OP_F64_COPYSIGN] = &&L_F64_COPYSIGN_A1,
    };
    static const void *const labels_a2[OP_COUNT] = {
        [OP_I32_EQ] = &&L_I32_EQ_A2,
        [OP_I32_NE] = &&L_I32_NE_A2,
        [OP_I32_LT_S] = &&L_I32_LT_S_A2,
        [OP_I32_LT_U] = &&L_I32_LT_U_A2,
        [OP_I32_GT_S] = &&L_I32_GT_S_A2,
        [OP_I32_GT_U] = &&L_I32_GT_U_A2,
        [OP_I32_LE_S] = &&L_I32_LE_S_A2,
        [OP_I32_LE_U] = &&L_I32_LE_U_A2,
        [OP_I32_GE_S] = &&L_I32_GE_S_A2,
        [OP_I32_GE_U] = &&L_I32_GE_U_A2,
        [OP_I64_EQ] = &&L_I64_EQ_A2,
        [OP_I64_NE] = &&L_I64_NE_A2,
        [OP_I64_LT_S] = &&L_I64_LT_S_A2,
        [OP_I64_LT_U] = &&L_I64_LT_U_A2,
        [OP_I64_GT_S] = &&L_I64_GT_S_A2,
        [OP_I64_GT_U] = &&L_I64_GT_U_A2,
        [OP_I64_LE_S] = &&L_I64_LE_S_A2,
        [OP_I64_LE_U] = &&L_I64_LE_U_A2,
        [OP_I64_GE_S] = &&L_I64_GE_S_A2,
        [OP_I64_GE_U] = &&L_I64_GE_U_A2,
        [OP_F32_EQ] = &&L_F32_EQ_A2,
        [OP_F32_NE] = &&L_F32_NE_A2,
        [OP_F32_LT] = &&L_F32_LT_A2,
        [OP_F32_GT] = &&L_F32_GT_A2,
        [OP_F32_LE] = &&L_F32_LE_A2,
        [OP_F32_GE] = &&L_F32_GE_A2,
        [OP_F64_EQ] = &&L_F64_EQ_A2,
        [OP_F64_NE] = &&L_F64_NE_A2,
        [OP_F64_LT] = &&L_F64_LT_A2,
        [OP_F64_GT] = &&L_F64_GT_A2,
        [OP_F64_LE] = &&L_F64_LE_A2,
        [OP_F64_GE] = &&L_F64_GE_A2,
        [OP_I32_ADD] = &&L_I32_ADD_A2,
        [OP_I32_SUB] = &&L_I32_SUB_A2,
        [OP_I32_MUL] = &&L_I32_MUL_A2,
        [OP_I32_AND] = &&L_I32_AND_A2,
        [OP_I32_OR] = &&L_I32_OR_A2,
        [OP_I32_XOR] = &&L_I32_XOR_A2,
        [OP_I32_SHL] = &&L_I32_SHL_A2,
        [OP_I32_SHR_S] = &&L_I32_SHR_S_A2,
        [OP_I32_SHR_U] = &&L_I32_SHR_U_A2,
        [OP_I32_ROTL] = &&L_I32_ROTL_A2,
        [OP_I32_ROTR] = &&L_I32_ROTR_A2,
        [OP_I64_ADD] = &&L_I64_ADD_A2,
        [OP_I64_SUB] = &&L_I64_SUB_A2,
        [OP_I64_MUL] = &&L_I64_MUL_A2,
        [OP_I64_AND] = &&L_I64_AND_A2,
        [OP_I64_OR] = &&L_I64_OR_A2,
        [OP_I64_XOR] = &&L_I64_XOR_A2,
        [OP_I64_SHL] = &&L_I64_SHL_A2,
        [OP_I64_SHR_S] = &&L_I64_SHR_S_A2,
        [OP_I64_SHR_U] = &&L_I64_SHR_U_A2,
        [OP_I64_ROTL] = &&L_I64_ROTL_A2,
        [OP_I64_ROTR] = &&L_I64_ROTR_A2,
        [OP_F32_ADD] = &&L_F32_ADD_A2,
        [OP_F32_SUB] = &&L_F32_SUB_A2,
        [OP_F32_MUL] = &&L_F32_MUL_A2,
        [OP_F32_DIV] = &&L_F32_DIV_A2,
        [OP_F32_MIN] = &&L_F32_MIN_A2,
        [OP_F32_MAX] = &&L_F32_MAX_A2,
        [OP_F32_COPYSIGN] = &&L_F32_COPYSIGN_A2,
        [OP_F64_ADD] = &&L_F64_ADD_A2,
        [OP_F64_SUB] = &&L_F64_SUB_A2,
        [OP_F64_MUL] = &&L_F64_MUL_A2,
        [OP_F64_DIV] = &&L_F64_DIV_A2,
        [OP_F64_MIN] = &&L_F64_MIN_A2,
        [OP_F64_MAX] = &&L_F64_MAX_A2,
        [OP_F64_COPYSIGN] = &&L_F64_COPYSIGN_A2,
    };
    static const void *const labels_i2[OP_COUNT] = {
        [OP_I32_EQ] = &&L_I32_EQ_I2,
        [OP_I32_NE] = &&L_I32_NE_I2,
        [OP_I32_LT_S] = &&L_I32_LT_S_I2,
        [OP_I32_LT_U] = &&L_I32_LT_U_I2,
        [OP_I32_GT_S] = &&L_I32_GT_S_I2,
        [OP_I32_GT_U] = &&L_I32_GT_U_I2,
        [OP_I32_LE_S] = &&L_I32_LE_S_I2,
        [OP_I32_LE_U] = &&L_I32_LE_U_I2,
        [OP_I32_GE_S] = &&L_I32_GE_S_I2,
        [OP_I32_GE_U] = &&L_I32_GE_U_I2,
        [OP_I64_EQ] = &&L_I64_EQ_I2,
        [OP_I64_NE] = &&L_I64_NE_I2,
        [OP_I64_LT_S] = &&L_I64_LT_S_I2,
        [OP_I64_LT_U] = &&L_I64_LT_U_I2,
        [OP_I64_GT_S] = &&L_I64_GT_S_I2,
        [OP_I64_GT_U] = &&L_I64_GT_U_I2,
        [OP_I64_LE_S] = &&L_I64_LE_S_I2,
        [OP_I64_LE_U] = &&L_I64_LE_U_I2,
        [OP_I64_GE_S] = &&L_I64_GE_S_I2,
        [OP_I64_GE_U] = &&L_I64_GE_U_I2,
        [OP_F32_EQ] = &&L_F32_EQ_I2,
        [OP_F32_NE] = &&L_F32_NE_I2,
        [OP_F32_LT] = &&L_F32_LT_I2,
        [OP_F32_GT] = &&L_F32_GT_I2,
        [OP_F32_LE] = &&L_F32_LE_I2,
        [OP_F32_GE] = &&L_F32_GE_I2,
        [OP_F64_EQ] = &&L_F64_EQ_I2,
        [OP_F64_NE] = &&L_F64_NE_I2,
        [OP_F64_LT] = &&L_F64_LT_I2,
        [OP_F64_GT] = &&L_F64_GT_I2,
        [OP_F64_LE] = &&L_F64_LE_I2,
        [OP_F64_GE] = &&L_F64_GE_I2,
        [OP_I32_ADD] = &&L_I32_ADD_I2,
        [OP_I32_SUB] = &&L_I32_SUB_I2,
        [OP_I32_MUL] = &&L_I32_MUL_I2,
        [OP_I32_AND] = &&L_I32_AND_I2,
        [OP_I32_OR] = &&L_I32_OR_I2,
        [OP_I32_XOR] = &&L_I32_XOR_I2,
        [OP_I32_SHL] = &&L_I32_SHL_I2,
        [OP_I32_SHR_S] = &&L_I32_SHR_S_I2,
        [OP_I32_SHR_U] = &&L_I32_SHR_U_I2,
        [OP_I32_ROTL] = &&L_I32_ROTL_I2,
        [OP_I32_ROTR] = &&L_I32_ROTR_I2,
        [OP_I64_ADD] = &&L_I64_ADD_I2,
        [OP_I64_SUB] = &&L_I64_SUB_I2,
        [OP_I64_MUL] = &&L_I64_MUL_I2,
        [OP_I64_AND] = &&L_I64_AND_I2,
        [OP_I64_OR] = &&L_I64_OR_I2,
        [OP_I64_XOR] = &&L_I64_XOR_I2,
        [OP_I64_SHL] = &&L_I64_SHL_I2,
        [OP_I64_SHR_S] = &&L_I64_SHR_S_I2,
        [OP_I64_SHR_U] = &&L_I64_SHR_U_I2,
        [OP_I64_ROTL] = &&L_I64_ROTL_I2,
        [OP_I64_ROTR] = &&L_I64_ROTR_I2,
        [OP_F32_ADD] = &&L_F32_ADD_I2,
        [OP_F32_SUB] = &&L_F32_SUB_I2,
        [OP_F32_MUL] = &&L_F32_MUL_I2,
        [OP_F32_DIV] = &&L_F32_DIV_I2,
        [OP_F32_MIN] = &&L_F32_MIN_I2,
        [OP_F32_MAX] = &&L_F32_MAX_I2,
        [OP_F32_COPYSIGN] = &&L_F32_COPYSIGN_I2,
        [OP_F64_ADD] = &&L_F64_ADD_I2,
        [OP_F64_SUB] = &&L_F64_SUB_I2,
        [OP_F64_MUL] = &&L_F64_MUL_I2,
        [OP_F64_DIV] = &&L_F64_DIV_I2,
        [OP_F64_MIN] = &&L_F64_MIN_I2,
        [OP_F64_MAX] = &&L_F64_MAX_I2,
        [OP_F64_COPYSIGN] = &&L_F64_COPYSIGN_I2,
    };
    static const void *const labels_a1i2[OP_COUNT] = {
        [OP_I32_EQ] = &&L_I32_EQ_A1I2,
        [OP_I32_NE] = &&L_I32_NE_A1I2,
        [OP_I32_LT_S] = &&L_I32_LT_S_A1I2,
        [OP_I32_LT_U] = &&L_I32_LT_U_A1I2,
        [OP_I32_GT_S] = &&L_I32_GT_S_A1I2,
        [OP_I32_GT_U] = &&L_I32_GT_U_A1I2,
        [OP_I32_LE_S] = &&L_I32_LE_S_A1I2,
        [OP_I32_LE_U] = &&L_I32_LE_U_A1I2,
        [OP_I32_GE_S] = &&L_I32_GE_S_A1I2,
        [OP_I32_GE_U] = &&L_I32_GE_U_A1I2,
        [OP_I64_EQ] = &&L_I64_EQ_A1I2,
        [OP_I64_NE] = &&L_I64_NE_A1I2,
        [OP_I64_LT_S] = &&L_I64_LT_S_A1I2,
        [OP_I64_LT_U] = &&L_I64_LT_U_A1I2,
        [OP_I64_GT_S] = &&L_I64_GT_S_A1I2,
        [OP_I64_GT_U] = &&L_I64_GT_U_A1I2,
        [OP_I64_LE_S] = &&L_I64_LE_S_A1I2,
        [OP_I64_LE_U] = &&L_I64_LE_U_A1I2,
        [OP_I64_GE_S] = &&L_I64_GE_S_A1I2,
        [OP_I64_GE_U] = &&L_I64_GE_U_A1I2,
        [OP_F32_EQ] = &&L_F32_EQ_A1I2,
        [OP_F32_NE] = &&L_F32_NE_A1I2,
        [OP_F32_LT] = &&L_F32_LT_A1I2,
        [OP_F32_GT] = &&L_F32_GT_A1I2,
        [OP_F32_LE] = &&L_F32_LE_A1I2,
        [OP_F32_GE] = &&L_F32_GE_A1I2,
        [OP_F64_EQ] = &&L_F64_EQ_A1I2,
        [OP_F64_NE] = &&L_F64_NE_A1I2,
        [OP_F64_LT] = &&L_F64_LT_A1I2,
        [OP_F64_GT] = &&L_F64_GT_A1I2,
        [OP_F64_LE] = &&L_F64_LE_A1I2,
        [OP_F64_GE] = &&L_F64_GE_A1I2,
        [OP_I32_ADD] = &&L_I32_ADD_A1I2,
        [OP_I32_SUB] = &&L_I32_SUB_A1I2,
        [OP_I32_MUL] = &&L_I32_MUL_A1I2,
        [OP_I32_AND] = &&L_I32_AND_A1I2,
        [OP_I32_OR] = &&L_I32_OR_A1I2,
        [OP_I32_XOR] = &&L_I32_XOR_A1I2,
        [OP_I32_SHL] = &&L_I32_SHL_A1I2,
        [OP_I32_SHR_S] = &&L_I32_SHR_S_A1I2,
        [OP_I32_SHR_U] = &&L_I32_SHR_U_A1I2,
        [OP_I32_ROTL] = &&L_I32_ROTL_A1I2,
        [OP_I32_ROTR] = &&L_I32_ROTR_A1I2,
        [OP_I64_ADD] = &&L_I64_ADD_A1I2,
        [OP_I64_SUB] = &&L_I64_SUB_A1I2,
        [OP_I64_MUL] = &&L_I64_MUL_A1I2,
        [OP_I64_AND] = &&L_I64_AND_A1I2,
        [OP_I64_OR] = &&L_I64_OR_A1I2,
        [OP_I64_XOR] = &&L_I64_XOR_A1I2,
        [OP_I64_SHL] = &&L_I64_SHL_A1I2,
        [OP_I64_SHR_S] = &&L_I64_SHR_S_A1I2,
        [OP_I64_SHR_U] = &&L_I64_SHR_U_A1I2,
        [OP_I64_ROTL] = &&L_I64_ROTL_A1I2,
        [OP_I64_ROTR] = &&L_I64_ROTR_A1I2,
        [OP_F32_ADD] = &&L_F32_ADD_A1I2,
        [OP_F32_SUB] = &&L_F32_SUB_A1I2,
        [OP_F32_MUL] = &&L_F32_MUL_A1I2,
        [OP_F32_DIV] = &&L_F32_DIV_A1I2,
        [OP_F32_MIN] = &&L_F32_MIN_A1I2,
        [OP_F32_MAX] = &&L_F32_MAX_A1I2,
        [OP_F32_COPYSIGN] = &&L_F32_COPYSIGN_A1I2,
        [OP_F64_ADD] = &&L_F64_ADD_A1I2,
        [OP_F64_SUB] = &&L_F64_SUB_A1I2,
        [OP_F64_MUL] = &&L_F64_MUL_A1I2,
        [OP_F64_DIV] = &&L_F64_DIV_A1I2,
        [OP_F64_MIN] = &&L_F64_MIN_A1I2,
        [OP_F64_MAX] = &&L_F64_MAX_A1I2,
        [OP_F64_COPYSIGN] = &&L_F64_COPYSIGN_A1I2,
    };
    if (labels_out) {
        labels_out[0] = labels;
        labels_out[1] = labels_a1;
        labels_out[2] = labels_a2;
        labels_out[3] = labels_i2;
        labels_out[4] = labels_a1i2;
        return 0;
    }

    /* Little-endian hosts only (x86-64, RISC-V): loads are plain copies. */
    /* Few values live in registers across handlers (pc, fp, acc, mem,
     * memsize, mi): the stack bounds and fuel are read from the instance
     * where needed, which keeps the hot handlers free of spills. */
    wasm_value *stack = self->stack;            /* moves when the stack grows */
    wasm_func *cur = self->cur;
    wasm_instance *mi = cur->inst;
    const cell *pc = cur->code->cells + self->pc;
    wasm_value *fp = stack + self->fp;
    uint8_t *mem = NULL;
    uint64_t memsize = 0;
    /* The last numeric or load result, also in its slot. An op the compiler
     * knows follows its producer directly (no label or safe point between)
     * may read it from here instead of memory, avoiding a store-to-load
     * round trip on the critical path. Never live across a safe point. */
    wasm_value acc = 0;
    self->fuel_left = self->fuel < 0 ? INT64_MAX : self->fuel;
    const char *trap_msg = NULL;
    int trap_status = ERR_TRAP;
    int status;

#define RELOAD_MEM() do { \
        if (mi->memory) { mem = mi->memory->data; memsize = (uint64_t)mi->memory->pages * WASM_PAGE; } \
        else { mem = NULL; memsize = 0; } \
    } while (0)
#define NEXT(n) do { pc += (n); goto *pc->op; } while (0)
#define TRAP(msg) do { trap_msg = (msg); goto trap; } while (0)
#define IMM(k) (pc[k].u64)
#define S(k) (fp[pc[k].u64])

    RELOAD_MEM();
    NEXT(0);

L_UNREACHABLE:
    TRAP("unreachable executed");
L_COPY:
    S(2) = S(1);
    NEXT(3);

L_BR:
    NEXT(pc[1].i64);
L_BR_MOVE: {
    uint32_t n = (uint32_t)IMM(4);
    copy_down(&S(3), &S(2), n);
    NEXT(pc[1].i64);
}
L_BR_IF:
    if ((uint32_t)S(2))
        NEXT(pc[1].i64);
    NEXT(3);
L_BR_IF_MOVE:
    if ((uint32_t)S(2)) {
        uint32_t n = (uint32_t)IMM(5);
        copy_down(&S(4), &S(3), n);
        NEXT(pc[1].i64);
    }
    NEXT(6);
L_BR_UNLESS:
L_BR_IF_EQZ:
    if (!(uint32_t)S(2))
        NEXT(pc[1].i64);
    NEXT(3);
#define BR_CMP(name, cmp) \
L_##name: { \
    uint32_t a = (uint32_t)S(2), b = (uint32_t)S(3); \
    if (cmp) \
        NEXT(pc[1].i64); \
    NEXT(4); \
}
    BR_CMP(BR_IF_EQ, a == b)
    BR_CMP(BR_IF_NE, a != b)
    BR_CMP(BR_IF_LT_S, (int32_t)a < (int32_t)b)
    BR_CMP(BR_IF_LT_U, a < b)
    BR_CMP(BR_IF_GT_S, (int32_t)a > (int32_t)b)
    BR_CMP(BR_IF_GT_U, a > b)
    BR_CMP(BR_IF_LE_S, (int32_t)a <= (int32_t)b)
    BR_CMP(BR_IF_LE_U, a <= b)
    BR_CMP(BR_IF_GE_S, (int32_t)a >= (int32_t)b)
    BR_CMP(BR_IF_GE_U, a >= b)
#define BR_CMP_I(name, cmp) \
L_##name: { \
    uint32_t a = (uint32_t)S(2), b = (uint32_t)IMM(3); \
    if (cmp) \
        NEXT(pc[1].i64); \
    NEXT(4); \
}
    BR_CMP_I(BR_IF_EQ_I, a == b)
    BR_CMP_I(BR_IF_NE_I, a != b)
    BR_CMP_I(BR_IF_LT_S_I, (int32_t)a < (int32_t)b)
    BR_CMP_I(BR_IF_LT_U_I, a < b)
    BR_CMP_I(BR_IF_GT_S_I, (int32_t)a > (int32_t)b)
    BR_CMP_I(BR_IF_GT_U_I, a > b)
    BR_CMP_I(BR_IF_LE_S_I, (int32_t)a <= (int32_t)b)
    BR_CMP_I(BR_IF_LE_U_I, a <= b)
    BR_CMP_I(BR_IF_GE_S_I, (int32_t)a >= (int32_t)b)
    BR_CMP_I(BR_IF_GE_U_I, a >= b)
L_BR_TABLE: {
    uint32_t count = (uint32_t)IMM(1), n = (uint32_t)IMM(2);
    uint32_t i = (uint32_t)S(3);
    if (i > count)
        i = count;
    const cell *e = pc + 5 + 2 * (size_t)i;
    copy_down(fp + e[1].u64, &S(4), n);
    NEXT(e[0].i64);
}

L_CHECK:
    /* Safe point: loop headers and function entries. */
    if (__builtin_expect((self->fuel_left -= (int64_t)IMM(1)) < 0 ||
                         __atomic_load_n(&self->pause_requested, __ATOMIC_RELAXED), 0)) {
        self->fuel_left += (int64_t)IMM(1);
        if (__atomic_exchange_n(&self->pause_requested, 0, __ATOMIC_ACQ_REL)) {
            status = WASM_PAUSED;
        } else {
            if (self->fuel_left >= (int64_t)IMM(1))
                NEXT(2);
            status = WASM_OUT_OF_FUEL;
        }
        goto save;
    }
    NEXT(2);

L_RETURN: {
    uint32_t n = (uint32_t)IMM(2);
    copy_down(fp, &S(1), n);
    struct frame *fr = &self->frames[--self->depth];
    if (!fr->fn) {
        self->nresults = n;
        status = WASM_DONE;
        goto finish;
    }
    cur = fr->fn;
    fp = stack + fr->fp;
    pc = fr->pc;
    /* mem/memsize always follow growth of mi's memory, so they only need
     * reloading when the caller belongs to another instance */
    if (cur->inst != mi) {
        mi = cur->inst;
        RELOAD_MEM();
    }
    NEXT(0);
}

L_CALL: {
    wasm_func *f = mi->funcs[IMM(1)];
    wasm_value *args = &S(2);
    const cell *next = pc + 3;
    goto do_call;
L_CALL_INDIRECT: {
    wasm_table *t = mi->tables[IMM(2)];
    uint32_t i = (uint32_t)S(3);
    if (i >= t->size)
        TRAP("undefined element");
    f = (wasm_func *)(uintptr_t)t->elems[i];
    if (!f)
        TRAP("uninitialized element");
    if (f->type_id != mi->type_ids[IMM(1)])
        TRAP("indirect call type mismatch");
    args = &S(4);
    next = pc + 5;
}
do_call:
    if (f->host) {
        uint32_t np = f->type.nparams, nr = f->type.nresults;
        if (args + (nr > np ? nr : np) > stack + self->stack_cap) {
            size_t ai = (size_t)(args - stack), fi = (size_t)(fp - stack);
            if (wasm_grow_stack(self, ai + (nr > np ? nr : np))) {
                trap_status = ERR_EXHAUSTED;
                TRAP("call stack exhausted");
            }
            stack = self->stack;
            fp = stack + fi;
            args = stack + ai;
        }
        self->pc = (uint32_t)(pc - cur->code->cells);
        self->fp = (uint32_t)(fp - stack);
        self->cur = cur;
        self->host_trap_msg = NULL;
        int r = f->host(self, f->user, args);
        if (r == WASM_HOST_OK) {
            RELOAD_MEM();
            pc = next;
            NEXT(0);
        }
        if (r == WASM_HOST_SUSPEND) {
            self->pending = f;
            self->pending_args = (uint32_t)(args - stack);
            pc = next;
            status = WASM_SUSPENDED;
            goto save;
        }
        if (r == WASM_HOST_EXIT) {
            status = WASM_EXITED;
            goto finish;
        }
        TRAP(self->host_trap_msg ? self->host_trap_msg : "host function failed");
    }
    if (self->depth >= self->frames_cap && wasm_grow_frames(self)) {
        trap_status = ERR_EXHAUSTED;
        TRAP("call stack exhausted");
    }
    {
        const struct code *c = f->code;
        if (args + c->max_height > stack + self->stack_cap) {
            size_t ai = (size_t)(args - stack), fi = (size_t)(fp - stack);
            if (wasm_grow_stack(self, ai + c->max_height)) {
                trap_status = ERR_EXHAUSTED;
                TRAP("call stack exhausted");
            }
            stack = self->stack;
            fp = stack + fi;
            args = stack + ai;
        }
        struct frame *fr = &self->frames[self->depth++];
        fr->fn = cur;
        fr->pc = next;
        fr->fp = (uint32_t)(fp - stack);
        fp = args;
        enter_frame(fp, f->type.nparams, c);
        cur = f;
        pc = c->cells;
        if (f->inst != mi) {
            mi = f->inst;
            RELOAD_MEM();
        }
        /* the callee's entry CHECK, inline: the common case skips it */
        if (__builtin_expect((self->fuel_left - (int64_t)pc[1].u64) < 0 ||
                             __atomic_load_n(&self->pause_requested, __ATOMIC_RELAXED), 0))
            NEXT(0);
        self->fuel_left -= (int64_t)pc[1].u64;
        NEXT(2);
    }
}

L_DROP:
    NEXT(1);
L_SELECT:
    S(4) = (uint32_t)S(3) ? S(1) : S(2);
    NEXT(5);

L_LOCAL_GET:
L_LOCAL_SET:
L_LOCAL_TEE:
    TRAP("internal error: stack op in register code");
L_GLOBAL_GET:
    S(2) = mi->globals[IMM(1)]->value;
    NEXT(3);
L_GLOBAL_SET:
    mi->globals[IMM(1)]->value = S(2);
    NEXT(3);

L_TABLE_GET: {
    wasm_table *t = mi->tables[IMM(1)];
    uint32_t i = (uint32_t)S(2);
    if (i >= t->size)
        TRAP("out of bounds table access");
    S(3) = t->elems[i];
    NEXT(4);
}
L_TABLE_SET: {
    wasm_table *t = mi->tables[IMM(1)];
    uint32_t i = (uint32_t)S(2);
    if (i >= t->size)
        TRAP("out of bounds table access");
    t->elems[i] = S(3);
    NEXT(4);
}

#define LOAD(name, size, expr) \
L_##name: { \
    uint64_t ea = (uint64_t)(uint32_t)S(2) + IMM(1); \
    if (ea + (size) > memsize) \
        TRAP("out of bounds memory access"); \
    const uint8_t *p = mem + ea; \
    S(3) = acc = (expr); \
    NEXT(4); \
}
    LOAD(I32_LOAD, 4, ld32(p))
    LOAD(I64_LOAD, 8, ld64(p))
    LOAD(I32_LOAD8_S, 1, (uint32_t)(int32_t)(int8_t)p[0])
    LOAD(I32_LOAD8_U, 1, p[0])
    LOAD(I32_LOAD16_S, 2, (uint32_t)(int32_t)(int16_t)ld16(p))
    LOAD(I32_LOAD16_U, 2, ld16(p))
    LOAD(I64_LOAD8_S, 1, (uint64_t)(int64_t)(int8_t)p[0])
    LOAD(I64_LOAD8_U, 1, p[0])
    LOAD(I64_LOAD16_S, 2, (uint64_t)(int64_t)(int16_t)ld16(p))
    LOAD(I64_LOAD16_U, 2, ld16(p))
    LOAD(I64_LOAD32_S, 4, (uint64_t)(int64_t)(int32_t)ld32(p))
    LOAD(I64_LOAD32_U, 4, ld32(p))

#define STORE(name, size) \
L_##name: { \
    uint64_t ea = (uint64_t)(uint32_t)S(2) + IMM(1); \
    if (ea + (size) > memsize) \
        TRAP("out of bounds memory access"); \
    uint64_t v = S(3); \
    memcpy(mem + ea, &v, (size)); \
    NEXT(4); \
}
    STORE(I32_STORE, 4)
    STORE(I64_STORE, 8)
    STORE(I32_STORE8, 1)
    STORE(I32_STORE16, 2)
    STORE(I64_STORE8, 1)
    STORE(I64_STORE16, 2)
    STORE(I64_STORE32, 4)

L_MEMORY_SIZE:
    S(1) = mi->memory->pages;
    NEXT(2);
L_MEMORY_GROW: {
    uint32_t cap = self->max_pages;
    S(2) = (uint32_t)wasm_memory_grow_pages(mi->memory, (uint32_t)S(1), cap);
    RELOAD_MEM();
    NEXT(3);
}
L_CONST:
    TRAP("internal error: stack op in register code");

/* ---- numeric: unary ops read S(1) and write S(2); binary S(1) S(2) -> S(3) ---- */
/* Each macro defines the op and its variants: _A1 takes the first operand
 * from acc, _A2 the second; _I2 has the second operand as an immediate in
 * its cell, _A1I2 both. */
#define I32_BIN(name, expr) \
L_##name: { uint32_t a = (uint32_t)S(1), b = (uint32_t)S(2); S(3) = acc = (uint32_t)(expr); NEXT(4); } \
L_##name##_A1: { uint32_t a = (uint32_t)acc, b = (uint32_t)S(2); S(3) = acc = (uint32_t)(expr); NEXT(4); } \
L_##name##_A2: { uint32_t a = (uint32_t)S(1), b = (uint32_t)acc; S(3) = acc = (uint32_t)(expr); NEXT(4); } \
L_##name##_I2: { uint32_t a = (uint32_t)S(1), b = (uint32_t)IMM(2); S(3) = acc = (uint32_t)(expr); NEXT(4); } \
L_##name##_A1I2: { uint32_t a = (uint32_t)acc, b = (uint32_t)IMM(2); S(3) = acc = (uint32_t)(expr); NEXT(4); }
#define I64_BIN(name, expr) \
L_##name: { uint64_t a = S(1), b = S(2); S(3) = acc = (uint64_t)(expr); NEXT(4); } \
L_##name##_A1: { uint64_t a = acc, b = S(2); S(3) = acc = (uint64_t)(expr); NEXT(4); } \
L_##name##_A2: { uint64_t a = S(1), b = acc; S(3) = acc = (uint64_t)(expr); NEXT(4); } \
L_##name##_I2: { uint64_t a = S(1), b = IMM(2); S(3) = acc = (uint64_t)(expr); NEXT(4); } \
L_##name##_A1I2: { uint64_t a = acc, b = IMM(2); S(3) = acc = (uint64_t)(expr); NEXT(4); }
#define I32_UN(name, expr) \
L_##name: { uint32_t a = (uint32_t)S(1); S(2) = acc = (uint32_t)(expr); NEXT(3); } \
L_##name##_A1: { uint32_t a = (uint32_t)acc; S(2) = acc = (uint32_t)(expr); NEXT(3); }
#define I64_UN(name, expr) \
L_##name: { uint64_t a = S(1); S(2) = acc = (uint64_t)(expr); NEXT(3); } \
L_##name##_A1: { uint64_t a = acc; S(2) = acc = (uint64_t)(expr); NEXT(3); }
#define F32_BIN(name, expr) \
L_##name: { float a = f32_of(S(1)), b = f32_of(S(2)); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A1: { float a = f32_of(acc), b = f32_of(S(2)); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A2: { float a = f32_of(S(1)), b = f32_of(acc); S(3) = acc = (expr); NEXT(4); } \
L_##name##_I2: { float a = f32_of(S(1)), b = f32_of(IMM(2)); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A1I2: { float a = f32_of(acc), b = f32_of(IMM(2)); S(3) = acc = (expr); NEXT(4); }
#define F64_BIN(name, expr) \
L_##name: { double a = f64_of(S(1)), b = f64_of(S(2)); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A1: { double a = f64_of(acc), b = f64_of(S(2)); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A2: { double a = f64_of(S(1)), b = f64_of(acc); S(3) = acc = (expr); NEXT(4); } \
L_##name##_I2: { double a = f64_of(S(1)), b = f64_of(IMM(2)); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A1I2: { double a = f64_of(acc), b = f64_of(IMM(2)); S(3) = acc = (expr); NEXT(4); }
#define UNARY(name, expr) \
L_##name: { uint64_t v = S(1); S(2) = acc = (expr); NEXT(3); } \
L_##name##_A1: { uint64_t v = acc; S(2) = acc = (expr); NEXT(3); }
#define BINARY(name, expr) \
L_##name: { uint64_t v = S(1), w = S(2); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A1: { uint64_t v = acc, w = S(2); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A2: { uint64_t v = S(1), w = acc; S(3) = acc = (expr); NEXT(4); } \
L_##name##_I2: { uint64_t v = S(1), w = IMM(2); S(3) = acc = (expr); NEXT(4); } \
L_##name##_A1I2: { uint64_t v = acc, w = IMM(2); S(3) = acc = (expr); NEXT(4); }

    I32_UN(I32_EQZ, a == 0)
    I32_BIN(I32_EQ, a == b)
    I32_BIN(I32_NE, a != b)
    I32_BIN(I32_LT_S, (int32_t)a < (int32_t)b)
    I32_BIN(I32_LT_U, a < b)
    I32_BIN(I32_GT_S, (int32_t)a > (int32_t)b)
    I32_BIN(I32_GT_U, a > b)
    I32_BIN(I32_LE_S, (int32_t)a <= (int32_t)b)
    I32_BIN(I32_LE_U, a <= b)
    I32_BIN(I32_GE_S, (int32_t)a >= (int32_t)b)
    I32_BIN(I32_GE_U, a >= b)
    UNARY(I64_EQZ, v == 0)
    UNARY(REF_IS_NULL, v == 0)
    I64_BIN(I64_EQ, a == b)
    I64_BIN(I64_NE, a != b)
    I64_BIN(I64_LT_S, (int64_t)a < (int64_t)b)
    I64_BIN(I64_LT_U, a < b)
    I64_BIN(I64_GT_S, (int64_t)a > (int64_t)b)
    I64_BIN(I64_GT_U, a > b)
    I64_BIN(I64_LE_S, (int64_t)a <= (int64_t)b)
    I64_BIN(I64_LE_U, a <= b)
    I64_BIN(I64_GE_S, (int64_t)a >= (int64_t)b)
    I64_BIN(I64_GE_U, a >= b)
    F32_BIN(F32_EQ, a == b)
    F32_BIN(F32_NE, a != b)
    F32_BIN(F32_LT, a < b)
    F32_BIN(F32_GT, a > b)
    F32_BIN(F32_LE, a <= b)
    F32_BIN(F32_GE, a >= b)
    F64_BIN(F64_EQ, a == b)
    F64_BIN(F64_NE, a != b)
    F64_BIN(F64_LT, a < b)
    F64_BIN(F64_GT, a > b)
    F64_BIN(F64_LE, a <= b)
    F64_BIN(F64_GE, a >= b)

    I32_UN(I32_CLZ, a ? __builtin_clz(a) : 32)
    I32_UN(I32_CTZ, a ? __builtin_ctz(a) : 32)
    I32_UN(I32_POPCNT, __builtin_popcount(a))
    I32_BIN(I32_ADD, a + b)
    I32_BIN(I32_SUB, a - b)
    I32_BIN(I32_MUL, a * b)
L_I32_DIV_S: {
    int32_t a = (int32_t)S(1), b = (int32_t)S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    if (a == INT32_MIN && b == -1)
        TRAP("integer overflow");
    S(3) = acc = (uint32_t)(a / b);
    NEXT(4);
}
L_I32_DIV_U: {
    uint32_t a = (uint32_t)S(1), b = (uint32_t)S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    S(3) = acc = a / b;
    NEXT(4);
}
L_I32_REM_S: {
    int32_t a = (int32_t)S(1), b = (int32_t)S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    S(3) = acc = b == -1 ? 0 : (uint32_t)(a % b);
    NEXT(4);
}
L_I32_REM_U: {
    uint32_t a = (uint32_t)S(1), b = (uint32_t)S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    S(3) = acc = a % b;
    NEXT(4);
}
    I32_BIN(I32_AND, a & b)
    I32_BIN(I32_OR, a | b)
    I32_BIN(I32_XOR, a ^ b)
    I32_BIN(I32_SHL, a << (b & 31))
    I32_BIN(I32_SHR_S, (int32_t)a >> (b & 31))
    I32_BIN(I32_SHR_U, a >> (b & 31))
    I32_BIN(I32_ROTL, rotl32(a, b))
    I32_BIN(I32_ROTR, rotr32(a, b))

    I64_UN(I64_CLZ, a ? __builtin_clzll(a) : 64)
    I64_UN(I64_CTZ, a ? __builtin_ctzll(a) : 64)
    I64_UN(I64_POPCNT, __builtin_popcountll(a))
    I64_BIN(I64_ADD, a + b)
    I64_BIN(I64_SUB, a - b)
    I64_BIN(I64_MUL, a * b)
L_I64_DIV_S: {
    int64_t a = (int64_t)S(1), b = (int64_t)S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    if (a == INT64_MIN && b == -1)
        TRAP("integer overflow");
    S(3) = acc = (uint64_t)(a / b);
    NEXT(4);
}
L_I64_DIV_U: {
    uint64_t a = S(1), b = S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    S(3) = acc = a / b;
    NEXT(4);
}
L_I64_REM_S: {
    int64_t a = (int64_t)S(1), b = (int64_t)S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    S(3) = acc = b == -1 ? 0 : (uint64_t)(a % b);
    NEXT(4);
}
L_I64_REM_U: {
    uint64_t a = S(1), b = S(2);
    if (b == 0)
        TRAP("integer divide by zero");
    S(3) = acc = a % b;
    NEXT(4);
}
    I64_BIN(I64_AND, a & b)
    I64_BIN(I64_OR, a | b)
    I64_BIN(I64_XOR, a ^ b)
    I64_BIN(I64_SHL, a << (b & 63))
    I64_BIN(I64_SHR_S, (int64_t)a >> (b & 63))
    I64_BIN(I64_SHR_U, a >> (b & 63))
    I64_BIN(I64_ROTL, rotl64(a, b))
    I64_BIN(I64_ROTR, rotr64(a, b))

    I32_UN(F32_ABS, a & 0x7fffffffu)
    I32_UN(F32_NEG, a ^ 0x80000000u)
    UNARY(F32_CEIL, f32_round(v, 0))
    UNARY(F32_FLOOR, f32_round(v, 1))
    UNARY(F32_TRUNC, f32_round(v, 2))
    UNARY(F32_NEAREST, f32_round(v, 3))
    UNARY(F32_SQRT, bits_f32(sqrtf(f32_of(v))))
    F32_BIN(F32_ADD, bits_f32(a + b))
    F32_BIN(F32_SUB, bits_f32(a - b))
    F32_BIN(F32_MUL, bits_f32(a * b))
    F32_BIN(F32_DIV, bits_f32(a / b))
    BINARY(F32_MIN, f32_min(v, w))
    BINARY(F32_MAX, f32_max(v, w))
    I32_BIN(F32_COPYSIGN, (a & 0x7fffffffu) | (b & 0x80000000u))

    I64_UN(F64_ABS, a & 0x7fffffffffffffffull)
    I64_UN(F64_NEG, a ^ 0x8000000000000000ull)
    UNARY(F64_CEIL, f64_round(v, 0))
    UNARY(F64_FLOOR, f64_round(v, 1))
    UNARY(F64_TRUNC, f64_round(v, 2))
    UNARY(F64_NEAREST, f64_round(v, 3))
    UNARY(F64_SQRT, bits_f64(sqrt(f64_of(v))))
    F64_BIN(F64_ADD, bits_f64(a + b))
    F64_BIN(F64_SUB, bits_f64(a - b))
    F64_BIN(F64_MUL, bits_f64(a * b))
    F64_BIN(F64_DIV, bits_f64(a / b))
    BINARY(F64_MIN, f64_min(v, w))
    BINARY(F64_MAX, f64_max(v, w))
    I64_BIN(F64_COPYSIGN, (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull))

    UNARY(I32_WRAP_I64, (uint32_t)v)

#define TRUNC(name, fn, conv) \
L_##name: { \
    uint64_t out = 0; \
    int e = fn(conv(S(1)), &out); \
    if (e == 1) \
        TRAP("invalid conversion to integer"); \
    if (e == 2) \
        TRAP("integer overflow"); \
    S(2) = acc = out; \
    NEXT(3); \
}
    TRUNC(I32_TRUNC_F32_S, trunc_i32_s, (double)f32_of)
    TRUNC(I32_TRUNC_F32_U, trunc_i32_u, (double)f32_of)
    TRUNC(I32_TRUNC_F64_S, trunc_i32_s, f64_of)
    TRUNC(I32_TRUNC_F64_U, trunc_i32_u, f64_of)
    TRUNC(I64_TRUNC_F32_S, trunc_i64_s, (double)f32_of)
    TRUNC(I64_TRUNC_F32_U, trunc_i64_u, (double)f32_of)
    TRUNC(I64_TRUNC_F64_S, trunc_i64_s, f64_of)
    TRUNC(I64_TRUNC_F64_U, trunc_i64_u, f64_of)
    UNARY(I64_EXTEND_I32_S, (uint64_t)(int64_t)(int32_t)v)
    UNARY(I64_EXTEND_I32_U, (uint32_t)v)
    UNARY(F32_CONVERT_I32_S, bits_f32((float)(int32_t)v))
    UNARY(F32_CONVERT_I32_U, bits_f32((float)(uint32_t)v))
    UNARY(F32_CONVERT_I64_S, bits_f32((float)(int64_t)v))
    UNARY(F32_CONVERT_I64_U, bits_f32((float)v))
L_F32_DEMOTE_F64: {
    double d = f64_of(S(1));
    S(2) = acc = d != d ? (bits_f32((float)d) | 0x00400000u) : bits_f32((float)d);
    NEXT(3);
}
    UNARY(F64_CONVERT_I32_S, bits_f64((double)(int32_t)v))
    UNARY(F64_CONVERT_I32_U, bits_f64((double)(uint32_t)v))
    UNARY(F64_CONVERT_I64_S, bits_f64((double)(int64_t)v))
    UNARY(F64_CONVERT_I64_U, bits_f64((double)v))
L_F64_PROMOTE_F32: {
    float fl = f32_of(S(1));
    S(2) = acc = fl != fl ? (bits_f64((double)fl) | 0x0008000000000000ull) : bits_f64((double)fl);
    NEXT(3);
}
    UNARY(I32_REINTERPRET_F32, v)
    UNARY(I64_REINTERPRET_F64, v)
    UNARY(F32_REINTERPRET_I32, v)
    UNARY(F64_REINTERPRET_I64, v)
    I32_UN(I32_EXTEND8_S, (int32_t)(int8_t)a)
    I32_UN(I32_EXTEND16_S, (int32_t)(int16_t)a)
    I64_UN(I64_EXTEND8_S, (int64_t)(int8_t)a)
    I64_UN(I64_EXTEND16_S, (int64_t)(int16_t)a)
    I64_UN(I64_EXTEND32_S, (int64_t)(int32_t)a)
    UNARY(I32_TRUNC_SAT_F32_S, sat_i32_s(f32_of(v)))
    UNARY(I32_TRUNC_SAT_F32_U, sat_i32_u(f32_of(v)))
    UNARY(I32_TRUNC_SAT_F64_S, sat_i32_s(f64_of(v)))
    UNARY(I32_TRUNC_SAT_F64_U, sat_i32_u(f64_of(v)))
    UNARY(I64_TRUNC_SAT_F32_S, sat_i64_s(f32_of(v)))
    UNARY(I64_TRUNC_SAT_F32_U, sat_i64_u(f32_of(v)))
    UNARY(I64_TRUNC_SAT_F64_S, sat_i64_s(f64_of(v)))
    UNARY(I64_TRUNC_SAT_F64_U, sat_i64_u(f64_of(v)))

L_REF_FUNC:
    S(2) = (wasm_value)(uintptr_t)mi->funcs[IMM(1)];
    NEXT(3);

/* ---- bulk memory and tables: bounds are checked before anything moves ---- */
L_MEMORY_INIT: {
    uint32_t seg = (uint32_t)IMM(1);
    uint64_t d = (uint32_t)S(2), s = (uint32_t)S(3), n = (uint32_t)S(4);
    uint64_t len = mi->data_dropped[seg] ? 0 : mi->mod->datas[seg].len;
    if (s + n > len || d + n > memsize)
        TRAP("out of bounds memory access");
    if (n)
        memcpy(mem + d, mi->mod->datas[seg].bytes + s, n);
    NEXT(5);
}
L_DATA_DROP:
    mi->data_dropped[IMM(1)] = 1;
    NEXT(2);
L_MEMORY_COPY: {
    uint64_t d = (uint32_t)S(1), s = (uint32_t)S(2), n = (uint32_t)S(3);
    if (s + n > memsize || d + n > memsize)
        TRAP("out of bounds memory access");
    memmove(mem + d, mem + s, n);
    NEXT(4);
}
L_MEMORY_FILL: {
    uint64_t d = (uint32_t)S(1), n = (uint32_t)S(3);
    uint8_t v = (uint8_t)S(2);
    if (d + n > memsize)
        TRAP("out of bounds memory access");
    memset(mem + d, v, n);
    NEXT(4);
}
L_TABLE_INIT: {
    uint32_t seg = (uint32_t)IMM(1);
    wasm_table *t = mi->tables[IMM(2)];
    uint64_t d = (uint32_t)S(3), s = (uint32_t)S(4), n = (uint32_t)S(5);
    uint64_t len = mi->elem_refs[seg] ? mi->elem_len[seg] : 0;
    if (s + n > len || d + n > t->size)
        TRAP("out of bounds table access");
    if (n)
        memcpy(t->elems + d, mi->elem_refs[seg] + s, n * sizeof(wasm_value));
    NEXT(6);
}
L_ELEM_DROP: {
    uint32_t seg = (uint32_t)IMM(1);
    free(mi->elem_refs[seg]);
    mi->elem_refs[seg] = NULL;
    mi->elem_len[seg] = 0;
    NEXT(2);
}
L_TABLE_COPY: {
    wasm_table *td = mi->tables[IMM(1)], *ts = mi->tables[IMM(2)];
    uint64_t d = (uint32_t)S(3), s = (uint32_t)S(4), n = (uint32_t)S(5);
    if (s + n > ts->size || d + n > td->size)
        TRAP("out of bounds table access");
    memmove(td->elems + d, ts->elems + s, n * sizeof(wasm_value));
    NEXT(6);
}
L_TABLE_GROW: {
    wasm_table *t = mi->tables[IMM(1)];
    S(4) = (uint32_t)wasm_table_grow_by(t, (uint32_t)S(3), S(2), self->max_table_elems);
    NEXT(5);
}
L_TABLE_SIZE:
    S(2) = mi->tables[IMM(1)]->size;
    NEXT(3);
L_TABLE_FILL: {
    wasm_table *t = mi->tables[IMM(1)];
    uint64_t d = (uint32_t)S(2), n = (uint32_t)S(4);
    wasm_value v = S(3);
    if (d + n > t->size)
        TRAP("out of bounds table access");
    for (uint64_t i = 0; i < n; i++)
        t->elems[d + i] = v;
    NEXT(5);
}

trap: {
    uint32_t cellpc = (uint32_t)(pc - cur->code->cells);
    self->trap.status = trap_status;
    self->trap.message = trap_msg;
    self->trap.func_index = cur->index;
    self->trap.offset = offset_of(cur->code, cellpc);
    self->active = false;
    self->depth = 0;
    self->cur = NULL;
    self->fuel = self->fuel < 0 ? -1 : (self->fuel_left < 0 ? 0 : self->fuel_left);
    return trap_status;
}

save:
    self->cur = cur;
    self->pc = (uint32_t)(pc - cur->code->cells);
    self->fp = (uint32_t)(fp - stack);
    self->fuel = self->fuel < 0 ? -1 : self->fuel_left;
    return status;

finish:
    self->active = false;
    self->cur = NULL;
    self->depth = 0;
    self->fuel = self->fuel < 0 ? -1 : self->fuel_left;
    return status;
}
