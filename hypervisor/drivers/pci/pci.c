/*
 * PCI: enumeration through configuration mechanism 1 (ports 0xcf8/0xcfc),
 * BAR sizing, the MSI/MSI-X capability walk, and who owns each function.
 * The functions a driver domain owns are the whole of its I/O rights:
 * their memory BARs are its iomem permission, their I/O BARs its ioport
 * permission (Xen keeps rangesets, d->iomem_caps and ioport_caps, which
 * its toolstack fills; here they follow from ownership).
 */
#include "lib.h"
#include "pci.h"
#include "pci_internal.h"
#include "domain.h"
#include "irq.h"
#include "iommu.h"
#include "spinlock.h"
#include "processor.h"
#include <tandem/errno.h>

struct pci_dev pci_devs[PCI_MAX_DEVS];
unsigned int pci_nr_devs;
static struct domain *driver_domain;
static spinlock_t cf8_lock = SPIN_LOCK_UNLOCKED;

static uint32_t cf8_addr(pci_sbdf_t sbdf, unsigned int reg)
{
    return 0x80000000U | (PCI_BUS(sbdf) << 16) | (PCI_DEVFN(sbdf) << 8) | (reg & 0xfc);
}

uint32_t pci_conf_read(pci_sbdf_t sbdf, unsigned int reg, unsigned int size)
{
    uint16_t port = 0xcfc + (reg & 3);
    unsigned long flags = spin_lock_irqsave(&cf8_lock);
    uint32_t v;

    outl(0xcf8, cf8_addr(sbdf, reg));
    v = size == 4 ? inl(port) : size == 2 ? inw(port) : inb(port);
    spin_unlock_irqrestore(&cf8_lock, flags);
    return v;
}

void pci_conf_write(pci_sbdf_t sbdf, unsigned int reg, unsigned int size, uint32_t val)
{
    uint16_t port = 0xcfc + (reg & 3);
    unsigned long flags = spin_lock_irqsave(&cf8_lock);

    outl(0xcf8, cf8_addr(sbdf, reg));
    if (size == 4)
        outl(port, val);
    else if (size == 2)
        outw(port, val);
    else
        outb(port, val);
    spin_unlock_irqrestore(&cf8_lock, flags);
}

struct pci_dev *pci_get_pdev(pci_sbdf_t sbdf)
{
    for_each_pdev(p)
        if (p->sbdf == sbdf)
            return p;
    return NULL;
}

bool pci_is_bridge(const struct pci_dev *p)
{
    return (p->class >> 16) == 0x06 || p->hdr_type != 0;
}

/*
 * Size BAR i (the standard write-ones probe) with decoding off, so the
 * probe value never claims addresses meanwhile; returns the slots it takes.
 */
static unsigned int size_bar(struct pci_dev *p, unsigned int i)
{
    unsigned int reg = PCI_BAR0 + 4 * i;
    uint32_t lo = pci_conf_read(p->sbdf, reg, 4), szlo, hi = 0, szhi = ~0U;
    struct pci_bar *b = &p->bar[i];

    pci_conf_write(p->sbdf, reg, 4, ~0U);
    szlo = pci_conf_read(p->sbdf, reg, 4);
    pci_conf_write(p->sbdf, reg, 4, lo);
    if (lo & 1) {
        b->io = true;
        b->base = lo & ~3U;
        b->size = szlo & 0xfffc ? (uint16_t)(~(szlo & ~3U) + 1) : 0;
        return 1;
    }
    b->mem64 = ((lo >> 1) & 3) == 2 && i < 5;
    if (b->mem64) {
        hi = pci_conf_read(p->sbdf, reg + 4, 4);
        pci_conf_write(p->sbdf, reg + 4, 4, ~0U);
        szhi = pci_conf_read(p->sbdf, reg + 4, 4);
        pci_conf_write(p->sbdf, reg + 4, 4, hi);
    }
    if (szlo & ~0xfU || (b->mem64 && szhi)) {
        uint64_t mask = ((uint64_t)szhi << 32) | (szlo & ~0xfU);
        b->base = ((uint64_t)hi << 32) | (lo & ~0xfU);
        b->size = ~mask + 1;
    }
    if (!b->base)
        b->size = 0;            /* unassigned by the firmware: nothing to grant */
    return b->mem64 ? 2 : 1;
}

