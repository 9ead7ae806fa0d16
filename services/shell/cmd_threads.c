/* threads: one line per thread with its scheduling state, how often it ran
   (RUNS: times switched in) and its stack use. */
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "kernel/thread.h"
#include "kernel/cpu.h"

struct row {
    char name[THREAD_NAME_MAX];
    const char *state;
    int priority, cpu;
    uint64_t cpu_ms, runs;
    size_t stack_size, stack_used;
};

#define MAX_ROWS 128

struct collect {
    struct row rows[MAX_ROWS];
    int n;
};

static void collect_one(struct thread *t, void *arg)
{
    struct collect *c = arg;
    if (c->n == MAX_ROWS)
        return;
    struct row *r = &c->rows[c->n++];
    for (int i = 0; i < THREAD_NAME_MAX; i++)
        r->name[i] = t->name[i];
    r->state = thread_state_name(t->state);
    r->priority = t->priority;
    r->cpu = t->cpu;
    r->cpu_ms = t->cpu_time_ns / 1000000ull;
    r->runs = t->switches;
    r->stack_size = t->stack_high - t->stack_low;
    r->stack_used = t->stack_alloc ? r->stack_size - thread_stack_unused(t) : 0;
}

static int cmd_threads(int argc, char **argv)
{
    static struct collect c;   /* the shell is one thread: static is fine */
    c.n = 0;
    /* Copy under the lock, print without it: printing can be slow. */
    thread_for_each(collect_one, &c);
    kprintf("%-20s %-9s %4s %4s %10s %10s %13s\n", "NAME", "STATE", "PRI", "HART", "CPU(ms)", "RUNS",
            "STACK");
    for (int i = 0; i < c.n; i++) {
        struct row *r = &c.rows[i];
        char hart[8] = "-";
        if (r->cpu >= 0)
            hart[0] = (char)('0' + r->cpu), hart[1] = 0;
        kprintf("%-20s %-9s %4d %4s %10llu %10llu %6zu/%-6zu\n", r->name, r->state, r->priority,
                hart, (unsigned long long)r->cpu_ms, (unsigned long long)r->runs, r->stack_used,
                r->stack_size);
    }
    return 0;
}
SHELL_COMMAND(threads, "threads", "list threads: state, priority, hart, CPU time, times run, stack use", cmd_threads);
