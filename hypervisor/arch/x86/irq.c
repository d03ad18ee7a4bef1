/*
 * Device interrupts: descriptors, vectors, the handler, and binding to a
 * domain's pirqs (Xen's arch/x86/irq.c, simplified to one CPU taking every
 * device interrupt and one domain per irq).
 *
 * Acknowledgement (Xen's pirq_acktype): an edge source (MSI, MSI-X, an
 * edge GSI) is acked at the LAPIC at once and only sets the event pending;
 * a level GSI is masked at the IOAPIC and acked, and stays masked until
 * the guest's PHYSDEVOP_eoi (Xen's ACKTYPE_UNMASK). So the handler is O(1)
 * whatever a device does, and what a flood of events costs is the driver
 * domain's own vCPU time.
 */
#include "lib.h"
#include "mm.h"
#include "pci.h"
#include "irq.h"
#include "evtchn.h"
#include "domain.h"
#include "time.h"
#include "irq_desc.h"
#include <tandem/errno.h>

spinlock_t irq_lock = SPIN_LOCK_UNLOCKED;
struct irq_desc irq_descs[NR_IRQS];
static uint16_t vector_irq[256];        /* vector -> irq, 0 = free */
static uint64_t unexpected_vectors;

void irq_init(void)
{
    ioapic_init();
}

static int vector_alloc(int irq)
{
    for (unsigned int v = FIRST_DEVICE_VECTOR; v <= LAST_DEVICE_VECTOR; v++)
        if (v != 0x80 && !vector_irq[v]) {     /* 0x80: the guests' int $0x80 gate */
            vector_irq[v] = irq;
            return v;
        }
    return -XEN_ENOSPC;
}

int irq_create(void)
{
    for (int irq = IRQ_MSI_BASE; irq < NR_IRQS; irq++)
        if (irq_descs[irq].kind == IRQ_NONE) {
            irq_descs[irq] = (struct irq_desc){ .kind = IRQ_MSI };
            return irq;
        }
    return -XEN_ENOSPC;
}

/* Every trace of irq gone: vector free, source off, descriptor reusable. */
void irq_destroy(int irq)
{
    struct irq_desc *desc = &irq_descs[irq];

    if (desc->kind == IRQ_GSI)
        ioapic_clear(irq);
    else if (desc->kind != IRQ_NONE && desc->pdev && desc->vector)
        msi_disable(desc);
    if (desc->vector)
        vector_irq[desc->vector] = 0;
    *desc = (struct irq_desc){ 0 };
}

/* A vector for irq and its source programmed, still masked (map time). */
int irq_prepare(int irq)
{
    struct irq_desc *desc = &irq_descs[irq];
    int v = vector_alloc(irq);

    if (v < 0)
        return v;
    desc->vector = v;
    if (desc->kind == IRQ_GSI)
        ioapic_route(irq, v, desc->level, desc->active_low);
    return 0;
}

int irq_startup(int irq)
{
    struct irq_desc *desc = &irq_descs[irq];

    if (desc->kind == IRQ_GSI)
        ioapic_mask(irq, false);
    else
        msi_mask(desc, false);
    return 0;
}

void irq_shutdown(int irq)
{
    struct irq_desc *desc = &irq_descs[irq];

    if (desc->kind == IRQ_GSI)
        ioapic_mask(irq, true);
    else if (desc->kind != IRQ_NONE)
        msi_mask(desc, true);
}

struct domain_irq *domain_irq(struct domain *d, bool create)
{
    if (!d->arch.irq && create)
        d->arch.irq = xzalloc(struct domain_irq);
    return d->arch.irq;
}

mfn_t irq_eoi_page(const struct domain *d)
{
    return d->arch.irq ? d->arch.irq->eoi_mfn : 0;
}

void irq_set_eoi_bit(struct domain *d, int pirq, bool set)
{
    struct domain_irq *di = d->arch.irq;

    if (!di || !di->eoi_map)
        return;
    if (set)
        __atomic_fetch_or(&di->eoi_map[pirq / 64], 1ULL << (pirq % 64), __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&di->eoi_map[pirq / 64], ~(1ULL << (pirq % 64)), __ATOMIC_SEQ_CST);
}

/*
 * Xen's __do_IRQ_guest for one guest: a level source stays masked until
 * that guest's eoi (pirq->masked); the event goes to the bound port.
 */
static void irq_deliver(struct irq_desc *desc)
{
    struct domain *d = desc->owner;
    struct pirq *p;

    if (!d || !desc->guest_bound || d->state != DOM_RUNNING || !d->arch.irq) {
        desc->dropped++;
        return;
    }
    p = &d->arch.irq->pirq[desc->pirq];
    if (desc->level)
        p->masked = true;
    send_guest_pirq(d, p->evtchn);
}

void irq_handle_vector(unsigned int vector)
{
    struct irq_desc *desc;
    unsigned int irq = vector_irq[vector];

    if (!irq) {
        apic_eoi();
        unexpected_vectors++;
        return;
    }
    spin_lock(&irq_lock);
    desc = &irq_descs[irq];
    desc->count++;
    if (desc->kind == IRQ_GSI && desc->level)
        ioapic_mask(irq, true);     /* before the EOI clears Remote IRR: no second delivery */
    apic_eoi();
    irq_deliver(desc);
    spin_unlock(&irq_lock);
}

