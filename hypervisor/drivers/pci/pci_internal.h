/* Configuration-space layout and the pieces of drivers/pci shared between its files. */
#ifndef PCI_INTERNAL_H
#define PCI_INTERNAL_H

#include "pci.h"

#define PCI_VENDOR_ID           0x00
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO         0x0001
#define  PCI_COMMAND_MEMORY     0x0002
#define  PCI_COMMAND_MASTER     0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS              0x06
#define  PCI_STATUS_CAP_LIST    0x0010
#define PCI_CLASS_REVISION      0x08
#define PCI_HEADER_TYPE         0x0e
#define PCI_BAR0                0x10
#define PCI_SECONDARY_BUS       0x19
#define PCI_ROM_ADDRESS         0x30
#define PCI_CAP_PTR             0x34
#define PCI_INTERRUPT_PIN       0x3d
#define PCI_CAP_ID_MSI          0x05
#define PCI_CAP_ID_MSIX         0x11
#define PCI_MSI_FLAGS_64BIT     0x0080
#define PCI_MSI_FLAGS_MASKBIT   0x0100
#define PCI_MSIX_CAP_LEN        12

/* Host, PCI-to-PCI and other bridges stay the hypervisor's. */
bool pci_is_bridge(const struct pci_dev *p);
bool pci_owns(const struct domain *d, const struct pci_dev *p);

#endif
