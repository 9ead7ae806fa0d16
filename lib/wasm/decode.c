/*
 * Decoding of the module binary: header and sections, in order, with every
 * module-level validation rule (limits, indexes, constant expressions,
 * exports, start). Function bodies are validated and compiled by compile.c.
 */
#include <stdlib.h>

#include "wasm/internal.h"

#define MALFORMED(...) load_fail(lc, ERR_BAD_FORMAT, r, __VA_ARGS__)
#define INVALID(...)   load_fail(lc, ERR_CORRUPT, r, __VA_ARGS__)

static const char *section_name(uint8_t id)
{
    static const char *const names[] = {
        "custom section", "type section", "import section", "function section",
        "table section", "memory section", "global section", "export section",
        "start section", "element section", "code section", "data section",
        "data count section"};
    return id < 13 ? names[id] : "unknown section";
}

static bool utf8_valid(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t len, cp;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
        else return false;
        if (n - i < len)
            return false;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* A length-prefixed run of bytes (a name, a function body, data); what
 * names it in the message. */
static int read_byte_vec(struct loadctx *lc, struct reader *r, uint32_t *n,
                         const uint8_t **p, const char *what)
{
    if (!rd_u32(r, n))
        return MALFORMED("integer representation too long");
    if (!rd_bytes(r, *n, p))
        return MALFORMED("unexpected end of section or function: %s of %u bytes", what, *n);
    return 0;
}

static int read_name_len(struct loadctx *lc, struct reader *r, char **out, uint32_t *len)
{
    uint32_t n;
    const uint8_t *p;
    if (read_byte_vec(lc, r, &n, &p, "name"))
        return -1;
    if (!utf8_valid(p, n))
        return MALFORMED("malformed UTF-8 encoding");
    if (out) {
        *out = malloc((size_t)n + 1);
        if (!*out)
            return load_fail(lc, ERR_NO_MEMORY, r, "out of memory");
        memcpy(*out, p, n);
        (*out)[n] = 0;
    }
    if (len)
        *len = n;
    return 0;
}

static int read_name(struct loadctx *lc, struct reader *r, char **out)
{
    return read_name_len(lc, r, out, NULL);
}

static bool is_valtype(uint8_t t)
{
    return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 ||
           t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static int read_valtype(struct loadctx *lc, struct reader *r, uint8_t *t)
{
    if (!rd_u8(r, t))
        return MALFORMED("unexpected end");
    if (!is_valtype(*t))
        return MALFORMED("malformed value type 0x%02x", *t);
    return 0;
}

static int read_reftype(struct loadctx *lc, struct reader *r, uint8_t *t)
{
    if (!rd_u8(r, t))
        return MALFORMED("unexpected end");
    if (*t != WASM_FUNCREF && *t != WASM_EXTERNREF)
        return MALFORMED("malformed reference type 0x%02x", *t);
    return 0;
}

static int read_limits(struct loadctx *lc, struct reader *r, struct limits *l,
                       uint64_t cap, const char *what)
{
    uint8_t flag;
    if (!rd_u8(r, &flag))
        return MALFORMED("unexpected end");
    if (flag > 1)
        return MALFORMED("integer too large: limits flag 0x%02x", flag);
    if (!rd_u32(r, &l->min))
        return MALFORMED("integer representation too long");
    l->has_max = flag == 1;
    l->max = UINT32_MAX;
    if (l->has_max && !rd_u32(r, &l->max))
        return MALFORMED("integer representation too long");
    if (l->min > cap || (l->has_max && l->max > cap))
        return INVALID("%s size must be at most %llu pages", what, (unsigned long long)cap);
    if (l->has_max && l->max < l->min)
        return INVALID("size minimum must not be greater than maximum");
    return 0;
}

static int read_tabletype(struct loadctx *lc, struct reader *r, struct tabletype *t)
{
    if (read_reftype(lc, r, &t->reftype))
        return -1;
    return read_limits(lc, r, &t->lim, UINT32_MAX, "table");
}

static int read_globaltype(struct loadctx *lc, struct reader *r, struct globaltype *g)
{
    uint8_t mut;
    if (read_valtype(lc, r, &g->type))
        return -1;
    if (!rd_u8(r, &mut))
        return MALFORMED("unexpected end");
    if (mut > 1)
        return MALFORMED("malformed mutability 0x%02x", mut);
    g->mut = mut;
    return 0;
}

/* An index into a space of count entries; what names the space. */
static int read_index(struct loadctx *lc, struct reader *r, uint32_t *i, uint32_t count,
                      const char *what)
{
    if (!rd_u32(r, i))
        return MALFORMED("integer representation too long");
    if (*i >= count)
        return INVALID("unknown %s %u", what, *i);
    return 0;
}

/* A function index that a reference names (ref.func, element items): the
 * function counts as declared, so ref.func may name it in code. */
static int read_ref_func(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t *fi)
{
    if (read_index(lc, r, fi, m->nfuncs, "function"))
        return -1;
    m->declared_funcs[*fi / 8] |= (uint8_t)(1u << (*fi % 8));
    return 0;
}

/* A constant expression of type want; global.get may only name imported
 * globals (nglobals_visible), ref.func marks the function declared. */
static int read_constexpr(struct loadctx *lc, struct reader *r, wasm_module *m,
                          struct constexpr *e, uint8_t want, uint32_t nglobals_visible)
{
    uint8_t op, end;
    uint8_t type;
    if (!rd_u8(r, &op))
        return MALFORMED("unexpected end");
    e->op = op;
    switch (op) {
    case 0x41: { int32_t v; if (!rd_s32(r, &v)) return MALFORMED("integer representation too long");
        e->value = (uint32_t)v; type = WASM_I32; break; }
    case 0x42: { int64_t v; if (!rd_s64(r, &v)) return MALFORMED("integer representation too long");
        e->value = (uint64_t)v; type = WASM_I64; break; }
    case 0x43: case 0x44: {
        const uint8_t *p;
        uint32_t n = op == 0x43 ? 4 : 8;
        if (!rd_bytes(r, n, &p))
            return MALFORMED("unexpected end");
        e->value = 0;
        for (uint32_t i = 0; i < n; i++)
            e->value |= (uint64_t)p[i] << (8 * i);
        type = op == 0x43 ? WASM_F32 : WASM_F64;
        break;
    }
    case 0x23: {
        uint32_t g;
        if (read_index(lc, r, &g, nglobals_visible, "global"))
            return -1;
        if (m->globals[g].mut)
            return INVALID("constant expression required: global %u is mutable", g);
        e->value = g;
        type = m->globals[g].type;
        break;
    }
    case 0xd0:
        if (read_reftype(lc, r, &type))
            return -1;
        e->value = 0;
        break;
    case 0xd2: {
        uint32_t fi;
        if (read_ref_func(lc, r, m, &fi))
            return -1;
        e->value = fi;
        type = WASM_FUNCREF;
        break;
    }
    case 0x0b:
        return INVALID("type mismatch: empty constant expression");
    default:
        if (op == 0x45 || (op >= 0x46 && op <= 0xc4) || op == 0x20 || op == 0x24 ||
            op == 0x00 || op == 0x01 || op == 0x1a)
            return INVALID("constant expression required");
        return MALFORMED("illegal opcode 0x%02x in constant expression", op);
    }
    if (!rd_u8(r, &end))
        return MALFORMED("unexpected end of constant expression");
    if (end != 0x0b) {
        if (end == 0x41 || end == 0x42 || end == 0x43 || end == 0x44 ||
            end == 0x23 || end == 0xd0 || end == 0xd2)
            return INVALID("type mismatch: constant expression leaves extra values");
        return INVALID("constant expression required");
    }
    if (type != want)
        return INVALID("type mismatch: constant expression is %s, expected %s",
                       wasm_type_name(type), wasm_type_name(want));
    return 0;
}

/* ---- vectors: a count, then that many entries ---- */

/* A vector's count. Each entry takes at least one byte, so a count the
 * remaining bytes cannot hold is malformed (and cannot make us allocate
 * gigabytes). */
static int read_count(struct loadctx *lc, struct reader *r, uint32_t *n)
{
    if (!rd_u32(r, n))
        return MALFORMED("integer representation too long");
    if (*n > (uint32_t)(r->end - r->p))
        return MALFORMED("length out of bounds: %u elements", *n);
    return 0;
}

/* Reads a count and allocates that many zeroed elements of size bytes;
 * *count is set only with the array, so a failure leaves nothing for
 * wasm_module_free to walk. NULL on error (lc has it). */
static void *new_vec(struct loadctx *lc, struct reader *r, uint32_t *count, size_t size)
{
    uint32_t n;
    if (read_count(lc, r, &n))
        return NULL;
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        load_fail(lc, ERR_NO_MEMORY, r, "out of memory");
        return NULL;
    }
    *count = n;
    return p;
}

/* Reads entry i of a section's vector into the module. */
typedef int entry_reader(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i);

static int read_entries(struct loadctx *lc, struct reader *r, wasm_module *m,
                        uint32_t n, entry_reader *read_entry)
{
    for (uint32_t i = 0; i < n; i++)
        if (read_entry(lc, r, m, i))
            return -1;
    return 0;
}

/* ---- section entries ---- */

static int read_typeidx(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t *t)
{
    return read_index(lc, r, t, m->ntypes, "type");
}

static int type_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    uint8_t form;
    uint32_t np, nr;
    if (!rd_u8(r, &form))
        return MALFORMED("unexpected end");
    if (form != 0x60)
        return MALFORMED("integer representation: function type must start with 0x60");
    if (!rd_u32(r, &np) || np > (uint32_t)(r->end - r->p))
        return MALFORMED("unexpected end: parameter count");
    uint8_t *t = malloc((size_t)np + (r->end - r->p) + 1);
    if (!t)
        return load_fail(lc, ERR_NO_MEMORY, r, "out of memory");
    m->types[i].types = t;
    for (uint32_t k = 0; k < np; k++)
        if (read_valtype(lc, r, &t[k]))
            return -1;
    if (!rd_u32(r, &nr) || nr > (uint32_t)(r->end - r->p))
        return MALFORMED("unexpected end: result count");
    for (uint32_t k = 0; k < nr; k++)
        if (read_valtype(lc, r, &t[np + k]))
            return -1;
    m->types[i].nparams = np;
    m->types[i].nresults = nr;
    return 0;
}

