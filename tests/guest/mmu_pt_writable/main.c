/*
 * mmu_pt_writable (hostile): get a writable mapping of one of the domain's
 * own page tables - the bootstrap L4, L3, L2, L1 and the scratch L1 - by
 * mapping the frame RW at a free VA (update_va_mapping, mmu_update), by
 * upgrading the existing read-only mapping of the boot region to RW, and
 * by building a fresh L1 with an RW entry to a table and linking it.
 * Xen: an RW L1 entry needs PGT_writable_page, which a frame in use as a
 * page table cannot get -> get_page_from_l1e "could_not_pin" -> -EBUSY
 * (also when the fresh L1 is validated on linking or pinning). Read-only
 * mappings of page tables are allowed. The tables must be unchanged.
 */
#include "pt.h"

const char test_title[] = "hostile: make a page table writable through another mapping";

static void attack(uint64_t table, unsigned int level, const char *what)
{
    int slot = pt_alloc_slot();
    volatile uint64_t *va = pt_slot_va(slot);
    /* Entries to compare: 0 and 511, or for the scratch L1 (whose slots this test uses) 0 and 256. */
    unsigned int hi = table == pt_scratch_l1 ? 256 : 511;
    uint64_t e0 = pt_read_entry(table, 0), e511 = pt_read_entry(table, hi), v, fresh;
    unsigned int idx = 7;
    uint64_t ent;

    expect_rc(uvm((uint64_t)va, (table << 12) | L1_FLAGS_RW, UVMF_INVLPG), -XEN_EBUSY,
              "update_va_mapping RW of the %s", what);
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (table << 12) | L1_FLAGS_RW), -XEN_EBUSY,
              "mmu_update RW entry to the %s", what);
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot) | MMU_PT_UPDATE_PRESERVE_AD, (table << 12) | PTE_P | PTE_RW),
              -XEN_EBUSY, "mmu_update PRESERVE_AD RW entry to the %s", what);
    if (probe_write(va, 0))
        test_fail("the %s became writable at %p", what, (void *)va);
    /* Read-only is fine, and shows the same contents. */
    expect_rc(uvm((uint64_t)va, (table << 12) | L1_FLAGS_RO, UVMF_INVLPG), 0, "read-only mapping of the %s", what);
    if (!probe_read(va + hi, &v) || v != e511)
        test_fail("read-only view of the %s: entry %u %#lx, want %#lx", what, hi, (unsigned long)v,
                  (unsigned long)e511);
    /* Above L1 no write is emulated (ptwr is for L1s: rewriting an L1 entry is legal). */
    if (level > 1 && probe_write(va + hi, e511))
        test_fail("write through the read-only view of the %s succeeded", what);
    /* Upgrade the read-only mapping in place (same frame, + RW). */
    expect_rc(uvm((uint64_t)va, (table << 12) | L1_FLAGS_RW, UVMF_INVLPG), -XEN_EBUSY,
              "upgrading the read-only mapping of the %s to RW", what);
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (table << 12) | L1_FLAGS_RW), -XEN_EBUSY,
              "mmu_update upgrading the read-only entry of the %s to RW", what);
    if ((pt_read_entry(pt_scratch_l1, slot) & (PTE_RW | PTE_ADDR)) != (table << 12))
        test_fail("the read-only entry for the %s changed", what);
    expect_rc(pt_unmap(slot), 0, "unmap the read-only view");

    /* A fresh L1 with an RW entry to the table: refused when validated (link or pin). */
    ent = (table << 12) | L1_FLAGS_RW;
    fresh = pt_new_table(&idx, &ent, 1);
    expect_rc(mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (fresh << 12) | LX_FLAGS), -XEN_EBUSY,
              "linking a fresh L1 holding an RW entry to the %s", what);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, fresh, 0), -XEN_EBUSY,
              "pinning a fresh L1 holding an RW entry to the %s", what);
    if (pt_read_entry(pt_l2, pt_scratch_l2_slot + 1))
        test_fail("refused link left an L2 entry");
    if ((table != pt_scratch_l1 && pt_read_entry(table, 0) != e0) || pt_read_entry(table, hi) != e511)
        test_fail("the %s changed", what);
    pt_free_slot(slot);
}

void test_main(void)
{
    volatile uint64_t *l4va;
    uint64_t v;

    if (!pt_init())
        return;
    attack(pt_l4, 4, "boot L4");
    attack(pt_l3, 3, "boot L3");
    attack(pt_l2, 2, "boot L2");
    attack(pt_l1[0], 1, "boot L1");
    attack(pt_scratch_l1, 1, "scratch L1");

    /* The boot region maps the L4 read-only at pt_base: make that mapping RW. */
    l4va = (volatile uint64_t *)start_info->pt_base;
    expect_rc(uvm((uint64_t)l4va, (pt_l4 << 12) | L1_FLAGS_RW, UVMF_INVLPG), -XEN_EBUSY,
              "update_va_mapping(pt_base, L4 | RW)");
    if (probe_write(l4va + 510, l4va[510]))
        test_fail("the L4 is writable at pt_base");
    /* Direct write to the L1 entry that maps the L4 (ptwr): refused, the guest sees its #PF. */
    {
        volatile uint64_t *l1e = (volatile uint64_t *)pt_boot_va(pt_l1[0]) + L1_IDX((uint64_t)l4va);
        uint64_t old = *l1e;
        if (probe_write(l1e, old | PTE_RW))
            test_fail("direct write making the L4's mapping RW was accepted");
        else if (last_trap.vector != TRAP_page_fault)
            test_fail("direct write: vector %u, want #PF", last_trap.vector);
        if (*l1e != old)
            test_fail("the L1 entry mapping the L4 changed: %#lx", (unsigned long)*l1e);
    }
    if (!probe_read(l4va + 511, &v) || !(v & PTE_P))
        test_fail("the L4 is no longer readable");
    test_success();
}
