/*
 * gnt_map_no_l1 (hostile): host_addr whose walk finds no L1 (an empty L2
 * slot, an empty L3 slot, an empty L4 slot of the guest half) is
 * GNTST_general_error (Xen: "Could not find L1 PTE"); so is a contains_pte
 * address in a frame that is an L2 or a plain writable page, or in an L1
 * that is not yet validated (merely allocated). Nothing is mapped or
 * pinned; a later map where the L1 exists works.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant map where there is no L1";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, loose, va_l2hole, va_l3hole, va_l4hole;
    grant_handle_t h;
    unsigned int l4s = 0, l3s = 0;
    domid_t self;

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    loose = pt_new_table(NULL, NULL, 0);    /* an empty frame never made a table */
    gt_grant(t, 8, self, page, GTF_permit_access);

    /* Holes next to the boot region: the L2 slot after the scratch L1, an empty L3 slot, an empty L4 slot. */
    if (pt_read_entry(pt_l2, pt_scratch_l2_slot + 1) & PTE_P)
        test_fail("L2 slot after the scratch L1 in use");
    va_l2hole = pt_scratch_base() + 512 * 4096UL;
    for (unsigned int i = 0; i < 511; i++)
        if (!(pt_read_entry(pt_l3, i) & PTE_P)) {
            l3s = i;
            break;
        }
    va_l3hole = VIRT_BASE - (uint64_t)(L3_IDX(VIRT_BASE) - l3s) * (1UL << 30);
    for (unsigned int i = 1; i < 256; i++)
        if (!(pt_read_entry(pt_l4, i) & PTE_P)) {
            l4s = i;
            break;
        }
    va_l4hole = (uint64_t)l4s << 39;
    expect_rc(gt_map(8, self, (void *)va_l2hole, GNTMAP_host_map, &h), GNTST_general_error,
              "map at %#lx (empty L2 slot)", va_l2hole);
    if (l3s != L3_IDX(VIRT_BASE))
        expect_rc(gt_map(8, self, (void *)va_l3hole, GNTMAP_host_map, &h), GNTST_general_error,
                  "map at %#lx (empty L3 slot)", va_l3hole);
    if (l4s)
        expect_rc(gt_map(8, self, (void *)va_l4hole, GNTMAP_host_map, &h), GNTST_general_error,
                  "map at %#lx (empty L4 slot)", va_l4hole);
    expect_rc(gt_map(8, self, (void *)0, GNTMAP_host_map, &h), GNTST_general_error, "map at VA 0");
    expect_rc(gt_map(8, self, (void *)pt_maddr(pt_l2, 5), GNTMAP_host_map | GNTMAP_contains_pte, &h),
              GNTST_general_error, "contains_pte into an L2");
    expect_rc(gt_map(8, self, (void *)pt_maddr(loose, 5), GNTMAP_host_map | GNTMAP_contains_pte, &h),
              GNTST_general_error, "contains_pte into a frame that is no table");
    if (t[8].flags != GTF_permit_access)
        test_fail("refused maps left flags %#x", t[8].flags);

    /* Link a fresh L1 into the hole: now it works there. */
    expect_rc(mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (loose << 12) | LX_FLAGS), 0,
              "link a fresh L1 at the L2 hole");
    expect_rc(gt_map(8, self, (void *)va_l2hole, GNTMAP_host_map, &h), GNTST_okay, "map into the new L1");
    expect_rc(gt_unmap((void *)va_l2hole, h), GNTST_okay, "unmap");
    expect_rc(mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), 0), 0, "unlink it");
    t[8].flags = 0;
    test_success();
}
