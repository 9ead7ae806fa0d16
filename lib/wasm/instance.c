/*
 * Stores, host objects, instantiation and the call/run API.
 *
 * A store owns every object made in it (one list, freed together), so
 * instances may share memories, tables, globals and functions freely.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasm/internal.h"

enum { OBJ_PLAIN, OBJ_MEMORY, OBJ_TABLE, OBJ_INSTANCE, OBJ_FUNCTYPE };

void *store_alloc(wasm_store *s, int kind, size_t size)
{
    struct store_obj *o = malloc(sizeof *o);
    void *p = calloc(1, size);
    if (!o || !p) {
        free(o);
        free(p);
        return NULL;
    }
    o->kind = kind;
    o->ptr = p;
    o->next = s->objs;
    s->objs = o;
    return p;
}

wasm_store *wasm_store_new(void)
{
    return calloc(1, sizeof(wasm_store));
}

static void free_instance(wasm_instance *in)
{
    free(in->funcs);
    free(in->tables);
    free(in->globals);
    free(in->type_ids);
    if (in->elem_refs) {
        for (uint32_t i = 0; i < in->mod->nelems; i++)
            free(in->elem_refs[i]);
    }
    free(in->elem_refs);
    free(in->elem_len);
    free(in->data_dropped);
    free(in->stack);
    free(in->frames);
}

void wasm_store_free(wasm_store *s)
{
    if (!s)
        return;
    struct store_obj *o = s->objs;
    while (o) {
        struct store_obj *next = o->next;
        switch (o->kind) {
        case OBJ_MEMORY: free(((wasm_memory *)o->ptr)->data); break;
        case OBJ_TABLE: free(((wasm_table *)o->ptr)->elems); break;
        case OBJ_INSTANCE: free_instance(o->ptr); break;
        }
        free(o->ptr);
        free(o);
        o = next;
    }
    for (uint32_t i = 0; i < s->ntypes; i++)
        free((void *)s->types[i].types);
    free(s->types);
    free(s);
}

uint32_t store_intern_type(wasm_store *s, const wasm_functype *t)
{
    uint32_t n = t->nparams + t->nresults;
    for (uint32_t i = 0; i < s->ntypes; i++) {
        wasm_functype *u = &s->types[i];
        if (u->nparams == t->nparams && u->nresults == t->nresults &&
            (n == 0 || !memcmp(u->types, t->types, n)))
            return i;
    }
    if (s->ntypes == s->captypes) {
        uint32_t cap = s->captypes ? s->captypes * 2 : 16;
        wasm_functype *nt = realloc(s->types, cap * sizeof *nt);
        if (!nt)
            return UINT32_MAX;
        s->types = nt;
        s->captypes = cap;
    }
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return UINT32_MAX;
    memcpy(copy, t->types, n);
    s->types[s->ntypes] = *t;
    s->types[s->ntypes].types = copy;
    return s->ntypes++;
}

/* ---- host-made objects ---------------------------------------------------- */

wasm_func *wasm_host_func_new(wasm_store *s, const wasm_functype *type,
                              wasm_host_fn fn, void *user)
{
    uint32_t id = store_intern_type(s, type);
    if (id == UINT32_MAX)
        return NULL;
    wasm_func *f = store_alloc(s, OBJ_PLAIN, sizeof *f);
    if (!f)
        return NULL;
    f->type_id = id;
    f->type = s->types[id];
    f->host = fn;
    f->user = user;
    return f;
}

wasm_memory *wasm_memory_new(wasm_store *s, uint32_t min_pages, uint32_t max_pages)
{
    if (min_pages > WASM_MAX_PAGES || max_pages < min_pages)
        return NULL;
    wasm_memory *m = store_alloc(s, OBJ_MEMORY, sizeof *m);
    if (!m)
        return NULL;
    m->data = calloc(min_pages ? (size_t)min_pages * WASM_PAGE : 1, 1);
    if (!m->data)
        return NULL;
    m->pages = min_pages;
    m->has_max = max_pages < WASM_MAX_PAGES;
    m->max_pages = max_pages > WASM_MAX_PAGES ? WASM_MAX_PAGES : max_pages;
    return m;
}

