/* lib/json tests: writer output and misuse, parser acceptance and rejection
 * (with offsets), limits, number conversion, DOM lookups, round trips. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json/json.h"
#include "pus/err.h"

/* ---- writer ---- */

static void writer_basic(void **state)
{
    char buf[256];
    struct json_writer w;
    json_writer_init(&w, buf, sizeof(buf));
    json_begin_object(&w);
    json_kv_string(&w, "name", "a\"b\\c\n\x01/é");
    json_kv_int(&w, "neg", INT64_MIN);
    json_key(&w, "u");
    json_uint(&w, UINT64_MAX);
    json_kv_double(&w, "pi", 3.25);
    json_kv_double(&w, "tenth", 0.1);
    json_kv_bool(&w, "ok", true);
    json_key(&w, "list");
    json_begin_array(&w);
    json_null(&w);
    json_begin_object(&w);
    json_end_object(&w);
    json_begin_array(&w);
    json_end_array(&w);
    json_bool(&w, false);
    json_end_array(&w);
    json_end_object(&w);
    assert_int_equal(json_writer_finish(&w), strlen(buf));
    assert_string_equal(buf,
        "{\"name\":\"a\\\"b\\\\c\\n\\u0001/é\",\"neg\":-9223372036854775808,"
        "\"u\":18446744073709551615,\"pi\":3.25,\"tenth\":0.1,\"ok\":true,"
        "\"list\":[null,{},[],false]}");
}

