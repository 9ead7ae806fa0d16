/* Walking a parsed document: children, siblings, members by name. */
#include <string.h>

#include "json/json.h"
#include "pus/err.h"

const struct json_value *json_root(const struct json_doc *doc)
{
    return doc->count ? &doc->v[0] : NULL;
}

const struct json_value *json_child(const struct json_doc *doc, const struct json_value *v)
{
    return v && v->child ? &doc->v[v->child] : NULL;
}

const struct json_value *json_next(const struct json_doc *doc, const struct json_value *v)
{
    return v && v->next ? &doc->v[v->next] : NULL;
}

const struct json_value *json_get(const struct json_doc *doc, const struct json_value *obj,
                                  const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (const struct json_value *m = json_child(doc, obj); m; m = json_next(doc, m))
        if (m->key_len == n && memcmp(m->key, key, n) == 0)
            return m;
    return NULL;
}

const struct json_value *json_at(const struct json_doc *doc, const struct json_value *arr,
                                 uint32_t index)
{
    if (!arr || arr->type != JSON_ARRAY || index >= arr->count)
        return NULL;
    const struct json_value *e = json_child(doc, arr);
    while (index-- && e)
        e = json_next(doc, e);
    return e;
}

int json_get_string(const struct json_doc *doc, const struct json_value *obj,
                    const char *key, const char **out)
{
    const struct json_value *v = json_get(doc, obj, key);
    if (!v)
        return ERR_NOT_FOUND;
    if (v->type != JSON_STRING)
        return ERR_BAD_FORMAT;
    *out = v->str;
    return 0;
}

int json_get_int(const struct json_doc *doc, const struct json_value *obj,
                 const char *key, int64_t *out)
{
    const struct json_value *v = json_get(doc, obj, key);
    if (!v)
        return ERR_NOT_FOUND;
    if (v->type != JSON_NUMBER || !v->is_int)
        return ERR_BAD_FORMAT;
    *out = v->integer;
    return 0;
}

int json_get_double(const struct json_doc *doc, const struct json_value *obj,
                    const char *key, double *out)
{
    const struct json_value *v = json_get(doc, obj, key);
    if (!v)
        return ERR_NOT_FOUND;
    if (v->type != JSON_NUMBER)
        return ERR_BAD_FORMAT;
    *out = v->number;
    return 0;
}

int json_get_bool(const struct json_doc *doc, const struct json_value *obj,
                  const char *key, bool *out)
{
    const struct json_value *v = json_get(doc, obj, key);
    if (!v)
        return ERR_NOT_FOUND;
    if (v->type != JSON_TRUE && v->type != JSON_FALSE)
        return ERR_BAD_FORMAT;
    *out = v->type == JSON_TRUE;
    return 0;
}

const char *json_type_name(int type)
{
    static const char *const names[] = { "null", "false", "true", "number", "string",
                                         "array", "object" };
    return type >= 0 && type <= JSON_OBJECT ? names[type] : "?";
}