/* Counts the kinds too, so the index spaces can be sized. */
static int import_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    struct import *im = &m->imports[i];
    if (read_name(lc, r, &im->module) || read_name(lc, r, &im->name))
        return -1;
    if (!rd_u8(r, &im->kind))
        return MALFORMED("unexpected end");
    int err;
    switch (im->kind) {
    case WASM_EXTERN_FUNC: err = read_typeidx(lc, r, m, &im->type); break;
    case WASM_EXTERN_TABLE: err = read_tabletype(lc, r, &im->table); break;
    case WASM_EXTERN_MEMORY: err = read_limits(lc, r, &im->mem, WASM_MAX_PAGES, "memory"); break;
    case WASM_EXTERN_GLOBAL: err = read_globaltype(lc, r, &im->global); break;
    default: return MALFORMED("malformed import kind %u", im->kind);
    }
    if (err)
        return -1;
    uint32_t *imported[] = {
        [WASM_EXTERN_FUNC] = &m->nfunc_imports, [WASM_EXTERN_TABLE] = &m->ntable_imports,
        [WASM_EXTERN_MEMORY] = &m->nmem_imports, [WASM_EXTERN_GLOBAL] = &m->nglobal_imports,
    };
    (*imported[im->kind])++;
    return 0;
}

/* Declared functions (after the imports): their type indexes. */
static int function_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    return read_typeidx(lc, r, m, &m->func_types[m->nfunc_imports + i]);
}

