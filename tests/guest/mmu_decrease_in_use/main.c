/*
 * mmu_decrease_in_use (hostile): give back frames that are still in use -
 * mapped RW, pinned as an L1, pinned and linked as the L1 of a live range -
 * hoping the hypervisor frees (and reuses) memory the guest can still reach.
 * Xen (common/memory.c guest_remove_page): the extent counts as done (1):
 * a pin is dropped, the allocation reference is dropped, and the frame is
 * freed only when its last reference goes - so every mapping keeps working
 * until it is removed, current_reservation drops only then, and afterwards
 * the frame is no longer the guest's. The safety half (never freed while
 * referenced, the audit stays clean) is what matters most; the counts are
 * Xen's.
 */
#include "pt.h"

const char test_title[] = "hostile: decrease_reservation of frames still mapped or used as page tables";

static long decrease(uint64_t mfn)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)&mfn, .nr_extents = 1, .domid = DOMID_SELF };

    return memop(XENMEM_decrease_reservation, &r);
}

static long cur(void)
{
    domid_t self = DOMID_SELF;

    return memop(XENMEM_current_reservation, &self);
}

void test_main(void)
{
    uint64_t f, p, q, d, v, list[4];
    long c0, rc;
    int slot;
    unsigned int l2s, i0 = 0;
    volatile uint64_t *va, *qva;

    if (!pt_init())
        return;
    c0 = cur();
    l2s = pt_scratch_l2_slot + 1;

    /* 1. A frame mapped RW. */
    f = pt_free_mfn();
    slot = pt_alloc_slot();
    va = pt_slot_va(slot);
    expect_rc(pt_map(slot, f, L1_FLAGS_RW), 0, "map f");
    *va = 0x5afe;
    rc = decrease(f);
    expect_rc(rc, 1, "decrease_reservation of a frame mapped RW");
    if (!probe_write(va + 1, 1) || !probe_read(va, &v) || v != 0x5afe)
        test_fail("the mapping of the given-back frame stopped working while it exists");
    expect_rc(cur(), c0, "current_reservation while the frame is still mapped");
    expect_rc(pt_unmap(slot), 0, "unmap f (its last reference)");
    if (rc == 1) {
        expect_rc(cur(), c0 - 1, "current_reservation once the mapping is gone");
        if (!pt_map(slot, f, L1_FLAGS_RO)) {
            test_fail("f could be mapped again after it was freed");
            pt_unmap(slot);
        }
    }

    /* 2. A pinned, unlinked L1: the pin goes, then the frame. */
    p = pt_free_mfn();
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, p, 0), 0, "pin p");
    rc = decrease(p);
    expect_rc(rc, 1, "decrease_reservation of a pinned L1");
    if (rc == 1) {
        expect_rc(cur(), c0 - 2, "current_reservation after the pinned L1 went");
        expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, p, 0), -XEN_EINVAL, "unpin p after it was given back");
        expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, p, 0), -XEN_EINVAL, "pin p after it was given back");
    } else {
        expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, p, 0), 0, "unpin p (it was not given back)");
    }

    /* 3. A pinned L1 linked into the L2, mapping data frame d: keeps translating until unlinked. */
    q = pt_free_mfn();
    d = pt_free_mfn();
    {
        uint64_t e = (d << 12) | L1_FLAGS_RW;
        pt_fill(q, &i0, &e, 1);
    }
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, q, 0), 0, "pin q");
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (q << 12) | LX_FLAGS), 0, "link q");
    qva = (volatile uint64_t *)(VIRT_BASE + ((uint64_t)l2s << 21));
    *qva = 0x7777;
    c0 = cur();
    rc = decrease(q);
    expect_rc(rc, 1, "decrease_reservation of a pinned, linked L1");
    if (!probe_read(qva, &v) || v != 0x7777)
        test_fail("the range mapped by the given-back L1 stopped working while linked");
    if (!pt_map(slot, q, L1_FLAGS_RW)) {
        test_fail("the given-back L1, still linked, could be mapped RW");
        pt_unmap(slot);
    }
    expect_rc(cur(), c0, "current_reservation while the L1 is still linked");
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), 0), 0, "unlink q");
    mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    if (rc == 1)
        expect_rc(cur(), c0 - 1, "current_reservation after unlinking the given-back L1");
    else
        expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, q, 0), 0, "unpin q (it was not given back)");
    if (probe_read(qva, &v))
        test_fail("range still mapped after unlinking");

    /* Back to where we started. */
    {
        struct xen_memory_reservation r = { .extent_start = (uint64_t)list, .nr_extents = 4, .domid = DOMID_SELF };
        memop(XENMEM_increase_reservation, &r);
    }
    test_success();
}
