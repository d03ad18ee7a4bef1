/*
 * mmu_l1_as_l3 (hostile, type confusion): use an L1 - whose entries map
 * data frames the guest may write - as an L3 or L2, so that those data
 * frames would be walked as page tables. L3 and L4 entries pointing at
 * the boot L1 and the scratch L1, an L4 entry pointing at an L2, a fresh
 * L3 linking an L1, a pinned L1 pinned again as an L3.
 * Xen: get_page_type(wanted level) on a frame of another type -> -EINVAL
 * (get_page_from_l3e / get_page_from_l4e; linear fallback needs the same
 * level and no RW).
 */
#include "pt.h"

const char test_title[] = "hostile: type confusion, an L1 linked as an L3";

void test_main(void)
{
    unsigned int i0 = 0;
    uint64_t x, e, l1;

    if (!pt_init())
        return;
    expect_rc(mmu_update1(pt_maddr(pt_l3, 0), (pt_l1[0] << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L3 entry -> boot L1 as an L2");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (pt_l1[0] << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L4 entry -> boot L1 as an L3");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (pt_scratch_l1 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L4 entry -> scratch L1 as an L3");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (pt_l2 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L4 entry -> boot L2 as an L3");
    expect_rc(mmu_update1(pt_maddr(pt_l3, 0), (pt_l3 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L3 entry -> boot L3 itself as an L2");
    expect_rc(mmu_update1(pt_maddr(pt_l3, 0), (pt_l4 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L3 entry -> boot L4 as an L2");
    /* A fresh L3 whose entry links an L1. */
    e = (pt_l1[0] << 12) | LX_FLAGS;
    x = pt_new_table(&i0, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L3_TABLE, x, 0), -XEN_EINVAL, "pin a fresh L3 linking an L1 as its L2");
    expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, x, 0), -XEN_EINVAL, "pin it as an L4 (an L1 as its L3)");
    /* A pinned L1 re-pinned as an L3. */
    l1 = pt_free_mfn();
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin a fresh L1");
    expect_rc(mmuext1(MMUEXT_PIN_L3_TABLE, l1, 0), -XEN_EINVAL, "pin the pinned L1 as an L3");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (l1 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L4 entry -> the pinned L1 as an L3");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, l1, 0), 0, "unpin it");
    if (pt_read_entry(pt_l3, 0) || pt_read_entry(pt_l4, 0))
        test_fail("a refused link changed a table");
    /* The legal shape still works: L4[0] -> fresh L3 -> fresh L2 -> fresh L1. */
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (pt_free_mfn() << 12) | LX_FLAGS), 0, "L4[0] -> fresh L3");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), 0), 0, "L4[0] cleared");
    test_success();
}
