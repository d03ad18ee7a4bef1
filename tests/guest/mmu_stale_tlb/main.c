/*
 * mmu_stale_tlb (hostile): keep a writable translation of a frame in the
 * TLB while the frame becomes a page table. The guest maps a frame RW,
 * writes through it (the TLB now holds VA -> frame, writable), removes
 * the mapping WITHOUT a flush (UVMF_NONE / plain mmu_update), then has the
 * frame validated as a page table (pin as L1, link as an L1, pin as L2).
 * Xen's _get_page_type flushes the TLBs that may hold the old writable
 * translation when the type changes (tlbflush_filter); afterwards a write
 * through the old VA must fault (#PF, not present), and the table is
 * unchanged. Also the reverse: an L1 unlinked without a flush and then
 * mapped writable must not keep translating for its old range.
 */
#include "pt.h"

const char test_title[] = "hostile: stale writable TLB entries across a type change";

static volatile uint64_t *map_and_touch(int slot, uint64_t f)
{
    volatile uint64_t *va = pt_slot_va(slot);

    expect_rc(pt_map(slot, f, L1_FLAGS_RW), 0, "map frame %#lx RW at slot %d", (unsigned long)f, slot);
    if (!probe_write(va + 1, 0) || !probe_write(va + 300, 0))
        test_fail("frame not writable before the type change");
    return va;
}

static void must_fault(volatile uint64_t *va, const char *what)
{
    if (probe_write(va + 300, 0))
        test_fail("%s: write through the old VA %p succeeded (stale writable TLB entry)", what, (void *)va);
    else if (last_trap.vector != TRAP_page_fault || (last_trap.err & PFEC_present))
        test_fail("%s: vector %u error %#lx, want #PF not-present", what, last_trap.vector,
                  (unsigned long)last_trap.err);
}

void test_main(void)
{
    uint64_t f, g, p, d, forged;
    volatile uint64_t *a, *b;
    unsigned int l2s = pt_scratch_l2_slot + 1, i0 = 0;
    bool stale_seen;

    if (!pt_init())
        return;

    /* Precondition (informational): does this machine keep a translation after an unflushed unmap? */
    f = pt_free_mfn();
    a = map_and_touch(30, f);
    expect_rc(uvm((uint64_t)a, 0, UVMF_NONE), 0, "unmap without flush");
    stale_seen = probe_write(a + 300, 0);
    printk("stale TLB entry after an unflushed unmap: %s\n", stale_seen ? "yes (test is meaningful)" : "no");
    mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);

    /* A: writable -> L1 by pin. Two RW views, both removed without a flush. */
    a = map_and_touch(31, f);
    b = map_and_touch(32, f);
    expect_rc(uvm((uint64_t)a, 0, UVMF_NONE), 0, "unmap view a, no flush");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, f, 0), -XEN_EINVAL, "pin while view b is still mapped RW");
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, 32), 0), 0, "unmap view b with mmu_update (no flush)");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, f, 0), 0, "pin as L1 with stale TLB entries around");
    must_fault(a, "pin L1, view a");
    must_fault(b, "pin L1, view b");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f, 0), 0, "unpin");

    /* B: writable -> L1 by linking it into the L2. */
    g = pt_free_mfn();
    a = map_and_touch(33, g);
    expect_rc(uvm((uint64_t)a, 0, UVMF_NONE), 0, "unmap, no flush");
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (g << 12) | LX_FLAGS), 0, "link as an L1");
    must_fault(a, "link as L1");
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), 0), 0, "unlink");

    /* C: writable -> L2 by pin. */
    a = map_and_touch(34, g);
    expect_rc(uvm((uint64_t)a, 0, UVMF_NONE), 0, "unmap, no flush");
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, g, 0), 0, "pin as L2");
    must_fault(a, "pin L2");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, g, 0), 0, "unpin L2");

    /* D: L1 -> writable. L1 p maps data frame d at the start of L2 slot l2s; use it; unlink
     * without a flush; map p RW (no flush) and forge an entry for another VA of the old range. */
    p = pt_free_mfn();
    d = pt_free_mfn();
    forged = pt_free_mfn();
    {
        uint64_t e = (d << 12) | L1_FLAGS_RW;
        pt_fill(p, &i0, &e, 1);
    }
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (p << 12) | LX_FLAGS), 0, "link L1 p");
    a = (volatile uint64_t *)(VIRT_BASE + ((uint64_t)l2s << 21));
    if (!probe_write(a, 0x1111))
        test_fail("mapping through p does not work");
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), 0), 0, "unlink p, no flush");
    b = pt_slot_va(35);
    expect_rc(uvm((uint64_t)b, (p << 12) | L1_FLAGS_RW, UVMF_NONE), 0, "map the former L1 RW, no flush");
    if (!probe_write(b + 7, (forged << 12) | L1_FLAGS_RW))
        test_fail("cannot write the former L1 through its RW mapping");
    else if (probe_write(a + 7 * 512, 0x2222))
        test_fail("a VA of the unlinked L1's range translated through the guest-written former L1");
    expect_rc(uvm((uint64_t)b, 0, UVMF_INVLPG), 0, "unmap the former L1");
    expect_rc(mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0, "flush");
    /* The frames are ordinary pages again. */
    expect_rc(pt_map(36, f, L1_FLAGS_RW), 0, "f is an ordinary page again");
    expect_rc(pt_map(37, g, L1_FLAGS_RW), 0, "g is an ordinary page again");
    pt_unmap(36);
    pt_unmap(37);
    test_success();
}