static int table_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    return read_tabletype(lc, r, &m->tables[m->ntable_imports + i]);
}

/* m->mems has room for one memory (and one more, to detect it). */
static int memory_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    if (m->nmem_imports + i >= 1)
        return INVALID("multiple memories");
    return read_limits(lc, r, &m->mems[m->nmem_imports + i], WASM_MAX_PAGES, "memory");
}

static int global_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    struct globaltype *gt = &m->globals[m->nglobal_imports + i];
    if (read_globaltype(lc, r, gt) ||
        read_constexpr(lc, r, m, &m->global_init[i], gt->type, m->nglobal_imports))
        return -1;
    return 0;
}

static int export_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    struct export *e = &m->exports[i];
    if (read_name_len(lc, r, &e->name, &e->name_len))
        return -1;
    if (!rd_u8(r, &e->kind) || !rd_u32(r, &e->index))
        return MALFORMED("unexpected end");
    uint32_t limit;
    switch (e->kind) {
    case WASM_EXTERN_FUNC: limit = m->nfuncs; break;
    case WASM_EXTERN_TABLE: limit = m->ntables; break;
    case WASM_EXTERN_MEMORY: limit = m->nmems; break;
    case WASM_EXTERN_GLOBAL: limit = m->nglobals; break;
    default: return MALFORMED("malformed export kind %u", e->kind);
    }
    if (e->index >= limit)
        return INVALID("unknown %s %u in export",
                       e->kind == 0 ? "function" : e->kind == 1 ? "table" :
                       e->kind == 2 ? "memory" : "global", e->index);
    if (e->kind == WASM_EXTERN_FUNC)
        m->declared_funcs[e->index / 8] |= (uint8_t)(1u << (e->index % 8));
    for (uint32_t k = 0; k < i; k++)
        if (m->exports[k].name_len == e->name_len &&
            !memcmp(m->exports[k].name, e->name, e->name_len))
            return INVALID("duplicate export name \"%s\"", e->name);
    return 0;
}