static void writer_invalid_utf8_replaced(void **state)
{
    char buf[64];
    struct json_writer w;
    json_writer_init(&w, buf, sizeof(buf));
    json_string(&w, "a\xff" "b\xc0\xaf" "c\xed\xa0\x80");
    assert_true(json_writer_finish(&w) > 0);
    assert_string_equal(buf, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c"
                             "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    /* and what was written parses */
    struct json_doc doc;
    assert_int_equal(json_parse(&doc, buf, strlen(buf), NULL), 0);
    json_doc_free(&doc);
}

static void writer_misuse(void **state)
{
    char buf[64];
    struct json_writer w;

    json_writer_init(&w, buf, sizeof(buf));
    json_begin_object(&w);
    assert_int_equal(json_int(&w, 1), ERR_BAD_STATE);          /* value without key */
    assert_int_equal(json_writer_finish(&w), ERR_BAD_STATE);

    json_writer_init(&w, buf, sizeof(buf));
    json_begin_array(&w);
    assert_int_equal(json_key(&w, "k"), ERR_BAD_STATE);        /* key in array */

    json_writer_init(&w, buf, sizeof(buf));
    json_begin_array(&w);
    assert_int_equal(json_end_object(&w), ERR_BAD_STATE);      /* wrong closer */

    json_writer_init(&w, buf, sizeof(buf));
    json_begin_object(&w);
    json_key(&w, "k");
    assert_int_equal(json_end_object(&w), ERR_BAD_STATE);      /* key without value */

    json_writer_init(&w, buf, sizeof(buf));
    json_int(&w, 1);
    assert_int_equal(json_int(&w, 2), ERR_BAD_STATE);          /* two top-level values */

    json_writer_init(&w, buf, sizeof(buf));
    json_begin_array(&w);
    assert_int_equal(json_writer_finish(&w), ERR_BAD_STATE);   /* unclosed */

    json_writer_init(&w, buf, sizeof(buf));
    assert_int_equal(json_writer_finish(&w), ERR_BAD_STATE);   /* nothing */

    json_writer_init(&w, buf, sizeof(buf));
    assert_int_equal(json_double(&w, NAN), ERR_RANGE);
    json_writer_init(&w, buf, sizeof(buf));
    assert_int_equal(json_double(&w, -INFINITY), ERR_RANGE);

    json_writer_init(&w, buf, sizeof(buf));
    for (int i = 0; i < JSON_WRITER_DEPTH; i++)
        assert_int_equal(json_begin_array(&w), 0);
    assert_int_equal(json_begin_array(&w), ERR_EXHAUSTED);
}

static void writer_overflow(void **state)
{
    char buf[16];
    struct json_writer w;
    json_writer_init(&w, buf, sizeof(buf));
    json_begin_array(&w);
    json_string(&w, "0123456789");
    assert_string_equal(buf, "[\"0123456789\"");
    assert_int_equal(json_string(&w, "x"), ERR_NO_SPACE);      /* sticky from here */
    assert_int_equal(json_end_array(&w), ERR_NO_SPACE);
    assert_int_equal(json_writer_finish(&w), ERR_NO_SPACE);
    assert_true(strlen(buf) < sizeof(buf));                     /* still a C string */

    /* every capacity from 1 up either fits exactly or fails cleanly */
    const char *expect = "{\"k\":[1,\"two\",3.5]}";
    for (size_t cap = 1; cap <= strlen(expect) + 1; cap++) {
        char *b = malloc(cap);
        json_writer_init(&w, b, cap);
        json_begin_object(&w);
        json_key(&w, "k");
        json_begin_array(&w);
        json_int(&w, 1);
        json_string(&w, "two");
        json_double(&w, 3.5);
        json_end_array(&w);
        json_end_object(&w);
        long n = json_writer_finish(&w);
        if (cap == strlen(expect) + 1) {
            assert_int_equal(n, strlen(expect));
            assert_string_equal(b, expect);
        } else {
            assert_int_equal(n, ERR_NO_SPACE);
        }
        free(b);
    }
}

static void writer_growing(void **state)
{
    struct json_writer w;
    assert_int_equal(json_writer_init_alloc(&w, 0), 0);
    json_begin_array(&w);
    for (int i = 0; i < 10000; i++)
        json_int(&w, i);
    json_end_array(&w);
    long n = json_writer_finish(&w);
    assert_true(n > 40000);
    struct json_doc doc;
    assert_int_equal(json_parse(&doc, w.buf, (size_t)n, NULL), 0);
    assert_int_equal(json_root(&doc)->count, 10000);
    assert_int_equal(json_at(&doc, json_root(&doc), 9999)->integer, 9999);
    json_doc_free(&doc);
    json_writer_free(&w);
}

static void doubles_round_trip(void **state)
{
    const double values[] = { 0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300,
                              4.9e-324, 1.7976931348623157e308, 123456789012345678.0,
                              6.02214076e23, 0.30000000000000004, 100.0, 1e21, 5e-7 };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char buf[64];
        struct json_writer w;
        json_writer_init(&w, buf, sizeof(buf));
        assert_int_equal(json_double(&w, values[i]), 0);
        struct json_doc doc;
        assert_int_equal(json_parse(&doc, buf, strlen(buf), NULL), 0);
        /* our reader may be an ulp off on the slow path; the text must be
         * the one a correct reader maps back exactly (glibc strtod). */
        assert_true(strtod(buf, NULL) == values[i]);
        assert_true(fabs(json_root(&doc)->number - values[i]) <= fabs(values[i]) * 1e-15);
        json_doc_free(&doc);
    }
    char buf[32];
    struct json_writer w;
    json_writer_init(&w, buf, sizeof(buf));
    json_double(&w, 0.1);
    assert_string_equal(buf, "0.1");       /* short where provably exact */
}

/* ---- parser ---- */

