/* Shared between the files of lib/json; not part of the API. */
#ifndef PUS_JSON_INTERNAL_H
#define PUS_JSON_INTERNAL_H

#include "json/json.h"

/*
 * Converts a number that already matched the JSON grammar. Sets *is_int and
 * *integer when it has no fraction or exponent and fits int64. *exact says
 * whether *d is the correctly rounded double (always true on the fast path:
 * at most 2^53 as mantissa and a power of ten that is itself exact);
 * otherwise *d is within an ulp or so. Returns 0 or ERR_RANGE (overflow).
 */
int json_number_convert(const char *s, size_t len, double *d, bool *exact,
                        int64_t *integer, bool *is_int);

#endif
