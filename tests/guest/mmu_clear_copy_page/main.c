/*
 * mmu_clear_copy_page: MMUEXT_CLEAR_PAGE and COPY_PAGE on the domain's own
 * frames (clearing / copying what a mapping then shows), and what Xen
 * refuses: clearing or copying onto a page table in use (it cannot get
 * PGT_writable_page) -> -EINVAL, while copying *from* one is allowed.
 * Also the other odd commands: MARK_SUPER / UNMARK_SUPER -> -EOPNOTSUPP
 * (superpages are gone from the PV ABI), SET_LDT with 0 entries -> 0
 * whatever the base (Xen ignores it then), SET_LDT with a misaligned or
 * hypervisor base or more than 8192 entries -> -EINVAL, an unknown
 * command -> -ENOSYS.
 */
#include "pt.h"

const char test_title[] = "mmuext: CLEAR_PAGE, COPY_PAGE, MARK_SUPER, SET_LDT, unknown commands";

void test_main(void)
{
    uint64_t a, b;
    volatile uint64_t *pa, *pb;
    bool ok = true;

    if (!pt_init())
        return;
    a = pt_free_mfn();
    b = pt_free_mfn();
    pa = pt_map_rw(a);
    pb = pt_map_rw(b);
    if (!pa || !pb)
        return;
    for (unsigned int i = 0; i < 512; i++)
        pa[i] = 0x1000 + i, pb[i] = 0xdead;

    expect_rc(mmuext1(MMUEXT_COPY_PAGE, b, a), 0, "COPY_PAGE a -> b (both mapped RW)");
    for (unsigned int i = 0; i < 512 && ok; i++)
        ok = pb[i] == 0x1000 + i;
    if (!ok)
        test_fail("COPY_PAGE: destination differs");
    expect_rc(mmuext1(MMUEXT_CLEAR_PAGE, a, 0), 0, "CLEAR_PAGE a");
    for (unsigned int i = 0; i < 512 && ok; i++)
        ok = pa[i] == 0;
    if (!ok)
        test_fail("CLEAR_PAGE: page not zero");
    pt_unmap_va((void *)pa);
    expect_rc(mmuext1(MMUEXT_CLEAR_PAGE, a, 0), 0, "CLEAR_PAGE of an unmapped own frame");

    /* Page tables in use. */
    expect_rc(mmuext1(MMUEXT_CLEAR_PAGE, pt_scratch_l1, 0), -XEN_EINVAL, "CLEAR_PAGE of the scratch L1");
    expect_rc(mmuext1(MMUEXT_CLEAR_PAGE, pt_l4, 0), -XEN_EINVAL, "CLEAR_PAGE of the L4");
    expect_rc(mmuext1(MMUEXT_COPY_PAGE, pt_l2, b), -XEN_EINVAL, "COPY_PAGE onto the L2");
    expect_rc(mmuext1(MMUEXT_COPY_PAGE, pt_l1[0], a), -XEN_EINVAL, "COPY_PAGE (zeros) onto the boot L1");
    expect_rc(mmuext1(MMUEXT_COPY_PAGE, b, pt_l4), 0, "COPY_PAGE from the L4 (reading is fine)");
    if (pb[511] != pt_read_entry(pt_l4, 511))
        test_fail("copy of the L4: entry 511 %#lx, want %#lx", (unsigned long)pb[511],
                  (unsigned long)pt_read_entry(pt_l4, 511));
    pt_unmap_va((void *)pb);

    expect_rc(mmuext1(MMUEXT_MARK_SUPER, a, 0), -XEN_EOPNOTSUPP, "MARK_SUPER");
    expect_rc(mmuext1(MMUEXT_UNMARK_SUPER, a, 0), -XEN_EOPNOTSUPP, "UNMARK_SUPER");
    {
        struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };
        op.arg1.linear_addr = 0;
        op.arg2.nr_ents = 0;
        expect_rc(HC5(mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0), 0, "SET_LDT 0 entries");
        op.arg1.linear_addr = 0xffff830000000123UL;
        expect_rc(HC5(mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0), 0,
                  "SET_LDT 0 entries, junk base (ignored)");
        op.arg1.linear_addr = (uint64_t)pt_slot_va(70) + 8;
        op.arg2.nr_ents = 1;
        expect_rc(HC5(mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0), -XEN_EINVAL,
                  "SET_LDT misaligned base");
        op.arg1.linear_addr = 0xffff830000000000UL;
        expect_rc(HC5(mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0), -XEN_EINVAL,
                  "SET_LDT base in the hypervisor range");
        op.arg1.linear_addr = (uint64_t)pt_slot_va(70);
        op.arg2.nr_ents = 8193;
        expect_rc(HC5(mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0), -XEN_EINVAL,
                  "SET_LDT 8193 entries");
    }
    expect_rc(mmuext1(14, 0, 0), -XEN_ENOSYS, "mmuext command 14 (unused)");
    expect_rc(mmuext1(21, 0, 0), -XEN_ENOSYS, "mmuext command 21");
    expect_rc(mmuext1(0x80000000U, 0, 0), -XEN_ENOSYS, "mmuext command 0x80000000");
    test_success();
}
