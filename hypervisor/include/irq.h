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

/* The frame d registered with PHYSDEVOP_pirq_eoi_gmfn (a writable type reference is held), 0 if none. */
mfn_t irq_eoi_page(const struct domain *d);

/* From the IDT (traps.c): a device vector fired; acks it and delivers it. */
void irq_handle_vector(unsigned int vector);
/* The 'i' debug key: every mapped irq, its pirq, vector and interrupt counts. */
void irq_dump(void);

/*
 * EVTCHNOP_bind_pirq and the close of a pirq port (evtchn.c), with d's
 * event lock held. pirq_bind_check: -XEN_EINVAL (pirq out of range),
 * -XEN_EPERM (not mapped for d: Xen's pirq_access_permitted), -XEN_EEXIST
 * (a port is bound to it already). pirq_guest_bind (after the check, with
 * the new port): -XEN_EBUSY if the irq is bound already, else 0 with the
 * source unmasked. pirq_guest_unbind masks the source (the pirq stays
 * mapped; one unmapped while bound is freed now).
 */
int pirq_bind_check(struct domain *d, uint32_t pirq);
int pirq_guest_bind(struct domain *d, uint32_t pirq, uint32_t port);
void pirq_guest_unbind(struct domain *d, uint32_t pirq);
/* PHYSDEVOP_eoi's effect: a level source masked since its delivery is unmasked. */
void pirq_guest_eoi(struct domain *d, uint32_t pirq);

#endif
