/*
 * mmu_ptwr: direct writes to the domain's own (read-only mapped) L1 pages
 * are emulated as validated updates (Xen's ptwr, pv/ro-page-fault.c), as
 * Linux relies on: an 8-byte MOV mapping a new page, XCHG (old value
 * returned), CMPXCHG (success and failure, rax and ZF as the hardware
 * would leave them), a 4-byte MOV into the low half (merged into the full
 * entry), a locked OR setting a flag, and a write into a bootstrap L1
 * through the boot region's own read-only mapping of it.
 */
#include "pt.h"

const char test_title[] = "ptwr: emulated direct writes to L1 entries";

void test_main(void)
{
    volatile uint64_t *sv, *va, *bl1;
    uint64_t own, own2, v, old, e;
    unsigned int k = 40;
    uint8_t zf;

    if (!pt_init())
        return;
    own = pt_free_mfn();
    own2 = pt_free_mfn();
    sv = pt_map_ro(pt_scratch_l1);          /* the scratch L1, read-only */
    va = pt_slot_va(k);
    if (!sv)
        return;

    /* 8-byte MOV. */
    e = (own << 12) | L1_FLAGS_RW;
    __asm__ __volatile__("movq %1, (%0)" :: "r"(&sv[k]), "r"(e) : "memory");
    if ((sv[k] & (PTE_ADDR | PTE_P | PTE_RW)) != ((own << 12) | PTE_P | PTE_RW))
        test_fail("MOV: entry %#lx, want mfn %#lx RW", (unsigned long)sv[k], (unsigned long)own);
    if (!probe_write(va, 0xabcd) || !probe_read(va, &v) || v != 0xabcd)
        test_fail("MOV: the new mapping does not work");

    /* XCHG: returns the old entry. */
    e = (own2 << 12) | L1_FLAGS_RW;
    old = e;
    __asm__ __volatile__("xchgq %0, (%1)" : "+r"(old) : "r"(&sv[k]) : "memory");
    if (PTE_MFN(old) != own)
        test_fail("XCHG returned %#lx, want the old entry for mfn %#lx", (unsigned long)old, (unsigned long)own);
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
    if (!probe_read(va, &v) || v == 0xabcd)
        test_fail("XCHG: VA still maps the old frame");

    /* CMPXCHG that fails: rax gets the current entry, ZF clear, nothing written. */
    old = 0x1234000;
    e = (own << 12) | L1_FLAGS_RW;
    __asm__ __volatile__("lock cmpxchgq %2, (%3); setz %1" : "+a"(old), "=q"(zf) : "r"(e), "r"(&sv[k]) : "memory");
    if (zf || PTE_MFN(old) != own2 || PTE_MFN(sv[k]) != own2)
        test_fail("failing CMPXCHG: zf %u rax %#lx entry %#lx", zf, (unsigned long)old, (unsigned long)sv[k]);
    /* CMPXCHG that succeeds. */
    old = sv[k];
    __asm__ __volatile__("lock cmpxchgq %2, (%3); setz %1" : "+a"(old), "=q"(zf) : "r"(e), "r"(&sv[k]) : "memory");
    if (!zf || PTE_MFN(sv[k]) != own)
        test_fail("CMPXCHG: zf %u entry %#lx, want mfn %#lx", zf, (unsigned long)sv[k], (unsigned long)own);
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
    if (!probe_read(va, &v) || v != 0xabcd)
        test_fail("CMPXCHG: VA does not map the frame it installed");

    /* 4-byte MOV into the low half: drop RW (Xen merges sub-word writes into the entry). */
    {
        uint32_t lo = (uint32_t)((own << 12) | L1_FLAGS_RO);
        __asm__ __volatile__("movl %1, (%0)" :: "r"(&sv[k]), "r"(lo) : "memory");
    }
    if ((sv[k] & PTE_RW) || PTE_MFN(sv[k]) != own)
        test_fail("4-byte MOV: entry %#lx, want mfn %#lx read-only", (unsigned long)sv[k], (unsigned long)own);
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
    if (probe_write(va, 1))
        test_fail("4-byte MOV: the mapping is still writable");
    /* LOCK OR: set RW again. */
    __asm__ __volatile__("lock orq %1, (%0)" :: "r"(&sv[k]), "er"((long)PTE_RW) : "memory");
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
    if (!(sv[k] & PTE_RW) || !probe_write(va, 2))
        test_fail("LOCK OR: entry %#lx not writable again", (unsigned long)sv[k]);
    /* MOV of 0: unmap. */
    __asm__ __volatile__("movq %1, (%0)" :: "r"(&sv[k]), "r"(0UL) : "memory");
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
    if (sv[k] || probe_read(va, &v))
        test_fail("MOV 0: entry %#lx still maps", (unsigned long)sv[k]);

    /* A bootstrap L1 through its read-only mapping in the boot region: its last entry. */
    bl1 = pt_boot_va(pt_l1[1] ? pt_l1[1] : pt_l1[0]);
    old = bl1[511];
    e = (own << 12) | L1_FLAGS_RW;
    __asm__ __volatile__("movq %1, (%0)" :: "r"(&bl1[511]), "r"(e) : "memory");
    if (PTE_MFN(bl1[511]) != own)
        test_fail("boot L1 write: entry %#lx", (unsigned long)bl1[511]);
    __asm__ __volatile__("movq %1, (%0)" :: "r"(&bl1[511]), "r"(old) : "memory");
    if (bl1[511] != old && (bl1[511] ^ old) & ~(PTE_A | PTE_D))
        test_fail("boot L1 entry not restored: %#lx, was %#lx", (unsigned long)bl1[511], (unsigned long)old);
    pt_unmap_va((void *)sv);
    test_success();
}
