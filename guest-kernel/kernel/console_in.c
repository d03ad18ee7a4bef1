/* Console input from the PV console ring: the event wakes the reader thread. */
#include "kernel.h"
#include <tandem/io/console.h>

static struct xencons_interface *ring;
static struct thread *reader;

static void console_event(uint32_t port)
{
    (void)port;
    if (reader)
        thread_wake(reader);
}

void console_input_init(void)
{
    ring = (struct xencons_interface *)(0xffffffff80000000UL +
                                        mfn_to_pfn(start_info->console.domU.mfn) * PAGE_SIZE);
    bind_evtchn(start_info->console.domU.evtchn, console_event);
}

void console_wait_input(void)
{
    for (;;) {
        events_disable();
        if (ring->in_cons != ring->in_prod) {
            events_enable();
            return;
        }
        reader = current_thread;
        thread_block();         /* re-enables events when we run again */
        events_enable();
    }
}

bool console_input_pending(void)
{
    return ring->in_cons != ring->in_prod;
}

int console_getchar(void)
{
    for (;;) {
        events_disable();
        if (ring->in_cons != ring->in_prod) {
            char c = ring->in[ring->in_cons % sizeof(ring->in)];
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            ring->in_cons++;
            events_enable();
            return (unsigned char)c;
        }
        reader = current_thread;
        thread_block();         /* re-enables events when we run again */
        events_enable();
    }
}
