/* Small kernel-wide entry points that do not belong to one subsystem. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdint.h>

/* Time of kmain's start, for boot time figures (ns since hart reset). */
extern uint64_t boot_started_ns;

/* Provided by services/shell: runs the console shell in the calling thread. */
void kernel_start_shell(void);

#endif
