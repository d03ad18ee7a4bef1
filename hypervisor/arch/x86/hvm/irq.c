/*
 * An HVM domain's interrupt lines (docs/hvm.md "Interrupt controllers"), as
 * Xen's hvm/irq.c: ISA lines 0-15 and PCI INTx lines that device models
 * drive with dm_op (XEN_DMOP_set_isa_irq_level, _set_pci_intx_level), each
 * GSI counting the sources that assert it; the first source raising a GSI
 * is a rising edge for the IOAPIC (and for an ISA line, the PIC), the last
 * one lowering it lowers the PIC's line. ISA IRQ 0 is GSI 2 (the ACPI
 * override every PC has); PCI device d's INTx is GSI 16 + ((d * 4 + d / 8
 * + x) % 32) (Xen's hvm_pci_intx_gsi). No PCI link routing to ISA lines.
 */
#include "lib.h"
#include "domain.h"
#include "sched.h"
#include "hvm.h"
#include "irq.h"
#include <tandem/errno.h>

static struct hvm_irq *irq_of(struct domain *d)
{
    return &d->arch.hvm->irq;
}

void hvm_irq_init(struct domain *d)
{
    struct hvm_irq *irq = irq_of(d);

    spin_lock_init(&irq->lock);
    vpic_init(irq);
    vioapic_init(irq);
}

static unsigned int isa_gsi(unsigned int isa_irq)
{
    return isa_irq ? isa_irq : 2;
}

int hvm_irq_set_isa_level(struct domain *d, unsigned int isa_irq, unsigned int level)
{
    struct hvm_irq *irq = irq_of(d);
    unsigned int gsi;
    uint16_t bit;

    if (isa_irq > 15 || level > 1)
        return -XEN_EINVAL;
    gsi = isa_gsi(isa_irq);
    bit = (uint16_t)(1u << isa_irq);
    spin_lock(&irq->lock);
    if (level && !(irq->isa_level & bit)) {
        irq->isa_level |= bit;
        irq->c.isa_raised++;
        if (irq->gsi_count[gsi]++ == 0) {
            vioapic_positive_edge(d, gsi);
            vpic_set_line(d, isa_irq, true);
        }
    } else if (!level && (irq->isa_level & bit)) {
        irq->isa_level &= (uint16_t)~bit;
        if (--irq->gsi_count[gsi] == 0)
            vpic_set_line(d, isa_irq, false);
    }
    spin_unlock(&irq->lock);
    return 0;
}

int hvm_irq_set_pci_intx_level(struct domain *d, unsigned int seg, unsigned int bus, unsigned int dev,
                               unsigned int intx, unsigned int level)
{
    struct hvm_irq *irq = irq_of(d);
    unsigned int n, gsi;
    uint64_t bit, *word;

    if (seg || bus || dev > 0x1f || intx > 3 || level > 1)
        return -XEN_EINVAL;
    n = dev * 4 + intx;                 /* 0..127 */
    gsi = 16 + ((dev << 2) + (dev >> 3) + intx) % 32;
    bit = 1ULL << (n % 64);
    word = &irq->pci_intx[n / 64];
    spin_lock(&irq->lock);
    if (level && !(*word & bit)) {
        *word |= bit;
        irq->c.pci_raised++;
        if (irq->gsi_count[gsi]++ == 0)
            vioapic_positive_edge(d, gsi);
    } else if (!level && (*word & bit)) {
        *word &= ~bit;
        irq->gsi_count[gsi]--;
    }
    spin_unlock(&irq->lock);
    return 0;
}

int hvm_irq_pic_vector(struct vcpu *v, bool ack)
{
    struct hvm_irq *irq = irq_of(v->domain);
    int vec = -1;

    if (v->vcpu_id != 0 || !vlapic_accept_pic_intr(v))
        return -1;
    spin_lock(&irq->lock);
    if (irq->pic[0].int_output)
        vec = ack ? vpic_intack(v->domain) : irq->pic[0].irq_base;
    spin_unlock(&irq->lock);
    return vec;
}

bool hvm_irq_may_wake(struct vcpu *v)
{
    struct hvm_irq *irq = irq_of(v->domain);
    bool r;

    spin_lock(&irq->lock);
    r = (irq->pic[0].imr != 0xff && vlapic_accept_pic_intr(v)) || vioapic_any_unmasked(irq);
    spin_unlock(&irq->lock);
    return r;
}

void hvm_irq_kick(struct vcpu *v)
{
    /* A halted vCPU wakes; one waiting for a device model's answer stays (hvm/ioreq.c). */
    if (!READ_ONCE(v->arch.hvm->ioreq.pending))
        vcpu_wake(v);
}

void hvm_irq_report(struct domain *d)
{
    const struct hvm_irq_counters *c = &irq_of(d)->c;

    if (c->isa_raised || c->pci_raised || c->pic_injected || c->ioapic_delivered || c->ioapic_dropped)
        printk("d%u (%s): interrupts: ISA lines raised %lu, PCI INTx raised %lu; PIC vectors %lu, "
               "IOAPIC messages %lu (dropped %lu)\n", d->domain_id, d->name, (unsigned long)c->isa_raised,
               (unsigned long)c->pci_raised, (unsigned long)c->pic_injected,
               (unsigned long)c->ioapic_delivered, (unsigned long)c->ioapic_dropped);
}
