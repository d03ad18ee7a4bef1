/*
 * evtchn_unmask_rule: Xen's evtchn_2l_unmask raises a pending port only if
 * the unmask actually cleared its mask bit (guest_test_and_clear_bit):
 * EVTCHNOP_unmask of a port that was not masked changes nothing, even when
 * the port is pending and its selector bit and evtchn_upcall_pending have
 * been consumed.
 */
#include "upcall.h"

const char test_title[] = "EVTCHNOP_unmask of a port that was not masked raises nothing";

void test_main(void)
{
    struct vcpu_info *vi;
    uint32_t q;

    evt_map_shared_info();
    vi = evt_vcpu;
    CHECK_RC(evt_bind_ipi(&q), 0, "bind_ipi");
    CHECK_RC(evt_unmask(q), 0, "unmask it (was masked, nothing pending)");
    CHECK_RC(evt_send(q), 0, "send with events masked");
    if (!evt_pending(q) || !evt_sel(q) || vi->evtchn_upcall_pending != 1)
        test_error("send did not raise the port");
    vi->evtchn_upcall_pending = 0;
    __atomic_store_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    CHECK_RC(evt_unmask(q), 0, "unmask of an unmasked pending port");
    if (vi->evtchn_upcall_pending || evt_sel(q))
        test_fail("unmask of a port that was not masked re-raised upcall_pending %u / selector %d "
                  "(Xen: only when the mask bit was set)", vi->evtchn_upcall_pending, evt_sel(q));
    /* The masked case still raises it. */
    evt_mask(q);
    CHECK_RC(evt_unmask(q), 0, "unmask of a masked pending port");
    if (vi->evtchn_upcall_pending != 1 || !evt_sel(q))
        test_fail("unmask of a masked pending port: upcall_pending %u selector %d, want 1 1",
                  vi->evtchn_upcall_pending, evt_sel(q));
    test_success();
}