wasm_table *wasm_table_new(wasm_store *s, enum wasm_valtype reftype, uint32_t min, uint32_t max)
{
    if (max < min || min > WASM_MAX_TABLE_ELEMS)
        return NULL;
    wasm_table *t = store_alloc(s, OBJ_TABLE, sizeof *t);
    if (!t)
        return NULL;
    t->elems = calloc(min ? min : 1, sizeof *t->elems);
    if (!t->elems)
        return NULL;
    t->reftype = (uint8_t)reftype;
    t->size = min;
    t->max = max;
    t->has_max = max != UINT32_MAX;
    return t;
}

wasm_global *wasm_global_new(wasm_store *s, enum wasm_valtype type, bool mut, wasm_value v)
{
    wasm_global *g = store_alloc(s, OBJ_PLAIN, sizeof *g);
    if (!g)
        return NULL;
    g->type = (uint8_t)type;
    g->mut = mut;
    g->value = v;
    return g;
}

wasm_value wasm_global_get(const wasm_global *g) { return g->value; }
wasm_functype wasm_func_type(const wasm_func *f) { return f->type; }

/* The size after growing from old by delta, or -1 past max or cap (the
 * rule memory.grow and table.grow share). */
static int64_t grown_size(uint32_t old, uint32_t delta, uint64_t max, uint32_t cap)
{
    uint64_t want = (uint64_t)old + delta;
    return want > max || want > cap ? -1 : (int64_t)want;
}

int32_t wasm_memory_grow_pages(wasm_memory *mem, uint32_t delta, uint32_t cap)
{
    uint32_t old = mem->pages;
    int64_t want = grown_size(old, delta, mem->max_pages, cap);
    if (want < 0)
        return -1;
    if (delta == 0)
        return (int32_t)old;
    uint8_t *p = realloc(mem->data, (size_t)want * WASM_PAGE);
    if (!p)
        return -1;
    memset(p + (size_t)old * WASM_PAGE, 0, (size_t)delta * WASM_PAGE);
    mem->data = p;
    mem->pages = (uint32_t)want;
    return (int32_t)old;
}

int32_t wasm_table_grow_by(wasm_table *t, uint32_t delta, wasm_value init, uint32_t cap)
{
    uint32_t old = t->size;
    int64_t want = grown_size(old, delta, t->max, cap);
    if (want < 0)
        return -1;
    if (delta == 0)
        return (int32_t)old;
    wasm_value *e = realloc(t->elems, (size_t)want * sizeof *e);
    if (!e)
        return -1;
    for (int64_t i = old; i < want; i++)
        e[i] = init;
    t->elems = e;
    t->size = (uint32_t)want;
    return (int32_t)old;
}

/* ---- instantiation -------------------------------------------------------- */

