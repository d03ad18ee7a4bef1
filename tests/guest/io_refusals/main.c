/*
 * io_refusals (hostile): a domain that is not the driver domain gets none
 * of the hardware, while the driver domain (d0, role=driver) has it and
 * first checks the same accesses work for it. Xen's answers:
 *  - in/out without I/O privilege: #GP (pv/emul-priv-op.c guest_io_okay);
 *    with set_iopl(1): configuration space reads all ones, writes go
 *    nowhere (pci_cfg_ok fails: no function exists for it), and an owned
 *    function's I/O BAR port reads all ones (admin_io_okay fails);
 *  - an L1 entry naming any frame of the 32-bit MMIO window (every BAR
 *    there, edu's included), by mmu_update and by update_va_mapping:
 *    -EPERM ("Non-privileged attempt to map I/O space", get_page_from_l1e);
 *    cache attributes on its RAM: -EINVAL (l1_disallow_mask without I/O rights);
 *  - pci_device_add / manage_pci_add / pci_mmcfg_reserved: -EPERM (the XSM
 *    check comes before the lookup: even an absent function says -EPERM).
 */
#include "pt.h"
#include "pcicfg.h"
#include "multidom.h"
#include <tandem/physdev.h>

const char test_title[] = "hostile: PCI config, BAR mappings, I/O ports and PCI sub-ops refused to a non-driver domain";

#define WINDOW_FIRST 0xfd000UL      /* q35's 32-bit MMIO window as SeaBIOS fills it, */
#define WINDOW_LAST  0xfebffUL      /* up to the IOAPIC's page */

static void driver_role(void)
{
    int edu = pcicfg_find(0x1234, 0x11e8), sata = pcicfg_find(0x8086, 0x2922), slot = pt_alloc_slot();
    domid_t peer = md_arg_ul("peer", 1);
    struct tandem_domctl_getdomaininfo info;
    uint64_t bar;

    if (edu < 0 || sata < 0) {
        test_fail("driver domain: edu %d / SATA %d not found", edu, sata);
        return;
    }
    bar = pcicfg_read(edu, 0x10, 4) & ~0xfUL;
    CHECK_RC(uvm((uint64_t)pt_slot_va(slot), bar | L1_FLAGS_RW | PTE_PCD, UVMF_INVLPG), 0,
             "driver domain: update_va_mapping of edu BAR0");
    if (*(volatile uint32_t *)pt_slot_va(slot) != 0x010000ed)
        test_fail("driver domain: edu identification %#x", *(volatile uint32_t *)pt_slot_va(slot));
    CHECK_RC(pt_unmap(slot), 0, "driver domain: unmap");
    printk("driver domain: edu at %#x BAR0 %#lx; waiting for d%u to finish\n", edu, (unsigned long)bar, peer);
    /* Keep the devices owned while the peer tries: until it has shut down (or is gone). */
    md_init();
    for (uint64_t end = md_now() + MD_MS(60000); md_now() < end; md_sleep_ns(MD_MS(20)))
        if (md_dominfo(peer, &info) || (info.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)))
            break;
}

static void ports(void)
{
    bool f;
    uint32_t v;

    pio_in(0xcf8, 4, &f);
    if (!f)
        test_fail("inl 0xcf8 with IOPL 0 did not fault");
    pio_out(0xcfc, 4, 0, &f);
    if (!f)
        test_fail("outl 0xcfc with IOPL 0 did not fault");
    pio_in(0xc040, 1, &f);
    if (!f || last_trap.vector != TRAP_gp_fault)
        test_fail("inb from the SATA I/O BAR with IOPL 0: want #GP (vector %u)", last_trap.vector);
    CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
    for (unsigned int bdf = 0; bdf < 256; bdf++)
        if ((v = pcicfg_read(bdf, 0, 4)) != 0xffffffff)
            test_fail("config space of 00:%02x.%u reads %#x, want all ones", bdf >> 3, bdf & 7, v);
    pcicfg_write(PCICFG_BDF(0, 2, 0), 0x04, 2, 0);     /* edu's command register, if it were ours */
    if ((v = pio_in(0xc040, 1, &f)) != 0xff || f)
        test_fail("inb from the SATA I/O BAR with IOPL 1: %#x (fault %d), want 0xff", v, f);
    CHECK_RC(pcicfg_set_iopl(0), 0, "set_iopl 0");
}

static void mappings(void)
{
    int slot = pt_alloc_slot();
    uint64_t va = (uint64_t)pt_slot_va(slot), ptr = pt_maddr(pt_scratch_l1, slot), v;
    unsigned int refused = 0;

    for (uint64_t m = WINDOW_FIRST; m <= WINDOW_LAST; m++) {
        refused += uvm(va, (m << 12) | L1_FLAGS_RW, UVMF_INVLPG) == -XEN_EPERM;
        refused += mmu_update1(ptr, (m << 12) | L1_FLAGS_RO) == -XEN_EPERM;
    }
    if (refused != 2 * (WINDOW_LAST - WINDOW_FIRST + 1))
        test_fail("%u of %lu BAR-window mappings refused with -EPERM", refused,
                  2 * (WINDOW_LAST - WINDOW_FIRST + 1));
    else
        printk("io_refusals: %u BAR-window mappings refused\n", refused);
    if (pt_read_entry(pt_scratch_l1, slot) || probe_read((void *)va, &v))
        test_fail("a refused mapping left an entry");
    /* Cache attributes need I/O rights (checked first: -EINVAL, as Xen), even on the domain's own RAM. */
    expect_rc(uvm(va, (0xfea00UL << 12) | L1_FLAGS_RW | PTE_PCD, UVMF_INVLPG), -XEN_EINVAL,
              "update_va_mapping of a BAR frame with PCD");
    expect_rc(uvm(va, (pt_free_mfn() << 12) | L1_FLAGS_RW | PTE_PCD, UVMF_INVLPG), -XEN_EINVAL,
              "update_va_mapping of own RAM with PCD");
    pt_free_slot(slot);
}

static void physdev(void)
{
    struct physdev_pci_device_add add = { .devfn = PCICFG_BDF(0, 2, 0) };
    struct physdev_manage_pci m = { .devfn = PCICFG_BDF(0, 2, 0) };
    struct physdev_pci_mmcfg_reserved r = { .address = 0xb0000000, .end_bus = 255 };

    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_add, &add), -XEN_EPERM, "pci_device_add");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_remove, &add), -XEN_EPERM, "pci_device_remove");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_manage_pci_add, &m), -XEN_EPERM, "manage_pci_add");
    add.devfn = PCICFG_BDF(0, 0x1d, 7);
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_add, &add), -XEN_EPERM, "pci_device_add of an absent function");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_mmcfg_reserved, &r), -XEN_EPERM, "pci_mmcfg_reserved");
}

void test_main(void)
{
    if (!pt_init())
        return;
    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");
    if (md_arg_is("role", "driver")) {
        CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
        driver_role();
    } else {
        ports();
        mappings();
        physdev();
    }
    test_success();
}
