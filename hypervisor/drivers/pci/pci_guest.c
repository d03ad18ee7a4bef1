/*
 * A PV guest's configuration access through ports 0xcf8/0xcfc, mediated as
 * Xen does for a PV dom0 (pv/emul-priv-op.c guest_io_read/write with
 * pci_cfg_ok): each domain has its own address latch, so guests never see
 * each other's (or the hypervisor's) half-done accesses; a function is
 * visible only to its owner; and the registers through which a device
 * could be made to decode other addresses or raise other interrupts
 * (BARs, the expansion ROM, MSI and MSI-X) stay the hypervisor's.
 */
#include "lib.h"
#include "pci_internal.h"
#include "domain.h"

/* Command bits the owner drives: decode enables, bus mastering, INTx masking. */
#define GUEST_COMMAND_BITS (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

static uint32_t ones(unsigned int size)
{
    return size == 4 ? ~0U : (1U << (8 * size)) - 1;
}

/* The function and register the latch and port name, if the access is one `d` may make. */
static struct pci_dev *guest_target(struct domain *d, unsigned int port, unsigned int size, unsigned int *reg)
{
    uint32_t cf8 = d->arch.pv.pci_cf8;
    struct pci_dev *p;

    /* Accesses straddling the data window are not forwarded. */
    if (port < 0xcfc || (port & (size - 1)) || !(cf8 & 0x80000000U))
        return NULL;
    p = pci_get_pdev((cf8 >> 8) & 0xffff);
    if (!pci_owns(d, p))
        return NULL;
    *reg = (cf8 & 0xfc) | (port & 3);
    return p;
}

uint32_t pci_guest_io_read(struct domain *d, unsigned int port, unsigned int size)
{
    unsigned int reg;
    struct pci_dev *p;

    if (port == 0xcf8 && size == 4)
        return d->arch.pv.pci_cf8;
    if (!(p = guest_target(d, port, size, &reg)))
        return ones(size);
    return pci_conf_read(p->sbdf, reg, size);
}

static unsigned int msi_cap_len(const struct pci_dev *p)
{
    uint16_t ctrl = pci_conf_read(p->sbdf, p->msi_cap + 2, 2);

    return (ctrl & PCI_MSI_FLAGS_64BIT ? 14 : 10) + (ctrl & PCI_MSI_FLAGS_MASKBIT ? 10 : 0);
}

static bool overlaps(unsigned int reg, unsigned int size, unsigned int start, unsigned int len)
{
    return len && reg < start + len && start < reg + size;
}

/* Registers the hypervisor keeps: their name for the log, or NULL. */
static const char *kept_register(const struct pci_dev *p, unsigned int reg, unsigned int size)
{
    if (overlaps(reg, size, PCI_BAR0, 24))
        return "BAR";
    if (overlaps(reg, size, PCI_ROM_ADDRESS, 4))
        return "expansion ROM";
    if (p->msi_cap && overlaps(reg, size, p->msi_cap, msi_cap_len(p)))
        return "MSI capability";
    if (p->msix_cap && overlaps(reg, size, p->msix_cap, PCI_MSIX_CAP_LEN))
        return "MSI-X capability";
    return NULL;
}

void pci_guest_io_write(struct domain *d, unsigned int port, unsigned int size, uint32_t val)
{
    unsigned int reg, shift;
    const char *kept;
    struct pci_dev *p;

    if (port == 0xcf8 && size == 4) {
        d->arch.pv.pci_cf8 = val;
        return;
    }
    if (!(p = guest_target(d, port, size, &reg)))
        return;
    if ((kept = kept_register(p, reg, size))) {
        printk(XENLOG_DEBUG "PCI %02x:%02x.%u: d%u's write of %#x to %s register %#x dropped\n",
               PCI_BUS(p->sbdf), PCI_SLOT(p->sbdf), PCI_FUNC(p->sbdf), d->domain_id, val, kept, reg);
        return;
    }
    /* The command register's other bits (SERR, parity, ...) keep the hypervisor's values. */
    if (overlaps(reg, size, PCI_COMMAND, 2)) {
        uint32_t cur = pci_conf_read(p->sbdf, PCI_COMMAND, 2) & ~GUEST_COMMAND_BITS;
        uint32_t keep = 0xffff & ~GUEST_COMMAND_BITS;
        shift = 8 * (reg - (reg & ~3U));
        if ((reg & ~3U) == PCI_COMMAND) {
            uint32_t v = (val << shift) & ~keep;
            v |= cur & keep;
            val = (v >> shift) & ones(size);
        }
    }
    pci_conf_write(p->sbdf, reg, size, val);
}
