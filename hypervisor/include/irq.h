/*
 * Device interrupts (arch/x86/irq.c, io_apic.c, msi.c): the hypervisor owns
 * the IOAPIC and every MSI/MSI-X vector; a device interrupt is a pirq of
 * the driver domain, delivered as an event on the port bound to it
 * (EVTCHNOP_bind_pirq), as Xen does for a PV dom0.
 */
#ifndef IRQ_H
#define IRQ_H

#include "types.h"
#include "guest_access.h"

struct domain;
struct pci_dev;

/* IOAPIC found, every pin masked; vectors ready (after apic_init, before domains). */
void irq_init(void);
/* The irq sub-ops of physdev_op (eoi, irq_status_query, map/unmap_pirq, get_free_pirq, ...). */
long irq_physdev_op(uint64_t cmd, guest_va_t arg);
/* Teardown: every pirq of `d` unmapped, its vectors freed, lines masked. */
void irq_release_domain(struct domain *d);
/* A function leaves its owner: its MSI and MSI-X masked and disabled, state freed. */
void msi_release_device(struct pci_dev *pdev);

#endif
