/* test: run the in-kernel self-tests. crash: deliberate faults, for the
   fault-handling system tests. */
#include <string.h>
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "kernel/thread.h"

static int cmd_test(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "-l") == 0) {
        ktest_list();
        return 0;
    }
    if (argc > 2)
        return shell_usage("test");
    int failed = ktest_run(argc == 2 ? argv[1] : NULL);
    return failed ? SHELL_ERR_REPORTED : 0;
}
SHELL_COMMAND(test, "test [-l | NAME-FILTER]", "run the in-kernel self-tests (-l lists them)", cmd_test);

static volatile int recursion_limit = 1 << 30;

static int recurse(int depth)
{
    volatile char pad[256];
    pad[0] = (char)depth;
    if (depth >= recursion_limit)   /* never true: the guard page stops us */
        return 0;
    return recurse(depth + 1) + pad[0];
}

static int overflow_thread(void *arg)
{
    return recurse(0);
}

static void text_target(void) {}

static int cmd_crash(int argc, char **argv)
{
    if (argc != 2)
        return shell_usage("crash");
    if (strcmp(argv[1], "null") == 0) {
        kprintf("crash: reading address 0\n");
        return *(volatile int *)0;
    }
    if (strcmp(argv[1], "stack") == 0) {
        kprintf("crash: overflowing a thread stack\n");
        struct thread *t = thread_spawn("overflow", overflow_thread, NULL, THREAD_PRIORITY_DEFAULT, 8192);
        if (!t)
            return -1;
        thread_join(t, NULL, TIMEOUT_INFINITE);
        return 0;
    }
    if (strcmp(argv[1], "text") == 0) {
        kprintf("crash: writing into kernel text at %p\n", (void *)text_target);
        *(volatile uint32_t *)(void *)text_target = 0;
        return 0;
    }
    if (strcmp(argv[1], "panic") == 0)
        panic("crash command asked for a panic");
    kprintf("error: crash: unknown fault '%s' (null, stack, text, panic)\n", argv[1]);
    return SHELL_ERR_REPORTED;
}
SHELL_COMMAND(crash, "crash null|stack|text|panic", "deliberately fault (for testing fault handling)", cmd_crash);
