/*
 * PCI: the functions the hypervisor found at boot, who owns each, and
 * configuration-space access (drivers/pci/pci.c). Type 1 access through
 * ports 0xcf8/0xcfc (256 bytes per function: every capability a driver
 * domain needs, MSI-X included, lies there on QEMU's q35).
 *
 * Ownership: a function belongs to the hypervisor (owner NULL: host
 * bridges and other bridges, anything not given away) or to the one driver
 * domain (config `driver=yes`). Only the owner reaches the function's
 * configuration space (mediated: the hypervisor keeps BARs, MSI and MSI-X
 * to itself), maps its memory BARs and uses its I/O BARs.
 */
#ifndef PCI_H
#define PCI_H

#include "types.h"
#include "guest_access.h"

struct domain;

/* Segment (always 0 here), bus, device, function: seg<<16 | bus<<8 | dev<<3 | fn. */
typedef uint32_t pci_sbdf_t;
#define PCI_SBDF(seg, bus, dev, fn) \
    (((pci_sbdf_t)(seg) << 16) | ((pci_sbdf_t)(bus) << 8) | ((pci_sbdf_t)(dev) << 3) | (pci_sbdf_t)(fn))
#define PCI_BUS(sbdf)   (((sbdf) >> 8) & 0xff)
#define PCI_DEVFN(sbdf) ((sbdf) & 0xff)
#define PCI_SLOT(sbdf)  (((sbdf) >> 3) & 0x1f)
#define PCI_FUNC(sbdf)  ((sbdf) & 7)

#define PCI_MAX_DEVS 64

struct pci_bar {
    uint64_t base;              /* bus (= machine) address; 0 if unimplemented */
    uint64_t size;              /* bytes; 0 if unimplemented */
    bool io;                    /* an I/O-port BAR */
    bool mem64;                 /* a 64-bit memory BAR (takes the next slot too) */
};

struct pci_dev {
    pci_sbdf_t sbdf;
    uint16_t vendor, device;
    uint32_t class;             /* base class << 16 | subclass << 8 | prog-if */
    uint8_t hdr_type;           /* low 7 bits of the header type register */
    uint8_t irq_pin;            /* 1-4 = INTA-INTD, 0 = none */
    uint8_t msi_cap, msix_cap;  /* configuration offsets, 0 = none */
    uint16_t msix_nr;           /* MSI-X table entries */
    uint8_t msix_table_bir, msix_pba_bir;
    uint32_t msix_table_off, msix_pba_off;
    struct pci_bar bar[6];
    struct domain *owner;       /* NULL: the hypervisor's */
    void *msi_priv;             /* arch/x86/msi.c's state for this function */
    void *iommu_priv;           /* the IOMMU driver's */
};

extern struct pci_dev pci_devs[PCI_MAX_DEVS];
extern unsigned int pci_nr_devs;
#define for_each_pdev(p) for (struct pci_dev *p = pci_devs; p < pci_devs + pci_nr_devs; p++)

/* Enumerate every bus reachable from bus 0 (after mm_init; before domains are built). */
void pci_init(void);
struct pci_dev *pci_get_pdev(pci_sbdf_t sbdf);

/* Raw configuration access (size 1, 2 or 4, reg aligned to size, reg < 256); serialised. */
uint32_t pci_conf_read(pci_sbdf_t sbdf, unsigned int reg, unsigned int size);
void pci_conf_write(pci_sbdf_t sbdf, unsigned int reg, unsigned int size, uint32_t val);

/* The driver domain (config `driver=yes`), NULL if there is none (yet). */
struct domain *pci_driver_domain(void);
/* Give `d` (the driver domain) every function that is not a bridge; 0 or -errno. */
int pci_assign_driver_domain(struct domain *d);
/*
 * Teardown of a domain that owns functions (before its memory is given
 * back): bus mastering, memory and I/O decode off, MSI/MSI-X masked and
 * released (msi_release_device), IOMMU context removed
 * (iommu_deassign_device); the functions return to the hypervisor.
 */
void pci_release_domain(struct domain *d);

/* Xen's iomem / ioport permission: may `d` map machine frames [s, e] / use ports [s, e]? */
bool iomem_access_permitted(const struct domain *d, uint64_t smfn, uint64_t emfn);
bool ioports_access_permitted(const struct domain *d, unsigned int s, unsigned int e);
/* Frames a guest may map only read-only (MSI-X tables and PBAs: Xen's mmio_ro_ranges). */
bool mmio_ro_frame(uint64_t mfn);

/*
 * A PV guest's port I/O to 0xcf8-0xcff, once its I/O privilege is checked:
 * its own address latch at 0xcf8 (4-byte accesses) and mediated
 * configuration access at 0xcfc-0xcff (only functions it owns; writes to
 * BARs, the expansion ROM, MSI and MSI-X dropped). Reads of what it may
 * not see are all ones.
 */
#define PCI_GUEST_PORT(p) ((p) >= 0xcf8 && (p) <= 0xcff)
uint32_t pci_guest_io_read(struct domain *d, unsigned int port, unsigned int size);
void pci_guest_io_write(struct domain *d, unsigned int port, unsigned int size, uint32_t val);

/* The PCI sub-ops of physdev_op (pci_device_add, manage_pci_*, pci_mmcfg_reserved). */
long pci_physdev_op(uint64_t cmd, guest_va_t arg);

#endif
