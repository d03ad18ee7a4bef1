/*
 * mmu_map_hv_memory (hostile): map the hypervisor's own memory into the
 * guest - low memory (mfn 0, 1), the core image (loaded at 2 MiB on the
 * Multiboot path), the frame table and other boot allocations at the top
 * of RAM (max_page - 1), the M2P's frames, frames beyond RAM, the all-ones
 * MFN - read-only and read-write, via update_va_mapping and mmu_update,
 * and as page tables. Xen's answers (get_page_from_l1e):
 *  - frames Xen treats as I/O (the first MiB, which Xen gives to dom_io,
 *    and anything not RAM, including beyond max_page) without I/O
 *    permission: -EPERM;
 *  - the all-ones MFN (INVALID_MFN): -EINVAL;
 *  - RAM owned by the hypervisor (or nobody): -EBUSY;
 *  - upper-level links to any of them: -EINVAL.
 */
#include "pt.h"

const char test_title[] = "hostile: map hypervisor memory";

static void attack(uint64_t m, long want_l1, const char *what)
{
    int slot = pt_alloc_slot();
    volatile uint64_t *va = pt_slot_va(slot);
    uint64_t v;

    expect_rc(uvm((uint64_t)va, (m << 12) | L1_FLAGS_RW, UVMF_INVLPG), want_l1,
              "update_va_mapping RW of %s (mfn %#lx)", what, (unsigned long)m);
    expect_rc(uvm((uint64_t)va, (m << 12) | L1_FLAGS_RO, UVMF_INVLPG), want_l1,
              "update_va_mapping RO of %s (mfn %#lx)", what, (unsigned long)m);
    expect_rc(uvm((uint64_t)va, (m << 12) | L1_FLAGS_RO | PTE_NX, UVMF_INVLPG), want_l1,
              "update_va_mapping RO NX of %s (mfn %#lx)", what, (unsigned long)m);
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (m << 12) | L1_FLAGS_RW), want_l1,
              "mmu_update L1 entry RW to %s (mfn %#lx)", what, (unsigned long)m);
    if (probe_read(va, &v))
        test_fail("%s readable at %p after refused mappings", what, (void *)va);
    expect_rc(mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (m << 12) | LX_FLAGS), -XEN_EINVAL,
              "L2 entry -> %s (mfn %#lx)", what, (unsigned long)m);
    expect_rc(mmu_update1(pt_maddr(pt_l4, 1), (m << 12) | LX_FLAGS), -XEN_EINVAL,
              "L4 entry -> %s (mfn %#lx)", what, (unsigned long)m);
    expect_rc(mmu_update1(pt_maddr(m, 0), 0), -XEN_EINVAL, "mmu_update writing into %s (mfn %#lx)", what,
              (unsigned long)m);
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, m, 0), -XEN_EINVAL, "NEW_BASEPTR to %s", what);
    expect_rc(mmuext1(MMUEXT_CLEAR_PAGE, m, 0), -XEN_EINVAL, "CLEAR_PAGE of %s", what);
    if (pt_read_entry(pt_scratch_l1, slot) || pt_read_entry(pt_l2, pt_scratch_l2_slot + 1) ||
        pt_read_entry(pt_l4, 1))
        test_fail("a refused request for %s changed a table", what);
    pt_free_slot(slot);
}

void test_main(void)
{
    uint64_t m2p[4], top;
    unsigned int n;

    if (!pt_init())
        return;
    printk("max_page %#lx\n", (unsigned long)pt_max_page);
    attack(0, -XEN_EPERM, "mfn 0 (real-mode IVT, first MiB)");
    attack(1, -XEN_EPERM, "mfn 1 (first MiB)");
    attack(0x9f, -XEN_EPERM, "mfn 0x9f (first MiB, EBDA)");
    attack(0x200, -XEN_EBUSY, "the core image (Multiboot loads it at 2 MiB)");
    top = pt_max_page - 1;
    if (((const uint64_t *)MACH2PHYS_VIRT_START)[top] == INVALID_M2P_ENTRY)
        attack(top, -XEN_EBUSY, "max_page - 1 (the hypervisor's boot allocations)");
    else
        test_error("max_page - 1 is owned by a domain: layout changed?");
    n = pt_m2p_frames(m2p, 4);
    if (n)
        attack(m2p[0], -XEN_EBUSY, "the M2P's first frame");
    attack(pt_max_page, -XEN_EPERM, "max_page (beyond RAM)");
    attack(pt_max_page + 0x1000, -XEN_EPERM, "beyond RAM");
    attack(0xfee00, -XEN_EPERM, "the local APIC page");
    attack(0xffffffffffUL, -XEN_EINVAL, "the all-ones MFN");
    test_success();
}
