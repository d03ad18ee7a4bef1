/* An event channel from the domain to itself, for the event scenarios (bench.h). */
#include "bench.h"
#include <stddef.h>
#include <tandem/event_channel.h>
#include <tandem/callback.h>

/* A whole page of .bss (nothing else may share it) where shared_info is mapped. */
union shared_page {
    struct shared_info si;
    uint8_t page[4096];
};
union shared_page bench_shared_info __attribute__((aligned(4096)));
_Static_assert(sizeof(union shared_page) == 4096, "shared_info fits a page");
/* loops.S uses these offsets. */
_Static_assert(offsetof(struct shared_info, vcpu_info[0].evtchn_upcall_pending) == 0, "loops.S");
_Static_assert(offsetof(struct shared_info, vcpu_info[0].evtchn_pending_sel) == 8, "loops.S");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048, "loops.S");

volatile uint64_t bench_upcalls;
uint32_t bench_rx_port;
void bench_upcall(void);

static void evtchn_op(unsigned int cmd, void *arg, const char *what)
{
    long rc = HC2(event_channel_op, cmd, arg);

    if (rc)
        bench_error("%s failed: %ld", what, rc);
}

uint32_t bench_event_loopback(void)
{
    struct shared_info *si = &bench_shared_info.si;
    struct callback_register cb = { .type = CALLBACKTYPE_event, .address = (uint64_t)bench_upcall };
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };
    struct evtchn_unmask u;
    long rc;

    rc = HC3(update_va_mapping, (uint64_t)si, start_info->shared_info | 0x67, UVMF_INVLPG);
    if (rc)
        bench_error("cannot map shared_info: %ld", rc);
    shared_info = si;
    for (unsigned int i = 0; i < ARRAY_SIZE(si->evtchn_mask); i++)
        si->evtchn_mask[i] = ~0UL;
    if ((rc = HC2(callback_op, CALLBACKOP_register, &cb)))
        bench_error("registering the event callback failed: %ld", rc);

    evtchn_op(EVTCHNOP_alloc_unbound, &a, "alloc_unbound(self, self)");
    b.remote_port = a.port;
    evtchn_op(EVTCHNOP_bind_interdomain, &b, "bind_interdomain(self)");
    /* The new local end starts pending (masked): nothing must be left over. */
    __atomic_fetch_and(&si->evtchn_pending[b.local_port / 64], ~(1UL << (b.local_port % 64)),
                       __ATOMIC_SEQ_CST);
    bench_rx_port = a.port;
    u.port = a.port;
    evtchn_op(EVTCHNOP_unmask, &u, "unmask");
    return b.local_port;
}

void bench_events_enable(void)
{
    struct vcpu_info *vi = &bench_shared_info.si.vcpu_info[0];

    vi->evtchn_upcall_mask = 0;
    barrier();
    if (vi->evtchn_upcall_pending)
        bench_error("an event was pending before the first send");
}