/* An element segment's item in the function index form: ref.func fi. */
static int read_func_item(struct loadctx *lc, struct reader *r, wasm_module *m,
                          struct constexpr *item)
{
    uint32_t fi;
    if (read_ref_func(lc, r, m, &fi))
        return -1;
    item->op = 0xd2;
    item->value = fi;
    return 0;
}

static int element_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    struct elemseg *s = &m->elems[i];
    uint32_t flags;
    if (!rd_u32(r, &flags))
        return MALFORMED("integer representation too long");
    if (flags > 7)
        return MALFORMED("malformed elements segment kind %u", flags);
    bool passive_or_decl = flags & 1, explicit_table = flags & 2, exprs = flags & 4;
    s->mode = !passive_or_decl ? SEG_ACTIVE : explicit_table ? SEG_DECLARATIVE : SEG_PASSIVE;
    s->table = 0;
    if (s->mode == SEG_ACTIVE) {
        if (explicit_table && !rd_u32(r, &s->table))
            return MALFORMED("integer representation too long");
        if (s->table >= m->ntables)
            return INVALID("unknown table %u", s->table);
        if (read_constexpr(lc, r, m, &s->offset, WASM_I32, m->nglobal_imports))
            return -1;
    }
    s->reftype = WASM_FUNCREF;
    if (passive_or_decl || explicit_table) {
        if (exprs) {
            if (read_reftype(lc, r, &s->reftype))
                return -1;
        } else {
            uint8_t kind;
            if (!rd_u8(r, &kind))
                return MALFORMED("unexpected end");
            if (kind != 0)
                return MALFORMED("malformed element kind %u", kind);
        }
    }
    if (!(s->items = new_vec(lc, r, &s->count, sizeof *s->items)))
        return -1;
    for (uint32_t k = 0; k < s->count; k++) {
        int err = exprs ? read_constexpr(lc, r, m, &s->items[k], s->reftype, m->nglobal_imports)
                        : read_func_item(lc, r, m, &s->items[k]);
        if (err)
            return -1;
    }
    if (s->mode == SEG_ACTIVE && m->tables[s->table].reftype != s->reftype)
        return INVALID("type mismatch: element segment and table types differ");
    return 0;
}

/* Function bodies are only located here; compile.c reads them. */
static int code_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    uint32_t size;
    const uint8_t *p;
    if (read_byte_vec(lc, r, &size, &p, "function body"))
        return -1;
    m->codes[i].body_off = (uint32_t)(p - m->bytes);
    m->codes[i].body_len = size;
    return 0;
}

static int data_entry(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t i)
{
    struct dataseg *d = &m->datas[i];
    uint32_t flags, mem = 0;
    if (!rd_u32(r, &flags))
        return MALFORMED("integer representation too long");
    if (flags > 2)
        return MALFORMED("malformed data segment kind %u", flags);
    d->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
    if (flags == 2 && !rd_u32(r, &mem))
        return MALFORMED("integer representation too long");
    if (d->mode == SEG_ACTIVE) {
        if (mem >= m->nmems)
            return INVALID("unknown memory %u", mem);
        if (read_constexpr(lc, r, m, &d->offset, WASM_I32, m->nglobal_imports))
            return -1;
    }
    return read_byte_vec(lc, r, &d->len, &d->bytes, "data");
}

/* ---- sections: each sizes its destination, then reads its entries ---- */

static int sec_type(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    if (!(m->types = new_vec(lc, r, &m->ntypes, sizeof *m->types)))
        return -1;
    return read_entries(lc, r, m, m->ntypes, type_entry);
}