/* ---- binding to event channels (evtchn.c, with d's event lock held) ---- */

static struct pirq *pirq_of(struct domain *d, uint32_t pirq)
{
    if (pirq >= NR_PIRQS || !d->arch.irq)
        return NULL;
    return &d->arch.irq->pirq[pirq];
}

int pirq_bind_check(struct domain *d, uint32_t pirq)
{
    struct pirq *p;

    if (pirq >= NR_PIRQS)
        return -XEN_EINVAL;
    p = pirq_of(d, pirq);
    if (!p || p->state != PIRQ_MAPPED)
        return -XEN_EPERM;          /* Xen's pirq_access_permitted: not mapped for d */
    if (p->evtchn)
        return -XEN_EEXIST;
    return 0;
}

/* Xen's pirq_guest_bind: one domain per irq (a second bind of it is -EBUSY); the source unmasked. */
int pirq_guest_bind(struct domain *d, uint32_t pirq, uint32_t port)
{
    struct pirq *p = pirq_of(d, pirq);
    struct irq_desc *desc = &irq_descs[p->irq];
    unsigned long flags = spin_lock_irqsave(&irq_lock);

    if (desc->guest_bound) {
        spin_unlock_irqrestore(&irq_lock, flags);
        return -XEN_EBUSY;
    }
    p->evtchn = port;
    p->masked = false;
    desc->guest_bound = true;
    irq_set_eoi_bit(d, pirq, desc->level);
    irq_startup(p->irq);
    spin_unlock_irqrestore(&irq_lock, flags);
    return 0;
}

/* The port closes (or the domain goes): source masked; a forcibly unbound pirq is freed now. */
void pirq_guest_unbind(struct domain *d, uint32_t pirq)
{
    struct pirq *p = pirq_of(d, pirq);
    unsigned long flags;

    if (!p)
        return;
    flags = spin_lock_irqsave(&irq_lock);
    if (p->state == PIRQ_MAPPED) {
        irq_shutdown(p->irq);
        irq_descs[p->irq].guest_bound = false;
    } else if (p->state == PIRQ_ORPHAN) {
        p->state = PIRQ_FREE;
    }
    p->evtchn = 0;
    p->masked = false;
    irq_set_eoi_bit(d, pirq, false);
    spin_unlock_irqrestore(&irq_lock, flags);
}

/* Xen's pirq_guest_eoi: a level source delivered and masked is unmasked. */
void pirq_guest_eoi(struct domain *d, uint32_t pirq)
{
    struct pirq *p = pirq_of(d, pirq);
    unsigned long flags;

    if (!p || !p->masked)
        return;
    flags = spin_lock_irqsave(&irq_lock);
    p->masked = false;
    if (p->state == PIRQ_MAPPED && irq_descs[p->irq].guest_bound)
        irq_startup(p->irq);
    spin_unlock_irqrestore(&irq_lock, flags);
}

/* ---- reporting ---- */

static void irq_describe(const struct irq_desc *desc, int irq, char *buf, size_t len)
{
    if (desc->kind == IRQ_GSI)
        snprintf(buf, len, "GSI %d %s", irq, desc->level ? "level" : "edge");
    else
        snprintf(buf, len, "%s %02x:%02x.%u", desc->kind == IRQ_MSIX ? "MSI-X" : "MSI",
                 PCI_BUS(desc->pdev->sbdf), PCI_SLOT(desc->pdev->sbdf), PCI_FUNC(desc->pdev->sbdf));
}

/* One line per mapped irq; tests read the counts from it (`IRQ d1 pirq 255: MSI ...`). */
void irq_report(const struct irq_desc *desc, int irq, const char *when)
{
    char what[40];

    irq_describe(desc, irq, what, sizeof(what));
    if (desc->kind == IRQ_MSIX)
        snprintf(what + strlen(what), sizeof(what) - strlen(what), " entry %u", desc->msix_entry);
    printk("IRQ d%u pirq %d: %s vector %#x, %lu interrupts (%lu with no port bound)%s\n",
           desc->owner ? desc->owner->domain_id : 0, desc->pirq, what, desc->vector,
           (unsigned long)desc->count, (unsigned long)desc->dropped, when);
}

/* The 'i' debug key (Xen's): every mapped irq with its counts. */
void irq_dump(void)
{
    unsigned long flags = spin_lock_irqsave(&irq_lock);

    for (int irq = 1; irq < NR_IRQS; irq++)
        if (irq_descs[irq].kind != IRQ_NONE && irq_descs[irq].owner)
            irq_report(&irq_descs[irq], irq, irq_descs[irq].guest_bound ? ", bound" : "");
    printk("IRQ: %lu interrupts on vectors with no irq\n", (unsigned long)unexpected_vectors);
    spin_unlock_irqrestore(&irq_lock, flags);
}
