/* Self-test runner (see ktest.h). */
#include <string.h>
#include "kernel/ktest.h"
#include "kernel/clock.h"
#include "kernel/heap.h"

extern const struct ktest __ktests_start[], __ktests_end[];

int ktest_run(const char *filter)
{
    int passed = 0, failed = 0;
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
        if (filter && !strstr(t->name, filter))
            continue;
        uint64_t start = clock_now_ns();
        int r = t->fn();
        uint64_t ms = (clock_now_ns() - start) / 1000000ull;
        if (r == 0 && kheap_check() != 0) {
            kprintf("    heap is corrupt after the test\n");
            r = -1;
        }
        kprintf("ktest: %s %s (%llu ms)\n", t->name, r == 0 ? "ok" : "FAIL", (unsigned long long)ms);
        if (r == 0)
            passed++;
        else
            failed++;
    }
    kprintf("ktest: %d passed, %d failed\n", passed, failed);
    return failed;
}

void ktest_list(void)
{
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
        kprintf("  %s\n", t->name);
}
