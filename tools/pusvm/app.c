/* Placeholder until WASI lands. */
#include <stdio.h>

#include "pusvm.h"

int run_app(int argc, char **argv);
int run_app(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "usage: pusvm [--dir DIR] [--fuel N] [--max-pages N] app.wasm args...\n"
                    "       pusvm --spec out/NAME.json\n");
    return 2;
}
