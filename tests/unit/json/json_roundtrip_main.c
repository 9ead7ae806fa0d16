/*
 * Host filter for tests/proto/test_proto_json.py: reads one JSON text from stdin,
 * parses it with lib/json and writes it back with the lib/json writer.
 * Exit 0 and the text on stdout, or exit 2 and "error <code> at <offset>:
 * <message>" on stdout when the parser refuses the input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json/json.h"
#include "pus/err.h"

static int emit(struct json_writer *w, const struct json_doc *doc, const struct json_value *v)
{
    switch (v->type) {
    case JSON_NULL: return json_null(w);
    case JSON_TRUE: return json_bool(w, true);
    case JSON_FALSE: return json_bool(w, false);
    case JSON_NUMBER: return v->is_int ? json_int(w, v->integer) : json_double(w, v->number);
    case JSON_STRING: return json_string_n(w, v->str, v->len);
    case JSON_ARRAY:
        json_begin_array(w);
        for (const struct json_value *e = json_child(doc, v); e; e = json_next(doc, e))
            emit(w, doc, e);
        return json_end_array(w);
    default:
        json_begin_object(w);
        for (const struct json_value *m = json_child(doc, v); m; m = json_next(doc, m)) {
            json_key(w, m->key);
            emit(w, doc, m);
        }
        return json_end_object(w);
    }
}

int main(void)
{
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t n;
    while ((n = fread(text + len, 1, cap - len, stdin)) > 0) {
        len += n;
        if (len == cap)
            text = realloc(text, cap *= 2);
    }
    struct json_doc doc;
    struct json_limits lim = { .max_depth = 64, .max_nodes = 1 << 20 };
    if (json_parse(&doc, text, len, &lim) < 0) {
        printf("error %d at %zu: %s\n", doc.error, doc.error_offset, doc.error_msg);
        return 2;
    }
    struct json_writer w;
    json_writer_init_alloc(&w, 1024);
    emit(&w, &doc, json_root(&doc));
    long out = json_writer_finish(&w);
    if (out < 0) {
        printf("writer error %s\n", err_str((int)out));
        return 1;
    }
    fwrite(w.buf, 1, (size_t)out, stdout);
    json_writer_free(&w);
    json_doc_free(&doc);
    free(text);
    return 0;
}
