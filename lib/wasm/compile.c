/*
 * Validation and compilation of function bodies, in one pass.
 *
 * The validator follows the algorithm of the spec's appendix: a stack of
 * operand types and a stack of control frames, with "unreachable" making the
 * operand stack polymorphic. While it checks each instruction it emits the
 * interpreter's code (see ops.h). In reachable code the operand stack height
 * is known statically, so every operand has a fixed slot in the frame: the
 * code is register-based. A frame is
 *
 *     [ locals (params first) | constants | temporaries (operand stack) ]
 *
 * and each instruction names its operand and result slots. local.get and
 * constants emit no code: the operand stack entry just refers to the local
 * or constant slot ("lazy" entries), and a result feeding local.set is
 * written straight into the local. Lazy entries are copied into their own
 * temporary slot ("materialised") wherever the stack must be in canonical
 * form: at block boundaries, before branches, calls and returns for the
 * values they carry, and before a local.set changes a local still referred
 * to. Code the validator knows is dead is checked but not emitted.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasm/internal.h"
#include "wasm/ops.h"

#define T_UNKNOWN 0

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

struct ctrl {
    uint8_t kind;
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint8_t one;                 /* storage for a single-valtype block type */
    bool results_one;            /* results is &one (kept as a flag: ctrls move) */
    uint32_t height;             /* operand stack height below the params */
    bool unreachable;            /* rest of this frame is unreachable */
    bool dead;                   /* whole frame is in dead code: emit nothing */
    uint32_t start_pc;           /* loop: header cell */
    uint32_t start_instr;        /* loop: instruction count at the header */
    int64_t fixups;              /* forward branches to patch at end, -1 none */
    int64_t else_fixup;          /* if: the BR_UNLESS to patch at else/end */
};

/* Where an operand stack entry's value lives. */
enum { LOC_TEMP, LOC_LOCAL, LOC_CONST };
struct loc {
    uint8_t kind;
    uint32_t idx;                /* local or constant index */
};

/* Slot operands are emitted tagged and fixed up once the number of
 * constants is known (temporaries sit above the constants). */
#define TAG_SHIFT 62
#define TAG_TEMP  (1ull << TAG_SHIFT)
#define TAG_CONST (2ull << TAG_SHIFT)
#define TAG_MASK  ((1ull << TAG_SHIFT) - 1)

/* Operand variants of numeric ops (see interp.c): plain slots; first or
 * second operand from the acc register; second operand an immediate. */
enum { V_PLAIN, V_A1, V_A2, V_I2, V_A1I2, V_COUNT };

struct fn {
    wasm_module *m;
    struct loadctx *lc;
    struct reader r;
    const void *const *labels;
    const void *const *variants[V_COUNT];   /* handler tables per variant */
    uint32_t instr_off;          /* offset of the instruction being checked */

    uint8_t *vals;
    struct loc *locs;            /* parallel to vals */
    uint32_t nvals, capvals, caplocs;
    uint64_t *cvals;             /* constants met (LOC_CONST indexes these) */
    uint32_t *cslot;             /* their frame slot, UINT32_MAX until one is needed */
    uint32_t ncvals, capcvals, capcslot;
    uint64_t *consts;            /* constants that got a slot, in slot order */
    uint32_t nconsts, capconsts;
    int last_variant;            /* operand variant of the last numeric op (enum below) */
    int64_t acc_pos;             /* stack position whose value is in acc, or -1 */
    int64_t acc_local;           /* local whose current value is in acc, or -1 */
    uint32_t *fix;               /* cells holding tagged slots */
    uint32_t nfix, capfix;
    int64_t last_dest;           /* dest cell of the last op, if it made the top temp */
    uint32_t last_op_cell;       /* the last op emitted, for fusing */
    int last_op;
    uint32_t last_dest_pos;
    struct ctrl *ctrls;
    uint32_t nctrls, capctrls;

    cell *code;
    uint32_t ncode, capcode;
    struct pcmap *map;
    uint32_t nmap, capmap;

    uint32_t nlocals;
    uint8_t *locals;             /* type of every local, params first */
    uint32_t max_height;         /* deepest operand stack (temporaries) */
    uint32_t ninstr, loop_instr; /* for fuel costs */
    uint32_t loop_depth;
    bool oom;
};

static int fail(struct fn *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct fn *f, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct reader at = f->r;
    at.p = at.base + f->instr_off;
    return load_fail(f->lc, ERR_CORRUPT, &at, "%s", msg);
}

static int malformed(struct fn *f, const char *what)
{
    return load_fail(f->lc, ERR_BAD_FORMAT, &f->r, "%s", what);
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    void *np = realloc(*p, (size_t)ncap * elem);
    if (!np)
        return false;
    *p = np;
    *cap = ncap;
    return true;
}

/* ---- emission ----------------------------------------------------------- */

static bool live(struct fn *f)
{
    struct ctrl *c = &f->ctrls[f->nctrls - 1];
    return !c->unreachable && !c->dead;
}

static uint32_t emit_op(struct fn *f, int op)
{
    if (!grow((void **)&f->code, &f->capcode, f->ncode + 1, sizeof(cell)) ||
        !grow((void **)&f->map, &f->capmap, f->nmap + 1, sizeof(struct pcmap))) {
        f->oom = true;
        return 0;
    }
    f->map[f->nmap].pc = f->ncode;
    f->map[f->nmap].offset = f->instr_off;
    f->nmap++;
    f->code[f->ncode].op = f->labels[op];
    f->last_dest = -1;
    f->last_op = op;
    f->last_op_cell = f->ncode;
    f->last_variant = V_PLAIN;
    f->acc_pos = f->acc_local = -1;
    return f->ncode++;
}

static uint32_t emit_imm(struct fn *f, uint64_t v)
{
    if (!grow((void **)&f->code, &f->capcode, f->ncode + 1, sizeof(cell))) {
        f->oom = true;
        return 0;
    }
    f->code[f->ncode].u64 = v;
    return f->ncode++;
}

/* A forward branch: the offset cell joins the frame's fixup list. The cell
 * temporarily holds (next fixup << 32 | op cell); patch() writes the offset. */
static void emit_forward(struct fn *f, int64_t *list, uint32_t opcell)
{
    uint32_t at = emit_imm(f, 0);
    if (f->oom)
        return;
    f->code[at].u64 = ((uint64_t)(uint32_t)(*list + 1) << 32) | opcell;
    *list = at;
}

static void patch(struct fn *f, int64_t *list, uint32_t target)
{
    while (*list >= 0) {
        uint32_t at = (uint32_t)*list;
        uint64_t v = f->code[at].u64;
        *list = (int64_t)(v >> 32) - 1;
        f->code[at].i64 = (int64_t)target - (int64_t)(uint32_t)v;
    }
}

static void emit_srcs(struct fn *f, uint32_t base, uint32_t k);
static uint32_t const_slot(struct fn *f, uint32_t idx);


/* A slot operand that needs fixing up at the end. */
static void emit_tagged(struct fn *f, uint64_t v)
{
    uint32_t at = emit_imm(f, v);
    if (f->oom)
        return;
    if (!grow((void **)&f->fix, &f->capfix, f->nfix + 1, sizeof(uint32_t))) {
        f->oom = true;
        return;
    }
    f->fix[f->nfix++] = at;
}

