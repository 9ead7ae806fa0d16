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

/* The typed getters' lookup: member key of obj into *v if its type is one
 * of the bits in types; ERR_NOT_FOUND or ERR_BAD_FORMAT otherwise. */
static int typed_member(const struct json_doc *doc, const struct json_value *obj,
                        const char *key, unsigned types, const struct json_value **v)
{
    *v = json_get(doc, obj, key);
    if (!*v)
        return ERR_NOT_FOUND;
    return (types >> (*v)->type) & 1 ? 0 : ERR_BAD_FORMAT;
}

int json_get_string(const struct json_doc *doc, const struct json_value *obj,
                    const char *key, const char **out)
{
    const struct json_value *v;
    int rc = typed_member(doc, obj, key, 1u << JSON_STRING, &v);
    if (!rc)
        *out = v->str;
    return rc;
}

int json_get_int(const struct json_doc *doc, const struct json_value *obj,
                 const char *key, int64_t *out)
{
    const struct json_value *v;
    int rc = typed_member(doc, obj, key, 1u << JSON_NUMBER, &v);
    if (!rc && !v->is_int)
        rc = ERR_BAD_FORMAT;
    if (!rc)
        *out = v->integer;
    return rc;
}

int json_get_double(const struct json_doc *doc, const struct json_value *obj,
                    const char *key, double *out)
{
    const struct json_value *v;
    int rc = typed_member(doc, obj, key, 1u << JSON_NUMBER, &v);
    if (!rc)
        *out = v->number;
    return rc;
}

int json_get_bool(const struct json_doc *doc, const struct json_value *obj,
                  const char *key, bool *out)
{
    const struct json_value *v;
    int rc = typed_member(doc, obj, key, (1u << JSON_TRUE) | (1u << JSON_FALSE), &v);
    if (!rc)
        *out = v->type == JSON_TRUE;
    return rc;
}

const char *json_type_name(int type)
{
    static const char *const names[] = { "null", "false", "true", "number", "string",
                                         "array", "object" };
    return type >= 0 && type <= JSON_OBJECT ? names[type] : "?";
}
