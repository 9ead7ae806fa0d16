/* A small JSON reader for the spec-test command files wast2json writes. */
#ifndef PUSVM_JSON_H
#define PUSVM_JSON_H

#include <stddef.h>

enum json_kind { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_kind kind;
    char *str;              /* string value, or the number's text */
    size_t len;             /* string length (strings may hold NUL) */
    double num;
    int boolean;
    struct json *items;     /* array elements or object values */
    char **keys;            /* object keys */
    size_t n;
};

/* Parses text; returns NULL on a syntax error. Free with json_free. */
struct json *json_parse(const char *text);
void json_free(struct json *j);
/* Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* String member, or NULL when missing or not a string. */
const char *json_str(const struct json *obj, const char *key);

#endif