static int inst_fail(char *err, size_t errlen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int inst_fail(char *err, size_t errlen, int status, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

static bool limits_match(uint32_t size, bool has_max, uint32_t max, const struct limits *want)
{
    if (size < want->min)
        return false;
    if (want->has_max && (!has_max || max > want->max))
        return false;
    return true;
}

static wasm_value eval_const(wasm_instance *in, const struct constexpr *e)
{
    switch (e->op) {
    case 0x23: return in->globals[e->value]->value;
    case 0xd2: return (wasm_value)(uintptr_t)in->funcs[e->value];
    case 0xd0: return 0;
    default: return e->value;
    }
}

static int check_imports(wasm_instance *in, const wasm_extern *imports, char *err, size_t errlen)
{
    const wasm_module *m = in->mod;
    uint32_t nf = 0, nt = 0, ng = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const struct import *im = &m->imports[i];
        const wasm_extern *ex = &imports[i];
        if (ex->kind != im->kind || !ex->u.func)
            return inst_fail(err, errlen, ERR_CORRUPT, "incompatible import type for %s.%s",
                             im->module, im->name);
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            if (ex->u.func->type_id != in->type_ids[im->type])
                return inst_fail(err, errlen, ERR_CORRUPT,
                                 "incompatible import type: function %s.%s signature differs",
                                 im->module, im->name);
            in->funcs[nf++] = ex->u.func;
            break;
        case WASM_EXTERN_TABLE: {
            wasm_table *t = ex->u.table;
            if (t->reftype != im->table.reftype ||
                !limits_match(t->size, t->has_max, t->max, &im->table.lim))
                return inst_fail(err, errlen, ERR_CORRUPT, "incompatible import type: table %s.%s",
                                 im->module, im->name);
            in->tables[nt++] = t;
            break;
        }
        case WASM_EXTERN_MEMORY: {
            wasm_memory *mem = ex->u.memory;
            if (!limits_match(mem->pages, mem->has_max, mem->max_pages, &im->mem))
                return inst_fail(err, errlen, ERR_CORRUPT, "incompatible import type: memory %s.%s",
                                 im->module, im->name);
            in->memory = mem;
            break;
        }
        case WASM_EXTERN_GLOBAL: {
            wasm_global *g = ex->u.global;
            if (g->type != im->global.type || g->mut != im->global.mut)
                return inst_fail(err, errlen, ERR_CORRUPT, "incompatible import type: global %s.%s",
                                 im->module, im->name);
            in->globals[ng++] = g;
            break;
        }
        }
    }
    return 0;
}

