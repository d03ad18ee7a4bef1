/*
 * mmu_ptwr_bad (hostile): direct writes to the domain's own L1 pages that
 * the emulation must refuse: an entry mapping a frame not ours, one
 * mapping a page table (the L4) writable, one with PCD, a 4-byte write
 * that turns a read-only mapping of a page table writable, a CMPXCHG
 * installing a bad entry. Xen's ptwr_emulated_update fails
 * get_page_from_l1e -> X86EMUL_UNHANDLEABLE: the guest gets its #PF
 * (present, write) at the instruction, the entry is unchanged. Writes to
 * L2-L4 pages are never emulated: #PF as well.
 */
#include "pt.h"

const char test_title[] = "hostile: direct writes of bad L1 entries (ptwr refusals)";

static void refused(volatile uint64_t *p, uint64_t val, const char *what)
{
    uint64_t before = *p;

    if (probe_write(p, val))
        test_fail("%s: direct write accepted (entry now %#lx)", what, (unsigned long)*p);
    else if (last_trap.vector != TRAP_page_fault ||
             (last_trap.err & (PFEC_present | PFEC_write)) != (PFEC_present | PFEC_write))
        test_fail("%s: vector %u error %#lx, want #PF present+write", what, last_trap.vector,
                  (unsigned long)last_trap.err);
    if (*p != before)
        test_fail("%s: entry changed to %#lx", what, (unsigned long)*p);
}

void test_main(void)
{
    volatile uint64_t *sv, *l2v, *l4v;
    uint64_t own, unowned, old;
    unsigned int k = 50;

    if (!pt_init())
        return;
    own = pt_free_mfn();
    unowned = pt_unowned_mfn(pt_max_page / 2);
    sv = pt_map_ro(pt_scratch_l1);
    if (!sv)
        return;
    refused(&sv[k], (unowned << 12) | L1_FLAGS_RW, "entry mapping an unowned frame RW");
    refused(&sv[k], (unowned << 12) | L1_FLAGS_RO, "entry mapping an unowned frame read-only");
    refused(&sv[k], (0UL << 12) | L1_FLAGS_RO, "entry mapping mfn 0");
    refused(&sv[k], (pt_l4 << 12) | L1_FLAGS_RW, "entry mapping the L4 RW");
    refused(&sv[k], (pt_scratch_l1 << 12) | L1_FLAGS_RW, "entry mapping this L1 itself RW");
    refused(&sv[k], (own << 12) | L1_FLAGS_RW | PTE_PCD, "entry with PCD");
    refused(&sv[k], (own << 12) | L1_FLAGS_RW | PTE_PAT, "entry with PAT");

    /* A read-only entry for the L4, then a 4-byte write adding RW to its low half. */
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, k), (pt_l4 << 12) | L1_FLAGS_RO), 0, "RO entry for the L4");
    old = sv[k];
    {
        unsigned long n = last_trap.count;
        uint32_t lo = (uint32_t)(old | PTE_RW);
        __asm__ __volatile__("1: movl %1, (%0)\n2:" ASM_EXTABLE(1b, 2b) :: "r"(&sv[k]), "r"(lo) : "memory");
        if (last_trap.count == n || last_trap.vector != TRAP_page_fault)
            test_fail("4-byte write making the L4's mapping RW was not refused with #PF");
        if (sv[k] != old)
            test_fail("4-byte write changed the entry to %#lx", (unsigned long)sv[k]);
    }
    /* CMPXCHG installing an unowned frame. */
    {
        unsigned long n = last_trap.count;
        uint64_t expect = old, bad = (unowned << 12) | L1_FLAGS_RW;
        __asm__ __volatile__("1: lock cmpxchgq %1, (%2)\n2:" ASM_EXTABLE(1b, 2b)
                             : "+a"(expect) : "r"(bad), "r"(&sv[k]) : "memory");
        if (last_trap.count == n || last_trap.vector != TRAP_page_fault)
            test_fail("CMPXCHG installing an unowned frame was not refused with #PF");
        if (sv[k] != old)
            test_fail("CMPXCHG changed the entry to %#lx", (unsigned long)sv[k]);
    }
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, k), 0), 0, "clear the entry");

    /* L2 and L4 pages: no emulation at all. */
    l2v = pt_boot_va(pt_l2);
    l4v = (volatile uint64_t *)start_info->pt_base;
    refused(&l2v[pt_scratch_l2_slot + 2], (own << 12) | LX_FLAGS, "direct write into the L2");
    refused(&l4v[0], (pt_l3 << 12) | LX_FLAGS, "direct write into the L4");
    refused(&l4v[300], 0, "direct write into the L4's hypervisor slot 300");
    pt_unmap_va((void *)sv);
    test_success();
}
