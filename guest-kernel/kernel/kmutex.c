/* A sleeping recursive lock for kernel threads (kmutex.h); events masked around its fields (one vCPU). */
#include "kmutex.h"

void kmutex_lock(struct kmutex *mx)
{
    uint8_t m = events_save();

    while (mx->owner && mx->owner != current_thread) {
        unsigned int i = 0;

        while (i < KMUTEX_WAITERS && mx->waiter[i] && mx->waiter[i] != current_thread)
            i++;
        if (i < KMUTEX_WAITERS)
            mx->waiter[i] = current_thread;
        /* No room on the list: look again in a millisecond. */
        current_thread->wake_at = i < KMUTEX_WAITERS ? 0 : system_time_ns() + 1000000;
        thread_block();
    }
    mx->owner = current_thread;
    mx->depth++;
    events_restore(m);
}

void kmutex_unlock(struct kmutex *mx)
{
    uint8_t m = events_save();

    if (mx->owner == current_thread && --mx->depth == 0) {
        mx->owner = NULL;
        for (unsigned int i = 0; i < KMUTEX_WAITERS; i++)
            if (mx->waiter[i]) {
                thread_wake(mx->waiter[i]);
                mx->waiter[i] = NULL;
            }
    }
    events_restore(m);
}
