/* Function names for addresses, from the table the second link embeds. */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr and the offset into it; NULL if
   none is known. */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset);

#endif