static int sec_import(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    if (!(m->imports = new_vec(lc, r, &m->nimports, sizeof *m->imports)))
        return -1;
    return read_entries(lc, r, m, m->nimports, import_entry);
}

static int sec_function(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t *n)
{
    if (read_count(lc, r, n))
        return -1;
    m->nfuncs = m->nfunc_imports + *n;
    uint32_t *ft = realloc(m->func_types, ((size_t)m->nfuncs + 1) * sizeof *ft);
    if (!ft)
        return load_fail(lc, ERR_NO_MEMORY, r, "out of memory");
    m->func_types = ft;
    return read_entries(lc, r, m, *n, function_entry);
}

/* A section defining items after the imported ones; *total becomes
 * imported + count. */
static int read_defined(struct loadctx *lc, struct reader *r, wasm_module *m,
                        uint32_t imported, uint32_t *total, entry_reader *read_entry)
{
    uint32_t n;
    if (read_count(lc, r, &n))
        return -1;
    *total = imported + n;
    return read_entries(lc, r, m, n, read_entry);
}

/* decode() has sized m->tables for this section's count. */
static int sec_table(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    return read_defined(lc, r, m, m->ntable_imports, &m->ntables, table_entry);
}

static int sec_memory(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    return read_defined(lc, r, m, m->nmem_imports, &m->nmems, memory_entry);
}

static int sec_global(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    uint32_t n;
    if (read_count(lc, r, &n))
        return -1;
    m->nglobals = m->nglobal_imports + n;
    struct globaltype *g = realloc(m->globals, (m->nglobals ? m->nglobals : 1) * sizeof *g);
    if (!g)
        return load_fail(lc, ERR_NO_MEMORY, r, "out of memory");
    m->globals = g;
    if (!(m->global_init = calloc(n ? n : 1, sizeof *m->global_init)))
        return load_fail(lc, ERR_NO_MEMORY, r, "out of memory");
    return read_entries(lc, r, m, n, global_entry);
}

static int sec_export(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    if (!(m->exports = new_vec(lc, r, &m->nexports, sizeof *m->exports)))
        return -1;
    return read_entries(lc, r, m, m->nexports, export_entry);
}

static int sec_start(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    if (read_index(lc, r, &m->start, m->nfuncs, "function"))
        return -1;
    wasm_functype *t = &m->types[m->func_types[m->start]];
    if (t->nparams || t->nresults)
        return INVALID("start function must have type [] -> []");
    m->has_start = true;
    return 0;
}

static int sec_element(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    if (!(m->elems = new_vec(lc, r, &m->nelems, sizeof *m->elems)))
        return -1;
    return read_entries(lc, r, m, m->nelems, element_entry);
}

/* decode() has allocated m->codes for the function section's count. */
static int sec_code(struct loadctx *lc, struct reader *r, wasm_module *m, uint32_t nfunc_decls)
{
    uint32_t n;
    if (!rd_u32(r, &n))
        return MALFORMED("integer representation too long");
    if (n != nfunc_decls)
        return MALFORMED("function and code section have inconsistent lengths");
    return read_entries(lc, r, m, n, code_entry);
}

static int sec_data(struct loadctx *lc, struct reader *r, wasm_module *m)
{
    if (!(m->datas = new_vec(lc, r, &m->ndatas, sizeof *m->datas)))
        return -1;
    if (m->has_datacount && m->ndatas != m->datacount)
        return MALFORMED("data count and data section have inconsistent lengths");
    return read_entries(lc, r, m, m->ndatas, data_entry);
}

/* Sections must come in this order (custom sections anywhere). */
static int section_rank(uint8_t id)
{
    static const int rank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return rank[id];
}

/* Tables, memories and globals arrays sized once the imports are known:
 * the index spaces are imports first, then definitions. */
