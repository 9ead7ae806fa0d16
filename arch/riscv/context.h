/* Saved state of a thread that is not running (see switch.S). */
#ifndef ARCH_RISCV_CONTEXT_H
#define ARCH_RISCV_CONTEXT_H

#include <stdint.h>

struct arch_context {
    uint64_t ra, sp;
    uint64_t s[12];
    uint64_t tp;
};

struct fpu_state {
    uint64_t f[32];
    uint64_t fcsr;
};

void arch_context_switch(struct arch_context *from, struct arch_context *to);
void arch_thread_trampoline(void);
void arch_fpu_save(struct fpu_state *s);
void arch_fpu_restore(const struct fpu_state *s);

#endif
