/*
 * mmu_l2_as_l1 (hostile, type confusion): make an L2 (or L3, L4) be used
 * as an L1, so that its entries - which point at page tables - would map
 * those tables as data pages. mmu_update an L2 entry to point at the boot
 * L2 itself, the boot L3 and L4, a pinned fresh L2; pin a fresh L2 whose
 * entry links an L2; pin a pinned L2 as an L1.
 * Xen: get_page_type(L1) on a frame of another type -> -EINVAL; the
 * linear-page-table fallback refuses writable entries ("linear p.t. with
 * write perms"), so with _PAGE_RW every one of these is -EINVAL.
 * (Read-only L2->L2 links are Xen's "linear page tables", allowed by
 * default; not exercised here.)
 */
#include "pt.h"

const char test_title[] = "hostile: type confusion, an L2 linked as an L1";

void test_main(void)
{
    unsigned int slot, i0 = 0;
    uint64_t x, y, e;

    if (!pt_init())
        return;
    slot = pt_scratch_l2_slot + 1;

    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), (pt_l2 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L2 entry -> the boot L2 itself as an L1");
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), (pt_l3 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L2 entry -> the boot L3 as an L1");
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), (pt_l4 << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L2 entry -> the boot L4 as an L1");
    /* A separately pinned L2. */
    x = pt_free_mfn();
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, x, 0), 0, "pin a fresh (empty) L2");
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), (x << 12) | LX_FLAGS), -XEN_EINVAL,
              "boot L2 entry -> a pinned L2 as an L1");
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot) | MMU_PT_UPDATE_PRESERVE_AD, (x << 12) | LX_FLAGS), -XEN_EINVAL,
              "same with PRESERVE_AD");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, x, 0), -XEN_EINVAL, "pin the pinned L2 as an L1");
    /* Inside the pinned L2: an entry to another L2 (the boot one). */
    expect_rc(mmu_update1(pt_maddr(x, 3), (pt_l2 << 12) | LX_FLAGS), -XEN_EINVAL,
              "pinned L2's entry -> boot L2 as an L1");
    /* A fresh L2 whose entry links an L2: refused when pinned. */
    e = (x << 12) | LX_FLAGS;
    y = pt_new_table(&i0, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, y, 0), -XEN_EINVAL, "pin a fresh L2 linking an L2 as its L1");
    if (pt_read_entry(pt_l2, slot) || pt_read_entry(x, 3))
        test_fail("a refused link changed a table");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, x, 0), 0, "unpin the fresh L2");
    /* The real thing still works: a fresh L1 in that slot. */
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), (pt_free_mfn() << 12) | LX_FLAGS), 0, "link a real L1");
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), 0), 0, "unlink it");
    test_success();
}
