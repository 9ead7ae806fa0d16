/*
 * Fuzz target json_parse: any input either fails with an offset inside it,
 * or parses into a document that the writer turns back into text which
 * parses again into the same shape (types, counts, strings, integers).
 */
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "pus/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void emit(struct json_writer *w, const struct json_doc *doc, const struct json_value *v)
{
    switch (v->type) {
    case JSON_NULL: json_null(w); break;
    case JSON_TRUE: json_bool(w, true); break;
    case JSON_FALSE: json_bool(w, false); break;
    case JSON_NUMBER: v->is_int ? json_int(w, v->integer) : json_double(w, v->number); break;
    case JSON_STRING: json_string_n(w, v->str, v->len); break;
    case JSON_ARRAY:
        json_begin_array(w);
        for (const struct json_value *e = json_child(doc, v); e; e = json_next(doc, e))
            emit(w, doc, e);
        json_end_array(w);
        break;
    default:
        json_begin_object(w);
        for (const struct json_value *m = json_child(doc, v); m; m = json_next(doc, m)) {
            /* keys with NUL cannot pass through json_key(): skip the check */
            json_key(w, m->key);
            emit(w, doc, m);
        }
        json_end_object(w);
    }
}

static void same(const struct json_doc *a, const struct json_value *x,
                 const struct json_doc *b, const struct json_value *y)
{
    /* -2.5e3 is written as -2500 and reads back as an integer: only exact
     * integers must stay integers */
    if (x->type != y->type || x->count != y->count || (x->is_int && !y->is_int))
        __builtin_trap();
    if (x->type == JSON_NUMBER && !x->is_int && x->number != y->number &&
        !(x->number - y->number < 1e-12 * (x->number < 0 ? -x->number : x->number) &&
          y->number - x->number < 1e-12 * (x->number < 0 ? -x->number : x->number)))
        __builtin_trap();
    if (x->type == JSON_STRING && (x->len != y->len || memcmp(x->str, y->str, x->len)))
        __builtin_trap();
    if (x->is_int && x->integer != y->integer)
        __builtin_trap();
    const struct json_value *cx = json_child(a, x), *cy = json_child(b, y);
    for (; cx && cy; cx = json_next(a, cx), cy = json_next(b, cy))
        same(a, cx, b, cy);
    if (cx || cy)
        __builtin_trap();
}

static bool keys_plain(const struct json_doc *doc)
{
    for (uint32_t i = 0; i < doc->count; i++)
        if (doc->v[i].key && strlen(doc->v[i].key) != doc->v[i].key_len)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_limits lim = { .max_depth = 24, .max_nodes = 4096 };
    struct json_doc doc, again;

    int rc = json_parse(&doc, (const char *)data, size, &lim);
    if (rc < 0) {
        if (doc.error_offset > size || !doc.error_msg || doc.v)
            __builtin_trap();
        return 0;
    }
    if (!keys_plain(&doc)) {
        json_doc_free(&doc);
        return 0;
    }
    struct json_writer w;
    if (json_writer_init_alloc(&w, 64) == 0) {
        emit(&w, &doc, json_root(&doc));
        long n = json_writer_finish(&w);
        if (n < 0)
            __builtin_trap();
        lim.max_nodes = doc.count;
        if (json_parse(&again, w.buf, (size_t)n, &lim) < 0)
            __builtin_trap();
        same(&doc, json_root(&doc), &again, json_root(&again));
        json_doc_free(&again);
        json_writer_free(&w);
    }
    json_doc_free(&doc);
    return 0;
}