/* The temporary slot of operand stack position pos. */
static void emit_temp(struct fn *f, uint32_t pos)
{
    emit_tagged(f, TAG_TEMP | pos);
}

/* The slot an operand is read from. */
static void emit_src(struct fn *f, uint32_t pos)
{
    struct loc l = f->locs[pos];
    if (l.kind == LOC_LOCAL)
        emit_imm(f, l.idx);
    else if (l.kind == LOC_CONST)
        emit_tagged(f, TAG_CONST | const_slot(f, l.idx));
    else
        emit_temp(f, pos);
}

/* The result slot of an op whose result lands at position pos; a following
 * local.set may redirect it into the local. */
static void emit_dest(struct fn *f, uint32_t pos)
{
    uint32_t at = f->ncode;
    emit_temp(f, pos);
    f->last_dest = at;
    f->last_dest_pos = pos;
}

/* Whether the value of stack entry pos is in acc: it is the result of the
 * op just emitted, or a local that op's result was stored into (local.set
 * or local.tee redirected the result), with nothing emitted since. */
static bool acc_holds(struct fn *f, uint32_t pos)
{
    struct loc l = f->locs[pos];
    if (l.kind == LOC_TEMP)
        return f->acc_pos == (int64_t)pos;
    return l.kind == LOC_LOCAL && f->acc_local == (int64_t)l.idx;
}

static void emit_numeric(struct fn *f, int op, uint32_t base, uint32_t nops)
{
    bool acc_a = acc_holds(f, base);
    bool acc_b = nops == 2 && acc_holds(f, base + 1);
    bool imm_b = nops == 2 && f->locs[base + 1].kind == LOC_CONST;
    int v = V_PLAIN;
    if (imm_b && acc_a && f->variants[V_A1I2][op])
        v = V_A1I2;
    else if (imm_b && f->variants[V_I2][op])
        v = V_I2;
    else if (acc_b && f->variants[V_A2][op])
        v = V_A2;
    else if (acc_a && f->variants[V_A1][op])
        v = V_A1;
    uint32_t at = emit_op(f, op);
    if (f->oom)
        return;
    f->code[at].op = f->variants[v][op];
    emit_src(f, base);
    if (nops == 2) {
        if (v == V_I2 || v == V_A1I2)
            emit_imm(f, f->cvals[f->locs[base + 1].idx]);
        else
            emit_src(f, base + 1);
    }
    emit_dest(f, base);
    f->last_variant = v;
    f->acc_pos = base;
}

static void materialize(struct fn *f, uint32_t pos)
{
    if (f->locs[pos].kind == LOC_TEMP)
        return;
    emit_op(f, OP_COPY);
    emit_src(f, pos);
    emit_temp(f, pos);
    f->locs[pos].kind = LOC_TEMP;
}

/* Entries below the innermost block are always temporaries (they were
 * materialised when the block began), so only its own part is scanned. */
static void materialize_range(struct fn *f, uint32_t from, uint32_t to)
{
    for (uint32_t pos = from; pos < to; pos++)
        materialize(f, pos);
}

static void materialize_block(struct fn *f)
{
    materialize_range(f, f->ctrls[f->nctrls - 1].height, f->nvals);
}

static uint32_t const_index(struct fn *f, uint64_t v)
{
    uint32_t from = f->ncvals > 64 ? f->ncvals - 64 : 0;
    for (uint32_t i = from; i < f->ncvals; i++)
        if (f->cvals[i] == v)
            return i;
    if (!grow((void **)&f->cvals, &f->capcvals, f->ncvals + 1, sizeof(uint64_t)) ||
        !grow((void **)&f->cslot, &f->capcslot, f->ncvals + 1, sizeof(uint32_t))) {
        f->oom = true;
        return 0;
    }
    f->cvals[f->ncvals] = v;
    f->cslot[f->ncvals] = UINT32_MAX;
    return f->ncvals++;
}

/* The frame slot of constant idx: constants only take a slot (and a copy
 * on every call) when some instruction reads them from one; most become
 * immediates of the op that uses them. */
static uint32_t const_slot(struct fn *f, uint32_t idx)
{
    if (f->cslot[idx] != UINT32_MAX)
        return f->cslot[idx];
    if (!grow((void **)&f->consts, &f->capconsts, f->nconsts + 1, sizeof(uint64_t))) {
        f->oom = true;
        return 0;
    }
    f->consts[f->nconsts] = f->cvals[idx];
    f->cslot[idx] = f->nconsts;
    return f->nconsts++;
}

/* ---- the operand stack ---------------------------------------------------- */

static void push_loc(struct fn *f, uint8_t t, uint8_t kind, uint32_t idx)
{
    if (!grow((void **)&f->vals, &f->capvals, f->nvals + 1, 1) ||
        !grow((void **)&f->locs, &f->caplocs, f->nvals + 1, sizeof(struct loc))) {
        f->oom = true;
        return;
    }
    f->locs[f->nvals].kind = kind;
    f->locs[f->nvals].idx = idx;
    f->vals[f->nvals++] = t;
    if (f->nvals > f->max_height)
        f->max_height = f->nvals;
}

static void push(struct fn *f, uint8_t t)
{
    push_loc(f, t, LOC_TEMP, 0);
}

/* Pops one operand; returns -1 on underflow (already reported). */
static int pop(struct fn *f)
{
    struct ctrl *c = &f->ctrls[f->nctrls - 1];
    if (f->nvals == c->height) {
        if (c->unreachable)
            return T_UNKNOWN;
        return fail(f, "type mismatch: operand stack underflow"), -1;
    }
    return f->vals[--f->nvals];
}

static int pop_expect(struct fn *f, uint8_t want)
{
    int t = pop(f);
    if (t < 0)
        return -1;
    if (t != want && t != T_UNKNOWN && want != T_UNKNOWN)
        return fail(f, "type mismatch: expected %s, got %s", wasm_type_name(want),
                    wasm_type_name((uint8_t)t)), -1;
    return t == T_UNKNOWN ? want : t;
}

static int pop_types(struct fn *f, uint32_t n, const uint8_t *t)
{
    for (uint32_t i = n; i-- > 0;)
        if (pop_expect(f, t[i]) < 0)
            return -1;
    return 0;
}

/* A call's arguments (type t) from the top of the operand stack: they
 * become the consecutive temporaries from *base, where the callee's frame
 * will start, so when emitting the operands there are materialized. */
static int pop_call_args(struct fn *f, bool emit, const wasm_functype *t, uint32_t *base)
{
    uint32_t top = f->nvals;
    if (pop_types(f, t->nparams, t->types))
        return -1;
    *base = f->nvals;
    if (emit)
        materialize_range(f, *base, top);
    return 0;
}

static void push_types(struct fn *f, uint32_t n, const uint8_t *t)
{
    for (uint32_t i = 0; i < n; i++)
        push(f, t[i]);
}

