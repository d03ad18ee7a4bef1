/*
 * mmu_update_basic: the success paths of mmu_update (Xen's do_mmu_update):
 * a normal L1 update maps a frame, the stored entry gets _PAGE_USER forced
 * (both guest modes run in ring 3), PRESERVE_AD keeps the A/D bits the
 * hardware set, NO_TRANSLATE is a normal update for a PV guest, an update to
 * a frame that is not a page table is a plain write, MMU_MACHPHYS_UPDATE of
 * an own frame sets the M2P, `done` counts the requests done, and request
 * types 4-7 are -ENOSYS.
 */
#include "pt.h"

const char test_title[] = "mmu_update: normal, PRESERVE_AD, NO_TRANSLATE, plain writes, MACHPHYS_UPDATE";

void test_main(void)
{
    const volatile uint64_t *m2p = (const volatile uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t f, g, pfn, e, v, ptr;
    volatile uint64_t *va;
    struct mmu_update req[3];
    unsigned int done;
    int slot;

    if (!pt_init())
        return;
    slot = pt_alloc_slot();
    va = pt_slot_va(slot);
    pfn = pt_free_pfn();
    f = pfn_to_mfn(pfn);
    g = pt_free_mfn();
    ptr = pt_maddr(pt_scratch_l1, slot);

    /* Normal update: map f read-write without A/D; the hardware sets them on a write. */
    expect_rc(mmu_update1(ptr, (f << 12) | PTE_P | PTE_RW), 0, "mmu_update map own frame RW");
    if (!probe_write(va, 0x1234567890abcdefUL) || !probe_read(va, &v) || v != 0x1234567890abcdefUL)
        test_fail("the frame mapped by mmu_update is not usable read-write");
    e = pt_read_entry(pt_scratch_l1, slot);
    if (PTE_MFN(e) != f || !(e & PTE_P) || !(e & PTE_RW))
        test_fail("stored L1 entry %#lx does not map mfn %#lx RW", (unsigned long)e, (unsigned long)f);
    if (!(e & PTE_US))
        test_fail("stored L1 entry %#lx: _PAGE_USER not forced", (unsigned long)e);
    if ((e & (PTE_A | PTE_D)) != (PTE_A | PTE_D))
        test_fail("stored L1 entry %#lx: hardware A/D not set after a write", (unsigned long)e);

    /* PRESERVE_AD: same frame, value without A/D: the old A/D survive. */
    expect_rc(mmu_update1(ptr | MMU_PT_UPDATE_PRESERVE_AD, (f << 12) | PTE_P | PTE_RW), 0,
              "mmu_update PRESERVE_AD");
    e = pt_read_entry(pt_scratch_l1, slot);
    if ((e & (PTE_A | PTE_D)) != (PTE_A | PTE_D))
        test_fail("PRESERVE_AD lost A/D: entry %#lx", (unsigned long)e);
    /* A normal update with the same value clears them (the guest's value is taken as is). */
    expect_rc(mmu_update1(ptr, (f << 12) | PTE_P | PTE_RW), 0, "mmu_update normal, A/D clear");
    e = pt_read_entry(pt_scratch_l1, slot);
    if (e & (PTE_A | PTE_D))
        test_fail("normal update kept A/D: entry %#lx", (unsigned long)e);
    /* PRESERVE_AD onto a different frame: nothing to preserve from a new mapping's view, but allowed. */
    expect_rc(mmu_update1(ptr | MMU_PT_UPDATE_PRESERVE_AD, (g << 12) | L1_FLAGS_RW), 0,
              "mmu_update PRESERVE_AD to another frame");
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);    /* mmu_update never flushes: the guest does */
    if (!probe_write(va, 0x5555) || !probe_read(va, &v) || v != 0x5555)
        test_fail("remapped frame not usable");

    /* MMU_PT_UPDATE_NO_TRANSLATE (3): a normal update for a PV (non-translated) guest. */
    expect_rc(mmu_update1(ptr | MMU_PT_UPDATE_NO_TRANSLATE, (f << 12) | L1_FLAGS_RW), 0,
              "mmu_update NO_TRANSLATE (PV: same as normal)");
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
    if (!probe_read(va, &v) || v != 0x1234567890abcdefUL)
        test_fail("NO_TRANSLATE update did not map mfn %#lx (read %#lx)", (unsigned long)f, (unsigned long)v);

    /* Flags-only change (NX) of the same mapping. */
    expect_rc(mmu_update1(ptr, (f << 12) | L1_FLAGS_RW | PTE_NX), 0, "mmu_update adding NX");
    e = pt_read_entry(pt_scratch_l1, slot);
    if (!(e & PTE_NX) || PTE_MFN(e) != f)
        test_fail("NX not stored: %#lx", (unsigned long)e);

    /* ptr[2:0] is the request type: 4-7 are unknown (-ENOSYS), nothing written. */
    for (unsigned int t = 4; t < 8; t++)
        expect_rc(mmu_update1(ptr | t, 0), -XEN_ENOSYS, "mmu_update request type %u", t);
    if (PTE_MFN(pt_read_entry(pt_scratch_l1, slot)) != f)
        test_fail("an unknown request type changed the entry");

    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
    /* A frame that is not a page table in use: a plain 8-byte write at the offset. */
    expect_rc(mmu_update1(pt_maddr(f, 5), 0xfeedfacecafebeefUL), 0, "mmu_update to a writable (data) frame");
    if (!probe_read(va + 5, &v) || v != 0xfeedfacecafebeefUL)
        test_fail("plain write through mmu_update not visible (read %#lx)", (unsigned long)v);

    /* MMU_MACHPHYS_UPDATE of an own frame. */
    expect_rc(mmu_update1((f << 12) | MMU_MACHPHYS_UPDATE, pfn + 0x10000), 0, "MACHPHYS_UPDATE own frame");
    if (m2p[f] != pfn + 0x10000)
        test_fail("M2P[%#lx] = %#lx after MACHPHYS_UPDATE, want %#lx", (unsigned long)f,
                  (unsigned long)m2p[f], (unsigned long)(pfn + 0x10000));
    expect_rc(mmu_update1((f << 12) | MMU_MACHPHYS_UPDATE, pfn), 0, "MACHPHYS_UPDATE back");

    /* A batch of three: unmap, map g RO, map f RW: done = 3. */
    req[0] = (struct mmu_update){ ptr, 0 };
    req[1] = (struct mmu_update){ ptr, (g << 12) | L1_FLAGS_RO };
    req[2] = (struct mmu_update){ ptr, (f << 12) | L1_FLAGS_RW };
    done = 77;
    expect_rc(HC5(mmu_update, (unsigned long)req, 3, (unsigned long)&done, DOMID_SELF, 0), 0,
              "mmu_update batch of 3");
    expect_rc(done, 3, "done after a batch of 3");

    /* Unmap: the VA faults afterwards (UVMF-less mmu_update: flush ourselves). */
    expect_rc(mmu_update1(ptr, 0), 0, "mmu_update unmap");
    expect_rc(mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0), 0, "INVLPG_LOCAL");
    if (probe_read(va, &v))
        test_fail("unmapped VA still readable");
    else if (last_trap.vector != TRAP_page_fault)
        test_fail("unmapped VA: vector %u, want #PF", last_trap.vector);
    printk("mmu_update_basic: done\n");
    test_success();
}
