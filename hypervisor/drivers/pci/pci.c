/* PCI enumeration, ownership and configuration access: placeholder until the driver-domain work lands. */
#include "lib.h"
#include "pci.h"
#include <tandem/errno.h>

struct pci_dev pci_devs[PCI_MAX_DEVS];
unsigned int pci_nr_devs;

void pci_init(void) {}
struct pci_dev *pci_get_pdev(pci_sbdf_t sbdf) { (void)sbdf; return NULL; }
uint32_t pci_conf_read(pci_sbdf_t sbdf, unsigned int reg, unsigned int size) { (void)sbdf; (void)reg; (void)size; return ~0U; }
void pci_conf_write(pci_sbdf_t sbdf, unsigned int reg, unsigned int size, uint32_t val) { (void)sbdf; (void)reg; (void)size; (void)val; }
int pci_assign_driver_domain(struct domain *d) { (void)d; return -XEN_ENODEV; }
void pci_release_domain(struct domain *d) { (void)d; }
bool iomem_access_permitted(const struct domain *d, uint64_t s, uint64_t e) { (void)d; (void)s; (void)e; return false; }
bool ioports_access_permitted(const struct domain *d, unsigned int s, unsigned int e) { (void)d; (void)s; (void)e; return false; }
bool mmio_ro_frame(uint64_t mfn) { (void)mfn; return false; }
long pci_physdev_op(uint64_t cmd, guest_va_t arg) { (void)cmd; (void)arg; return -XEN_ENOSYS; }
