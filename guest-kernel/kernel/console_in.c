/*
 * Console input from the PV console ring: the event wakes the reader thread.
 * Input may also be injected (console_inject: tools/tandem's `console`
 * through the control agent, ctlagent.c); injected bytes come first.
 */
#include "kernel.h"
#include <tandem/io/console.h>

static struct xencons_interface *ring;
static struct thread *reader;
static char inj[256];
static uint32_t inj_prod, inj_cons;    /* free-running; events off around each use */

size_t console_inject(const char *buf, size_t len)
{
    size_t n = 0;
    uint8_t m = events_save();

    while (n < len && inj_prod - inj_cons < sizeof(inj))
        inj[inj_prod++ % sizeof(inj)] = buf[n++];
    if (n && reader)
        thread_wake(reader);
    events_restore(m);
    return n;
}

static bool have_input(void)
{
    return inj_cons != inj_prod || ring->in_cons != ring->in_prod;
}

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
        if (have_input()) {
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
    return have_input();
}

int console_getchar(void)
{
    for (;;) {
        events_disable();
        if (inj_cons != inj_prod) {
            char c = inj[inj_cons++ % sizeof(inj)];
            events_enable();
            return (unsigned char)c;
        }
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
