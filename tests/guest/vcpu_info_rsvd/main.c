/*
 * vcpu_info_rsvd: Xen 4.19 reads only mfn and offset of struct
 * vcpu_register_vcpu_info; rsvd is ignored, and Linux leaves it
 * uninitialised (arch/x86/xen/enlighten.c xen_vcpu_setup), so garbage
 * there must not make the registration fail.
 */
#include "upcall.h"

const char test_title[] = "register_vcpu_info ignores the rsvd field";

static uint8_t page[4096] __attribute__((aligned(4096)));

void test_main(void)
{
    struct vcpu_register_vcpu_info r = {
        .mfn = pfn_to_mfn(((uint64_t)page - 0xffffffff80000000UL) >> 12), .offset = 64, .rsvd = 0xdeadbeef,
    };
    struct vcpu_info *nv = (struct vcpu_info *)(page + 64);

    evt_map_shared_info();
    CHECK_RC(HC3(vcpu_op, VCPUOP_register_vcpu_info, 0, &r), 0, "register_vcpu_info with rsvd 0xdeadbeef");
    if (nv->evtchn_upcall_pending != 1 || nv->evtchn_pending_sel != ~0UL)
        test_fail("new vcpu_info: upcall_pending %u sel %#lx, want 1 and all ones",
                  nv->evtchn_upcall_pending, (unsigned long)nv->evtchn_pending_sel);
    test_success();
}
