/* IOMMU: placeholder until the driver-domain work lands (no IOMMU: DMA unconfined). */
#include "lib.h"
#include "iommu.h"

bool iommu_enabled;

void iommu_init(void) {}
int iommu_domain_init(struct domain *d) { (void)d; return 0; }
void iommu_domain_destroy(struct domain *d) { (void)d; }
int iommu_assign_device(struct domain *d, struct pci_dev *pdev) { (void)d; (void)pdev; return 0; }
void iommu_deassign_device(struct domain *d, struct pci_dev *pdev) { (void)d; (void)pdev; }
int iommu_map_page(struct domain *d, mfn_t mfn, bool writable) { (void)d; (void)mfn; (void)writable; return 0; }
int iommu_unmap_page(struct domain *d, mfn_t mfn) { (void)d; (void)mfn; return 0; }
