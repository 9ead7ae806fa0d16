/*
 * kbench: kernel micro-benchmarks, printed in time-CSR nanoseconds (QEMU's
 * virtual clock follows host time), retired instructions and cycles.
 *   switch  - two threads on one hart yield to each other
 *   mutex   - uncontended lock/unlock pairs
 */
#include <string.h>
#include "services/shell/shell.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/mutex.h"
#include "kernel/thread.h"
#include "arch/riscv/csr.h"

#define SWITCH_ROUNDS 20000
#define MUTEX_ROUNDS 200000

static volatile int pingpong_stop;

static int yielder(void *arg)
{
    while (!pingpong_stop)
        thread_yield();
    return 0;
}

static void report(const char *what, uint64_t n, uint64_t ns, uint64_t instret, uint64_t cycles)
{
    kprintf("kbench: %s %llu ns/op, %llu instructions/op, %llu cycles/op (%llu ops)\n", what,
            (unsigned long long)(ns / n), (unsigned long long)(instret / n),
            (unsigned long long)(cycles / n), (unsigned long long)n);
}

static int bench_switch(void)
{
    struct thread *self = thread_current();
    int hart = (int)this_cpu()->index;
    thread_pin(self, hart);
    thread_yield();
    hart = (int)this_cpu()->index;
    thread_pin(self, hart);
    pingpong_stop = 0;
    struct thread *peer = thread_create("kbench-peer", yielder, NULL, self->priority, 0);
    if (!peer)
        return -1;
    thread_pin(peer, hart);
    thread_start(peer);
    thread_yield();
    uint64_t t0 = clock_now_ns(), i0 = rdinstret(), c0 = rdcycle();
    for (int i = 0; i < SWITCH_ROUNDS; i++)
        thread_yield();
    uint64_t t1 = clock_now_ns(), i1 = rdinstret(), c1 = rdcycle();
    pingpong_stop = 1;
    thread_join(peer, NULL, TIMEOUT_INFINITE);
    thread_pin(self, -1);
    /* Each round is two switches: to the peer and back. */
    report("switch", 2ull * SWITCH_ROUNDS, t1 - t0, i1 - i0, c1 - c0);
    return 0;
}

static int bench_mutex(void)
{
    static struct mutex m;
    mutex_init(&m);
    uint64_t t0 = clock_now_ns(), i0 = rdinstret(), c0 = rdcycle();
    for (int i = 0; i < MUTEX_ROUNDS; i++) {
        mutex_acquire(&m);
        mutex_release(&m);
    }
    uint64_t t1 = clock_now_ns(), i1 = rdinstret(), c1 = rdcycle();
    report("mutex", MUTEX_ROUNDS, t1 - t0, i1 - i0, c1 - c0);
    return 0;
}

static int cmd_kbench(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    int r = 0;
    if (!strcmp(which, "switch") || !strcmp(which, "all"))
        r |= bench_switch();
    if (!strcmp(which, "mutex") || !strcmp(which, "all"))
        r |= bench_mutex();
    if (strcmp(which, "switch") && strcmp(which, "mutex") && strcmp(which, "all"))
        return shell_usage("kbench");
    return r;
}
SHELL_COMMAND(kbench, "kbench [switch|mutex|all]", "kernel micro-benchmarks: context switch, mutex", cmd_kbench);
