/*
 * In-kernel self-tests, run by the shell's `test` command:
 *     KTEST(mutex_contention) { ...; KT_ASSERT(counter == expected); return 0; }
 * Each prints one line "ktest: NAME ok|FAIL (ms)" and the run ends with
 * "ktest: N passed, M failed", which the system tests wait for.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include "kernel/console.h"

struct ktest {
    const char *name;
    int (*fn)(void);
};

#define KTEST(name_) \
    static int ktest_##name_(void); \
    static const struct ktest __ktest_##name_ \
    __attribute__((used, section(".ktests"), aligned(8))) = { #name_, ktest_##name_ }; \
    static int ktest_##name_(void)

#define KT_ASSERT(cond) do { if (!(cond)) { \
    kprintf("    %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); return -1; } } while (0)
#define KT_ASSERT_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
    kprintf("    %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, _a, #b, _b); \
    return -1; } } while (0)

/* Run the tests whose name contains filter (all if NULL); returns failures. */
int ktest_run(const char *filter);
/* List test names. */
void ktest_list(void);

#endif