int wasm_instantiate(wasm_store *s, const wasm_module *m, const wasm_extern *imports,
                     const wasm_limits *limits, wasm_instance **out, char *err, size_t errlen)
{
    *out = NULL;
    wasm_instance *in = store_alloc(s, OBJ_INSTANCE, sizeof *in);
    if (!in)
        return ERR_NO_MEMORY;
    in->store = s;
    in->mod = m;
    in->fuel = -1;
    in->max_pages = limits && limits->max_pages ? limits->max_pages : WASM_MAX_PAGES;
    in->stack_slots = limits && limits->stack_slots ? limits->stack_slots : WASM_DEFAULT_STACK_SLOTS;
    in->max_depth = limits && limits->max_depth ? limits->max_depth : WASM_DEFAULT_MAX_DEPTH;
    in->max_table_elems = limits && limits->max_table_elems && limits->max_table_elems < WASM_MAX_TABLE_ELEMS
                              ? limits->max_table_elems : WASM_MAX_TABLE_ELEMS;
    in->funcs = calloc(m->nfuncs + 1, sizeof *in->funcs);
    in->tables = calloc(m->ntables + 1, sizeof *in->tables);
    in->globals = calloc(m->nglobals + 1, sizeof *in->globals);
    in->type_ids = calloc(m->ntypes + 1, sizeof *in->type_ids);
    in->elem_refs = calloc(m->nelems + 1, sizeof *in->elem_refs);
    in->elem_len = calloc(m->nelems + 1, sizeof *in->elem_len);
    in->data_dropped = calloc(m->ndatas + 1, 1);
    /* small to start: instances that run little stay small */
    in->stack_cap = in->stack_slots < 1024 ? in->stack_slots : 1024;
    in->frames_cap = in->max_depth < 64 ? in->max_depth : 64;
    in->stack = malloc((size_t)in->stack_cap * sizeof *in->stack);
    in->frames = malloc((size_t)in->frames_cap * sizeof *in->frames);
    if (!in->funcs || !in->tables || !in->globals || !in->type_ids || !in->elem_refs ||
        !in->elem_len || !in->data_dropped || !in->stack || !in->frames)
        return ERR_NO_MEMORY;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        in->type_ids[i] = store_intern_type(s, &m->types[i]);
        if (in->type_ids[i] == UINT32_MAX)
            return ERR_NO_MEMORY;
    }
    int rc = check_imports(in, imports, err, errlen);
    if (rc)
        return rc;

    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
        wasm_func *f = store_alloc(s, OBJ_PLAIN, sizeof *f);
        if (!f)
            return ERR_NO_MEMORY;
        f->inst = in;
        f->index = i;
        f->type_id = in->type_ids[m->func_types[i]];
        f->type = s->types[f->type_id];
        f->code = &m->codes[i - m->nfunc_imports];
        in->funcs[i] = f;
    }
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const struct tabletype *tt = &m->tables[i];
        if (tt->lim.min > in->max_table_elems)
            return inst_fail(err, errlen, ERR_TOO_BIG, "table of %u elements exceeds the limit %u",
                             tt->lim.min, in->max_table_elems);
        in->tables[i] = wasm_table_new(s, tt->reftype, tt->lim.min,
                                       tt->lim.has_max ? tt->lim.max : UINT32_MAX);
        if (!in->tables[i])
            return inst_fail(err, errlen, ERR_NO_MEMORY, "table of %u elements", tt->lim.min);
    }
    if (m->nmems > m->nmem_imports) {
        const struct limits *l = &m->mems[0];
        if (l->min > in->max_pages)
            return inst_fail(err, errlen, ERR_TOO_BIG, "memory of %u pages exceeds the limit %u",
                             l->min, in->max_pages);
        in->memory = wasm_memory_new(s, l->min, l->has_max ? l->max : WASM_MAX_PAGES);
        if (!in->memory)
            return inst_fail(err, errlen, ERR_NO_MEMORY, "memory of %u pages", l->min);
        in->memory->has_max = l->has_max;
    }
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        const struct globaltype *gt = &m->globals[i];
        in->globals[i] = wasm_global_new(s, gt->type, gt->mut,
                                         eval_const(in, &m->global_init[i - m->nglobal_imports]));
        if (!in->globals[i])
            return ERR_NO_MEMORY;
    }
    for (uint32_t i = 0; i < m->nelems; i++) {
        const struct elemseg *seg = &m->elems[i];
        in->elem_refs[i] = malloc((seg->count ? seg->count : 1) * sizeof(wasm_value));
        if (!in->elem_refs[i])
            return ERR_NO_MEMORY;
        in->elem_len[i] = seg->count;
        for (uint32_t k = 0; k < seg->count; k++)
            in->elem_refs[i][k] = eval_const(in, &seg->items[k]);
    }
    *out = in;

    /* Element then data segments, in order; a failing one traps but leaves
     * the writes of those before it (wasm 2.0 semantics). */
    for (uint32_t i = 0; i < m->nelems; i++) {
        const struct elemseg *seg = &m->elems[i];
        if (seg->mode == SEG_ACTIVE) {
            wasm_table *t = in->tables[seg->table];
            uint64_t off = (uint32_t)eval_const(in, &seg->offset);
            if (off + seg->count > t->size)
                return inst_fail(err, errlen, ERR_TRAP, "out of bounds table access");
            memcpy(t->elems + off, in->elem_refs[i], seg->count * sizeof(wasm_value));
        }
        if (seg->mode != SEG_PASSIVE) {
            free(in->elem_refs[i]);
            in->elem_refs[i] = NULL;
            in->elem_len[i] = 0;
        }
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const struct dataseg *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE)
            continue;
        uint64_t off = (uint32_t)eval_const(in, &d->offset);
        uint64_t size = (uint64_t)in->memory->pages * WASM_PAGE;
        if (off + d->len > size)
            return inst_fail(err, errlen, ERR_TRAP, "out of bounds memory access");
        memcpy(in->memory->data + off, d->bytes, d->len);
        in->data_dropped[i] = 1;
    }
    if (m->has_start) {
        rc = wasm_call(in, in->funcs[m->start], NULL);
        if (rc < 0) {
            wasm_trap_format(in, err, errlen);
            return rc;
        }
        if (rc != WASM_DONE) {
            wasm_reset(in);
            return inst_fail(err, errlen, ERR_BAD_STATE, "start function did not finish");
        }
    }
    return 0;
}