static int size_spaces(struct loadctx *lc, struct reader *r, wasm_module *m,
                       uint32_t ntables, uint32_t nmems, uint32_t nglobals)
{
    (void)nmems;
    m->tables = calloc((size_t)m->ntable_imports + ntables + 1, sizeof *m->tables);
    m->mems = calloc((size_t)m->nmem_imports + 2, sizeof *m->mems);
    m->globals = calloc((size_t)m->nglobal_imports + nglobals + 1, sizeof *m->globals);
    m->func_types = calloc((size_t)m->nfunc_imports + 1, sizeof *m->func_types);
    if (!m->tables || !m->mems || !m->globals || !m->func_types)
        return load_fail(lc, ERR_NO_MEMORY, r, "out of memory");
    uint32_t t = 0, me = 0, g = 0, f = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        struct import *im = &m->imports[i];
        if (im->kind == WASM_EXTERN_TABLE) m->tables[t++] = im->table;
        if (im->kind == WASM_EXTERN_MEMORY && me < 2) m->mems[me++] = im->mem;
        if (im->kind == WASM_EXTERN_GLOBAL) m->globals[g++] = im->global;
        if (im->kind == WASM_EXTERN_FUNC) m->func_types[f++] = im->type;
    }
    m->nfuncs = m->nfunc_imports;
    if (m->nmem_imports > 1)
        return INVALID("multiple memories");
    m->ntables = m->ntable_imports;
    m->nmems = m->nmem_imports;
    m->nglobals = m->nglobal_imports;
    return 0;
}

/* Peeks at a section's element count without consuming it. */
static uint32_t peek_count(const struct reader *r)
{
    struct reader c = *r;
    uint32_t n = 0;
    if (!rd_u32(&c, &n) || n > (uint32_t)(c.end - c.p))
        return 0;
    return n;
}

static int decode(struct loadctx *lc, wasm_module *m)
{
    struct reader rr = {m->bytes, m->bytes, m->bytes + m->len}, *r = &rr;
    const uint8_t *p;
    if (!rd_bytes(r, 4, &p) || memcmp(p, "\0asm", 4))
        return MALFORMED("magic header not detected");
    if (!rd_bytes(r, 4, &p))
        return MALFORMED("unexpected end: version");
    if (memcmp(p, "\1\0\0\0", 4))
        return MALFORMED("unknown binary version");

    int last = -1;
    uint32_t nfunc_decls = 0;
    bool have_funcs = false, have_code = false, spaces = false;
    while (r->p < r->end) {
        uint8_t id;
        uint32_t size;
        lc->section = "module";
        rd_u8(r, &id);
        if (!rd_u32(r, &size))
            return MALFORMED("integer representation too long: section size");
        if (size > (uint32_t)(r->end - r->p))
            return MALFORMED("length out of bounds: section size %u", size);
        if (id > SEC_DATACOUNT)
            return MALFORMED("malformed section id %u", id);
        lc->section = section_name(id);
        struct reader s = {m->bytes, r->p, r->p + size};
        r->p += size;
        if (id == SEC_CUSTOM) {
            if (read_name(lc, &s, NULL))
                return -1;
            continue;
        }
        if (section_rank(id) <= last)
            return MALFORMED("unexpected content after last section (section out of order)");
        last = section_rank(id);
        if (!spaces && id > SEC_IMPORT) {
            /* first section after imports: size the index spaces */
            uint32_t nt = 0, nm = 0, ng = 0;
            if (id == SEC_TABLE) nt = peek_count(&s);
            if (size_spaces(lc, r, m, nt + 1, nm, ng + 1))
                return -1;
            spaces = true;
        }
        int err = 0;
        switch (id) {
        case SEC_TYPE: err = sec_type(lc, &s, m); break;
        case SEC_IMPORT: err = sec_import(lc, &s, m); break;
        case SEC_FUNCTION:
            err = sec_function(lc, &s, m, &nfunc_decls);
            have_funcs = true;
            break;
        case SEC_TABLE: {
            uint32_t n = peek_count(&s);
            struct tabletype *t = realloc(m->tables, ((size_t)m->ntable_imports + n + 1) * sizeof *t);
            if (!t)
                return load_fail(lc, ERR_NO_MEMORY, &s, "out of memory");
            m->tables = t;
            err = sec_table(lc, &s, m);
            break;
        }
        case SEC_MEMORY: err = sec_memory(lc, &s, m); break;
        case SEC_GLOBAL: err = sec_global(lc, &s, m); break;
        case SEC_EXPORT: err = sec_export(lc, &s, m); break;
        case SEC_START: err = sec_start(lc, &s, m); break;
        case SEC_ELEMENT: err = sec_element(lc, &s, m); break;
        case SEC_DATACOUNT:
            if (!rd_u32(&s, &m->datacount))
                err = load_fail(lc, ERR_BAD_FORMAT, &s, "integer representation too long");
            m->has_datacount = true;
            break;
        case SEC_CODE:
            if (!m->codes && !(m->codes = calloc(nfunc_decls + 1, sizeof *m->codes)))
                return load_fail(lc, ERR_NO_MEMORY, &s, "out of memory");
            err = sec_code(lc, &s, m, nfunc_decls);
            have_code = true;
            break;
        case SEC_DATA: err = sec_data(lc, &s, m); break;
        }
        if (err)
            return lc->status;
        if (s.p != s.end)
            return load_fail(lc, ERR_BAD_FORMAT, &s, "section size mismatch");
        /* the function index space is known once the function section
         * is read; element/export/start need it */
        if (id == SEC_IMPORT || id == SEC_TYPE)
            continue;
        if (!have_funcs && id > SEC_FUNCTION)
            have_funcs = true;
    }
    lc->section = "module";
    if (nfunc_decls && !have_code)
        return MALFORMED("function and code section have inconsistent lengths");
    if (!m->datas && m->has_datacount && m->datacount != 0)
        return MALFORMED("data count and data section have inconsistent lengths");
    return 0;
}

