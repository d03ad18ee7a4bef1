/*
 * mmu_baseptr_unpinned: MMUEXT_NEW_BASEPTR to an L4 nothing else holds
 * (not pinned: the base pointer is its only type reference), run on it,
 * then NEW_BASEPTR back. Switching back drops that last reference: the L4
 * loses its type while it was, a moment before, the CPU's CR3. As Xen's
 * new_guest_cr3, the hypervisor loads the new CR3 first and only then puts
 * the old base pointer. Afterwards the frame is an ordinary page again (it
 * can be mapped writable), and the counts audit clean.
 */
#include "pt.h"

const char test_title[] = "NEW_BASEPTR away from an unpinned L4 drops it after the switch";

void test_main(void)
{
    const unsigned int idx[] = { 511 };
    uint64_t l4, e511, cr3;
    void *w;

    if (!pt_init())
        return;
    e511 = pt_read_entry(pt_l4, 511);
    l4 = pt_new_table(idx, (uint64_t[]){ e511 }, 1);
    if (!l4) {
        test_error("no frame for the L4");
        return;
    }
    for (unsigned int round = 0; round < 3; round++) {
        if (!expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, l4, 0), 0, "NEW_BASEPTR to the unpinned L4 (round %u)", round))
            break;
        cr3 = pt_read_cr3();
        if (cr3 >> 12 != l4)
            test_fail("cr3 %#lx after NEW_BASEPTR, want mfn %#lx", (unsigned long)cr3, (unsigned long)l4);
        expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, pt_l4, 0), 0, "NEW_BASEPTR back to the boot L4 (round %u)", round);
        if (pt_read_cr3() >> 12 != pt_l4)
            test_fail("cr3 not back on the boot L4");
    }
    /* Its only type reference went with the switch back: it maps writable now. */
    if (!(w = pt_map_rw(l4)))
        test_fail("the old L4 cannot be mapped writable after the switch back");
    else
        pt_unmap_va(w);
    test_success();
}
