/*
 * pusvm: the PusOS wasm runtime on the host.
 *
 *   pusvm [--dir DIR] [--fuel N] [--max-pages N] app.wasm args...
 *   pusvm --spec out/NAME.json
 *   pusvm --run-all-exports module.wasm   (output as wabt's wasm-interp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pusvm.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "-v")) {
        verbose = 1;
        argv++;
        argc--;
    }
    if (argc == 3 && !strcmp(argv[1], "--spec"))
        return run_spec(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "--run-all-exports"))
        return run_all_exports(argv[2]);
    return run_app(argc, argv);
}
