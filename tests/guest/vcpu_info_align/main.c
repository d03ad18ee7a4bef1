/*
 * vcpu_info_align: Xen 4.19's map_guest_area refuses a vcpu_info that is
 * not aligned to 8 bytes (alignof(xen_ulong_t)) with -ENXIO and registers
 * nothing; offset 8 is then accepted. (A test of its own: a wrongly
 * accepted registration can never be undone.)
 */
#include "upcall.h"

const char test_title[] = "register_vcpu_info: a misaligned offset is -ENXIO";

#ifndef XEN_ENXIO
#define XEN_ENXIO 6             /* Xen's ENXIO; not in tandem/errno.h */
#endif

static uint8_t page[4096] __attribute__((aligned(4096)));

static long reg(uint64_t mfn, uint32_t offset)
{
    struct vcpu_register_vcpu_info r = { .mfn = mfn, .offset = offset };
    return HC3(vcpu_op, VCPUOP_register_vcpu_info, 0, &r);
}

void test_main(void)
{
    uint64_t mfn = pfn_to_mfn(((uint64_t)page - 0xffffffff80000000UL) >> 12);
    struct vcpu_info *nv = (struct vcpu_info *)(page + 8);

    evt_map_shared_info();
    CHECK_RC(reg(mfn, 4), -XEN_ENXIO, "register_vcpu_info at offset 4 (misaligned)");
    CHECK_RC(reg(mfn, 60), -XEN_ENXIO, "register_vcpu_info at offset 60 (misaligned)");
    CHECK_RC(reg(mfn, 8), 0, "register_vcpu_info at offset 8");
    if (nv->evtchn_upcall_pending != 1 || nv->evtchn_pending_sel != ~0UL)
        test_fail("offset 8: upcall_pending %u sel %#lx, want 1 and all ones",
                  nv->evtchn_upcall_pending, (unsigned long)nv->evtchn_pending_sel);
    test_success();
}
