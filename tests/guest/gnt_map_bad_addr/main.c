/*
 * gnt_map_bad_addr (hostile): host_addr in the hypervisor's range (its
 * first and last page, the M2P, the direct map), non-canonical, the top of
 * the lower half, or the L1 entry address (contains_pte) of a frame that is
 * not one of our L1s: GNTST_general_error, as Xen's create_grant_pv_mapping
 * (every unusable address is general_error there), nothing mapped, the
 * grant left unpinned. A host_addr inside a page (not page-aligned) names
 * that page, as in Xen.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant map at hypervisor and non-canonical addresses";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, v;
    grant_handle_t h;
    domid_t self;
    static const uint64_t bad[] = {
        0xffff800000000000UL, 0xffff800000001000UL, 0xffff830000000000UL, 0xffff87fffffff000UL,
        0x0000800000000000UL, 0x00007ffffffff000UL + 0x1000, 0x8000000000000000UL, 0x0001000000000000UL,
        0xfffe000000000000UL, 0xffff7ffffffff000UL,
    };

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    gt_grant(t, 8, self, page, GTF_permit_access);
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect_rc(gt_map(8, self, (void *)bad[i], GNTMAP_host_map, &h), GNTST_general_error, "map at %#lx", bad[i]);
        expect_rc(gt_map(8, self, (void *)bad[i], GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_general_error,
                  "map read-only at %#lx", bad[i]);
    }
    expect_rc(gt_map(8, self, (void *)pt_maddr(page, 0), GNTMAP_host_map | GNTMAP_contains_pte, &h),
              GNTST_general_error, "contains_pte into the granted frame itself");
    expect_rc(gt_map(8, self, (void *)pt_maddr(pt_l4, 300), GNTMAP_host_map | GNTMAP_contains_pte, &h),
              GNTST_general_error, "contains_pte into our L4's hypervisor slot");
    expect_rc(gt_map(8, self, (void *)(pt_max_page << 12), GNTMAP_host_map | GNTMAP_contains_pte, &h),
              GNTST_general_error, "contains_pte beyond RAM");
    if (t[8].flags != GTF_permit_access)
        test_fail("refused maps left flags %#x", t[8].flags);

    pt_unmap(12);
    expect_rc(gt_map(8, self, (char *)pt_slot_va(12) + 0x123, GNTMAP_host_map, &h), GNTST_okay,
              "map at an address inside a page (Xen: that page)");
    if (!probe_read(pt_slot_va(12), &v))
        test_fail("the page holding the unaligned address is not mapped");
    expect_rc(gt_unmap((char *)pt_slot_va(12) + 0x123, h), GNTST_okay, "unmap with the same address");
    if (probe_read(pt_slot_va(12), &v))
        test_fail("still mapped after the unmap");
    t[8].flags = 0;
    test_success();
}
