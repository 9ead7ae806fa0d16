/* Sorts n pseudo-random 32-bit numbers (n <= SORT_MAX) with a hand-written
 * quicksort (explicit stack, insertion sort for short runs): comparisons,
 * swaps, unpredictable branches. Returns a position-weighted checksum.
 * Freestanding: no libc. */
#include <stdint.h>

#define SORT_MAX (1u << 22)
static uint32_t sort_data[SORT_MAX];

static uint32_t sort_kernel(uint32_t n)
{
    if (n > SORT_MAX)
        n = SORT_MAX;
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        sort_data[i] = x;
    }
    uint32_t stack[128];
    int sp = 0;
    stack[sp++] = 0;
    stack[sp++] = n;
    while (sp) {
        uint32_t hi = stack[--sp], lo = stack[--sp];
        while (hi - lo > 16) {
            uint32_t mid = lo + (hi - lo) / 2;
            uint32_t a = sort_data[lo], b = sort_data[mid], c = sort_data[hi - 1];
            uint32_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
            uint32_t i = lo, j = hi - 1;
            for (;;) {
                while (sort_data[i] < pivot) i++;
                while (sort_data[j] > pivot) j--;
                if (i >= j)
                    break;
                uint32_t t = sort_data[i]; sort_data[i] = sort_data[j]; sort_data[j] = t;
                i++;
                j--;
            }
            /* recurse into the smaller part later, loop on the larger */
            if (j + 1 - lo < hi - (j + 1)) {
                stack[sp++] = j + 1; stack[sp++] = hi;
                hi = j + 1;
            } else {
                stack[sp++] = lo; stack[sp++] = j + 1;
                lo = j + 1;
            }
        }
        for (uint32_t i = lo + 1; i < hi; i++) {
            uint32_t v = sort_data[i], k = i;
            while (k > lo && sort_data[k - 1] > v) {
                sort_data[k] = sort_data[k - 1];
                k--;
            }
            sort_data[k] = v;
        }
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum = sum * 16777619u + sort_data[i] + (i > 0 && sort_data[i - 1] > sort_data[i] ? 1000003u : 0);
    return sum;
}
