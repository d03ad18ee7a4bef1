/*
 * gnt_unmap_tlb (hostile): unmap flushes the TLB before the frame can be
 * reused. The mapper reads and writes through its grant mapping (the TLB
 * now holds VA -> frame, writable), unmaps, and the granter at once turns
 * the frame into a pinned L1: a stale translation would let the mapper
 * write forged PTEs into a validated table. Every access through the old
 * VA must fault after the unmap, for a mapping by VA (invlpg) and one by
 * the PTE's machine address (GNTMAP_contains_pte, a full flush), and for
 * a batch of unmaps; the frame's pin then succeeds because nothing maps it.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: a stale TLB entry after grant unmap";

static void stale_check(volatile uint64_t *va, uint64_t page, const char *how)
{
    uint64_t v;

    if (probe_read(va, &v) || probe_write(va, 0xbad))
        test_fail("%s: the old VA still reaches the frame after unmap", how);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, page, 0), 0, "%s: the frame becomes an L1 after the unmap", how);
    if (probe_write(va, (pt_l4 << 12) | L1_FLAGS_RW))
        test_fail("%s: wrote into the frame, now an L1, through the stale VA", how);
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, page, 0), 0, "%s: unpin", how);
}

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    struct gnttab_unmap_grant_ref un[8];
    uint64_t page, v;
    grant_handle_t h;
    domid_t self;
    volatile uint64_t *va;

    if (!gt_self_init(&t, &self))
        return;
    va = pt_slot_va(12);
    page = pt_free_mfn();
    pt_unmap(12);
    gt_grant(t, 8, self, page, GTF_permit_access);

    expect_rc(gt_map(8, self, (void *)va, GNTMAP_host_map, &h), GNTST_okay, "map by VA");
    va[0] = 0;                          /* fills the TLB, writable */
    v = va[1];
    (void)v;
    expect_rc(gt_unmap((void *)va, h), GNTST_okay, "unmap by VA");
    stale_check(va, page, "by VA");

    expect_rc(gt_map(8, self, (void *)pt_maddr(pt_scratch_l1, 12), GNTMAP_host_map | GNTMAP_contains_pte, &h),
              GNTST_okay, "map by the PTE's address");
    va[0] = 0;
    expect_rc(gt_unmap((void *)pt_maddr(pt_scratch_l1, 12), h), GNTST_okay, "unmap by the PTE's address");
    stale_check(va, page, "contains_pte");

    /* A batch: eight VAs touched, unmapped in one call. */
    for (unsigned int i = 0; i < 8; i++) {
        pt_unmap(20 + i);
        expect_rc(gt_map(8, self, pt_slot_va(20 + i), GNTMAP_host_map, &h), GNTST_okay, "map %u of the batch", i);
        *(volatile uint64_t *)pt_slot_va(20 + i) = 0;  /* touched (a valid empty entry if it were an L1) */
        un[i] = (struct gnttab_unmap_grant_ref){ .host_addr = (uint64_t)pt_slot_va(20 + i), .handle = h };
    }
    expect_rc(gt_op(GNTTABOP_unmap_grant_ref, un, 8), 0, "unmap the eight in one call");
    for (unsigned int i = 0; i < 8; i++) {
        expect_rc(un[i].status, GNTST_okay, "batch unmap %u", i);
        if (probe_read(pt_slot_va(20 + i), &v))
            test_fail("batch: VA %u still reads after the unmap", i);
    }
    stale_check(pt_slot_va(27), page, "batch");
    if (t[8].flags != GTF_permit_access)
        test_fail("flags %#x at the end", t[8].flags);
    t[8].flags = 0;
    test_success();
}
