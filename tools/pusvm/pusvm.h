/* Shared pieces of the pusvm tool. */
#ifndef PUSVM_H
#define PUSVM_H

#include <stddef.h>
#include <stdint.h>

extern int verbose;

/* Reads a whole file (NUL-terminated for text use); NULL on failure. */
uint8_t *read_file(const char *path, size_t *len);
struct wasm_module;
/* Reads and loads the module in file path; on failure err says why. */
int load_module_file(const char *path, struct wasm_module **m, char *err, size_t errlen);
struct wasi_port;
/* The POSIX WASI port with dir preopened (its fd stored in *dirfd). */
int posix_port_init(struct wasi_port *port, int *dirfd, const char *dir);
/* pusvm [options] app.wasm args... */
int run_app(int argc, char **argv);
/* pusvm --run-all-exports FILE.wasm (wasm-interp's output format) */
int run_all_exports(const char *path);
/* pusvm --spec FILE.json */
int run_spec(const char *json_path);

#endif
