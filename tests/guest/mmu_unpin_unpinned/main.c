/*
 * mmu_unpin_unpinned (hostile): unpin tables that were never pinned - a
 * boot L1/L2/L3 in use, a fresh L1 linked into the L2 but not pinned, a
 * data page, the kernel's own text, a frame that is not ours, a frame
 * beyond RAM - hoping to drop a reference that belongs to a link, a
 * mapping or CR3. Xen: test_and_clear_bit(_PGT_pinned) fails -> -EINVAL;
 * frames not ours fail get_page_from_gfn -> -EINVAL. Everything stays in
 * use (the audit would see a lost reference). Unpinning the pinned boot
 * L4 while it is CR3 is legal (CR3 holds its own reference), and it can be
 * pinned again.
 */
#include "pt.h"

const char test_title[] = "hostile: unpin a table that is not pinned";

void test_main(void)
{
    uint64_t fresh, data, v;
    unsigned int slot = pt_scratch_l2_slot + 1;

    if (!pt_init())
        return;
    fresh = pt_free_mfn();
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), (fresh << 12) | LX_FLAGS), 0, "link a fresh L1 (unpinned)");
    data = pt_free_mfn();

    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_l1[0], 0), -XEN_EINVAL, "unpin the boot L1");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_l2, 0), -XEN_EINVAL, "unpin the boot L2");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_l3, 0), -XEN_EINVAL, "unpin the boot L3");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_scratch_l1, 0), -XEN_EINVAL, "unpin the scratch L1");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, fresh, 0), -XEN_EINVAL, "unpin a linked, unpinned L1");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, data, 0), -XEN_EINVAL, "unpin a never-used data frame");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_va_to_mfn((void *)VIRT_BASE), 0), -XEN_EINVAL,
              "unpin the kernel's first text frame");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_unowned_mfn(pt_max_page / 2), 0), -XEN_EINVAL,
              "unpin a frame that is not ours");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_max_page + 10, 0), -XEN_EINVAL, "unpin beyond RAM");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, ~0UL, 0), -XEN_EINVAL, "unpin mfn ~0");

    /* Everything is still in use. */
    /* Still page tables: an RW mapping is refused (its exact code is mmu_pt_writable's business). */
    if (!pt_map(4, fresh, L1_FLAGS_RW)) {
        test_fail("the linked L1 could be mapped RW: it lost its type");
        pt_unmap(4);
    }
    if (!pt_map(4, pt_l2, L1_FLAGS_RW)) {
        test_fail("the boot L2 could be mapped RW: it lost its type");
        pt_unmap(4);
    }
    expect_rc(mmu_update1(pt_maddr(fresh, 0), (data << 12) | L1_FLAGS_RW), 0, "the linked L1 still works");
    if (!probe_write((void *)(VIRT_BASE + ((uint64_t)slot << 21)), 5))
        test_fail("mapping through the linked L1 does not work");

    /* Unpin the boot L4 while it is CR3: legal; pin it back. */
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_l4, 0), 0, "unpin the boot L4 (CR3 keeps it)");
    if (!probe_read((void *)VIRT_BASE, &v))
        test_fail("kernel unreadable after unpinning the L4");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_l4, 0), -XEN_EINVAL, "unpin the boot L4 again");
    expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, pt_l4, 0), 0, "pin the boot L4 back");
    expect_rc(mmu_update1(pt_maddr(fresh, 0), 0), 0, "clear the entry");
    expect_rc(mmu_update1(pt_maddr(pt_l2, slot), 0), 0, "unlink the fresh L1");
    test_success();
}
