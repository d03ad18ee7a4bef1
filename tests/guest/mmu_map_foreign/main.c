/*
 * mmu_map_foreign (hostile): map machine frames the domain does not own -
 * frames the M2P marks invalid (free, or the hypervisor's) - read-only and
 * read-write, through update_va_mapping and mmu_update, and link them as
 * page tables at every level; also write into them with mmu_update, pin
 * them, clear/copy them. Xen's answers (xen/arch/x86/mm.c):
 *  - an L1 entry to RAM of another owner (or of none): get_page_from_l1e
 *    "could_not_pin" -> -EBUSY;
 *  - L2/L3/L4 entries, pins, CLEAR/COPY_PAGE, mmu_update's ptr: the
 *    get_page_from_mfn/get_page_from_gfn failure -> -EINVAL.
 * Nothing may become mapped, and the guest carries on.
 */
#include "pt.h"

const char test_title[] = "hostile: map frames the domain does not own";

static void attack(uint64_t u)
{
    int slot = pt_alloc_slot();
    volatile uint64_t *va = pt_slot_va(slot);
    uint64_t own = pt_free_mfn(), v;
    unsigned int l2free = pt_scratch_l2_slot + 1;

    printk("attacking with mfn %#lx (M2P %#lx)\n", (unsigned long)u,
           (unsigned long)((const uint64_t *)MACH2PHYS_VIRT_START)[u]);
    expect_rc(uvm((uint64_t)va, (u << 12) | L1_FLAGS_RW, UVMF_INVLPG), -XEN_EBUSY,
              "update_va_mapping RW of unowned mfn %#lx", (unsigned long)u);
    expect_rc(uvm((uint64_t)va, (u << 12) | L1_FLAGS_RO, UVMF_INVLPG), -XEN_EBUSY,
              "update_va_mapping RO of unowned mfn %#lx", (unsigned long)u);
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (u << 12) | L1_FLAGS_RO), -XEN_EBUSY,
              "mmu_update L1 entry RO to unowned mfn %#lx", (unsigned long)u);
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot) | MMU_PT_UPDATE_PRESERVE_AD, (u << 12) | L1_FLAGS_RW),
              -XEN_EBUSY, "mmu_update PRESERVE_AD L1 entry RW to unowned mfn %#lx", (unsigned long)u);
    if (probe_read(va, &v))
        test_fail("VA readable after refused mappings of mfn %#lx", (unsigned long)u);
    if (pt_read_entry(pt_scratch_l1, slot) != 0)
        test_fail("scratch L1 entry changed by refused mappings");

    /* As a page table one level down, at every level. */
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2free), (u << 12) | LX_FLAGS), -XEN_EINVAL,
              "L2 entry -> unowned mfn %#lx as an L1", (unsigned long)u);
    expect_rc(mmu_update1(pt_maddr(pt_l3, 0), (u << 12) | LX_FLAGS), -XEN_EINVAL,
              "L3 entry -> unowned mfn %#lx as an L2", (unsigned long)u);
    expect_rc(mmu_update1(pt_maddr(pt_l4, 0), (u << 12) | LX_FLAGS), -XEN_EINVAL,
              "L4 entry -> unowned mfn %#lx as an L3", (unsigned long)u);
    if (pt_read_entry(pt_l2, l2free) || pt_read_entry(pt_l3, 0) || pt_read_entry(pt_l4, 0))
        test_fail("a refused link changed a table");

    /* Writing into it, pinning it, loading it, clearing and copying it. */
    expect_rc(mmu_update1(pt_maddr(u, 0), 0x1234), -XEN_EINVAL, "mmu_update with ptr in unowned mfn %#lx",
              (unsigned long)u);
    for (unsigned int c = MMUEXT_PIN_L1_TABLE; c <= MMUEXT_PIN_L4_TABLE; c++)
        expect_rc(mmuext1(c, u, 0), -XEN_EINVAL, "pin L%u of unowned mfn %#lx", c + 1, (unsigned long)u);
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, u, 0), -XEN_EINVAL, "unpin unowned mfn %#lx", (unsigned long)u);
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, u, 0), -XEN_EINVAL, "NEW_BASEPTR unowned mfn %#lx", (unsigned long)u);
    expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, u, 0), -XEN_EINVAL, "NEW_USER_BASEPTR unowned mfn %#lx",
              (unsigned long)u);
    expect_rc(mmuext1(MMUEXT_CLEAR_PAGE, u, 0), -XEN_EINVAL, "CLEAR_PAGE unowned mfn %#lx", (unsigned long)u);
    expect_rc(mmuext1(MMUEXT_COPY_PAGE, u, own), -XEN_EINVAL, "COPY_PAGE to unowned mfn %#lx", (unsigned long)u);
    expect_rc(mmuext1(MMUEXT_COPY_PAGE, own, u), -XEN_EINVAL, "COPY_PAGE from unowned mfn %#lx",
              (unsigned long)u);

    /* The guest carries on: the same slot maps an own frame. */
    expect_rc(pt_map(slot, own, L1_FLAGS_RW), 0, "map own frame after the attack");
    if (!probe_write(va, 42) || !probe_read(va, &v) || v != 42)
        test_fail("own frame not usable after the attack");
    expect_rc(pt_unmap(slot), 0, "unmap own frame");
    pt_free_slot(slot);
}

void test_main(void)
{
    uint64_t top, mid;

    if (!pt_init())
        return;
    top = pt_unowned_mfn(pt_max_page - 1);          /* the hypervisor's boot allocations sit at the top */
    mid = pt_unowned_mfn(pt_max_page / 2);          /* most likely a free frame */
    if (top)
        attack(top);
    if (mid && mid != top)
        attack(mid);
    /* The first free frame above our own highest one (another domain's would be there). */
    attack(pt_unowned_mfn(pfn_to_mfn(start_info->nr_pages - 1) + 64));
    test_success();
}
