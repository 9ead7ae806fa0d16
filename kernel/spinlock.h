/*
 * Spinlocks for data shared between harts and with interrupt handlers.
 * Always take them with interrupts disabled on this hart (spin_lock_irqsave)
 * unless the caller already runs with interrupts off, or an interrupt on the
 * same hart could deadlock against us.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdint.h>
#include "arch/riscv/csr.h"

typedef struct spinlock {
    uint32_t locked;
    int32_t owner;       /* cpu index of the holder, for debugging */
} spinlock_t;

#define SPINLOCK_INITIAL { 0, -1 }

void spin_init(spinlock_t *l);
void spin_lock(spinlock_t *l);
int spin_trylock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
int spin_held(const spinlock_t *l);

#define spin_lock_irqsave(l, state) do { (state) = arch_irq_save(); spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, state) do { spin_unlock(l); arch_irq_restore(state); } while (0)

#endif
