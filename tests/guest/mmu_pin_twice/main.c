/*
 * mmu_pin_twice (hostile): pinning is not reference counted in Xen (one
 * pin per page, "mfn already pinned" -> -EINVAL), so a second pin must not
 * take a second reference that a single unpin would leave behind (or let a
 * double unpin drop one reference too many). The boot L4 comes pinned from
 * the builder: pin it again as an L4 (-EINVAL) and as an L3 (wrong type,
 * -EINVAL). A fresh L1: pin, pin again, pin as L2, unpin, unpin again
 * (-EINVAL: not pinned). A boot L1 in use but not pinned: pinning it is
 * legal and unpinning leaves it in use. The audit checks the counts.
 */
#include "pt.h"

const char test_title[] = "hostile: pin an already pinned table";

void test_main(void)
{
    uint64_t f, v;

    if (!pt_init())
        return;
    expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, pt_l4, 0), -XEN_EINVAL, "pin the builder-pinned boot L4 again");
    expect_rc(mmuext1(MMUEXT_PIN_L3_TABLE, pt_l4, 0), -XEN_EINVAL, "pin the boot L4 as an L3");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, pt_l4, 0), -XEN_EINVAL, "pin the boot L4 as an L1");

    f = pt_free_mfn();
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, f, 0), 0, "pin a fresh L1");
    for (unsigned int i = 0; i < 4; i++)
        expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, f, 0), -XEN_EINVAL, "pin the pinned L1 again (#%u)", i + 1);
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, f, 0), -XEN_EINVAL, "pin the pinned L1 as an L2");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f, 0), 0, "unpin it once");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f, 0), -XEN_EINVAL, "unpin it a second time");
    /* One unpin was enough: the frame is an ordinary page again. */
    expect_rc(pt_map(9, f, L1_FLAGS_RW), 0, "map the unpinned L1's frame RW");
    expect_rc(pt_unmap(9), 0, "unmap it");

    /* A batch: pin, pin (refused) - done counts only the first. */
    {
        struct mmuext_op ops[2] = { { .cmd = MMUEXT_PIN_L1_TABLE }, { .cmd = MMUEXT_PIN_L1_TABLE } };
        unsigned int done = 0;
        ops[0].arg1.mfn = ops[1].arg1.mfn = f;
        expect_rc(HC5(mmuext_op, (unsigned long)ops, 2, (unsigned long)&done, DOMID_SELF, 0), -XEN_EINVAL,
                  "batch pin, pin");
        expect_rc(done, 1, "done after batch pin, pin");
        expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f, 0), 0, "unpin after the batch");
    }

    /* A boot L1 in use: pin (legal), pin again (refused), unpin: still in use and working. */
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, pt_l1[0], 0), 0, "pin the (linked, unpinned) boot L1");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, pt_l1[0], 0), -XEN_EINVAL, "pin the boot L1 again");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, pt_l1[0], 0), 0, "unpin the boot L1");
    if (!probe_read((void *)VIRT_BASE, &v))
        test_fail("kernel text unreadable after pin/unpin of its L1");
    if (!pt_map(9, pt_l1[0], L1_FLAGS_RW)) {     /* the exact code is mmu_pt_writable's business */
        test_fail("the boot L1 could be mapped RW after pin/unpin: not a page table any more");
        pt_unmap(9);
    }
    test_success();
}
