/*
 * kmutex.h: a sleeping, recursive lock for kernel threads (kernel/kmutex.c):
 * the owner may take it again; others sleep until it is let go. Not for
 * event handlers. Zero-initialise before use.
 */
#ifndef GUEST_KMUTEX_H
#define GUEST_KMUTEX_H

#include "kernel.h"

#define KMUTEX_WAITERS 32

struct kmutex {
    struct thread *owner;
    unsigned int depth;
    struct thread *waiter[KMUTEX_WAITERS];     /* sleeping for it; more look again every 1 ms */
};

void kmutex_lock(struct kmutex *m);
void kmutex_unlock(struct kmutex *m);

#endif
