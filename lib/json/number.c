/*
 * Decimal text to double for numbers that matched the JSON grammar.
 *
 * The fast path is exact: a mantissa of at most 2^53 multiplied or divided
 * by an exactly representable power of ten (<= 10^22) is one correctly
 * rounded IEEE operation. Other numbers go through pow() and may be an ulp
 * off; json_double() in the writer relies only on the exact path when it
 * picks a short form, so what we write always reads back exactly.
 */
#include <math.h>

#include "json/json_internal.h"
#include "pus/err.h"

static const double exact_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

int json_number_convert(const char *s, size_t len, double *d, bool *exact,
                        int64_t *integer, bool *is_int)
{
    size_t i = 0;
    bool neg = false, truncated = false, has_frac = false, has_exp = false;
    uint64_t m = 0, ival = 0;
    bool ival_ok = true;
    int sig = 0;          /* significant digits held in m */
    long e10 = 0;

    if (i < len && s[i] == '-')
        neg = true, i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        int dg = s[i] - '0';
        if (ival > (UINT64_MAX - (uint64_t)dg) / 10)
            ival_ok = false;
        else
            ival = ival * 10 + (uint64_t)dg;
        if (sig < 19) {
            m = m * 10 + (uint64_t)dg;
            if (m)
                sig++;
        } else {
            e10++;
            if (dg)
                truncated = true;
        }
    }
    if (i < len && s[i] == '.') {
        has_frac = true;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            int dg = s[i] - '0';
            if (sig < 19) {
                m = m * 10 + (uint64_t)dg;
                if (m)
                    sig++;
                e10--;
            } else if (dg) {
                truncated = true;
            }
        }
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        has_exp = true;
        bool eneg = false;
        long ex = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i] == '-', i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (ex < 100000)
                ex = ex * 10 + (s[i] - '0');
        e10 += eneg ? -ex : ex;
    }

    *is_int = !has_frac && !has_exp && ival_ok &&
              ival <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX);
    if (*is_int)
        *integer = neg ? (int64_t)(0 - ival) : (int64_t)ival;

    double v;
    *exact = false;
    if (m == 0) {
        v = 0.0;
        *exact = true;
    } else if (!truncated && m <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
        v = e10 >= 0 ? (double)m * exact_pow10[e10] : (double)m / exact_pow10[-e10];
        *exact = true;
    } else if (e10 >= 0) {
        v = (double)m * pow(10.0, (double)e10);
    } else if (e10 >= -308) {
        v = (double)m / pow(10.0, (double)-e10);
    } else {
        v = ((double)m / 1e308) / pow(10.0, (double)(-e10 - 308));
    }
    if (isinf(v))
        return ERR_RANGE;
    *d = neg ? -v : v;
    return 0;
}
