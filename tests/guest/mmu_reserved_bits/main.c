/*
 * mmu_reserved_bits (hostile): entries with bits a PV guest may not set
 * (Xen's *_DISALLOW_MASK for a 64-bit PV domain without I/O access):
 *  - L1: PWT, PCD, PAT (cache attributes: aliasing attacks on memory the
 *    hypervisor maps WB) -> -EINVAL;
 *  - L2: PSE (a 2 MiB superpage the guest does not own as a whole), PWT,
 *    PCD, GLOBAL -> -EINVAL; L3: PSE (1 GiB), PWT, PCD, GLOBAL; L4: bit 7,
 *    PWT, PCD, GLOBAL -> -EINVAL;
 * through update_va_mapping, mmu_update (also PRESERVE_AD), and inside
 * tables being pinned. What Xen allows stays allowed: NX, the AVL bits
 * 9-11 and the software bits 52-61, GLOBAL in an L1. Refused updates leave
 * the entry unchanged.
 */
#include "pt.h"

const char test_title[] = "hostile: reserved PTE bits (PWT/PCD/PAT in L1, PSE in L2...)";

void test_main(void)
{
    static const struct { uint64_t bits; const char *name; } l1_bad[] = {
        { PTE_PWT, "PWT" }, { PTE_PCD, "PCD" }, { PTE_PAT, "PAT" }, { PTE_PWT | PTE_PCD, "PWT|PCD" },
        { PTE_PAT | PTE_PWT, "PAT|PWT" },
    }, l1_ok[] = {
        { PTE_NX, "NX" }, { 7UL << 9, "AVL 9-11" }, { 1UL << 55, "bit 55" }, { 1UL << 58, "bit 58" },
        { 1UL << 61, "bit 61" }, { 0x3ffUL << 52, "bits 52-61" }, { PTE_G, "GLOBAL" },
    }, lx_bad[] = {
        { PTE_PSE, "PSE" }, { PTE_PWT, "PWT" }, { PTE_PCD, "PCD" }, { PTE_G, "GLOBAL" },
    }, lx_ok[] = {
        { PTE_NX, "NX" }, { 7UL << 9, "AVL 9-11" }, { 1UL << 58, "bit 58" },
    };
    int slot;
    uint64_t own, fresh_l1, fresh_l2, fresh_l3, e, va;
    unsigned int l2s, i0 = 0;

    if (!pt_init())
        return;
    slot = pt_alloc_slot();
    va = (uint64_t)pt_slot_va(slot);
    own = pt_free_mfn();
    fresh_l1 = pt_free_mfn();
    fresh_l2 = pt_free_mfn();
    fresh_l3 = pt_free_mfn();
    l2s = pt_scratch_l2_slot + 1;

    /* L1 entries. */
    expect_rc(uvm(va, (own << 12) | L1_FLAGS_RW, UVMF_INVLPG), 0, "plain RW mapping");
    for (unsigned int i = 0; i < ARRAY_SIZE(l1_bad); i++) {
        expect_rc(uvm(va, (own << 12) | L1_FLAGS_RW | l1_bad[i].bits, UVMF_INVLPG), -XEN_EINVAL,
                  "update_va_mapping L1 + %s", l1_bad[i].name);
        expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (own << 12) | L1_FLAGS_RO | l1_bad[i].bits), -XEN_EINVAL,
                  "mmu_update L1 + %s", l1_bad[i].name);
        expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot) | MMU_PT_UPDATE_PRESERVE_AD,
                              (own << 12) | L1_FLAGS_RW | l1_bad[i].bits),
                  -XEN_EINVAL, "mmu_update PRESERVE_AD L1 + %s", l1_bad[i].name);
        if ((pt_read_entry(pt_scratch_l1, slot) & (PTE_PWT | PTE_PCD | PTE_PAT)) ||
            PTE_MFN(pt_read_entry(pt_scratch_l1, slot)) != own)
            test_fail("refused L1 + %s changed the entry", l1_bad[i].name);
        e = (own << 12) | L1_FLAGS_RO | l1_bad[i].bits;
        pt_fill(fresh_l1, &i0, &e, 1);
        expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, fresh_l1, 0), -XEN_EINVAL, "pin an L1 holding an entry + %s",
                  l1_bad[i].name);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(l1_ok); i++) {
        expect_rc(uvm(va, (own << 12) | L1_FLAGS_RW | l1_ok[i].bits, UVMF_INVLPG), 0, "update_va_mapping L1 + %s",
                  l1_ok[i].name);
        expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (own << 12) | L1_FLAGS_RW | l1_ok[i].bits), 0,
                  "mmu_update L1 + %s", l1_ok[i].name);
    }
    expect_rc(uvm(va, 0, UVMF_INVLPG), 0, "unmap");
    pt_fill(fresh_l1, &i0, &e, 0);      /* back to all zero */

    /* L2 entries (boot L2 free slot), L3 (boot L3 slot 0), L4 (boot L4 slot 0). */
    for (unsigned int i = 0; i < ARRAY_SIZE(lx_bad); i++) {
        expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (fresh_l1 << 12) | LX_FLAGS | lx_bad[i].bits), -XEN_EINVAL,
                  "L2 entry + %s", lx_bad[i].name);
        expect_rc(mmu_update1(pt_maddr(pt_l3, 0), (fresh_l2 << 12) | LX_FLAGS | lx_bad[i].bits), -XEN_EINVAL,
                  "L3 entry + %s", lx_bad[i].name);
        expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (fresh_l3 << 12) | LX_FLAGS | lx_bad[i].bits), -XEN_EINVAL,
                  "L4 entry + %s", lx_bad[i].name);
        e = (fresh_l1 << 12) | LX_FLAGS | lx_bad[i].bits;
        pt_fill(fresh_l2, &i0, &e, 1);
        expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, fresh_l2, 0), -XEN_EINVAL, "pin an L2 holding an entry + %s",
                  lx_bad[i].name);
    }
    /* The 2 MiB superpage a PSE L2 entry would map: 512 of our own frames, still refused. */
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (pfn_to_mfn(0) << 12) | LX_FLAGS | PTE_PSE), -XEN_EINVAL,
              "L2 superpage over the kernel's own first 2 MiB");
    if (pt_read_entry(pt_l2, l2s) || pt_read_entry(pt_l3, 0) || pt_read_entry(pt_l4, 0))
        test_fail("a refused upper-level update changed a table");
    pt_fill(fresh_l2, &i0, &e, 0);      /* back to all zero */
    for (unsigned int i = 0; i < ARRAY_SIZE(lx_ok); i++) {
        expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (fresh_l1 << 12) | LX_FLAGS | lx_ok[i].bits), 0,
                  "L2 entry + %s", lx_ok[i].name);
        expect_rc(mmu_update1(pt_maddr(pt_l3, 0), (fresh_l2 << 12) | LX_FLAGS | lx_ok[i].bits), 0,
                  "L3 entry + %s", lx_ok[i].name);
        expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (fresh_l3 << 12) | LX_FLAGS | lx_ok[i].bits), 0,
                  "L4 entry + %s", lx_ok[i].name);
    }
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), 0), 0, "clear L2 entry");
    expect_rc(mmu_update1(pt_maddr(pt_l3, 0), 0), 0, "clear L3 entry");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), 0), 0, "clear L4 entry");
    test_success();
}