static void parse_document(void **state)
{
    const char *text = " {\"a\": [1, -2.5e2, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"],"
                       " \"b\": {\"c\": {}}, \"\": 0, \"big\": 18446744073709551616,"
                       " \"min\": -9223372036854775808, \"e\": 1E2, \"z\": \"a\\u0000b\"} ";
    struct json_doc doc;
    assert_int_equal(json_parse(&doc, text, strlen(text), NULL), 0);
    const struct json_value *root = json_root(&doc);
    assert_int_equal(root->type, JSON_OBJECT);
    assert_int_equal(root->count, 7);
    const struct json_value *a = json_get(&doc, root, "a");
    assert_int_equal(a->count, 6);
    assert_int_equal(json_at(&doc, a, 0)->integer, 1);
    assert_true(json_at(&doc, a, 0)->is_int);
    assert_false(json_at(&doc, a, 1)->is_int);
    assert_true(json_at(&doc, a, 1)->number == -250.0);
    assert_int_equal(json_at(&doc, a, 2)->type, JSON_TRUE);
    assert_int_equal(json_at(&doc, a, 3)->type, JSON_FALSE);
    assert_int_equal(json_at(&doc, a, 4)->type, JSON_NULL);
    assert_string_equal(json_at(&doc, a, 5)->str, "x\xc3\xa9\xf0\x9f\x98\x80\n");
    assert_null(json_at(&doc, a, 6));
    assert_int_equal(json_get(&doc, json_get(&doc, root, "b"), "c")->type, JSON_OBJECT);
    assert_non_null(json_get(&doc, root, ""));
    assert_false(json_get(&doc, root, "big")->is_int);
    assert_true(json_get(&doc, root, "big")->number == 18446744073709551616.0);
    int64_t v;
    assert_int_equal(json_get_int(&doc, root, "min", &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(json_get_int(&doc, root, "e", &v), ERR_BAD_FORMAT);  /* 1E2 is not an int */
    assert_int_equal(json_get_int(&doc, root, "nope", &v), ERR_NOT_FOUND);
    const struct json_value *z = json_get(&doc, root, "z");
    assert_int_equal(z->len, 3);
    assert_memory_equal(z->str, "a\0b", 3);
    const char *s;
    assert_int_equal(json_get_string(&doc, root, "e", &s), ERR_BAD_FORMAT);
    bool b;
    assert_int_equal(json_get_bool(&doc, root, "a", &b), ERR_BAD_FORMAT);
    double d;
    assert_int_equal(json_get_double(&doc, root, "e", &d), 0);
    assert_true(d == 100.0);
    json_doc_free(&doc);

    const char *scalars[] = { "0", "-0", "\"\"", "null", " true ", "[]", "{}", "1e-400" };
    for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
        assert_int_equal(json_parse(&doc, scalars[i], strlen(scalars[i]), NULL), 0);
        json_doc_free(&doc);
    }
}

struct bad {
    const char *text;
    int err;
    size_t offset;
};

static const struct bad bad_docs[] = {
    { "", ERR_BAD_FORMAT, 0 },
    { "   ", ERR_BAD_FORMAT, 3 },
    { "[1,]", ERR_BAD_FORMAT, 3 },
    { "[1 2]", ERR_BAD_FORMAT, 3 },
    { "{\"a\" 1}", ERR_BAD_FORMAT, 5 },
    { "{\"a\":1,}", ERR_BAD_FORMAT, 7 },
    { "{a:1}", ERR_BAD_FORMAT, 1 },
    { "{\"a\":1]", ERR_BAD_FORMAT, 6 },
    { "[1}", ERR_BAD_FORMAT, 2 },
    { "[", ERR_BAD_FORMAT, 1 },
    { "[1", ERR_BAD_FORMAT, 2 },
    { "1 2", ERR_BAD_FORMAT, 2 },
    { "01", ERR_BAD_FORMAT, 1 },
    { "-", ERR_BAD_FORMAT, 1 },
    { "1.", ERR_BAD_FORMAT, 2 },
    { ".5", ERR_BAD_FORMAT, 0 },
    { "1e", ERR_BAD_FORMAT, 2 },
    { "+1", ERR_BAD_FORMAT, 0 },
    { "0x10", ERR_BAD_FORMAT, 1 },
    { "NaN", ERR_BAD_FORMAT, 0 },
    { "tru", ERR_BAD_FORMAT, 0 },
    { "nulll", ERR_BAD_FORMAT, 4 },
    { "\"abc", ERR_BAD_FORMAT, 4 },
    { "\"a\tb\"", ERR_BAD_FORMAT, 2 },
    { "\"\\x\"", ERR_BAD_FORMAT, 1 },
    { "\"\\u12\"", ERR_BAD_FORMAT, 1 },
    { "\"\\ud800\"", ERR_BAD_FORMAT, 1 },
    { "\"\\udc00\"", ERR_BAD_FORMAT, 1 },
    { "\"\\ud800\\u0041\"", ERR_BAD_FORMAT, 1 },
    { "\"\xff\"", ERR_BAD_FORMAT, 1 },
    { "\"\xc0\x80\"", ERR_BAD_FORMAT, 1 },              /* overlong NUL */
    { "\"\xed\xa0\x80\"", ERR_BAD_FORMAT, 1 },          /* encoded surrogate */
    { "\"\xf4\x90\x80\x80\"", ERR_BAD_FORMAT, 1 },      /* above U+10FFFF */
    { "\"\xe2\x82\"", ERR_BAD_FORMAT, 1 },              /* truncated */
    { "[1] // c", ERR_BAD_FORMAT, 4 },
    { "\xef\xbb\xbf[]", ERR_BAD_FORMAT, 0 },            /* BOM is not JSON */
    { "1e400", ERR_RANGE, 0 },
    { "[-1e-99999999999]", 0, 0 },
    { "[-1e99999999999]", ERR_RANGE, 1 },
};

