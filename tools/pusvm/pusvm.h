/* Shared pieces of the pusvm tool. */
#ifndef PUSVM_H
#define PUSVM_H

#include <stddef.h>
#include <stdint.h>

extern int verbose;

/* Reads a whole file (NUL-terminated for text use); NULL on failure. */
uint8_t *read_file(const char *path, size_t *len);
/* pusvm --spec FILE.json */
int run_spec(const char *json_path);

#endif
