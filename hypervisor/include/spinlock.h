/* Spinlocks. Taken with interrupts off where an interrupt handler may take the same lock. */
#ifndef TANDEM_SPINLOCK_H
#define TANDEM_SPINLOCK_H

#include "types.h"

typedef struct { volatile uint32_t locked; } spinlock_t;
#define SPIN_LOCK_UNLOCKED { 0 }

static inline void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (l->locked)
            __asm__ __volatile__("pause");
}
static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
    unsigned long flags;
    __asm__ __volatile__("pushf; pop %0; cli" : "=r"(flags) :: "memory");
    spin_lock(l);
    return flags;
}
static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
    spin_unlock(l);
    __asm__ __volatile__("push %0; popf" :: "r"(flags) : "memory", "cc");
}

#endif
