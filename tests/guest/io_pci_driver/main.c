/*
 * io_pci_driver: the driver domain's side of device access, as Xen gives
 * it to a PV dom0. Configuration space through 0xcf8/0xcfc with the
 * virtual IOPL (pv/emul-priv-op.c pci_cfg_ok, guest_io_read/write): its
 * functions are there, the host bridge (the hypervisor's) reads all ones;
 * writes to a BAR and to the MSI capability are dropped (the hypervisor
 * owns them), command-register decode/master bits are the domain's.
 * The edu device's BAR0 maps with mmu_update and update_va_mapping, with
 * cache attributes (Xen's l1_disallow_mask for a domain with I/O rights),
 * and its registers work (0x00 identification, 0x04 liveness: reads ~x).
 * Frames outside its BARs (the local APIC) stay -EPERM (get_page_from_l1e).
 * The PCI physdev sub-ops: pci_device_add / manage_pci_add 0 for its own
 * function, -ENODEV for a bridge or an absent one; pci_mmcfg_reserved 0.
 */
#include "pt.h"
#include "pcicfg.h"
#include <tandem/physdev.h>

const char test_title[] = "io_pci_driver: config space, BAR mapping and mediation for the driver domain";

static void physdev_ops(unsigned int bdf)
{
    struct physdev_pci_device_add add = { .bus = bdf >> 8, .devfn = bdf & 0xff };
    struct physdev_manage_pci m = { .bus = bdf >> 8, .devfn = bdf & 0xff };
    struct physdev_pci_mmcfg_reserved r = { .address = 0xb0000000, .start_bus = 0, .end_bus = 255 };

    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_add, &add), 0, "pci_device_add of edu");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_manage_pci_add, &m), 0, "manage_pci_add of edu");
    add.devfn = 0;
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_add, &add), -XEN_ENODEV, "pci_device_add of the host bridge");
    add.devfn = PCICFG_BDF(0, 0x1d, 7);
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_add, &add), -XEN_ENODEV, "pci_device_add of an absent function");
    add.seg = 1;
    add.devfn = bdf & 0xff;
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_add, &add), -XEN_ENODEV, "pci_device_add in segment 1");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_device_add, 0x1000), -XEN_EFAULT, "pci_device_add from an unmapped address");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_pci_mmcfg_reserved, &r), 0, "pci_mmcfg_reserved");
}

static void mediation(unsigned int bdf)
{
    uint32_t bar = pcicfg_read(bdf, 0x10, 4), cmd;
    unsigned int msi = pcicfg_cap(bdf, 0x05);

    pcicfg_write(bdf, 0x10, 4, 0xffffffff);
    if (pcicfg_read(bdf, 0x10, 4) != bar)
        test_fail("BAR0 write reached the device: %#x, was %#x", pcicfg_read(bdf, 0x10, 4), bar);
    if (!msi) {
        test_fail("edu: no MSI capability seen");
    } else {
        uint32_t ctl = pcicfg_read(bdf, msi + 2, 2), addr = pcicfg_read(bdf, msi + 4, 4);
        pcicfg_write(bdf, msi + 2, 2, ctl | 1);
        pcicfg_write(bdf, msi + 4, 4, 0xfee0f000);
        if (pcicfg_read(bdf, msi + 2, 2) != ctl || pcicfg_read(bdf, msi + 4, 4) != addr)
            test_fail("MSI capability writes reached the device: control %#x (was %#x), address %#x (was %#x)",
                      pcicfg_read(bdf, msi + 2, 2), ctl, pcicfg_read(bdf, msi + 4, 4), addr);
    }
    cmd = pcicfg_read(bdf, 0x04, 2);
    /* Memory and master are the domain's; SERR (bit 8) is not: it keeps its value. */
    pcicfg_write(bdf, 0x04, 2, (cmd ^ 0x0100) | 0x0006);
    if ((pcicfg_read(bdf, 0x04, 2) & 0x0106) != ((cmd & 0x0100) | 0x0006))
        test_fail("command %#x after writing %#x (was %#x): want memory and master set, SERR as it was",
                  pcicfg_read(bdf, 0x04, 2), (cmd ^ 0x0100) | 0x0006, cmd);
    pio_out(0xcf8, 4, 0x80001234, NULL);
    if (pio_in(0xcf8, 4, NULL) != 0x80001234)
        test_fail("0xcf8 latch reads %#x, want what was written", pio_in(0xcf8, 4, NULL));
}

static void map_bar(unsigned int bdf)
{
    uint64_t base = pcicfg_read(bdf, 0x10, 4) & ~0xfUL, mfn = base >> 12, v;
    int slot = pt_alloc_slot();
    volatile uint32_t *regs = pt_slot_va(slot);

    if (!base) {
        test_fail("edu BAR0 unassigned");
        return;
    }
    CHECK_RC(mmu_update1(pt_maddr(pt_scratch_l1, slot), (mfn << 12) | L1_FLAGS_RW | PTE_PCD | PTE_PWT), 0,
             "mmu_update mapping edu BAR0 (UC)");
    if (regs[0] != 0x010000ed)
        test_fail("edu identification %#x, want 0x010000ed", regs[0]);
    regs[1] = 0x12345678;
    if (regs[1] != ~0x12345678U)
        test_fail("edu liveness: %#x, want %#x", regs[1], ~0x12345678U);
    CHECK_RC(pt_unmap(slot), 0, "unmap BAR0");
    CHECK_RC(uvm((uint64_t)regs, ((mfn + 0xff) << 12) | L1_FLAGS_RW | PTE_PCD, UVMF_INVLPG), 0,
             "update_va_mapping of BAR0's last frame");
    CHECK_RC(pt_unmap(slot), 0, "unmap BAR0's last frame");
    expect_rc(uvm((uint64_t)regs, (0xfee00UL << 12) | L1_FLAGS_RW | PTE_PCD, UVMF_INVLPG), -XEN_EPERM,
              "update_va_mapping of the local APIC (not a BAR)");
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (0xfec00UL << 12) | L1_FLAGS_RW), -XEN_EPERM,
              "mmu_update mapping the IOAPIC (not a BAR)");
    if (probe_read(regs, &v))
        test_fail("slot readable after refused mappings");
    pt_free_slot(slot);
}

void test_main(void)
{
    int bdf;

    if (!pt_init())
        return;
    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");
    CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
    if ((bdf = pcicfg_find(0x1234, 0x11e8)) < 0) {
        test_fail("edu (1234:11e8) not found in configuration space");
        return;
    }
    printk("edu at 00:%02x.%u, BAR0 %#x\n", (bdf >> 3) & 31, bdf & 7, pcicfg_read(bdf, 0x10, 4));
    if (pcicfg_read(0, 0, 4) != 0xffffffff)
        test_fail("host bridge 00:00.0 visible (%#x): it is the hypervisor's", pcicfg_read(0, 0, 4));
    mediation(bdf);
    map_bar(bdf);
    physdev_ops(bdf);
    test_success();
}
