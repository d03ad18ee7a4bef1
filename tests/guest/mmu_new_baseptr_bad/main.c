/*
 * mmu_new_baseptr_bad (hostile): MMUEXT_NEW_BASEPTR and NEW_USER_BASEPTR
 * with frames that are not an L4 of the guest: the boot L1/L2/L3, a data
 * page mapped RW (the kernel's own stack page), a fresh frame whose
 * contents fail L4 validation, a frame not ours, mfn 0, beyond RAM, the
 * M2P. Xen (new_guest_cr3 / get_page_and_type_from_mfn(PGT_root_page_table)):
 * -EINVAL for each; CR3 and the user base pointer stay as they were, and
 * a fresh frame that failed validation is an ordinary page again.
 * NEW_USER_BASEPTR 0 (none) is always accepted.
 */
#include "pt.h"

const char test_title[] = "hostile: NEW_BASEPTR / NEW_USER_BASEPTR with a non-L4 or foreign frame";

static void both(uint64_t m, const char *what)
{
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, m, 0), -XEN_EINVAL, "NEW_BASEPTR %s", what);
    expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, m, 0), -XEN_EINVAL, "NEW_USER_BASEPTR %s", what);
    if (pt_read_cr3() != pt_l4 << 12)
        test_fail("cr3 %#lx after NEW_BASEPTR %s", (unsigned long)pt_read_cr3(), what);
}

void test_main(void)
{
    uint64_t stack, junk, e, m2p[1], v;
    unsigned int i3 = 3;
    volatile uint64_t marker = 0x600dUL;

    if (!pt_init())
        return;
    stack = pt_va_to_mfn((const void *)((uint64_t)&marker & ~0xfffUL));
    both(pt_l1[0], "boot L1");
    both(pt_l2, "boot L2");
    both(pt_l3, "boot L3");
    both(pt_scratch_l1, "scratch L1");
    both(stack, "the kernel stack page (mapped RW)");
    both(pt_va_to_mfn((void *)start_info), "the start_info page (mapped RW)");
    e = (pt_unowned_mfn(pt_max_page / 2) << 12) | LX_FLAGS;
    junk = pt_new_table(&i3, &e, 1);
    both(junk, "a fresh frame linking an unowned L3");
    both(pt_unowned_mfn(pt_max_page / 2), "a frame not ours");
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, 0, 0), -XEN_EINVAL, "NEW_BASEPTR mfn 0");   /* user: 0 = none */
    both(pt_max_page + 1, "beyond RAM");
    if (pt_m2p_frames(m2p, 1))
        both(m2p[0], "the M2P's first frame");
    /* The refused fresh frame is an ordinary page again. */
    expect_rc(pt_map(2, junk, L1_FLAGS_RW), 0, "map the refused frame RW");
    expect_rc(pt_unmap(2), 0, "unmap it");
    /* NEW_USER_BASEPTR 0 is always fine; the kernel keeps running on its L4. */
    expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0, "NEW_USER_BASEPTR 0");
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, pt_l4, 0), 0, "NEW_BASEPTR to the current L4");
    if (!probe_read((void *)VIRT_BASE, &v) || marker != 0x600dUL)
        test_fail("the kernel lost its address space");
    test_success();
}
