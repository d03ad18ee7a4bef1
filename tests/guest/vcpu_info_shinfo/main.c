/*
 * vcpu_info_shinfo: the shared_info frame is a page the domain may map
 * writable, so Xen 4.19 accepts it for VCPUOP_register_vcpu_info
 * (get_page_from_gfn finds it owned by the domain, and
 * share_xen_page_with_guest(SHARE_rw) gave it the writable type). Place the
 * vcpu_info after the 3136 bytes shared_info uses and check it is used.
 */
#include "upcall.h"

const char test_title[] = "register_vcpu_info inside the shared_info frame";

#define OFF 3200

void test_main(void)
{
    struct vcpu_register_vcpu_info r = { .mfn = start_info->shared_info >> 12, .offset = OFF };
    struct vcpu_info *nv;
    unsigned long n;
    uint32_t p;

    evt_map_shared_info();
    nv = (struct vcpu_info *)((uint8_t *)shared_info + OFF);
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(HC3(vcpu_op, VCPUOP_register_vcpu_info, 0, &r), 0,
             "register_vcpu_info(shared_info frame, offset 3200)");
    if (nv->evtchn_upcall_pending != 1 || nv->evtchn_pending_sel != ~0UL || nv->evtchn_upcall_mask != 1)
        test_fail("new vcpu_info: pending %u sel %#lx mask %u, want 1, all ones, 1",
                  nv->evtchn_upcall_pending, (unsigned long)nv->evtchn_pending_sel, nv->evtchn_upcall_mask);
    else {
        evt_vcpu = nv;
        nv->evtchn_upcall_pending = 0;
        nv->evtchn_pending_sel = 0;
        CHECK_RC(evt_bind_ipi(&p), 0, "bind_ipi");
        CHECK_RC(evt_unmask(p), 0, "unmask it");
        CHECK_RC(evt_send(p), 0, "send");
        n = upcalls.count;
        evt_events_on();
        if (upcalls.count != n + 1 || upcalls.port_hits[p] != 1)
            test_fail("delivery through the relocated vcpu_info: %lu upcalls, port hit %lu times",
                      upcalls.count - n, upcalls.port_hits[p]);
    }
    test_success();
}
