/* Test-and-test-and-set spinlocks with acquire/release ordering. */
#include "kernel/spinlock.h"
#include "kernel/cpu.h"

void spin_init(spinlock_t *l)
{
    l->locked = 0;
    l->owner = -1;
}

int spin_trylock(spinlock_t *l)
{
    if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0)
        return 0;
    struct cpu *c = this_cpu();
    l->owner = c ? (int32_t)c->index : 0;
    return 1;
}

void spin_lock(spinlock_t *l)
{
    for (;;) {
        if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0)
            break;
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_relax();
    }
    struct cpu *c = this_cpu();
    l->owner = c ? (int32_t)c->index : 0;
}

void spin_unlock(spinlock_t *l)
{
    l->owner = -1;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

int spin_held(const spinlock_t *l)
{
    struct cpu *c = this_cpu();
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) && c && l->owner == (int32_t)c->index;
}
