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

#include "wasm/families.h"
#include "wasm/internal.h"
#include "wasm/numeric.h"
#include "wasm/ops.h"

/* Cache-line aligned: the handlers' placement relative to cache lines then
 * no longer moves with the size of unrelated code linked before it, which
 * measurably shifted bench/wasm figures (up to 15% on one workload). */
static int interp_core(wasm_instance *self, const void *const **labels_out)
    __attribute__((aligned(64)));

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
    /* Variant handlers (acc operands, immediate second operand), from the
     * family lists; NULL: none for that op (the compiler then uses the
     * plain op). */
#define VARIANT(name, suffix) [OP_##name] = &&L_##name##suffix,
#define A1(name, ...) VARIANT(name, _A1)
#define A2(name, ...) VARIANT(name, _A2)
#define I2(name, ...) VARIANT(name, _I2)
#define A1I2(name, ...) VARIANT(name, _A1I2)
    static const void *const labels_a1[OP_COUNT] = {
        LOAD_OPS(A1) STORE_OPS(A1) UNARY_OPS(A1) BINARY_OPS(A1)
    };
    static const void *const labels_a2[OP_COUNT] = { STORE_OPS(A2) BINARY_OPS(A2) };
    static const void *const labels_i2[OP_COUNT] = { BINARY_OPS(I2) };
    static const void *const labels_a1i2[OP_COUNT] = { BINARY_OPS(A1I2) };
#undef VARIANT
#undef A1
#undef A2
#undef I2
#undef A1I2
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
/* Fused i32 compare-and-branch; the _I form compares with an immediate. */
#define BR_CMP_BODY(second, cmp) { \
    uint32_t a = (uint32_t)S(2), b = (uint32_t)(second); \
    if (cmp) \
        NEXT(pc[1].i64); \
    NEXT(4); \
}
#define BR_CMP(name, type, cmp) L_##name: BR_CMP_BODY(S(3), cmp)
#define BR_CMP_I(name, type, cmp) L_##name##_I: BR_CMP_BODY(IMM(3), cmp)
    INT_COMPARISONS(BR_CMP, BR_IF_, 32)
    INT_COMPARISONS(BR_CMP_I, BR_IF_, 32)
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

/* Declares elem: the element S(2) of table IMM(1); out of bounds traps. */
#define TABLE_ELEM(elem) \
    wasm_table *t = mi->tables[IMM(1)]; \
    uint32_t i = (uint32_t)S(2); \
    if (i >= t->size) \
        TRAP("out of bounds table access"); \
    wasm_value *elem = &t->elems[i]
L_TABLE_GET: {
    TABLE_ELEM(e);
    S(3) = *e;
    NEXT(4);
}
L_TABLE_SET: {
    TABLE_ELEM(e);
    *e = S(3);
    NEXT(4);
}

/* Each variant is a full copy with its own dispatch jump: a shared tail
 * would merge their indirect jumps and hurt branch prediction. */
#define LOAD_BODY(addr, size, expr) { \
    uint64_t ea = (uint64_t)(uint32_t)(addr) + IMM(1); \
    if (ea + (size) > memsize) \
        TRAP("out of bounds memory access"); \
    const uint8_t *p = mem + ea; \
    S(3) = acc = (expr); \
    NEXT(4); \
}
#define LOAD(name, size, expr) \
L_##name: LOAD_BODY(S(2), size, expr) \
L_##name##_A1: LOAD_BODY(acc, size, expr)
    LOAD_OPS(LOAD)

#define STORE_BODY(addr, val, size) { \
    uint64_t ea = (uint64_t)(uint32_t)(addr) + IMM(1); \
    uint64_t v = (val); \
    if (ea + (size) > memsize) \
        TRAP("out of bounds memory access"); \
    memcpy(mem + ea, &v, (size)); \
    NEXT(4); \
}
#define STORE(name, size) \
L_##name: STORE_BODY(S(2), S(3), size) \
L_##name##_A1: STORE_BODY(acc, S(3), size) \
L_##name##_A2: STORE_BODY(S(2), acc, size)
    STORE_OPS(STORE)

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
 * its cell, _A1I2 both. The operand type's IN reads an operand, its OUT
 * stores the result (families.h). */
