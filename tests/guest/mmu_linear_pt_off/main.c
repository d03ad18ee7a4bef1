/*
 * mmu_linear_pt_off: with `pv-linear-pt=0` (Xen's opt_pv_linear_pt off)
 * every linear entry is refused: get_lN_linear_pagetable returns 0 ("feature
 * disabled") and the type mismatch's -EINVAL stands. Read-only self-maps
 * and same-level links at L4, L3 and L2, by mmu_update and by pinning a
 * table holding one; the ordinary links still work.
 */
#include "pt.h"

const char test_title[] = "linear page tables refused with pv-linear-pt=0";

#define RO (PTE_P | PTE_US | PTE_A)

void test_main(void)
{
    unsigned int i = 9;
    uint64_t l2, e = 0, m;

    if (!pt_init())
        return;
    expect_rc(mmu_update1(pt_maddr(pt_l4, 400), (pt_l4 << 12) | RO), -XEN_EINVAL, "L4 -> itself, read-only");
    expect_rc(mmu_update1(pt_maddr(pt_l3, 300), (pt_l3 << 12) | RO), -XEN_EINVAL, "L3 -> itself, read-only");
    expect_rc(mmu_update1(pt_maddr(pt_l2, 400), (pt_l2 << 12) | RO), -XEN_EINVAL, "L2 -> itself, read-only");
    l2 = pt_new_table(&i, &e, 0);
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, l2, 0), 0, "pin a fresh L2");
    expect_rc(mmu_update1(pt_maddr(pt_l2, 400), (l2 << 12) | RO), -XEN_EINVAL, "boot L2 -> a pinned L2, read-only");
    e = (l2 << 12) | RO;
    m = pt_new_table(&i, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, m, 0), -XEN_EINVAL, "pin an L2 naming a pinned L2");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, l2, 0), 0, "unpin the L2");
    expect_rc(mmu_update1(pt_maddr(pt_l2, 400), (pt_free_mfn() << 12) | LX_FLAGS), 0, "an ordinary L1 link");
    expect_rc(mmu_update1(pt_maddr(pt_l2, 400), 0), 0, "unlink it");
    test_success();
}
