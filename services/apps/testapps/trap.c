/*
 * trap [unreachable|oob|div0]: a test app that prints one line and then
 * traps, so tests can check that the node reports the trap (kind, function
 * index, offset) and carries on. The work happens in a function of its own
 * so the trap names a function other than _start.
 */
#include <stdio.h>
#include <string.h>

static volatile int zero, seven = 7;    /* volatile: no constant folding */

__attribute__((noinline)) static int do_trap(const char *kind)
{
    if (!strcmp(kind, "oob"))
        return *(volatile int *)(0xfffffff0u + (unsigned)zero);
    if (!strcmp(kind, "div0"))
        return seven / zero;
    __builtin_trap();
}

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "unreachable";
    printf("about to trap: %s\n", kind);
    fflush(stdout);
    return do_trap(kind);
}
