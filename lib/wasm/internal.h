/*
 * Internal structures of the wasm runtime, shared by the decoder, the
 * validating compiler, the interpreter and instantiation.
 */
#ifndef PUS_WASM_INTERNAL_H
#define PUS_WASM_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pus/err.h"
#include "wasm/wasm.h"

#define WASM_PAGE      65536u
#define WASM_MAX_PAGES 65536u

/* Section ids of the binary format. */
enum {
    SEC_CUSTOM = 0, SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY,
    SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_CODE, SEC_DATA,
    SEC_DATACOUNT,
};

/* A byte cursor over the module; every read is bounds-checked. */
struct reader {
    const uint8_t *base;    /* start of the whole module (offsets in messages) */
    const uint8_t *p, *end;
};

/* Error reporting while loading: the first error wins. */
struct loadctx {
    char *err;
    size_t errlen;
    const char *section;
    int status;
};

int load_fail(struct loadctx *lc, int status, const struct reader *r,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

bool rd_u8(struct reader *r, uint8_t *v);
bool rd_u32(struct reader *r, uint32_t *v);
bool rd_s32(struct reader *r, int32_t *v);
bool rd_s33(struct reader *r, int64_t *v);
bool rd_s64(struct reader *r, int64_t *v);
bool rd_bytes(struct reader *r, size_t n, const uint8_t **p);
static inline size_t rd_off(const struct reader *r) { return (size_t)(r->p - r->base); }

/* Limits of a table or memory. */
struct limits {
    uint32_t min, max;
    bool has_max;
};

struct tabletype {
    uint8_t reftype;
    struct limits lim;
};

struct globaltype {
    uint8_t type;
    bool mut;
};

/* A constant expression: a single instruction (wasm 2.0 without extended const). */
struct constexpr {
    uint8_t op;           /* 0x41 i32.const ... 0x23 global.get, 0xd0, 0xd2 */
    uint64_t value;       /* constant bits, or the global/function index */
};

struct import {
    char *module, *name;
    uint8_t kind;
    uint32_t type;                 /* function type index */
    struct tabletype table;
    struct limits mem;
    struct globaltype global;
};

struct export {
    char *name;
    uint32_t name_len;             /* names may contain NUL bytes */
    uint8_t kind;
    uint32_t index;
};

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE };

struct elemseg {
    uint8_t mode, reftype;
    uint32_t table;
    struct constexpr offset;
    uint32_t count;
    struct constexpr *items;
};

struct dataseg {
    uint8_t mode;
    struct constexpr offset;
    uint32_t len;
    const uint8_t *bytes;       /* into the module's copy of the binary */
};

/* One interpreter code cell: a handler address or an immediate. */
typedef union cell {
    const void *op;
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
} cell;

/* Maps a code cell index back to the wasm byte offset (for trap messages). */
struct pcmap {
    uint32_t pc, offset;
};

/* A function defined in the module, compiled. */
struct code {
    uint32_t body_off, body_len;   /* into the binary */
    uint32_t nlocals;              /* params + declared locals */
    uint32_t max_height;           /* frame size in slots: locals, constants, temporaries */
    uint64_t *consts;              /* copied into the frame after the locals on entry */
    uint32_t nconsts;
    uint8_t *local_types;          /* declared locals (after params) */
    cell *cells;
    uint32_t ncells;
    struct pcmap *map;
    uint32_t nmap;
};

struct wasm_module {
    uint8_t *bytes;
    size_t len;

    wasm_functype *types;
    uint32_t ntypes;

    struct import *imports;
    uint32_t nimports;

    uint32_t nfuncs, nfunc_imports;      /* all functions; imports come first */
    uint32_t *func_types;                /* type index per function */
    struct code *codes;                  /* nfuncs - nfunc_imports */

    struct tabletype *tables;
    uint32_t ntables, ntable_imports;
    struct limits *mems;
    uint32_t nmems, nmem_imports;
    struct globaltype *globals;
    struct constexpr *global_init;       /* for defined globals */
    uint32_t nglobals, nglobal_imports;

    struct export *exports;
    uint32_t nexports;

    bool has_start;
    uint32_t start;

    struct elemseg *elems;
    uint32_t nelems;
    struct dataseg *datas;
    uint32_t ndatas;
    bool has_datacount;
    uint32_t datacount;