void wasm_module_free(wasm_module *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->ntypes; i++)
        free((void *)m->types[i].types);
    free(m->types);
    for (uint32_t i = 0; i < m->nimports; i++) {
        free(m->imports[i].module);
        free(m->imports[i].name);
    }
    free(m->imports);
    free(m->func_types);
    if (m->codes) {
        for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) {
            free(m->codes[i].cells);
            free(m->codes[i].map);
            free(m->codes[i].local_types);
            free(m->codes[i].consts);
        }
        free(m->codes);
    }
    free(m->tables);
    free(m->mems);
    free(m->globals);
    free(m->global_init);
    for (uint32_t i = 0; i < m->nexports; i++)
        free(m->exports[i].name);
    free(m->exports);
    for (uint32_t i = 0; i < m->nelems; i++)
        free(m->elems[i].items);
    free(m->elems);
    free(m->datas);
    free(m->declared_funcs);
    free(m->bytes);
    free(m);
}

int wasm_module_load(const uint8_t *bytes, size_t len, wasm_module **out,
                     char *err, size_t errlen)
{
    struct loadctx lc = {err, errlen, NULL, 0};
    *out = NULL;
    if (err && errlen)
        err[0] = 0;
    if (len > UINT32_MAX)
        return load_fail(&lc, ERR_TOO_BIG, NULL, "module too big");
    wasm_module *m = calloc(1, sizeof *m);
    if (!m)
        return ERR_NO_MEMORY;
    m->bytes = malloc(len ? len : 1);
    /* ref.func declarations: one bit per function; a module cannot have
     * more functions than bytes */
    m->declared_funcs = calloc(len / 8 + 2, 1);
    if (!m->bytes || !m->declared_funcs) {
        wasm_module_free(m);
        return ERR_NO_MEMORY;
    }
    memcpy(m->bytes, bytes, len);
    m->len = len;
    int rc = decode(&lc, m);
    if (!rc) {
        if (!m->tables) {
            struct reader r0 = {m->bytes, m->bytes + len, m->bytes + len};
            rc = size_spaces(&lc, &r0, m, 1, 0, 1);
        }
    }
    if (!rc) {
        if (m->nfuncs > m->nfunc_imports && !m->codes)
            rc = load_fail(&lc, ERR_BAD_FORMAT, NULL, "function and code section have inconsistent lengths");
    }
    if (!rc)
        rc = wasm_compile_module(m, &lc);
    if (rc) {
        if (!lc.status)
            load_fail(&lc, rc, NULL, "load failed");
        wasm_module_free(m);
        return lc.status;
    }
    *out = m;
    return 0;
}

uint32_t wasm_module_import_count(const wasm_module *m) { return m->nimports; }

void wasm_module_import(const wasm_module *m, uint32_t i, const char **module,
                        const char **name, enum wasm_extern_kind *kind)
{
    *module = m->imports[i].module;
    *name = m->imports[i].name;
    *kind = (enum wasm_extern_kind)m->imports[i].kind;
}

wasm_functype wasm_module_import_functype(const wasm_module *m, uint32_t i)
{
    return m->types[m->imports[i].type];
}

uint32_t wasm_module_export_count(const wasm_module *m) { return m->nexports; }

void wasm_module_export(const wasm_module *m, uint32_t i, const char **name,
                        enum wasm_extern_kind *kind)
{
    *name = m->exports[i].name;
    *kind = (enum wasm_extern_kind)m->exports[i].kind;
}
