/* Drives a blob through the whole fdt API; shared by tests and the fuzzer. */
#ifndef FDT_EXERCISE_H
#define FDT_EXERCISE_H

#include <stddef.h>

/* Returns the number of nodes reached, or the first fdt_init() error. Any
 * blob is acceptable input: the point is that nothing crashes or hangs.
 * thorough = also look up every node's parent and reg (O(nodes^2)). */
int fdt_exercise(const void *blob, size_t len, int thorough);

#endif