    uint8_t *declared_funcs;             /* ref.func may name these (bitmap) */
};

/* Compile and validate every function body (compile.c). */
int wasm_compile_module(wasm_module *m, struct loadctx *lc);

/* ---- store objects ------------------------------------------------------ */

struct wasm_func {
    wasm_instance *inst;           /* NULL for host functions */
    uint32_t index;                /* in its module */
    uint32_t type_id;              /* interned in the store */
    wasm_functype type;
    const struct code *code;       /* wasm functions */
    wasm_host_fn host;
    void *user;
};

struct wasm_memory {
    uint8_t *data;
    uint32_t pages, max_pages;
    bool has_max;
};

struct wasm_table {
    uint8_t reftype;
    uint32_t size, max;
    bool has_max;
    wasm_value *elems;
};

struct wasm_global {
    uint8_t type;
    bool mut;
    wasm_value value;
};

/* Everything a store owns, in one list of allocations. */
struct store_obj {
    struct store_obj *next;
    int kind;
    void *ptr;
};

struct wasm_store {
    struct store_obj *objs;
    wasm_functype *types;          /* interned signatures (type_id = index) */
    uint32_t ntypes, captypes;
};

uint32_t store_intern_type(wasm_store *s, const wasm_functype *t);
void *store_alloc(wasm_store *s, int kind, size_t size);

/* A call frame: the caller's state, restored on return. pc points into
 * the caller's code (fn->code->cells), which never moves while the module
 * lives; a snapshot (not written yet) would store it as the cell index
 * pc - fn->code->cells. */
struct frame {
    wasm_func *fn;                 /* the caller (NULL: return to the host) */
    const union cell *pc;          /* caller's code cell to continue at */
    uint32_t fp;                   /* caller's frame base (slot index) */
};

struct wasm_instance {
    wasm_store *store;
    const wasm_module *mod;
    void *user;

    wasm_func **funcs;
    wasm_table **tables;
    wasm_memory *memory;
    wasm_global **globals;
    uint32_t *type_ids;            /* module type index -> store type id */
    wasm_value **elem_refs;        /* per element segment; NULL once dropped */
    uint32_t *elem_len;
    uint8_t *data_dropped;

    /* Execution state, all in runtime-owned memory. */
    wasm_value *stack;             /* grows on demand up to stack_slots */
    uint32_t stack_cap, stack_slots;
    struct frame *frames;          /* grows on demand up to max_depth */
    uint32_t frames_cap, max_depth;
    uint32_t depth;                /* frames in use */
    wasm_func *cur;                /* running function (when running/paused) */
    uint32_t pc, fp;               /* cell index, frame base (slot index) */
    bool active;                   /* a call is under way */
    uint32_t pending_args;         /* slot of a suspended host call's args */
    wasm_func *pending;            /* suspended host function, or NULL */
    uint32_t nresults;
    int64_t fuel;                  /* budget between runs; -1 unlimited */
    int64_t fuel_left;             /* the interpreter's running count */
    int pause_requested;           /* set by other threads (atomic) */
    uint32_t max_pages;
    uint32_t max_table_elems;

    wasm_trap_info trap;
    const char *host_trap_msg;
};

/* The interpreter (interp.c). Returns a wasm_run_status or a trap. */
int wasm_interp(wasm_instance *inst);
/* The handler address tables the compiler threads code with: plain ops,
 * then the variants: first operand from the accumulator, second from the
 * accumulator, second immediate, first from the accumulator and second
 * immediate (variant entries may be NULL). */
void wasm_interp_labels(const void *const *tables[5]);

/* Grow the value stack to hold at least `slots`, or the frame stack by one
 * frame; ERR_EXHAUSTED beyond the instance's limits. The stack may move:
 * everything refers to it by index. */
int wasm_grow_stack(wasm_instance *in, uint64_t slots);
int wasm_grow_frames(wasm_instance *in);

/* Memory and table helpers shared by the interpreter and instantiation. */
int32_t wasm_memory_grow_pages(wasm_memory *mem, uint32_t delta, uint32_t cap);
int32_t wasm_table_grow_by(wasm_table *t, uint32_t delta, wasm_value init, uint32_t cap);

const char *wasm_type_name(uint8_t t);

#endif
