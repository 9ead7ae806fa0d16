/*
 * The interpreter's internal instruction set. The compiler (compile.c)
 * translates each function once, at load time, into an array of cells: a
 * handler address followed by its immediates. The code is register-based:
 * operands and results are slot numbers in the frame (fp[slot]), where the
 * frame holds the locals, the function's constants and the temporaries of
 * the operand stack. The numeric block OP_I32_EQZ..OP_I64_EXTEND32_S follows
 * wasm opcodes 0x45..0xc4 one to one (unary: a d, binary: a b d).
 *
 * Cells after the op ("off": branch target relative to the op's own cell;
 * other names are slots unless they say otherwise):
 *   BR off | BR_MOVE off src dst n | BR_IF off c | BR_IF_MOVE off c src dst n
 *   BR_UNLESS off c | BR_TABLE count n idx src {off dst}*(count+1)
 *   RETURN src n | CHECK cost | CALL func args | CALL_INDIRECT type table idx args
 *   COPY src dst | SELECT a b c d | GLOBAL_GET g d | GLOBAL_SET g v
 *   TABLE_GET t i d | TABLE_SET t i v | loads: offset addr d | stores: offset addr v
 *   MEMORY_SIZE d | MEMORY_GROW n d | REF_IS_NULL a d | REF_FUNC func d
 *   MEMORY_INIT seg d s n | DATA_DROP seg | MEMORY_COPY d s n | MEMORY_FILL d v n
 *   TABLE_INIT seg t d s n | ELEM_DROP seg | TABLE_COPY t1 t2 d s n
 *   TABLE_GROW t init n d | TABLE_SIZE t d | TABLE_FILL t i v n
 * An i32 comparison feeding br_if or if fuses with it: BR_IF_<cmp> off a b
 * (BR_IF_EQZ off a) jumps when the comparison holds; BR_IF_<cmp>_I off a imm
 * compares with an immediate. Numeric ops have variants taking an operand
 * from the interpreter's acc register or the second operand as an
 * immediate (same cell layout; see interp.c).
 * A call's arguments are consecutive temporaries from slot "args"; the
 * callee's frame starts there, and its results come back in the same place.
 */
#ifndef PUS_WASM_OPS_H
#define PUS_WASM_OPS_H

#define WASM_IR_OPS(X) \
    X(UNREACHABLE) X(COPY) X(BR) X(BR_MOVE) X(BR_IF) X(BR_IF_MOVE) X(BR_UNLESS) \
    X(BR_TABLE) X(RETURN) X(CHECK) X(CALL) X(CALL_INDIRECT) X(DROP) X(SELECT) \
    X(LOCAL_GET) X(LOCAL_SET) X(LOCAL_TEE) X(GLOBAL_GET) X(GLOBAL_SET) \
    X(TABLE_GET) X(TABLE_SET) \
    X(I32_LOAD) X(I64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S) \
    X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) \
    X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U) \
    X(I32_STORE) X(I64_STORE) X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) \
    X(I64_STORE16) X(I64_STORE32) \
    X(MEMORY_SIZE) X(MEMORY_GROW) X(CONST) \
    X(I32_EQZ) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) \
    X(I32_GT_U) X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) \
    X(I64_EQZ) X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) \
    X(I64_GT_U) X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U) \
    X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE) \
    X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE) \
    X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I32_ADD) X(I32_SUB) X(I32_MUL) \
    X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) X(I32_AND) X(I32_OR) \
    X(I32_XOR) X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR) \
    X(I64_CLZ) X(I64_CTZ) X(I64_POPCNT) X(I64_ADD) X(I64_SUB) X(I64_MUL) \
    X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U) X(I64_AND) X(I64_OR) \
    X(I64_XOR) X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR) \
    X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC) X(F32_NEAREST) \
    X(F32_SQRT) X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F32_MIN) \
    X(F32_MAX) X(F32_COPYSIGN) \
    X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR) X(F64_TRUNC) X(F64_NEAREST) \
    X(F64_SQRT) X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) X(F64_MIN) \
    X(F64_MAX) X(F64_COPYSIGN) \
    X(I32_WRAP_I64) X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S) \
    X(I32_TRUNC_F64_U) X(I64_EXTEND_I32_S) X(I64_EXTEND_I32_U) \
    X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U) \
    X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) \
    X(F32_CONVERT_I64_U) X(F32_DEMOTE_F64) X(F64_CONVERT_I32_S) \
    X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S) X(F64_CONVERT_I64_U) \
    X(F64_PROMOTE_F32) X(I32_REINTERPRET_F32) X(I64_REINTERPRET_F64) \
    X(F32_REINTERPRET_I32) X(F64_REINTERPRET_I64) \
    X(I32_EXTEND8_S) X(I32_EXTEND16_S) X(I64_EXTEND8_S) X(I64_EXTEND16_S) \
    X(I64_EXTEND32_S) \
    X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S) \
    X(I32_TRUNC_SAT_F64_U) X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U) \
    X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U) \
    X(REF_IS_NULL) X(REF_FUNC) X(MEMORY_INIT) X(DATA_DROP) X(MEMORY_COPY) \
    X(MEMORY_FILL) X(TABLE_INIT) X(ELEM_DROP) X(TABLE_COPY) X(TABLE_GROW) \
    X(TABLE_SIZE) X(TABLE_FILL) \
    X(BR_IF_EQZ) X(BR_IF_EQ) X(BR_IF_NE) X(BR_IF_LT_S) X(BR_IF_LT_U) \
    X(BR_IF_GT_S) X(BR_IF_GT_U) X(BR_IF_LE_S) X(BR_IF_LE_U) X(BR_IF_GE_S) \
    X(BR_IF_GE_U) \
    X(BR_IF_EQ_I) X(BR_IF_NE_I) X(BR_IF_LT_S_I) X(BR_IF_LT_U_I) X(BR_IF_GT_S_I) \
    X(BR_IF_GT_U_I) X(BR_IF_LE_S_I) X(BR_IF_LE_U_I) X(BR_IF_GE_S_I) X(BR_IF_GE_U_I)

enum ir_op {
#define IR_ENUM(name) OP_##name,
    WASM_IR_OPS(IR_ENUM)
#undef IR_ENUM
    OP_COUNT
};

#endif
