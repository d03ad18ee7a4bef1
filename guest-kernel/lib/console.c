/* Guest console: console_io, or the PV console ring (Xen's io/console.h protocol). */
#include "guest.h"
#include <tandem/io/console.h>
#include <tandem/event_channel.h>

static bool use_ring;

static struct xencons_interface *ring(void)
{
    uint64_t pfn = mfn_to_pfn(start_info->console.domU.mfn);

    return (struct xencons_interface *)(0xffffffff80000000UL + pfn * PAGE_SIZE);
}

void console_use_ring(bool on)
{
    use_ring = on && start_info->console.domU.mfn;
}

static void ring_write(const char *s, size_t len)
{
    struct xencons_interface *r = ring();
    struct evtchn_send send = { start_info->console.domU.evtchn };
    volatile uint8_t *mask = shared_info ? &shared_info->vcpu_info[0].evtchn_upcall_mask : NULL;
    uint8_t was = mask ? *mask : 1;

    /* Events masked (one vCPU): a thread preempted between reading out_prod and writing it would
     * let another's line land in the same slots, so each write goes into the ring whole. */
    if (mask)
        *mask = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    while (len) {
        uint32_t prod = r->out_prod;
        while (len && prod - r->out_cons < sizeof(r->out)) {
            r->out[prod++ % sizeof(r->out)] = *s++;
            len--;
        }
        __atomic_thread_fence(__ATOMIC_RELEASE);
        r->out_prod = prod;
        HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
        if (len)
            HYPERVISOR_sched_op(0 /* SCHEDOP_yield */, 0);
    }
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (mask && !was) {
        *mask = 0;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (shared_info->vcpu_info[0].evtchn_upcall_pending)
            HYPERVISOR_xen_version(0, 0);     /* any hypercall delivers the pending upcall */
    }
}

void console_write(const char *s, size_t len)
{
    if (use_ring)
        ring_write(s, len);
    else
        HYPERVISOR_console_io(CONSOLEIO_write, len, s);
}
