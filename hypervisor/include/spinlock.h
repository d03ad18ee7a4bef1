/*
 * Spinlocks: test-and-test-and-set with pause. Taken with interrupts off
 * (the _irqsave variants) where an interrupt handler may take the same lock.
 * Which lock guards what, and the order they nest in:
 * docs/architecture.md#locks-and-the-lock-order.
 *
 * Lock debugging (Xen's check_lock), in `make DEBUG=1` builds
 * (TANDEM_DEBUG): each lock records the CPU holding it, so a CPU taking a
 * lock it already holds (with one CPU, a deadlock that would hang
 * silently) panics at once, and so does releasing a lock this CPU does not
 * hold; spin_is_mine() is then exact (ASSERTs of "caller holds the lock").
 * Without it the owner is not kept and spin_is_mine() only says "held".
 */
#ifndef TANDEM_SPINLOCK_H
#define TANDEM_SPINLOCK_H

#include "types.h"
#include "config.h"

typedef struct {
    volatile uint32_t locked;
    const void *volatile owner;     /* the holder's per-CPU area (debugging), NULL when free */
} spinlock_t;
#define SPIN_LOCK_UNLOCKED { 0, NULL }

static inline void spin_lock_init(spinlock_t *l)
{
    l->locked = 0;
    l->owner = NULL;
}

/*
 * This CPU's token for lock debugging: the per-CPU pointer at the top of
 * its stack block (what this_cpu() reads; the IST stacks carry it too).
 * NULL before the first CPU is set up: such takes are not checked.
 */
#ifdef TANDEM_DEBUG
static inline const void *spin_cpu_token(void)
{
    uint64_t rsp;

    __asm__ ("mov %%rsp, %0" : "=r"(rsp));
    return *(const void *const *)((rsp & ~(uint64_t)(STACK_SIZE - 1)) + STACK_SIZE - 8);
}
#else
static inline const void *spin_cpu_token(void) { return NULL; }
#endif

/* Panics (lib.c's panic through spin_debug_fail) on recursion or a foreign unlock. */
__attribute__((noreturn)) void spin_debug_fail(const spinlock_t *l, const char *what);

static inline void spin_check_take(const spinlock_t *l, const void *me)
{
    if (__builtin_expect(me && l->locked && l->owner == me, 0))
        spin_debug_fail(l, "taken again by the CPU holding it (deadlock)");
}

static inline bool spin_trylock(spinlock_t *l)
{
    const void *me = spin_cpu_token();

    spin_check_take(l, me);
    if (l->locked || __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        return false;
    l->owner = me;
    return true;
}

static inline void spin_lock(spinlock_t *l)
{
    const void *me = spin_cpu_token();

    spin_check_take(l, me);
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (l->locked)
            __asm__ __volatile__("pause" ::: "memory");
    l->owner = me;
}
static inline void spin_unlock(spinlock_t *l)
{
    const void *me = spin_cpu_token();

    if (__builtin_expect(!l->locked || (me && l->owner && l->owner != me), 0))
        spin_debug_fail(l, "released by a CPU not holding it");
    l->owner = NULL;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
/* True if some CPU holds it; spin_is_mine: this CPU does (for ASSERTs). */
static inline bool spin_is_locked(const spinlock_t *l)
{
    return l->locked;
}
static inline bool spin_is_mine(const spinlock_t *l)
{
    return l->locked && l->owner == spin_cpu_token();   /* both NULL without TANDEM_DEBUG */
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