#define UNARY_BODY(type, x, expr) { \
    type##_TYPE a = type##_IN(x); \
    S(2) = acc = (type##_OUT)(expr); \
    NEXT(3); \
}
#define UNARY(name, type, expr) \
L_##name: UNARY_BODY(type, S(1), expr) \
L_##name##_A1: UNARY_BODY(type, acc, expr)
#define BINARY_BODY(type, x, y, expr) { \
    type##_TYPE a = type##_IN(x), b = type##_IN(y); \
    S(3) = acc = (type##_OUT)(expr); \
    NEXT(4); \
}
#define BINARY(name, type, expr) \
L_##name: BINARY_BODY(type, S(1), S(2), expr) \
L_##name##_A1: BINARY_BODY(type, acc, S(2), expr) \
L_##name##_A2: BINARY_BODY(type, S(1), acc, expr) \
L_##name##_I2: BINARY_BODY(type, S(1), IMM(2), expr) \
L_##name##_A1I2: BINARY_BODY(type, acc, IMM(2), expr)
    UNARY_OPS(UNARY)
    BINARY_OPS(BINARY)

/* Division traps on a zero divisor, and signed division on overflow. */
#define DIVIDE(name, type, result_type, overflows, expr) \
L_##name: { \
    type a = (type)S(1), b = (type)S(2); \
    if (b == 0) \
        TRAP("integer divide by zero"); \
    if (overflows) \
        TRAP("integer overflow"); \
    S(3) = acc = (result_type)(expr); \
    NEXT(4); \
}
#define DIVISIONS(BITS) \
    DIVIDE(I##BITS##_DIV_S, int##BITS##_t, uint##BITS##_t, a == INT##BITS##_MIN && b == -1, a / b) \
    DIVIDE(I##BITS##_DIV_U, uint##BITS##_t, uint##BITS##_t, 0, a / b) \
    DIVIDE(I##BITS##_REM_S, int##BITS##_t, uint##BITS##_t, 0, b == -1 ? 0 : a % b) \
    DIVIDE(I##BITS##_REM_U, uint##BITS##_t, uint##BITS##_t, 0, a % b)
    DIVISIONS(32)
    DIVISIONS(64)

/* Float to int: NaN and out of range values trap. */
#define TRUNC(name, fn, ftype) \
L_##name: { \
    uint64_t out = 0; \
    int e = fn(ftype##_IN(S(1)), &out); \
    if (e == 1) \
        TRAP("invalid conversion to integer"); \
    if (e == 2) \
        TRAP("integer overflow"); \
    S(2) = acc = out; \
    NEXT(3); \
}
#define TRUNCS(IBITS, FBITS) \
    TRUNC(I##IBITS##_TRUNC_F##FBITS##_S, trunc_i##IBITS##_s, F##FBITS) \
    TRUNC(I##IBITS##_TRUNC_F##FBITS##_U, trunc_i##IBITS##_u, F##FBITS)
    TRUNCS(32, 32) TRUNCS(32, 64) TRUNCS(64, 32) TRUNCS(64, 64)

/* Demotion and promotion keep a NaN quiet. */
L_F32_DEMOTE_F64: {
    double d = f64_of(S(1));
    S(2) = acc = d != d ? (bits_f32((float)d) | 0x00400000u) : bits_f32((float)d);
    NEXT(3);
}
L_F64_PROMOTE_F32: {
    float fl = f32_of(S(1));
    S(2) = acc = fl != fl ? (bits_f64((double)fl) | 0x0008000000000000ull) : bits_f64((double)fl);
    NEXT(3);
}

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