static void read_caps(struct pci_dev *p)
{
    unsigned int pos, guard = 48;

    if (!(pci_conf_read(p->sbdf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
        return;
    for (pos = pci_conf_read(p->sbdf, PCI_CAP_PTR, 1) & 0xfc; pos >= 0x40 && guard--;
         pos = pci_conf_read(p->sbdf, pos + 1, 1) & 0xfc) {
        unsigned int id = pci_conf_read(p->sbdf, pos, 1);
        if (id == PCI_CAP_ID_MSI && !p->msi_cap) {
            p->msi_cap = pos;
        } else if (id == PCI_CAP_ID_MSIX && !p->msix_cap) {
            uint32_t t = pci_conf_read(p->sbdf, pos + 4, 4), pba = pci_conf_read(p->sbdf, pos + 8, 4);
            p->msix_cap = pos;
            p->msix_nr = (pci_conf_read(p->sbdf, pos + 2, 2) & 0x7ff) + 1;
            p->msix_table_bir = t & 7;
            p->msix_table_off = t & ~7U;
            p->msix_pba_bir = pba & 7;
            p->msix_pba_off = pba & ~7U;
        }
    }
}

static void log_pdev(const struct pci_dev *p)
{
    char who[16];

    if (p->owner)
        snprintf(who, sizeof(who), "d%u", p->owner->domain_id);
    else
        snprintf(who, sizeof(who), "hypervisor");
    printk("PCI %02x:%02x.%u %04x:%04x class %06x -> %s\n", PCI_BUS(p->sbdf), PCI_SLOT(p->sbdf),
           PCI_FUNC(p->sbdf), p->vendor, p->device, p->class, who);
}

static void log_pdev_details(const struct pci_dev *p)
{
    for (unsigned int i = 0; i < 6; i++)
        if (p->bar[i].size)
            printk(XENLOG_DEBUG "PCI %02x:%02x.%u BAR%u %s %#lx size %#lx\n", PCI_BUS(p->sbdf),
                   PCI_SLOT(p->sbdf), PCI_FUNC(p->sbdf), i, p->bar[i].io ? "io" : "mem",
                   (unsigned long)p->bar[i].base, (unsigned long)p->bar[i].size);
    if (p->msi_cap || p->msix_cap)
        printk(XENLOG_DEBUG "PCI %02x:%02x.%u MSI cap %#x, MSI-X cap %#x (%u entries, table BAR%u+%#x, PBA BAR%u+%#x)\n",
               PCI_BUS(p->sbdf), PCI_SLOT(p->sbdf), PCI_FUNC(p->sbdf), p->msi_cap, p->msix_cap, p->msix_nr,
               p->msix_table_bir, p->msix_table_off, p->msix_pba_bir, p->msix_pba_off);
}

static void scan_bus(unsigned int bus, unsigned int depth);

static void add_function(unsigned int bus, unsigned int dev, unsigned int fn, unsigned int depth)
{
    pci_sbdf_t sbdf = PCI_SBDF(0, bus, dev, fn);
    uint32_t id = pci_conf_read(sbdf, PCI_VENDOR_ID, 4);
    struct pci_dev *p;
    uint16_t cmd;

    if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
        return;
    if (pci_nr_devs == PCI_MAX_DEVS) {
        printk(XENLOG_WARNING "PCI %02x:%02x.%u: more than %u functions, ignored (the hypervisor's)\n",
               bus, dev, fn, PCI_MAX_DEVS);
        return;
    }
    p = &pci_devs[pci_nr_devs++];
    *p = (struct pci_dev){ .sbdf = sbdf, .vendor = id, .device = id >> 16 };
    p->class = pci_conf_read(sbdf, PCI_CLASS_REVISION, 4) >> 8;
    p->hdr_type = pci_conf_read(sbdf, PCI_HEADER_TYPE, 1) & 0x7f;
    p->irq_pin = pci_conf_read(sbdf, PCI_INTERRUPT_PIN, 1);
    if (p->irq_pin > 4)
        p->irq_pin = 0;
    cmd = pci_conf_read(sbdf, PCI_COMMAND, 2);
    pci_conf_write(sbdf, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    for (unsigned int i = 0; i < (p->hdr_type == 0 ? 6U : p->hdr_type == 1 ? 2U : 0U);)
        i += size_bar(p, i);
    pci_conf_write(sbdf, PCI_COMMAND, 2, cmd);
    read_caps(p);
    log_pdev(p);
    log_pdev_details(p);
    if (p->hdr_type == 1) {
        unsigned int sec = pci_conf_read(sbdf, PCI_SECONDARY_BUS, 1);
        if (sec > bus && depth < 8)
            scan_bus(sec, depth + 1);
    }
}

static void scan_bus(unsigned int bus, unsigned int depth)
{
    for (unsigned int dev = 0; dev < 32; dev++) {
        unsigned int nfn = 1;
        if ((pci_conf_read(PCI_SBDF(0, bus, dev, 0), PCI_VENDOR_ID, 2) & 0xffff) == 0xffff)
            continue;
        if (pci_conf_read(PCI_SBDF(0, bus, dev, 0), PCI_HEADER_TYPE, 1) & 0x80)
            nfn = 8;
        for (unsigned int fn = 0; fn < nfn; fn++)
            add_function(bus, dev, fn, depth);
    }
}

void pci_init(void)
{
    /* Mechanism 1 is there if the address latch reads back what was written. */
    outl(0xcf8, 0x80000000U);
    if (inl(0xcf8) != 0x80000000U) {
        printk("PCI: no configuration mechanism 1; no devices\n");
        return;
    }
    scan_bus(0, 0);
    printk("PCI: %u function%s found\n", pci_nr_devs, pci_nr_devs == 1 ? "" : "s");
}

struct domain *pci_driver_domain(void)
{
    return driver_domain;
}

int pci_assign_driver_domain(struct domain *d)
{
    int rc = 0;

    if (driver_domain)
        return -XEN_EBUSY;
    for_each_pdev(p) {
        if (pci_is_bridge(p))
            continue;
        if ((rc = iommu_assign_device(d, p))) {
            printk(XENLOG_ERR "PCI %02x:%02x.%u: IOMMU assignment to d%u failed (%d)\n", PCI_BUS(p->sbdf),
                   PCI_SLOT(p->sbdf), PCI_FUNC(p->sbdf), d->domain_id, rc);
            break;
        }
        p->owner = d;
    }
    if (rc) {
        pci_release_domain(d);
        return rc;
    }
    driver_domain = d;
    for_each_pdev(p)
        log_pdev(p);
    return 0;
}

void pci_release_domain(struct domain *d)
{
    for_each_pdev(p) {
        uint16_t cmd;
        if (p->owner != d)
            continue;
        /* Quiesce before the memory it may still DMA into goes back. */
        cmd = pci_conf_read(p->sbdf, PCI_COMMAND, 2);
        pci_conf_write(p->sbdf, PCI_COMMAND, 2,
                       (cmd & ~(PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY | PCI_COMMAND_IO)) | PCI_COMMAND_INTX_DISABLE);
        msi_release_device(p);
        iommu_deassign_device(d, p);
        p->owner = NULL;
        log_pdev(p);
    }
    if (driver_domain == d)
        driver_domain = NULL;
}

bool pci_owns(const struct domain *d, const struct pci_dev *p)
{
    return d && p && p->owner == d;
}

static bool bar_covers(const struct pci_bar *b, bool io, uint64_t lo, uint64_t hi)
{
    return b->size && b->io == io && lo >= b->base && hi <= b->base + b->size - 1;
}

bool iomem_access_permitted(const struct domain *d, uint64_t smfn, uint64_t emfn)
{
    if (!d || smfn > emfn)
        return false;
    /* Frame by frame: a run may span adjacent BARs (of one function or several). */
    for (uint64_t m = smfn; m <= emfn; m++) {
        bool ok = false;
        for_each_pdev(p) {
            if (p->owner != d)
                continue;
            for (unsigned int i = 0; i < 6 && !ok; i++)
                /* A BAR smaller than a page grants its page (as Xen's PCI frames). */
                ok = p->bar[i].size && !p->bar[i].io && m >= (p->bar[i].base >> PAGE_SHIFT) &&
                     m <= ((p->bar[i].base + p->bar[i].size - 1) >> PAGE_SHIFT);
            if (ok)
                break;
        }
        if (!ok)
            return false;
    }
    return true;
}

bool ioports_access_permitted(const struct domain *d, unsigned int s, unsigned int e)
{
    if (!d || s > e || e > 0xffff)
        return false;
    for (unsigned int port = s; port <= e; port++) {
        bool ok = false;
        for_each_pdev(p)
            for (unsigned int i = 0; i < 6 && !ok && p->owner == d; i++)
                ok = bar_covers(&p->bar[i], true, port, port);
        if (!ok)
            return false;
    }
    return true;
}

/* Frames [first, last] that hold bytes [base + off, base + off + len). */
static bool in_frames(uint64_t mfn, uint64_t base, uint64_t off, uint64_t len)
{
    uint64_t a = base + off;

    return len && mfn >= (a >> PAGE_SHIFT) && mfn <= ((a + len - 1) >> PAGE_SHIFT);
}

bool mmio_ro_frame(uint64_t mfn)
{
    for_each_pdev(p) {
        const struct pci_bar *t, *b;
        if (!p->msix_cap)
            continue;
        t = &p->bar[p->msix_table_bir % 6];
        b = &p->bar[p->msix_pba_bir % 6];
        if ((t->size && !t->io && in_frames(mfn, t->base, p->msix_table_off, 16UL * p->msix_nr)) ||
            (b->size && !b->io && in_frames(mfn, b->base, p->msix_pba_off, 8UL * ((p->msix_nr + 63) / 64))))
            return true;
    }
    return false;
}
