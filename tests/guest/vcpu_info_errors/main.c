/*
 * vcpu_info_errors: the error codes of VCPUOP_register_vcpu_info that come
 * from Xen 4.19's map_guest_area and its preliminary busy check
 * (common/domain.c):
 *   -ENXIO  the 64 bytes would cross the page end (offset 4033..4095);
 *   -EACCES the frame is ours but cannot take the writable type (our L4);
 *   -EBUSY  a second registration, checked before map_guest_area (so before
 *           -ENXIO and -EACCES) but after the address check (-EINVAL).
 */
#include "upcall.h"

const char test_title[] = "register_vcpu_info: -ENXIO, -EACCES, -EBUSY";

#ifndef XEN_ENXIO
#define XEN_ENXIO 6             /* Xen's ENXIO (xen/include/public/errno.h); not in tandem/errno.h */
#endif

static uint8_t page[4096] __attribute__((aligned(4096)));

static uint64_t va_to_mfn(uint64_t va) { return pfn_to_mfn((va - 0xffffffff80000000UL) >> 12); }

static long reg(uint64_t mfn, uint32_t offset)
{
    struct vcpu_register_vcpu_info r = { .mfn = mfn, .offset = offset };
    return HC3(vcpu_op, VCPUOP_register_vcpu_info, 0, &r);
}

void test_main(void)
{
    uint64_t mfn = va_to_mfn((uint64_t)page), l4 = va_to_mfn(start_info->pt_base);

    evt_map_shared_info();
    CHECK_RC(reg(mfn, 4090), -XEN_ENXIO, "offset 4090 (crosses the page end)");
    CHECK_RC(reg(mfn, 4033), -XEN_ENXIO, "offset 4033 (one byte too far)");
    CHECK_RC(reg(l4, 0), -XEN_EACCES, "our L4 page table (cannot be typed writable)");
    CHECK_RC(reg(mfn, 4032), 0, "offset 4032 (the last that fits)");
    CHECK_RC(reg(mfn, 0), -XEN_EBUSY, "register_vcpu_info again");
    CHECK_RC(reg(mfn, 4090), -XEN_EBUSY, "again with offset 4090 (busy is checked first)");
    CHECK_RC(reg(l4, 0), -XEN_EBUSY, "again with our L4");
    CHECK_RC(reg(mfn, 4096), -XEN_EINVAL, "again with offset 4096 (the address check comes first)");
    test_success();
}
