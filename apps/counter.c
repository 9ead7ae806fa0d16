/*
 * counter [limit]: keeps a counter in linear memory and prints it once a
 * second. The migration demo: pause the app on one node, move its memory
 * and stack to another, and the count carries on from where it was.
 * With a limit it stops after that many ticks (for tests); 0 runs forever.
 * Sleeping uses pus_sleep_ms, which suspends the app rather than blocking.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pus.h"

static unsigned long counter;

int main(int argc, char **argv)
{
    unsigned long limit = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
    unsigned interval_ms = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 1000;
    for (;;) {
        counter++;
        printf("count %lu\n", counter);
        fflush(stdout);
        if (limit && counter >= limit)
            break;
        pus_sleep_ms(interval_ms);
    }
    return 0;
}
