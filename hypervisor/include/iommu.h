/*
 * IOMMU (drivers/passthrough/): where the machine has one (QEMU's intel-iommu
 * on q35: VT-d), each function's DMA is confined to its owner's memory and
 * to the frames granted to it with GNTMAP_device_map. PV domains use
 * machine addresses, so the DMA address of a frame is its machine address
 * (identity map, as Xen's PV IOMMU). Without one, DMA is unconfined: the
 * driver domain is trusted with all memory (docs/devices.md).
 */
#ifndef IOMMU_H
#define IOMMU_H

#include "types.h"

struct domain;
struct pci_dev;
struct page_info;

extern bool iommu_enabled;

/* Find and enable the IOMMU, if any (after pci_init). */
void iommu_init(void);
/* A domain gains/loses IOMMU page tables (created on first assignment). */
int iommu_domain_init(struct domain *d);
void iommu_domain_destroy(struct domain *d);
/* Route `pdev`'s DMA through `d`'s tables (every frame `d` owns mapped); 0 or -errno. */
int iommu_assign_device(struct domain *d, struct pci_dev *pdev);
void iommu_deassign_device(struct domain *d, struct pci_dev *pdev);
/*
 * `d` (with devices) gained / lost DMA access to frame `mfn` (a grant
 * mapping of another domain's frame); 0 or -XEN_ENOMEM. No-ops for a
 * domain without tables.
 */
int iommu_map_page(struct domain *d, mfn_t mfn, bool writable);
int iommu_unmap_page(struct domain *d, mfn_t mfn);
/*
 * Hooks that keep a domain's own frames in its tables exactly while they
 * are typed PGT_writable_page (Xen's _get_page_type): a frame's type
 * changed `from` -> `to` (called after the change is published, before the
 * new type is used); `d` gave frame `mfn` back (decrease_reservation).
 */
void iommu_page_type_change(struct page_info *pg, unsigned int from, unsigned int to);
void iommu_page_released(struct domain *d, mfn_t mfn);
/*
 * The frame audit's part (mm_audit): every domain's DMA tables map exactly
 * what the rules say (iommu.c's head). Returns the problems found.
 */
unsigned int iommu_audit(void);
/* Boot option iommu_selftest: DMA remapping checked with QEMU's edu device, before any domain. */
extern bool opt_iommu_selftest;
void iommu_selftest(void);
/* Report (log) the DMA faults the units recorded; from the timer interrupt. */
void iommu_fault_poll(void);

#endif
