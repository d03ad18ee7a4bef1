/* Device interrupts as pirqs: placeholder until the driver-domain work lands. */
#include "lib.h"
#include "irq.h"
#include <tandem/errno.h>

void irq_init(void) {}
long irq_physdev_op(uint64_t cmd, guest_va_t arg) { (void)cmd; (void)arg; return -XEN_ENOSYS; }
void irq_release_domain(struct domain *d) { (void)d; }
void msi_release_device(struct pci_dev *pdev) { (void)pdev; }
