/*
 * io_msix_ro: the MSI-X table and PBA frames of a function the driver
 * domain owns (a virtio-rng's) are the hypervisor's to write: a writable
 * mapping of them, by mmu_update or update_va_mapping, succeeds read-only
 * (Xen's mmio_ro_ranges in get_page_from_l1e: "Forcing read-only access
 * to MFN", the entry's RW bit cleared), so the table reads but a write
 * faults. A frame of another BAR of the same function keeps RW. Writes to
 * the MSI-X capability (its enable bit) are dropped.
 */
#include "pt.h"
#include "pcicfg.h"

const char test_title[] = "io_msix_ro: MSI-X table and PBA frames map read-only";

static uint64_t bar_base(unsigned int bdf, unsigned int bir)
{
    uint32_t lo = pcicfg_read(bdf, 0x10 + 4 * bir, 4);
    uint64_t b = lo & ~0xfUL;

    if (((lo >> 1) & 3) == 2)
        b |= (uint64_t)pcicfg_read(bdf, 0x14 + 4 * bir, 4) << 32;
    return b;
}

static void check_ro(uint64_t mfn, const char *what)
{
    int slot = pt_alloc_slot();
    volatile uint32_t *p = pt_slot_va(slot);
    uint64_t v;

    CHECK_RC(mmu_update1(pt_maddr(pt_scratch_l1, slot), (mfn << 12) | L1_FLAGS_RW | PTE_PCD), 0, what);
    if (pt_read_entry(pt_scratch_l1, slot) & PTE_RW)
        test_fail("%s: mmu_update left the entry writable", what);
    if (!probe_read(p, &v))
        test_fail("%s: not readable", what);
    if (probe_write(p, v))
        test_fail("%s: writable", what);
    CHECK_RC(pt_unmap(slot), 0, "unmap");
    CHECK_RC(uvm((uint64_t)p, (mfn << 12) | L1_FLAGS_RW | PTE_PCD, UVMF_INVLPG), 0, what);
    if (pt_read_entry(pt_scratch_l1, slot) & PTE_RW)
        test_fail("%s: update_va_mapping left the entry writable", what);
    if (probe_write(p, v))
        test_fail("%s: writable after update_va_mapping", what);
    CHECK_RC(pt_unmap(slot), 0, "unmap");
    pt_free_slot(slot);
}

void test_main(void)
{
    unsigned int cap, nr, other = 6;
    uint32_t table, pba, ctl;
    uint64_t tmfn, pmfn;
    int rng, slot;

    if (!pt_init())
        return;
    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");
    CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
    if ((rng = pcicfg_find(0x1af4, 0x1044)) < 0 || !(cap = pcicfg_cap(rng, 0x11))) {
        test_fail("virtio-rng (1af4:1044) with MSI-X not found (%d)", rng);
        return;
    }
    ctl = pcicfg_read(rng, cap + 2, 2);
    nr = (ctl & 0x7ff) + 1;
    table = pcicfg_read(rng, cap + 4, 4);
    pba = pcicfg_read(rng, cap + 8, 4);
    tmfn = (bar_base(rng, table & 7) + (table & ~7U)) >> 12;
    pmfn = (bar_base(rng, pba & 7) + (pba & ~7U)) >> 12;
    printk("virtio-rng: %u MSI-X entries, table BAR%u+%#x (mfn %#lx), PBA BAR%u+%#x (mfn %#lx)\n", nr,
           table & 7, table & ~7U, (unsigned long)tmfn, pba & 7, pba & ~7U, (unsigned long)pmfn);
    pcicfg_write(rng, 0x04, 2, pcicfg_read(rng, 0x04, 2) | 2);
    check_ro(tmfn, "the MSI-X table frame");
    check_ro(pmfn, "the PBA frame");
    for (unsigned int i = 0; i < 6 && other == 6; i++)
        if (i != (table & 7) && i != (pba & 7) && bar_base(rng, i) && !(pcicfg_read(rng, 0x10 + 4 * i, 4) & 1))
            other = i;
    if (other == 6) {
        test_fail("no memory BAR besides the MSI-X one");
    } else {
        slot = pt_alloc_slot();
        CHECK_RC(pt_map(slot, bar_base(rng, other) >> 12, L1_FLAGS_RW | PTE_PCD), 0, "map another BAR's frame RW");
        if (!(pt_read_entry(pt_scratch_l1, slot) & PTE_RW))
            test_fail("BAR%u's first frame mapped read-only: only MSI-X frames should be", other);
        CHECK_RC(pt_unmap(slot), 0, "unmap");
        pt_free_slot(slot);
    }
    pcicfg_write(rng, cap + 2, 2, ctl | 0x8000);
    if (pcicfg_read(rng, cap + 2, 2) != ctl)
        test_fail("MSI-X control write reached the device: %#x, was %#x", pcicfg_read(rng, cap + 2, 2), ctl);
    test_success();
}
