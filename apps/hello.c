/* The smallest PusOS app: greets, shows its arguments, logs through pus_log. */
#include <stdio.h>

#include "pus.h"

int main(int argc, char **argv)
{
    printf("hello from PusOS wasm\n");
    for (int i = 1; i < argc; i++)
        printf("arg %d: %s\n", i, argv[i]);
    pus_log_str("hello app started");
    return 0;
}