static void parse_errors(void **state)
{
    for (size_t i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
        const struct bad *b = &bad_docs[i];
        struct json_doc doc;
        int rc = json_parse(&doc, b->text, strlen(b->text), NULL);
        if (rc != b->err || (rc && doc.error_offset != b->offset))
            fail_msg("case %zu %s: rc %d at %zu (%s), want %d at %zu", i, b->text, rc,
                     doc.error_offset, doc.error_msg, b->err, b->offset);
        if (rc) {
            assert_null(doc.v);
            assert_non_null(doc.error_msg);
        } else {
            json_doc_free(&doc);
        }
    }
    /* NUL bytes inside the given length are not whitespace */
    struct json_doc doc;
    assert_int_equal(json_parse(&doc, "[1]\0", 4, NULL), ERR_BAD_FORMAT);
}

static void parse_limits(void **state)
{
    struct json_limits lim = { .max_depth = 4, .max_nodes = 4 };
    struct json_doc doc;
    assert_int_equal(json_parse(&doc, "[[[[1]]]]", 9, &lim), ERR_TOO_BIG);  /* 5 values, 4 allowed */
    lim.max_nodes = 100;
    assert_int_equal(json_parse(&doc, "[[[[1]]]]", 9, &lim), 0);
    json_doc_free(&doc);
    assert_int_equal(json_parse(&doc, "[[[[[1]]]]]", 11, &lim), ERR_EXHAUSTED);
    assert_int_equal(doc.error_offset, 4);
    assert_int_equal(json_parse(&doc, "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 26, &lim),
                     ERR_EXHAUSTED);
    lim.max_nodes = 3;
    assert_int_equal(json_parse(&doc, "[1,2]", 5, &lim), 0);
    json_doc_free(&doc);
    assert_int_equal(json_parse(&doc, "[1,2,3]", 7, &lim), ERR_TOO_BIG);

    /* a hostile depth costs nothing but an error, at the default limit */
    size_t n = 100000;
    char *deep = malloc(n);
    memset(deep, '[', n);
    assert_int_equal(json_parse(&doc, deep, n, NULL), ERR_EXHAUSTED);
    assert_int_equal(doc.error_offset, 32);
    /* and with the largest limit */
    lim.max_depth = 100000;
    lim.max_nodes = 1000000;
    assert_int_equal(json_parse(&doc, deep, n, &lim), ERR_EXHAUSTED);
    assert_int_equal(doc.error_offset, JSON_DEPTH_MAX);
    free(deep);
}

static void iteration_order(void **state)
{
    const char *text = "{\"x\":1,\"y\":2,\"x\":3}";
    struct json_doc doc;
    assert_int_equal(json_parse(&doc, text, strlen(text), NULL), 0);
    const struct json_value *root = json_root(&doc);
    int64_t sum = 0, order = 0;
    for (const struct json_value *m = json_child(&doc, root); m; m = json_next(&doc, m))
        order = order * 10 + m->integer, sum += m->integer;
    assert_int_equal(order, 123);
    assert_int_equal(json_get(&doc, root, "x")->integer, 1);   /* first wins */
    assert_null(json_get(&doc, json_get(&doc, root, "x"), "x")); /* not an object */
    assert_string_equal(json_type_name(JSON_OBJECT), "object");
    json_doc_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_basic),
        cmocka_unit_test(writer_invalid_utf8_replaced),
        cmocka_unit_test(writer_misuse),
        cmocka_unit_test(writer_overflow),
        cmocka_unit_test(writer_growing),
        cmocka_unit_test(doubles_round_trip),
        cmocka_unit_test(parse_document),
        cmocka_unit_test(parse_errors),
        cmocka_unit_test(parse_limits),
        cmocka_unit_test(iteration_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