bool wasm_instance_export(wasm_instance *inst, const char *name, wasm_extern *out)
{
    return wasm_instance_export_n(inst, name, strlen(name), out);
}

bool wasm_instance_export_n(wasm_instance *inst, const char *name, size_t len, wasm_extern *out)
{
    for (uint32_t i = 0; i < inst->mod->nexports; i++) {
        const struct export *e = &inst->mod->exports[i];
        if (e->name_len == len && !memcmp(e->name, name, len)) {
            *out = wasm_instance_export_at(inst, i);
            return true;
        }
    }
    return false;
}

wasm_extern wasm_instance_export_at(wasm_instance *inst, uint32_t i)
{
    const struct export *e = &inst->mod->exports[i];
    wasm_extern x;
    x.kind = (enum wasm_extern_kind)e->kind;
    switch (e->kind) {
    case WASM_EXTERN_FUNC: x.u.func = inst->funcs[e->index]; break;
    case WASM_EXTERN_TABLE: x.u.table = inst->tables[e->index]; break;
    case WASM_EXTERN_MEMORY: x.u.memory = inst->memory; break;
    default: x.u.global = inst->globals[e->index]; break;
    }
    return x;
}

wasm_func *wasm_instance_func_at(wasm_instance *inst, uint32_t i, const char **name)
{
    const struct export *e = &inst->mod->exports[i];
    *name = e->name;
    return e->kind == WASM_EXTERN_FUNC ? inst->funcs[e->index] : NULL;
}

/* ---- running -------------------------------------------------------------- */

int wasm_grow_stack(wasm_instance *in, uint64_t slots)
{
    if (slots <= in->stack_cap)
        return 0;
    if (slots > in->stack_slots)
        return ERR_EXHAUSTED;
    uint64_t cap = (uint64_t)in->stack_cap * 2;
    if (cap < slots)
        cap = slots;
    if (cap > in->stack_slots)
        cap = in->stack_slots;
    wasm_value *n = realloc(in->stack, (size_t)cap * sizeof *n);
    if (!n)
        return ERR_EXHAUSTED;
    in->stack = n;
    in->stack_cap = (uint32_t)cap;
    return 0;
}

int wasm_grow_frames(wasm_instance *in)
{
    if (in->frames_cap >= in->max_depth)
        return ERR_EXHAUSTED;
    uint64_t cap = (uint64_t)in->frames_cap * 2;
    if (cap > in->max_depth)
        cap = in->max_depth;
    struct frame *n = realloc(in->frames, (size_t)cap * sizeof *n);
    if (!n)
        return ERR_EXHAUSTED;
    in->frames = n;
    in->frames_cap = (uint32_t)cap;
    return 0;
}

int wasm_call_start(wasm_instance *inst, wasm_func *f, const wasm_value *args)
{
    if (!f)
        return ERR_INVALID_ARGS;
    if (inst->active)
        return ERR_BAD_STATE;
    uint32_t np = f->type.nparams;
    uint32_t need = f->host ? (np > f->type.nresults ? np : f->type.nresults)
                            : f->code->max_height;
    memset(&inst->trap, 0, sizeof inst->trap);
    if (need > inst->stack_cap && wasm_grow_stack(inst, need)) {
        inst->trap.status = ERR_EXHAUSTED;
        inst->trap.message = "call stack exhausted";
        return ERR_EXHAUSTED;
    }
    for (uint32_t i = 0; i < np; i++)
        inst->stack[i] = args[i];
    inst->cur = f;
    inst->pending = NULL;
    inst->active = true;
    inst->nresults = 0;
    if (!f->host) {
        for (uint32_t i = np; i < f->code->nlocals; i++)
            inst->stack[i] = 0;
        for (uint32_t i = 0; i < f->code->nconsts; i++)
            inst->stack[f->code->nlocals + i] = f->code->consts[i];
        inst->frames[0].fn = NULL;
        inst->frames[0].pc = NULL;
        inst->frames[0].fp = 0;
        inst->depth = 1;
        inst->fp = 0;
        inst->pc = 0;
    }
    return 0;
}

