/*
 * irq_msix_map: map_pirq of MSI-X entries (MAP_PIRQ_TYPE_MSI_SEG with
 * table_base and entry_nr) on a virtio-net function, checked through the
 * guest's own read-only view of the table: the hypervisor writes the
 * entry (LAPIC address, a vector), keeps it masked until bind_pirq,
 * unmasks it there, masks it again at close, and turns MSI-X off with the
 * last unmap. Refusals as Xen's __pci_enable_msix / msix_capability_init:
 * entry_nr past the table -EINVAL, memory decode off -ENXIO, MSI on a
 * function without it -ENODEV; Tandem's own: an entry mapped twice -EEXIST.
 */
#include "test.h"
#include "multidom.h"
#include "devirq.h"

const char test_title[] = "MSI-X entries programmed and masked by the hypervisor";

static unsigned int find_cap(uint32_t bdf, unsigned int id)
{
    unsigned int cap = dev_conf_read(bdf, 0x34, 1);

    while (cap && dev_conf_read(bdf, cap, 1) != id)
        cap = dev_conf_read(bdf, cap + 1, 1);
    return cap;
}

static bool msix_on(uint32_t bdf, unsigned int cap) { return dev_conf_read(bdf, cap + 2, 2) & 0x8000; }

static void check_entry(volatile uint32_t *e, bool masked, const char *when)
{
    if ((e[0] & 0xfff00000) != 0xfee00000 || (e[2] & 0xff) < 0x20)
        test_fail("%s: entry address %#x data %#x, want 0xfee0xxxx and a device vector", when, e[0], e[2]);
    if ((e[3] & 1) != masked)
        test_fail("%s: entry %smasked", when, masked ? "not " : "");
}

static void run(uint32_t bdf, unsigned int cap)
{
    uint32_t tbl = dev_conf_read(bdf, cap + 4, 4), nr = (dev_conf_read(bdf, cap + 2, 2) & 0x7ff) + 1;
    uint64_t base = dev_bar_addr(bdf, tbl & 7);
    volatile uint32_t *table;
    int p0 = -1, p1 = -1, p2 = -1, px = -1;
    uint32_t port;

    dev_conf_write(bdf, 0x04, 2, dev_conf_read(bdf, 0x04, 2) & ~2U);
    CHECK_RC(dev_map_msix(bdf, 0, base, &px), -XEN_ENXIO, "map_pirq MSI-X with memory decode off");
    dev_enable(bdf);
    if (!(table = dev_map_bar(bdf, tbl & 7, 1)))
        return;
    table += (tbl & ~7U) / 4;
    CHECK_RC(dev_map_msix(bdf, nr, base, &px), -XEN_EINVAL, "map_pirq of entry_nr = table size");
    CHECK_RC(dev_map_msix(bdf, 0, base, &p0), 0, "map_pirq MSI-X entry 0");
    CHECK_RC(dev_map_msix(bdf, 1, base, &p1), 0, "map_pirq MSI-X entry 1");
    CHECK_RC(dev_map_msix(bdf, 1, base, &p2), -XEN_EEXIST, "map_pirq of entry 1 again");
    px = -1;
    CHECK_RC(dev_map_msi(bdf, &px), -XEN_ENODEV, "map_pirq MSI of a function with no MSI capability");
    if (!msix_on(bdf, cap))
        test_fail("MSI-X enable bit clear after map_pirq");
    check_entry(table, true, "entry 0 mapped");
    check_entry(table + 4, true, "entry 1 mapped");
    if ((table[2] & 0xff) == (table[6] & 0xff))
        test_fail("entries 0 and 1 share vector %#x", table[2] & 0xff);
    CHECK_RC(dev_bind(p0, &port), 0, "bind_pirq of entry 0");
    check_entry(table, false, "entry 0 bound");
    check_entry(table + 4, true, "entry 1 (not bound)");
    CHECK_RC(md_close(port), 0, "close entry 0's port");
    check_entry(table, true, "entry 0 after close");
    CHECK_RC(dev_unmap(p0), 0, "unmap entry 0");
    if (!msix_on(bdf, cap))
        test_fail("MSI-X turned off with entry 1 still mapped");
    CHECK_RC(dev_unmap(p1), 0, "unmap entry 1");
    if (msix_on(bdf, cap))
        test_fail("MSI-X still on after the last unmap");
    printk("irq_msix_map: %02x:%02x.%u, %u entries, table in BAR%u at %#lx\n", bdf >> 8, (bdf >> 3) & 31,
           bdf & 7, nr, tbl & 7, (unsigned long)(base + (tbl & ~7U)));
}

void test_main(void)
{
    uint32_t bdf;
    unsigned int cap;

    md_init();
    if (!dev_init())
        return;
    if (!dev_find(0x1af4, 0x1041, &bdf))
        return test_error("no virtio-net (modern) function visible");
    if (!(cap = find_cap(bdf, 0x11)))
        return test_error("virtio-net shows no MSI-X capability");
    run(bdf, cap);
    test_success();
}
