/*
 * Boot options from /chosen/bootargs (QEMU -append), e.g.
 *   node=3 ip=10.77.0.2/24 gw=10.77.0.1 panic=halt loglevel=debug
 */
#ifndef KERNEL_BOOTARGS_H
#define KERNEL_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>

int bootargs_init(const char *cmdline);
const char *bootarg(const char *key);                 /* NULL if absent */
long bootarg_long(const char *key, long dflt);
bool bootarg_has(const char *key);
const char *bootargs_line(void);
/* The line with secret values (key=...) replaced by ***, for printing. */
void bootargs_redacted(char *out, size_t cap);

#endif
