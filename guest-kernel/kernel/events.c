/* Event channels from the guest side: shared_info mapping, 2-level scan, handlers, time. */
#include "kernel.h"
#include <tandem/event_channel.h>

static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));
static evtchn_handler_t handlers[4096];

void do_upcall(struct trap_frame *f);

uint64_t system_time_ns(void)
{
    const struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t ver;
    uint64_t delta, ns;

    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint32_t lo, hi;
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
        delta = (((uint64_t)hi << 32) | lo) - t->tsc_timestamp;
        delta = t->tsc_shift >= 0 ? delta << t->tsc_shift : delta >> -t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((ver & 1) || ver != t->version);
    return ns;
}

void events_init(void)
{
    uint64_t va = (uint64_t)shared_info_page;
    uint64_t pte = start_info->shared_info | 0x67;  /* P RW U A D */

    long rc = HC3(update_va_mapping, va, pte, UVMF_INVLPG);

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

    HC2(event_channel_op, EVTCHNOP_unmask, &u);
}

void events_enable(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];

    vi->evtchn_upcall_mask = 0;
    barrier();
    if (vi->evtchn_upcall_pending)
        HC2(xen_version, 0, 0);     /* any hypercall delivers the pending upcall */
}

void do_upcall(struct trap_frame *f)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];

    (void)f;
    while (vi->evtchn_upcall_pending) {
        uint64_t sel;
        vi->evtchn_upcall_pending = 0;
        sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned w = __builtin_ctzll(sel);
            uint64_t bits;
            sel &= sel - 1;
            bits = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
            while (bits) {
                unsigned port = w * 64 + __builtin_ctzll(bits);
                bits &= bits - 1;
                __atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
                if (handlers[port])
                    handlers[port](port);
            }
        }
    }
    if (need_resched)
        schedule();
}
