/*
 * mmu_pin_self_writable (hostile): pin tables that would map themselves
 * writable once in use:
 *  - an L1 whose entry maps its own frame RW: validating it needs the
 *    frame PGT_writable_page while it is becoming an L1 -> Xen
 *    get_page_from_l1e could_not_pin -> -EBUSY;
 *  - an L1 -> L2 cycle (the L2's entry links the L1, the L1 maps the L2
 *    RW): the failure propagates out of the L2's validation -> -EBUSY;
 *  - an L2 / L4 whose entry links itself writable (as an L1 / L3): the
 *    type check fails and Xen's linear-page-table fallback refuses
 *    "linear p.t. with write perms" -> -EINVAL.
 * An L1 mapping itself read-only is harmless and pins. After every refusal
 * the frame is an ordinary page again (it can be mapped RW).
 */
#include "pt.h"

const char test_title[] = "hostile: pin a table that maps itself writable";

static void ordinary_again(uint64_t m, const char *what)
{
    void *va = pt_map_rw(m);

    if (!va)
        test_fail("%s: frame cannot be mapped RW after the refused pin", what);
    else
        pt_unmap_va(va);
}

void test_main(void)
{
    unsigned int i0 = 0, i5 = 5;
    uint64_t a, b, e;

    if (!pt_init())
        return;

    /* L1 with an RW entry to itself. */
    a = pt_free_mfn();
    e = (a << 12) | L1_FLAGS_RW;
    pt_fill(a, &i5, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, a, 0), -XEN_EBUSY, "pin L1 mapping itself RW");
    expect_rc(mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (a << 12) | LX_FLAGS), -XEN_EBUSY,
              "link L1 mapping itself RW");
    ordinary_again(a, "L1 mapping itself RW");

    /* The same L1 mapping itself read-only: fine. */
    e = (a << 12) | L1_FLAGS_RO;
    pt_fill(a, &i5, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, a, 0), 0, "pin L1 mapping itself read-only");
    expect_rc(mmu_update1(pt_maddr(a, 5), (a << 12) | L1_FLAGS_RW), -XEN_EBUSY,
              "mmu_update of the pinned L1's self entry to RW");
    expect_rc(mmu_update1(pt_maddr(a, 6), (a << 12) | L1_FLAGS_RW), -XEN_EBUSY,
              "mmu_update adding an RW self entry to the pinned L1");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, a, 0), 0, "unpin");
    ordinary_again(a, "L1 mapping itself read-only");

    /* Cycle: L2 b links L1 a; a maps b RW. */
    b = pt_free_mfn();
    e = (b << 12) | L1_FLAGS_RW;
    pt_fill(a, &i0, &e, 1);
    e = (a << 12) | LX_FLAGS;
    pt_fill(b, &i0, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, b, 0), -XEN_EBUSY, "pin L2 whose L1 maps the L2 RW");
    ordinary_again(a, "the cycle's L1");
    ordinary_again(b, "the cycle's L2");

    /* L2 linking itself (as an L1) with RW. */
    e = (b << 12) | LX_FLAGS;
    pt_fill(b, &i5, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, b, 0), -XEN_EINVAL, "pin L2 linking itself RW");
    ordinary_again(b, "L2 linking itself");

    /* L3 linking itself (as an L2) with RW. */
    pt_fill(b, &i5, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L3_TABLE, b, 0), -XEN_EINVAL, "pin L3 linking itself RW");
    ordinary_again(b, "L3 linking itself");

    /* L4 linking itself (as an L3) with RW in a guest slot. */
    pt_fill(b, &i0, &e, 1);
    expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, b, 0), -XEN_EINVAL, "pin L4 linking itself RW");
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, b, 0), -XEN_EINVAL, "NEW_BASEPTR to an L4 linking itself RW");
    expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, b, 0), -XEN_EINVAL, "NEW_USER_BASEPTR to an L4 linking itself RW");
    ordinary_again(b, "L4 linking itself");
    if (pt_read_cr3() != pt_l4 << 12)
        test_fail("cr3 changed");
    test_success();
}
