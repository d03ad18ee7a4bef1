/*
 * gnt_implicit_unmap (hostile): the guest removes a PTE a grant host_map
 * wrote, behind the grant layer's back: mmu_update (zap, or overwrite with
 * a mapping of another frame), update_va_mapping, an emulated write to its
 * read-only mapped L1 (ptwr), and the teardown of the L1 holding it (an
 * unpinned L1 unlinked, a pinned one unlinked and unpinned). Xen marks
 * grant PTEs _PAGE_GNTTAB and (debug builds) crashes such a guest; Tandem
 * keeps the references exact instead: the grant PTE holds the references
 * any L1 entry holds, so they leave with the entry, whoever removes it.
 * After each removal the frame is no longer held writable (it can be
 * pinned as an L1), the grant stays pinned (GTF_reading|GTF_writing) until
 * the handle is unmapped, and that unmap says general_error (the PTE is
 * not there) and releases the handle and the pin. The frame audit must be
 * clean at the end: no reference dangles after the L1 is freed.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant PTEs removed by mmu_update, update_va_mapping, ptwr and L1 teardown";

static volatile struct grant_entry_v1 *t;
static domid_t self;
static uint64_t page;

static void after_removal(void *host_addr, grant_handle_t h, const char *how)
{
    const uint16_t rw = GTF_reading | GTF_writing;

    if ((t[8].flags & rw) != rw)
        test_fail("%s: flags %#x, want the grant still pinned", how, t[8].flags);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, page, 0), 0, "%s: the frame is no longer held writable (pin as L1)", how);
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, page, 0), 0, "%s: unpin", how);
    expect_rc(gt_unmap(host_addr, h), GNTST_general_error, "%s: unmap the handle whose PTE is gone", how);
    if (t[8].flags != GTF_permit_access)
        test_fail("%s: after the unmap flags %#x, want permit_access only", how, t[8].flags);
    expect_rc(gt_unmap(host_addr, h), GNTST_bad_handle, "%s: the handle is released", how);
    printk("%s: references and pin exact\n", how);
}

static grant_handle_t map12(void)
{
    grant_handle_t h = ~0U;

    pt_unmap(12);
    expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_okay, "map ref 8 at slot 12");
    *(volatile uint64_t *)pt_slot_va(12) = 0;
    return h;
}

void test_main(void)
{
    uint64_t other, l1, v, *ro;
    unsigned int hole;
    grant_handle_t h;
    void *hva;

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    other = pt_free_mfn();
    gt_grant(t, 8, self, page, GTF_permit_access);

    h = map12();
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, 12), 0), 0, "mmu_update zaps the grant PTE");
    after_removal(pt_slot_va(12), h, "mmu_update zap");

    h = map12();
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, 12), (other << 12) | L1_FLAGS_RW), 0,
              "mmu_update overwrites it with a mapping of another frame");
    after_removal(pt_slot_va(12), h, "mmu_update overwrite");
    if (!probe_read(pt_slot_va(12), &v))
        test_fail("the unmap that found another frame removed that mapping");
    pt_unmap(12);

    h = map12();
    expect_rc(uvm((uint64_t)pt_slot_va(12), 0, UVMF_INVLPG), 0, "update_va_mapping zaps it");
    after_removal(pt_slot_va(12), h, "update_va_mapping");

    h = map12();
    ro = pt_map_ro(pt_scratch_l1);
    if (ro) {
        ro[12] = 0;             /* an emulated write (ptwr) */
        expect_rc(uvm((uint64_t)pt_slot_va(12), 0, UVMF_INVLPG), 0, "flush");
        pt_unmap_va(ro);
    }
    after_removal(pt_slot_va(12), h, "ptwr");

    /* Teardown: an unpinned L1 at the L2 hole, unlinked while holding the grant PTE. */
    hole = pt_scratch_l2_slot + 1;
    if (pt_read_entry(pt_l2, hole) & PTE_P)
        test_fail("the L2 slot after the scratch L1 is in use");
    l1 = pt_new_table(NULL, NULL, 0);
    hva = (void *)(pt_scratch_base() + 512 * 4096UL + 7 * 4096UL);
    expect_rc(mmu_update1(pt_maddr(pt_l2, hole), (l1 << 12) | LX_FLAGS), 0, "link a fresh L1");
    expect_rc(gt_map(8, self, hva, GNTMAP_host_map, &h), GNTST_okay, "map ref 8 into it");
    *(volatile uint64_t *)hva = 0;
    expect_rc(mmu_update1(pt_maddr(pt_l2, hole), 0), 0, "unlink the L1 (its teardown)");
    if (!pt_map_rw(l1))
        test_fail("the old L1 cannot be mapped writable: a type reference dangles");
    after_removal(hva, h, "unpinned L1 teardown");

    /* A pinned L1, the grant PTE written by its address (contains_pte), unlinked and unpinned. */
    l1 = pt_new_table(NULL, NULL, 0);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin a fresh L1");
    expect_rc(mmu_update1(pt_maddr(pt_l2, hole), (l1 << 12) | LX_FLAGS), 0, "link it");
    expect_rc(gt_map(8, self, (void *)pt_maddr(l1, 7), GNTMAP_host_map | GNTMAP_contains_pte, &h), GNTST_okay,
              "map ref 8 into its entry 7 by address");
    *(volatile uint64_t *)hva = 0;
    expect_rc(mmu_update1(pt_maddr(pt_l2, hole), 0), 0, "unlink it");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, l1, 0), 0, "unpin it (its teardown)");
    if (!pt_map_rw(l1))
        test_fail("the old pinned L1 cannot be mapped writable");
    after_removal((void *)pt_maddr(l1, 7), h, "pinned L1 teardown (contains_pte)");

    /* Overwritten with our own mapping of the same frame: the unmap cannot tell (no _PAGE_GNTTAB) and clears it. */
    h = map12();
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, 12), (page << 12) | L1_FLAGS_RW), 0,
              "mmu_update overwrites it with a plain mapping of the same frame");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap: the entry maps the granted frame, it goes");
    if (probe_read(pt_slot_va(12), &v))
        test_fail("the same-frame entry survived the unmap");
    if (t[8].flags != GTF_permit_access)
        test_fail("same frame: flags %#x", t[8].flags);
    t[8].flags = 0;
    test_success();
}