static bool is_num(int t) { return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64; }
static bool is_ref(int t) { return t == WASM_FUNCREF || t == WASM_EXTERNREF; }

/* ---- control frames ------------------------------------------------------- */

static struct ctrl *push_ctrl(struct fn *f, uint8_t kind, uint32_t np, const uint8_t *p,
                              uint32_t nr, const uint8_t *r, uint8_t one)
{
    if (!grow((void **)&f->ctrls, &f->capctrls, f->nctrls + 1, sizeof(struct ctrl))) {
        f->oom = true;
        return NULL;
    }
    bool dead = f->nctrls && (f->ctrls[f->nctrls - 1].dead || f->ctrls[f->nctrls - 1].unreachable);
    struct ctrl *c = &f->ctrls[f->nctrls++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->one = one;
    c->nparams = np;
    c->nresults = nr;
    c->params = p;
    c->results = r;
    c->height = f->nvals;
    c->dead = dead;
    c->fixups = -1;
    c->else_fixup = -1;
    push_types(f, np, p);
    return c;
}

static const uint8_t *res(struct ctrl *c) { return c->results_one ? &c->one : c->results; }
static uint32_t label_arity(struct ctrl *c) { return c->kind == K_LOOP ? c->nparams : c->nresults; }
static const uint8_t *label_types(struct ctrl *c) { return c->kind == K_LOOP ? c->params : res(c); }

static void set_unreachable(struct fn *f)
{
    struct ctrl *c = &f->ctrls[f->nctrls - 1];
    f->nvals = c->height;
    c->unreachable = true;
}

/* Emits a branch (BR or BR_IF) to control frame c, the operands already popped
 * down to the label's values. */
/* The raw (possibly tagged) slot operand of stack position pos. */
static uint64_t src_raw(struct fn *f, uint32_t pos)
{
    struct loc l = f->locs[pos];
    if (l.kind == LOC_LOCAL)
        return l.idx;
    if (l.kind == LOC_CONST)
        return TAG_CONST | const_slot(f, l.idx);
    return TAG_TEMP | pos;
}

static void emit_raw(struct fn *f, uint64_t v)
{
    if (v >> TAG_SHIFT)
        emit_tagged(f, v);
    else
        emit_imm(f, v);
}

/* A conditional branch on the i32 at cond_pos: the op, and its operands
 * (emitted after the target offset). When the condition was just computed
 * by an i32 comparison, the comparison is taken back and fused into the
 * branch, saving a dispatch and a slot write on every loop iteration. */
struct condbr {
    int op;
    uint32_t nops;
    uint64_t ops[2];
};

static void cond_prepare(struct fn *f, bool when_true, uint32_t cond_pos, struct condbr *cb)
{
    static const int fused[] = {
        /* I32_EQZ .. I32_GE_U, jump when true */
        OP_BR_IF_EQZ, OP_BR_IF_EQ, OP_BR_IF_NE, OP_BR_IF_LT_S, OP_BR_IF_LT_U, OP_BR_IF_GT_S,
        OP_BR_IF_GT_U, OP_BR_IF_LE_S, OP_BR_IF_LE_U, OP_BR_IF_GE_S, OP_BR_IF_GE_U};
    static const int negated[] = {
        OP_BR_IF, OP_BR_IF_NE, OP_BR_IF_EQ, OP_BR_IF_GE_S, OP_BR_IF_GE_U, OP_BR_IF_LE_S,
        OP_BR_IF_LE_U, OP_BR_IF_GT_S, OP_BR_IF_GT_U, OP_BR_IF_LT_S, OP_BR_IF_LT_U};
    /* the same when the comparison's second operand was an immediate */
    static const int fused_i[] = {
        0, OP_BR_IF_EQ_I, OP_BR_IF_NE_I, OP_BR_IF_LT_S_I, OP_BR_IF_LT_U_I, OP_BR_IF_GT_S_I,
        OP_BR_IF_GT_U_I, OP_BR_IF_LE_S_I, OP_BR_IF_LE_U_I, OP_BR_IF_GE_S_I, OP_BR_IF_GE_U_I};
    static const int negated_i[] = {
        0, OP_BR_IF_NE_I, OP_BR_IF_EQ_I, OP_BR_IF_GE_S_I, OP_BR_IF_GE_U_I, OP_BR_IF_LE_S_I,
        OP_BR_IF_LE_U_I, OP_BR_IF_GT_S_I, OP_BR_IF_GT_U_I, OP_BR_IF_LT_S_I, OP_BR_IF_LT_U_I};
    if (f->last_dest >= 0 && f->last_dest_pos == cond_pos &&
        f->locs[cond_pos].kind == LOC_TEMP &&
        f->last_op >= OP_I32_EQZ && f->last_op <= OP_I32_GE_U) {
        uint32_t k = (uint32_t)(f->last_op - OP_I32_EQZ);
        uint32_t at = f->last_op_cell;
        bool imm = f->last_variant == V_I2 || f->last_variant == V_A1I2;
        cb->nops = k == 0 ? 1 : 2;
        for (uint32_t i = 0; i < cb->nops; i++)
            cb->ops[i] = f->code[at + 1 + i].u64;
        /* take the comparison back out of the code */
        f->ncode = at;
        f->nmap--;
        while (f->nfix && f->fix[f->nfix - 1] >= at)
            f->nfix--;
        f->last_dest = -1;
        if (imm)
            cb->op = when_true ? fused_i[k] : negated_i[k];
        else
            cb->op = when_true ? fused[k] : negated[k];
        if (cb->op == OP_BR_IF)
            cb->nops = 1;
        return;
    }
    cb->op = when_true ? OP_BR_IF : OP_BR_UNLESS;
    cb->nops = 1;
    cb->ops[0] = src_raw(f, cond_pos);
}

static void cond_operands(struct fn *f, const struct condbr *cb)
{
    for (uint32_t i = 0; i < cb->nops; i++)
        emit_raw(f, cb->ops[i]);
}

/* Emits a branch (BR, or BR_IF reading the condition at cond_pos) to frame c.
 * cur is the operand stack height without the condition: the label's values
 * are the top of it, and are moved to where the label expects them. */
static void emit_branch(struct fn *f, struct ctrl *c, bool cond, uint32_t cond_pos, uint32_t cur)
{
    uint32_t n = label_arity(c);
    materialize_range(f, cur - n, cur);
    bool move = cur != c->height + n;
    struct condbr cb = {0, 0, {0, 0}};
    if (cond && !move)
        cond_prepare(f, true, cond_pos, &cb);
    uint32_t op = emit_op(f, cond ? (move ? OP_BR_IF_MOVE : cb.op) : (move ? OP_BR_MOVE : OP_BR));
    if (c->kind == K_LOOP)
        emit_imm(f, (uint64_t)((int64_t)c->start_pc - (int64_t)op));
    else
        emit_forward(f, &c->fixups, op);
    if (cond && !move)
        cond_operands(f, &cb);
    else if (cond)
        emit_src(f, cond_pos);
    if (move) {
        emit_temp(f, cur - n);
        emit_temp(f, c->height);
        emit_imm(f, n);
    }
}

/* ---- immediates ----------------------------------------------------------- */

static int read_u32(struct fn *f, uint32_t *v)
{
    if (!rd_u32(&f->r, v))
        return malformed(f, "integer representation too long or truncated");
    return 0;
}

static int read_blocktype(struct fn *f, uint32_t *np, const uint8_t **p, uint32_t *nr,
                          const uint8_t **r, uint8_t *one)
{
    int64_t bt;
    if (f->r.p >= f->r.end)
        return malformed(f, "unexpected end");
    uint8_t b = *f->r.p;
    if (b == 0x40) {
        f->r.p++;
        *np = *nr = 0;
        return 0;
    }
    if (is_num(b) || is_ref(b)) {
        f->r.p++;
        *one = b;
        *np = 0;
        *nr = 1;
        *r = one;
        return 0;
    }
    if (!rd_s33(&f->r, &bt))
        return malformed(f, "integer representation too long");
    if (bt < 0 || (uint64_t)bt >= f->m->ntypes)
        return fail(f, "unknown type: block type index %lld", (long long)bt);
    wasm_functype *t = &f->m->types[bt];
    *np = t->nparams;
    *p = t->types;
    *nr = t->nresults;
    *r = t->types + t->nparams;
    return 0;
}

/* memarg: alignment exponent and offset; checks the alignment rule. */
static int read_memarg(struct fn *f, uint32_t natural, uint32_t *offset)
{
    uint32_t align;
    if (read_u32(f, &align) || read_u32(f, offset))
        return -1;
    if (f->m->nmems == 0)
        return fail(f, "unknown memory 0");
    if (align >= 32 || (1u << align) > natural)
        return fail(f, "alignment must not be larger than natural");
    return 0;
}

static int need_memory(struct fn *f)
{
    if (f->m->nmems == 0)
        return fail(f, "unknown memory 0");
    return 0;
}

static int zero_byte(struct fn *f)
{
    uint8_t b;
    if (!rd_u8(&f->r, &b))
        return malformed(f, "unexpected end");
    if (b != 0)
        return malformed(f, "zero byte expected");
    return 0;
}

static int check_table(struct fn *f, uint32_t t)
{
    if (t >= f->m->ntables)
        return fail(f, "unknown table %u", t);
    return 0;
}

/* Type of a numeric instruction 0x45..0xc4: operands a, b (0 if unary), result r. */
static void numeric_sig(uint8_t op, uint8_t *a, uint8_t *b, uint8_t *r)
{
    const uint8_t I = WASM_I32, L = WASM_I64, F = WASM_F32, D = WASM_F64;
    *b = 0;
    if (op == 0x45) { *a = I; *r = I; }
    else if (op <= 0x4f) { *a = *b = I; *r = I; }
    else if (op == 0x50) { *a = L; *r = I; }
    else if (op <= 0x5a) { *a = *b = L; *r = I; }
    else if (op <= 0x60) { *a = *b = F; *r = I; }
    else if (op <= 0x66) { *a = *b = D; *r = I; }
    else if (op <= 0x69) { *a = I; *r = I; }
    else if (op <= 0x78) { *a = *b = I; *r = I; }
    else if (op <= 0x7b) { *a = L; *r = L; }
    else if (op <= 0x8a) { *a = *b = L; *r = L; }
    else if (op <= 0x91) { *a = F; *r = F; }
    else if (op <= 0x98) { *a = *b = F; *r = F; }
    else if (op <= 0x9f) { *a = D; *r = D; }
    else if (op <= 0xa6) { *a = *b = D; *r = D; }
    else {
        static const uint8_t conv[][2] = {
            /* a7 */ {L, I}, {F, I}, {F, I}, {D, I}, {D, I}, {I, L}, {I, L}, {F, L},
            /* af */ {F, L}, {D, L}, {D, L}, {I, F}, {I, F}, {L, F}, {L, F}, {D, F},
            /* b7 */ {I, D}, {I, D}, {L, D}, {L, D}, {F, D}, {F, I}, {D, L}, {I, F},
            /* bf */ {L, D}, {I, I}, {I, I}, {L, L}, {L, L}, {L, L},
        };
        *a = conv[op - 0xa7][0];
        *r = conv[op - 0xa7][1];
    }
}

/* ---- one instruction ------------------------------------------------------ */

static int check_end_of_frame(struct fn *f, struct ctrl *c)
{
    if (pop_types(f, c->nresults, res(c)))
        return -1;
    if (f->nvals != c->height)
        return fail(f, "type mismatch: values remain on the stack at end of block");
    return 0;
}

static int do_branch_types(struct fn *f, struct ctrl *c, bool keep)
{
    uint32_t n = label_arity(c);
    const uint8_t *t = label_types(c);
    if (pop_types(f, n, t))
        return -1;
    if (keep)
        push_types(f, n, t);
    return 0;
}

static void emit_srcs(struct fn *f, uint32_t base, uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        emit_src(f, base + i);
}

/* Pops k i32 operands (validation) and returns their base position. */
static int pop_i32s(struct fn *f, uint32_t k, uint32_t *base)
{
    for (uint32_t i = 0; i < k; i++)
        if (pop_expect(f, WASM_I32) < 0)
            return -1;
    *base = f->nvals;
    return 0;
}

static int instr_misc(struct fn *f)
{
    uint32_t sub, a, b, base;
    if (read_u32(f, &sub))
        return -1;
    bool emit = live(f);
    wasm_module *m = f->m;
    if (sub <= 7) {
        static const uint8_t in[8] = {WASM_F32, WASM_F32, WASM_F64, WASM_F64,
                                      WASM_F32, WASM_F32, WASM_F64, WASM_F64};
        if (pop_expect(f, in[sub]) < 0)
            return -1;
        base = f->nvals;
        if (emit)
            emit_numeric(f, OP_I32_TRUNC_SAT_F32_S + (int)sub, base, 1);
        push(f, sub < 4 ? WASM_I32 : WASM_I64);
        return 0;
    }
    switch (sub) {
    case 8: /* memory.init */
        if (read_u32(f, &a) || zero_byte(f) || need_memory(f))
            return -1;
        if (!m->has_datacount)
            return malformed(f, "data count section required");
        if (a >= m->datacount)
            return fail(f, "unknown data segment %u", a);
        if (pop_i32s(f, 3, &base))
            return -1;
        if (emit) { emit_op(f, OP_MEMORY_INIT); emit_imm(f, a); emit_srcs(f, base, 3); }
        return 0;
    case 9: /* data.drop */
        if (read_u32(f, &a))
            return -1;
        if (!m->has_datacount)
            return malformed(f, "data count section required");
        if (a >= m->datacount)
            return fail(f, "unknown data segment %u", a);
        if (emit) { emit_op(f, OP_DATA_DROP); emit_imm(f, a); }
        return 0;
    case 10: /* memory.copy */
        if (zero_byte(f) || zero_byte(f) || need_memory(f))
            return -1;
        if (pop_i32s(f, 3, &base))
            return -1;
        if (emit) { emit_op(f, OP_MEMORY_COPY); emit_srcs(f, base, 3); }
        return 0;
    case 11: /* memory.fill */
        if (zero_byte(f) || need_memory(f))
            return -1;
        if (pop_i32s(f, 3, &base))
            return -1;
        if (emit) { emit_op(f, OP_MEMORY_FILL); emit_srcs(f, base, 3); }
        return 0;
    case 12: /* table.init elem table */
        if (read_u32(f, &a) || read_u32(f, &b) || check_table(f, b))
            return -1;
        if (a >= m->nelems)
            return fail(f, "unknown elem segment %u", a);
        if (m->elems[a].reftype != m->tables[b].reftype)
            return fail(f, "type mismatch: element segment and table types differ");
        if (pop_i32s(f, 3, &base))
            return -1;
        if (emit) { emit_op(f, OP_TABLE_INIT); emit_imm(f, a); emit_imm(f, b); emit_srcs(f, base, 3); }
        return 0;
    case 13: /* elem.drop */
        if (read_u32(f, &a))
            return -1;
        if (a >= m->nelems)
            return fail(f, "unknown elem segment %u", a);
        if (emit) { emit_op(f, OP_ELEM_DROP); emit_imm(f, a); }
        return 0;
    case 14: /* table.copy dst src */
        if (read_u32(f, &a) || read_u32(f, &b) || check_table(f, a) || check_table(f, b))
            return -1;
        if (m->tables[a].reftype != m->tables[b].reftype)
            return fail(f, "type mismatch: table types differ");
        if (pop_i32s(f, 3, &base))
            return -1;
        if (emit) { emit_op(f, OP_TABLE_COPY); emit_imm(f, a); emit_imm(f, b); emit_srcs(f, base, 3); }
        return 0;
    case 15: /* table.grow */
        if (read_u32(f, &a) || check_table(f, a))
            return -1;
        if (pop_expect(f, WASM_I32) < 0 || pop_expect(f, m->tables[a].reftype) < 0)
            return -1;
        base = f->nvals;
        if (emit) { emit_op(f, OP_TABLE_GROW); emit_imm(f, a); emit_srcs(f, base, 2); emit_dest(f, base); }
        push(f, WASM_I32);
        return 0;
    case 16: /* table.size */
        if (read_u32(f, &a) || check_table(f, a))
            return -1;
        if (emit) { emit_op(f, OP_TABLE_SIZE); emit_imm(f, a); emit_dest(f, f->nvals); }
        push(f, WASM_I32);
        return 0;
    case 17: /* table.fill */
        if (read_u32(f, &a) || check_table(f, a))
            return -1;
        if (pop_expect(f, WASM_I32) < 0 || pop_expect(f, m->tables[a].reftype) < 0 ||
            pop_expect(f, WASM_I32) < 0)
            return -1;
        base = f->nvals;
        if (emit) { emit_op(f, OP_TABLE_FILL); emit_imm(f, a); emit_srcs(f, base, 3); }
        return 0;
    }
    return malformed(f, "illegal opcode (0xfc prefix)");
}

/* Any stack entry (of this block) still reading local x gets its own copy
 * before x changes. */
static void protect_local(struct fn *f, uint32_t x, uint32_t below)
{
    for (uint32_t pos = f->ctrls[f->nctrls - 1].height; pos < below; pos++)
        if (f->locs[pos].kind == LOC_LOCAL && f->locs[pos].idx == x)
            materialize(f, pos);
}

static bool refers_to_local(struct fn *f, uint32_t x, uint32_t below)
{
    for (uint32_t pos = f->ctrls[f->nctrls - 1].height; pos < below; pos++)
        if (f->locs[pos].kind == LOC_LOCAL && f->locs[pos].idx == x)
            return true;
    return false;
}

/* local.set / local.tee of the value at the top (position top). */
static void emit_local_store(struct fn *f, uint32_t x, uint32_t top)
{
    if (f->locs[top].kind == LOC_TEMP && f->last_dest >= 0 && f->last_dest_pos == top &&
        !refers_to_local(f, x, top)) {
        /* the op that made this value writes it into the local directly */
        f->code[f->last_dest].u64 = x;
        f->last_dest = -1;
        if (f->acc_pos == (int64_t)top) {
            f->acc_local = x;
            f->acc_pos = -1;
        }
        return;
    }
    if (f->locs[top].kind == LOC_LOCAL && f->locs[top].idx == x)
        return;
    protect_local(f, x, top);
    emit_op(f, OP_COPY);
    emit_src(f, top);
    emit_imm(f, x);
}

static int instr(struct fn *f, uint8_t op)
{
    wasm_module *m = f->m;
    bool emit = live(f);
    uint32_t a, b, base;
    f->ninstr++;

    if (op >= 0x45 && op <= 0xc4) {
        uint8_t ta, tb, tr;
        numeric_sig(op, &ta, &tb, &tr);
        if (tb && pop_expect(f, tb) < 0)
            return -1;
        if (pop_expect(f, ta) < 0)
            return -1;
        base = f->nvals;
        /* reinterpretations and zero-extension change no bits: the entry
         * keeps its slot with a new type */
        if ((op >= 0xbc && op <= 0xbf) || op == 0xad) {
            struct loc l = emit ? f->locs[base] : (struct loc){LOC_TEMP, 0};
            push_loc(f, tr, l.kind, l.idx);
            return 0;
        }
        if (emit)
            emit_numeric(f, OP_I32_EQZ + (op - 0x45), base, tb ? 2 : 1);
        push(f, tr);
        return 0;
    }
    if (op >= 0x28 && op <= 0x3e) {
        static const uint8_t natural[] = {4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4,
                                          4, 8, 4, 8, 1, 2, 1, 2, 4};
        static const uint8_t vtype[] = {
            WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_I32, WASM_I32, WASM_I32,
            WASM_I32, WASM_I64, WASM_I64, WASM_I64, WASM_I64, WASM_I64, WASM_I64,
            WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_I32, WASM_I32, WASM_I64,
            WASM_I64, WASM_I64};
        static const uint8_t irop[] = {
            OP_I32_LOAD, OP_I64_LOAD, OP_I32_LOAD, OP_I64_LOAD, OP_I32_LOAD8_S,
            OP_I32_LOAD8_U, OP_I32_LOAD16_S, OP_I32_LOAD16_U, OP_I64_LOAD8_S,
            OP_I64_LOAD8_U, OP_I64_LOAD16_S, OP_I64_LOAD16_U, OP_I64_LOAD32_S,
            OP_I64_LOAD32_U, OP_I32_STORE, OP_I64_STORE, OP_I32_STORE, OP_I64_STORE,
            OP_I32_STORE8, OP_I32_STORE16, OP_I64_STORE8, OP_I64_STORE16, OP_I64_STORE32};
        uint32_t k = op - 0x28, offset;
        if (read_memarg(f, natural[k], &offset))
            return -1;
        if (op <= 0x35) {
            if (pop_expect(f, WASM_I32) < 0)
                return -1;
            base = f->nvals;
            if (emit) {
                bool acc_addr = acc_holds(f, base);
                uint32_t at = emit_op(f, irop[k]);
                if (acc_addr && !f->oom && f->variants[V_A1][irop[k]])
                    f->code[at].op = f->variants[V_A1][irop[k]];
                emit_imm(f, offset);
                emit_src(f, base);
                emit_dest(f, base);
                f->acc_pos = base;
            }
            push(f, vtype[k]);
        } else {
            if (pop_expect(f, vtype[k]) < 0 || pop_expect(f, WASM_I32) < 0)
                return -1;
            base = f->nvals;
            if (emit) {
                int v = acc_holds(f, base + 1) ? V_A2 : acc_holds(f, base) ? V_A1 : V_PLAIN;
                uint32_t at = emit_op(f, irop[k]);
                if (v != V_PLAIN && !f->oom && f->variants[v][irop[k]])
                    f->code[at].op = f->variants[v][irop[k]];
                emit_imm(f, offset);
                emit_srcs(f, base, 2);
            }
        }
        return 0;
    }

    switch (op) {
    case 0x00: /* unreachable */
        if (emit) emit_op(f, OP_UNREACHABLE);
        set_unreachable(f);
        return 0;
    case 0x01: /* nop */
        return 0;
    case 0x02: case 0x03: case 0x04: { /* block loop if */
        uint32_t np = 0, nr = 0, cond = 0;
        const uint8_t *p = NULL, *r = NULL;
        uint8_t one = 0;
        if (read_blocktype(f, &np, &p, &nr, &r, &one))
            return -1;
        if (op == 0x04) {
            if (pop_expect(f, WASM_I32) < 0)
                return -1;
            cond = f->nvals;
        }
        if (emit)
            materialize_block(f);
        if (pop_types(f, np, p))
            return -1;
        uint32_t cond_pc = 0;
        struct condbr cb = {0, 0, {0, 0}};
        if (op == 0x04 && emit) {
            cond_prepare(f, false, cond, &cb);
            cond_pc = emit_op(f, cb.op);
        }
        struct ctrl *c = push_ctrl(f, op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : K_IF,
                                   np, p, nr, r == &one ? NULL : r, one);
        if (!c)
            return -1;
        if (r == &one) {
            c->results = NULL;
            c->results_one = true;
        }
        if (op == 0x04 && emit) {
            emit_forward(f, &c->else_fixup, cond_pc);
            cond_operands(f, &cb);
        }
        if (op == 0x03) {
            c->start_instr = f->ninstr;
            f->loop_depth++;
            if (emit) {
                c->start_pc = emit_op(f, OP_CHECK);
                emit_imm(f, 1);
            }
        }
        return 0;
    }
    case 0x05: { /* else */
        struct ctrl *c = &f->ctrls[f->nctrls - 1];
        if (c->kind != K_IF)
            return fail(f, "else without matching if");
        bool was_live = live(f);
        if (was_live)
            materialize_block(f);
        if (check_end_of_frame(f, c))
            return -1;
        if (was_live) {
            uint32_t br = emit_op(f, OP_BR);
            emit_forward(f, &c->fixups, br);
        }
        if (!c->dead)
            patch(f, &c->else_fixup, f->ncode);
        f->last_dest = -1;
        f->acc_pos = f->acc_local = -1;
        c->kind = K_ELSE;
        c->unreachable = false;
        push_types(f, c->nparams, c->params);
        return 0;
    }
    case 0x0b: { /* end */
        struct ctrl *c = &f->ctrls[f->nctrls - 1];
        bool was_live = live(f);
        if (was_live)
            materialize_block(f);
        if (check_end_of_frame(f, c))
            return -1;
        f->last_dest = -1;
        f->acc_pos = f->acc_local = -1;
        if (c->kind == K_IF) {
            if (c->nparams != c->nresults ||
                (c->nparams && memcmp(c->params, res(c), c->nparams)))
                return fail(f, "type mismatch: if without else must not change the stack");
        }
        if (c->kind == K_FUNC) {
            /* falling off the end, and branches to the function label, land
             * on a final RETURN */
            if (was_live || c->fixups >= 0) {
                uint32_t ret = emit_op(f, OP_RETURN);
                emit_temp(f, 0);
                emit_imm(f, c->nresults);
                patch(f, &c->fixups, ret);
            }
            f->nctrls--;
            return 0;
        }
        if (c->kind == K_LOOP) {
            uint32_t cost = f->ninstr - c->start_instr;
            if (!c->dead)
                f->code[c->start_pc + 1].u64 = cost ? cost : 1;
            if (--f->loop_depth == 0)
                f->loop_instr += cost;
        }
        if (!c->dead) {
            patch(f, &c->else_fixup, f->ncode);
            patch(f, &c->fixups, f->ncode);
        }
        uint32_t nr = c->nresults;
        const uint8_t *r = c->results;
        uint8_t one = c->one;
        if (c->results_one)
            r = &one;
        f->nctrls--;
        push_types(f, nr, r);
        return 0;
    }
    case 0x0c: case 0x0d: { /* br br_if */
        if (read_u32(f, &a))
            return -1;
        if (a >= f->nctrls)
            return fail(f, "unknown label %u", a);
        struct ctrl *c = &f->ctrls[f->nctrls - 1 - a];
        if (op == 0x0d && pop_expect(f, WASM_I32) < 0)
            return -1;
        uint32_t cur = f->nvals, n = label_arity(c);
        /* materialise the carried values before validation pops and
         * re-pushes them (which would forget where they live) */
        if (emit && cur >= f->ctrls[f->nctrls - 1].height + n)
            materialize_range(f, cur - n, cur);
        if (do_branch_types(f, c, op == 0x0d))
            return -1;
        if (emit)
            emit_branch(f, c, op == 0x0d, cur, cur);
        if (op == 0x0c)
            set_unreachable(f);
        return 0;
    }
    case 0x0e: { /* br_table */
        uint32_t count;
        if (read_u32(f, &count))
            return -1;
        if (count > (uint32_t)(f->r.end - f->r.p))
            return malformed(f, "unexpected end");
        uint32_t *labels = malloc(((size_t)count + 1) * sizeof *labels);
        if (!labels)
            return f->oom = true, -1;
        for (uint32_t i = 0; i <= count; i++) {
            if (read_u32(f, &labels[i])) {
                free(labels);
                return -1;
            }
            if (labels[i] >= f->nctrls) {
                uint32_t bad = labels[i];
                free(labels);
                return fail(f, "unknown label %u", bad);
            }
        }
        if (pop_expect(f, WASM_I32) < 0) {
            free(labels);
            return -1;
        }
        uint32_t cur = f->nvals;
        struct ctrl *def = &f->ctrls[f->nctrls - 1 - labels[count]];
        uint32_t arity = label_arity(def);
        for (uint32_t i = 0; i <= count; i++) {
            struct ctrl *c = &f->ctrls[f->nctrls - 1 - labels[i]];
            if (label_arity(c) != arity) {
                free(labels);
                return fail(f, "type mismatch: br_table labels have different arities");
            }
            /* check this label's types without consuming the operands */
            uint32_t save = f->nvals;
            if (do_branch_types(f, c, false)) {
                free(labels);
                return -1;
            }
            f->nvals = save;
        }
        if (do_branch_types(f, def, false)) {
            free(labels);
            return -1;
        }
        if (emit) {
            materialize_range(f, cur - arity, cur);
            uint32_t opc = emit_op(f, OP_BR_TABLE);
            emit_imm(f, count);
            emit_imm(f, arity);
            emit_src(f, cur);
            emit_temp(f, cur - arity);
            for (uint32_t i = 0; i <= count; i++) {
                struct ctrl *c = &f->ctrls[f->nctrls - 1 - labels[i]];
                if (c->kind == K_LOOP)
                    emit_imm(f, (uint64_t)((int64_t)c->start_pc - (int64_t)opc));
                else
                    emit_forward(f, &c->fixups, opc);
                emit_temp(f, c->height);
            }
        }
        free(labels);
        set_unreachable(f);
        return 0;
    }
    case 0x0f: { /* return */
        struct ctrl *c = &f->ctrls[0];
        uint32_t cur = f->nvals;
        if (pop_types(f, c->nresults, res(c)))
            return -1;
        if (emit) {
            materialize_range(f, cur - c->nresults, cur);
            emit_op(f, OP_RETURN);
            emit_temp(f, cur - c->nresults);
            emit_imm(f, c->nresults);
        }
        set_unreachable(f);
        return 0;
    }
    case 0x10: { /* call */
        if (read_u32(f, &a))
            return -1;
        if (a >= m->nfuncs)
            return fail(f, "unknown function %u", a);
        wasm_functype *t = &m->types[m->func_types[a]];
        if (pop_call_args(f, emit, t, &base))
            return -1;
        if (emit) {
            emit_op(f, OP_CALL);
            emit_imm(f, a);
            emit_temp(f, base);
        }
        push_types(f, t->nresults, t->types + t->nparams);
        return 0;
    }
    case 0x11: { /* call_indirect type table */
        if (read_u32(f, &a) || read_u32(f, &b))
            return -1;
        if (check_table(f, b))
            return -1;
        if (m->tables[b].reftype != WASM_FUNCREF)
            return fail(f, "type mismatch: call_indirect needs a funcref table");
        if (a >= m->ntypes)
            return fail(f, "unknown type %u", a);
        wasm_functype *t = &m->types[a];
        if (pop_expect(f, WASM_I32) < 0)
            return -1;
        uint32_t idx = f->nvals;
        if (pop_call_args(f, emit, t, &base))
            return -1;
        if (emit) {
            emit_op(f, OP_CALL_INDIRECT);
            emit_imm(f, a);
            emit_imm(f, b);
            emit_src(f, idx);
            emit_temp(f, base);
        }
        push_types(f, t->nresults, t->types + t->nparams);
        return 0;
    }
    case 0x1a: /* drop */
        if (pop(f) < 0)
            return -1;
        return 0;
    case 0x1b: { /* select */
        if (pop_expect(f, WASM_I32) < 0)
            return -1;
        int t1 = pop(f), t2;
        if (t1 < 0 || (t2 = pop(f)) < 0)
            return -1;
        if ((t1 != T_UNKNOWN && !is_num(t1)) || (t2 != T_UNKNOWN && !is_num(t2)))
            return fail(f, "type mismatch: select without type needs numeric operands");
        if (t1 != t2 && t1 != T_UNKNOWN && t2 != T_UNKNOWN)
            return fail(f, "type mismatch: select operands differ");
        base = f->nvals;
        if (emit) { emit_op(f, OP_SELECT); emit_srcs(f, base, 3); emit_dest(f, base); }
        push(f, (uint8_t)(t1 == T_UNKNOWN ? t2 : t1));
        return 0;
    }
    case 0x1c: { /* select t */
        uint8_t t;
        if (read_u32(f, &a))
            return -1;
        if (a != 1)
            return fail(f, "invalid result arity for typed select");
        if (!rd_u8(&f->r, &t))
            return malformed(f, "unexpected end");
        if (!is_num(t) && !is_ref(t))
            return malformed(f, "malformed value type");
        if (pop_expect(f, WASM_I32) < 0 || pop_expect(f, t) < 0 || pop_expect(f, t) < 0)
            return -1;
        base = f->nvals;
        if (emit) { emit_op(f, OP_SELECT); emit_srcs(f, base, 3); emit_dest(f, base); }
        push(f, t);
        return 0;
    }
    case 0x20: case 0x21: case 0x22: { /* local.get set tee */
        if (read_u32(f, &a))
            return -1;
        if (a >= f->nlocals)
            return fail(f, "unknown local %u", a);
        uint8_t t = f->locals[a];
        if (op == 0x20) {
            push_loc(f, t, LOC_LOCAL, a);
            return 0;
        }
        if (pop_expect(f, t) < 0)
            return -1;
        base = f->nvals;
        if (emit)
            emit_local_store(f, a, base);
        if (op == 0x22)
            push_loc(f, t, LOC_LOCAL, a);
        return 0;
    }
    case 0x23: case 0x24: { /* global.get set */
        if (read_u32(f, &a))
            return -1;
        if (a >= m->nglobals)
            return fail(f, "unknown global %u", a);
        struct globaltype *g = &m->globals[a];
        if (op == 0x23) {
            if (emit) { emit_op(f, OP_GLOBAL_GET); emit_imm(f, a); emit_dest(f, f->nvals); }
            push(f, g->type);
        } else {
            if (!g->mut)
                return fail(f, "global is immutable: global %u", a);
            if (pop_expect(f, g->type) < 0)
                return -1;
            if (emit) { emit_op(f, OP_GLOBAL_SET); emit_imm(f, a); emit_src(f, f->nvals); }
        }
        return 0;
    }
    case 0x25: case 0x26: { /* table.get set */
        if (read_u32(f, &a) || check_table(f, a))
            return -1;
        uint8_t rt = m->tables[a].reftype;
        if (op == 0x25) {
            if (pop_expect(f, WASM_I32) < 0)
                return -1;
            base = f->nvals;
            if (emit) { emit_op(f, OP_TABLE_GET); emit_imm(f, a); emit_src(f, base); emit_dest(f, base); }
            push(f, rt);
        } else {
            if (pop_expect(f, rt) < 0 || pop_expect(f, WASM_I32) < 0)
                return -1;
            base = f->nvals;
            if (emit) { emit_op(f, OP_TABLE_SET); emit_imm(f, a); emit_srcs(f, base, 2); }
        }
        return 0;
    }
    case 0x3f: case 0x40: /* memory.size grow */
        if (zero_byte(f) || need_memory(f))
            return -1;
        if (op == 0x40 && pop_expect(f, WASM_I32) < 0)
            return -1;
        base = f->nvals;
        if (emit) {
            emit_op(f, op == 0x3f ? OP_MEMORY_SIZE : OP_MEMORY_GROW);
            if (op == 0x40)
                emit_src(f, base);
            emit_dest(f, base);
        }
        push(f, WASM_I32);
        return 0;
    case 0x41: { int32_t v; if (!rd_s32(&f->r, &v)) return malformed(f, "integer representation too long");
        push_loc(f, WASM_I32, LOC_CONST, const_index(f, (uint32_t)v)); return 0; }
    case 0x42: { int64_t v; if (!rd_s64(&f->r, &v)) return malformed(f, "integer representation too long");
        push_loc(f, WASM_I64, LOC_CONST, const_index(f, (uint64_t)v)); return 0; }
    case 0x43: case 0x44: {
        const uint8_t *p;
        uint32_t n = op == 0x43 ? 4 : 8;
        if (!rd_bytes(&f->r, n, &p))
            return malformed(f, "unexpected end");
        uint64_t v = 0;
        for (uint32_t i = 0; i < n; i++)
            v |= (uint64_t)p[i] << (8 * i);
        push_loc(f, op == 0x43 ? WASM_F32 : WASM_F64, LOC_CONST, const_index(f, v));
        return 0;
    }
    case 0xd0: { /* ref.null t */
        uint8_t t;
        if (!rd_u8(&f->r, &t))
            return malformed(f, "unexpected end");
        if (!is_ref(t))
            return malformed(f, "malformed reference type");
        push_loc(f, t, LOC_CONST, const_index(f, 0));
        return 0;
    }
    case 0xd1: { /* ref.is_null */
        int t = pop(f);
        if (t < 0)
            return -1;
        if (t != T_UNKNOWN && !is_ref(t))
            return fail(f, "type mismatch: ref.is_null needs a reference");
        base = f->nvals;
        if (emit) { emit_op(f, OP_REF_IS_NULL); emit_src(f, base); emit_dest(f, base); }
        push(f, WASM_I32);
        return 0;
    }
    case 0xd2: /* ref.func */
        if (read_u32(f, &a))
            return -1;
        if (a >= m->nfuncs)
            return fail(f, "unknown function %u", a);
        if (!(m->declared_funcs[a / 8] & (1u << (a % 8))))
            return fail(f, "undeclared function reference %u", a);
        if (emit) { emit_op(f, OP_REF_FUNC); emit_imm(f, a); emit_dest(f, f->nvals); }
        push(f, WASM_FUNCREF);
        return 0;
    case 0xfc:
        return instr_misc(f);
    }
    return malformed(f, "illegal opcode");
}

/* ---- one function --------------------------------------------------------- */

static int compile_function(struct fn *f, uint32_t fidx, struct code *code)
{
    wasm_module *m = f->m;
    wasm_functype *t = &m->types[m->func_types[fidx]];
    struct reader *r = &f->r;
    r->p = m->bytes + code->body_off;
    r->end = r->p + code->body_len;

    /* locals: vectors of (count, type) */
    uint32_t ngroups;
    if (!rd_u32(r, &ngroups))
        return malformed(f, "integer representation too long");
    uint64_t total = t->nparams;
    const uint8_t *groups = r->p;
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t n;
        uint8_t ty;
        if (!rd_u32(r, &n) || !rd_u8(r, &ty))
            return malformed(f, "unexpected end");
        total += n;
        if (total > UINT32_MAX)
            return malformed(f, "too many locals");
        if (!is_num(ty) && !is_ref(ty))
            return malformed(f, "malformed value type");
    }
    if (total > 50000)
        return load_fail(f->lc, ERR_TOO_BIG, r, "too many locals (%llu)", (unsigned long long)total);
    f->nlocals = (uint32_t)total;
    f->locals = malloc(total ? total : 1);
    if (!f->locals)
        return f->oom = true, -1;
    memcpy(f->locals, t->types, t->nparams);
    struct reader g = {r->base, groups, r->end};
    uint32_t k = t->nparams;
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t n;
        uint8_t ty;
        rd_u32(&g, &n);
        rd_u8(&g, &ty);
        memset(f->locals + k, ty, n);
        k += n;
    }

    f->nvals = f->nctrls = f->ncode = f->nmap = 0;
    f->nconsts = f->ncvals = f->nfix = 0;
    f->last_dest = -1;
    f->acc_pos = f->acc_local = -1;
    f->max_height = 0;
    f->ninstr = f->loop_instr = f->loop_depth = 0;
    f->instr_off = (uint32_t)rd_off(r);
    emit_op(f, OP_CHECK);
    emit_imm(f, 1);
    push_ctrl(f, K_FUNC, 0, NULL, t->nresults, t->types + t->nparams, 0);
    while (f->nctrls > 0 && !f->oom) {
        uint8_t op;
        f->instr_off = (uint32_t)rd_off(r);
        if (!rd_u8(r, &op))
            return malformed(f, "unexpected end of section or function");
        if (instr(f, op))
            return -1;
    }
    if (f->oom)
        return load_fail(f->lc, ERR_NO_MEMORY, r, "out of memory compiling");
    if (r->p != r->end)
        return malformed(f, "section size mismatch: function body continues after end");

    uint32_t entry_cost = f->ninstr - f->loop_instr;
    f->code[1].u64 = entry_cost ? entry_cost : 1;

    /* frame: locals, constants, temporaries */
    uint64_t cbase = f->nlocals, tbase = (uint64_t)f->nlocals + f->nconsts;
    if (tbase + f->max_height + 1 > UINT32_MAX / 2)
        return load_fail(f->lc, ERR_TOO_BIG, r, "function frame too large");
    for (uint32_t i = 0; i < f->nfix; i++) {
        uint64_t v = f->code[f->fix[i]].u64;
        if ((v >> TAG_SHIFT) == 1)
            f->code[f->fix[i]].u64 = tbase + (v & TAG_MASK);
        else if ((v >> TAG_SHIFT) == 2)
            f->code[f->fix[i]].u64 = cbase + (v & TAG_MASK);
    }
    code->nconsts = f->nconsts;
    code->consts = malloc((f->nconsts ? f->nconsts : 1) * sizeof(uint64_t));
    if (!code->consts)
        return load_fail(f->lc, ERR_NO_MEMORY, r, "out of memory compiling");
    if (f->nconsts)
        memcpy(code->consts, f->consts, f->nconsts * sizeof(uint64_t));
    code->nlocals = f->nlocals;
    code->max_height = (uint32_t)(tbase + f->max_height + 1);
    code->local_types = f->locals;
    f->locals = NULL;
    code->cells = f->code;
    code->ncells = f->ncode;
    code->map = f->map;
    code->nmap = f->nmap;
    f->code = NULL;
    f->map = NULL;
    f->capcode = f->capmap = 0;
    return 0;
}

int wasm_compile_module(wasm_module *m, struct loadctx *lc)
{
    struct fn f;
    memset(&f, 0, sizeof f);
    f.m = m;
    f.lc = lc;
    wasm_interp_labels(f.variants);
    f.labels = f.variants[V_PLAIN];
    f.r.base = m->bytes;
    lc->section = "code section";
    int err = 0;
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports && !err; i++) {
        err = compile_function(&f, m->nfunc_imports + i, &m->codes[i]);
        if (err && f.oom)
            load_fail(lc, ERR_NO_MEMORY, &f.r, "out of memory");
    }
    free(f.vals);
    free(f.locs);
    free(f.consts);
    free(f.cvals);
    free(f.cslot);
    free(f.fix);
    free(f.ctrls);
    free(f.code);
    free(f.map);
    free(f.locals);
    return err ? lc->status : 0;
}
