/* Binary search over ksyms_table (scripts/gen-ksyms.sh writes it sorted). */
#include <stddef.h>
#include "kernel/ksyms.h"

struct ksym {
    uintptr_t addr;
    const char *name;
};

extern const struct ksym ksyms_table[];
extern char __text_start[], __text_end[];

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
    if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end)
        return NULL;
    size_t n = 0;
    while (ksyms_table[n].name)
        n++;
    if (n == 0)
        return NULL;
    size_t lo = 0, hi = n;       /* find the last entry with addr <= target */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ksyms_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (ksyms_table[lo].addr > addr)
        return NULL;
    if (offset)
        *offset = addr - ksyms_table[lo].addr;
    return ksyms_table[lo].name;
}