int wasm_run(wasm_instance *inst)
{
    if (!inst->active || inst->pending)
        return ERR_BAD_STATE;
    wasm_func *f = inst->cur;
    if (f->host) {
        /* a host function called directly from the embedder */
        int r = f->host(inst, f->user, inst->stack);
        if (r == WASM_HOST_OK) {
            inst->active = false;
            inst->nresults = f->type.nresults;
            return WASM_DONE;
        }
        if (r == WASM_HOST_SUSPEND) {
            inst->pending = f;
            inst->pending_args = 0;
            return WASM_SUSPENDED;
        }
        inst->active = false;
        if (r == WASM_HOST_EXIT)
            return WASM_EXITED;
        inst->trap.status = ERR_TRAP;
        inst->trap.message = inst->host_trap_msg ? inst->host_trap_msg : "host function failed";
        return ERR_TRAP;
    }
    return wasm_interp(inst);
}

int wasm_call(wasm_instance *inst, wasm_func *f, const wasm_value *args)
{
    int rc = wasm_call_start(inst, f, args);
    if (rc)
        return rc;
    return wasm_run(inst);
}

const wasm_value *wasm_results(const wasm_instance *inst)
{
    return inst->stack;
}

void wasm_reset(wasm_instance *inst)
{
    inst->active = false;
    inst->pending = NULL;
    inst->depth = 0;
    inst->cur = NULL;
}

void wasm_request_pause(wasm_instance *inst)
{
    __atomic_store_n(&inst->pause_requested, 1, __ATOMIC_RELEASE);
}

void wasm_set_fuel(wasm_instance *inst, int64_t fuel) { inst->fuel = fuel < 0 ? -1 : fuel; }
int64_t wasm_get_fuel(const wasm_instance *inst) { return inst->fuel; }

wasm_func *wasm_pending_host_call(wasm_instance *inst, wasm_value **args)
{
    if (!inst->pending)
        return NULL;
    if (args)
        *args = inst->stack + inst->pending_args;
    return inst->pending;
}

int wasm_host_complete(wasm_instance *inst, const wasm_value *results)
{
    wasm_func *f = inst->pending;
    if (!f)
        return ERR_BAD_STATE;
    uint32_t nr = f->type.nresults;
    for (uint32_t i = 0; i < nr; i++)
        inst->stack[inst->pending_args + i] = results[i];
    inst->pending = NULL;
    if (f == inst->cur && !f->code) {
        /* the embedder called a host function directly: the call is over */
        inst->active = false;
        inst->nresults = nr;
        return 0;
    }
    return 0;
}

const wasm_trap_info *wasm_trap(const wasm_instance *inst) { return &inst->trap; }

int wasm_trap_format(const wasm_instance *inst, char *buf, size_t len)
{
    const wasm_trap_info *t = &inst->trap;
    return snprintf(buf, len, "trap: %s in function %u at offset 0x%x",
                    t->message ? t->message : "unknown", t->func_index, t->offset);
}

void wasm_host_trap(wasm_instance *inst, const char *message) { inst->host_trap_msg = message; }

uint8_t *wasm_memory_ptr(wasm_instance *inst, uint64_t addr, uint64_t len)
{
    wasm_memory *m = inst->memory;
    if (!m || addr + len < addr || addr + len > (uint64_t)m->pages * WASM_PAGE)
        return NULL;
    return m->data + addr;
}

uint64_t wasm_memory_size(wasm_instance *inst)
{
    return inst->memory ? (uint64_t)inst->memory->pages * WASM_PAGE : 0;
}

void wasm_instance_set_user(wasm_instance *inst, void *user) { inst->user = user; }
void *wasm_instance_user(const wasm_instance *inst) { return inst->user; }
