/* Event channels from the guest side: shared_info mapping, 2-level scan, handlers, time. */
#include "kernel.h"
#include <tandem/event_channel.h>

static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));
static evtchn_handler_t handlers[EVTCHN_2L_NR_CHANNELS];

void do_upcall(struct trap_frame *f);
struct kcounters kcounters;

uint64_t system_time_ns(void)
{
    return pvclock_read_ns(&shared_info->vcpu_info[0].time);
}

void events_init(void)
{
    uint64_t va = (uint64_t)shared_info_page;
    uint64_t pte = start_info->shared_info | 0x67;  /* P RW U A D */

    long rc = HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG);

    if (rc) {
        printk("kernel: cannot map shared_info (%ld)\n", rc);
        shutdown(SHUTDOWN_crash);
    }
    shared_info = (struct shared_info *)va;
    for (unsigned i = 0; i < 64; i++)
        shared_info->evtchn_mask[i] = ~0UL;
}

void bind_evtchn(uint32_t port, evtchn_handler_t h)
{
    handlers[port] = h;
    unmask_evtchn(port);
}

void unmask_evtchn(uint32_t port)
{
    struct evtchn_unmask u = { port };

    kcounters.hypercalls++;
    HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

void mask_evtchn(uint32_t port)
{
    __atomic_fetch_or(&shared_info->evtchn_mask[port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
}

void events_enable(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];

    vi->evtchn_upcall_mask = 0;
    barrier();
    if (vi->evtchn_upcall_pending) {
        kcounters.hypercalls++;
        HYPERVISOR_xen_version(0, 0);     /* any hypercall delivers the pending upcall */
    }
}

static void dispatch(unsigned int port, void *ctx)
{
    (void)ctx;
    if (handlers[port])
        handlers[port](port);
}

void do_upcall(struct trap_frame *f)
{
    (void)f;
    kcounters.upcalls++;
    kcounters.hypercalls++;             /* its return: the iret hypercall (entry.S) */
    evtchn_scan(shared_info, &shared_info->vcpu_info[0], dispatch, NULL);
    if (need_resched)
        schedule();
}

uint8_t events_save(void)
{
    uint8_t m = shared_info->vcpu_info[0].evtchn_upcall_mask;

    events_disable();
    return m;
}

void events_restore(uint8_t m)
{
    if (!m)
        events_enable();
}
