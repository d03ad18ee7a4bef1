/*
 * The irq sub-ops of physdev_op (Xen's arch/x86/physdev.c and the pirq
 * half of arch/x86/irq.c): a driver domain maps a GSI or an MSI/MSI-X
 * vector of a function it owns to one of its pirqs, binds an event
 * channel to it (EVTCHNOP_bind_pirq) and acknowledges level interrupts
 * with PHYSDEVOP_eoi. Xen's XSM_PRIV / XSM_DM_PRIV checks become "the
 * caller is the driver domain (owns a PCI function) and names itself";
 * everything else is checked in Xen's order with Xen's errors
 * (docs/abi/physdev.md).
 */
#include "lib.h"
#include "mm.h"
#include "pci.h"
#include "irq.h"
#include "evtchn.h"
#include "domain.h"
#include "guest_access.h"
#include "irq_desc.h"
#include <tandem/physdev.h>
#include <tandem/errno.h>

struct gsi_cfg gsi_cfg[IOAPIC_MAX_PINS];

bool is_driver_domain(const struct domain *d)
{
    for_each_pdev(p)
        if (p->owner == d)
            return true;
    return false;
}

/* Xen's irq_access_permitted for the driver domain: every GSI but the timer's (0, 2). */
static bool irq_access_permitted(const struct domain *d, int irq)
{
    const struct irq_desc *desc = &irq_descs[irq];

    if (irq < IRQ_MSI_BASE && (irq == 0 || irq == 2))
        return false;
    return is_driver_domain(d) && (!desc->owner || desc->owner == d);
}

/* Xen's rcu_lock_domain_by_any_id + XSM_DM_PRIV: only the driver domain, only for itself. */
static int target_domain(domid_t domid, struct domain **out)
{
    struct domain *d = current->domain;
    struct domain *td = domid == DOMID_SELF ? d : get_domain_by_id(domid);

    if (!td)
        return -XEN_ESRCH;
    if (td != d || !is_driver_domain(d))
        return -XEN_EPERM;
    *out = td;
    return 0;
}

/* Xen's get_free_pirq: GSIs from 16 up to nr_irqs_gsi first, then anything from the top down. */
static int get_free_pirq(struct domain_irq *di, int type)
{
    if (type == MAP_PIRQ_TYPE_GSI)
        for (unsigned int i = 16; i < nr_irqs_gsi; i++)
            if (di->pirq[i].state == PIRQ_FREE)
                return i;
    for (int i = NR_PIRQS - 1; i >= (int)nr_irqs_gsi && i > 0; i--)
        if (di->pirq[i].state == PIRQ_FREE)
            return i;
    return -XEN_ENOSPC;
}

/* The pirq d has for irq, 0 if none (Xen's domain_irq_to_pirq). */
static int irq_to_pirq(const struct domain *d, int irq)
{
    const struct irq_desc *desc = &irq_descs[irq];

    return desc->kind != IRQ_NONE && desc->owner == d ? desc->pirq : 0;
}

/* Xen's allocate_pirq (with the upstream fix: an irq mapped already gives its pirq back). */
static int allocate_pirq(struct domain *d, int irq, int want, int type)
{
    int cur = irq_to_pirq(d, irq);

    if (want < 0)
        return cur ? cur : get_free_pirq(d->arch.irq, type);
    if (cur && cur != want)
        return -XEN_EEXIST;
    return want;
}

struct msi_info {
    pci_sbdf_t sbdf;
    uint32_t entry_nr;
    uint64_t table_base;
};

static bool msix_entry_mapped(const struct pci_dev *pdev, unsigned int entry)
{
    for (int irq = IRQ_MSI_BASE; irq < NR_IRQS; irq++)
        if (irq_descs[irq].kind == IRQ_MSIX && irq_descs[irq].pdev == pdev &&
            irq_descs[irq].msix_entry == entry)
            return true;
    return false;
}

/* Xen's __pci_enable_msix: the table is where the function's BAR says (table_base only warns). */
static int map_msix_source(struct domain *d, struct irq_desc *desc, int irq,
                           struct pci_dev *pdev, const struct msi_info *msi)
{
    uint64_t bar = pdev->bar[pdev->msix_table_bir % 6].base;
    int rc;

    if (!pdev->msix_cap)
        return -XEN_ENODEV;
    if (msi->entry_nr >= pdev->msix_nr)
        return -XEN_EINVAL;
    if (msix_entry_mapped(pdev, msi->entry_nr))
        return -XEN_EEXIST;
    if (msi_in_use(pdev, false))
        return -XEN_EBUSY;              /* Xen turns MSI off under its pirq; Tandem refuses */
    if (msi->table_base != bar)
        printk(XENLOG_DEBUG "IRQ d%u: MSI-X table_base %#lx, the BAR is at %#lx\n",
               d->domain_id, (unsigned long)msi->table_base, (unsigned long)bar);
    desc->kind = IRQ_MSIX;
    desc->msix_entry = msi->entry_nr;
    if ((rc = irq_prepare(irq)))
        return rc;
    return msix_enable(pdev, msi->entry_nr, desc->vector);
}

/* desc->pdev is set only once the source is programmed: irq_destroy then turns it off. */
static int map_msi_source(struct domain *d, int irq, const struct msi_info *msi)
{
    struct irq_desc *desc = &irq_descs[irq];
    struct pci_dev *pdev = pci_get_pdev(msi->sbdf);
    int rc;

    if (!pdev || pdev->owner != d)
        return -XEN_ENODEV;             /* Xen's pci_get_pdev(d, sbdf) */
    if (msi->table_base) {
        rc = map_msix_source(d, desc, irq, pdev, msi);
    } else if (!pdev->msi_cap) {
        rc = -XEN_ENODEV;
    } else if (msi_in_use(pdev, true)) {
        rc = -XEN_EBUSY;
    } else if (!(rc = irq_prepare(irq))) {
        rc = msi_enable(pdev, desc->vector);
    }
    if (!rc)
        desc->pdev = pdev;
    return rc;
}

/* Xen's map_domain_pirq, for a pirq and irq allocate_pirq settled; d's event lock held. */
static int map_domain_pirq(struct domain *d, int pirq, int irq, const struct msi_info *msi)
{
    struct irq_desc *desc = &irq_descs[irq];
    struct pirq *p;
    unsigned long flags;
    int old_pirq, rc;

    if (!irq_access_permitted(d, irq))
        return -XEN_EPERM;
    /* pirq 0 too (Xen takes it, but 0 also means "no pirq" and get_free_pirq never gives it). */
    if (pirq <= 0 || pirq >= NR_PIRQS || irq <= 0 || irq >= NR_IRQS)
        return -XEN_EINVAL;
    p = &d->arch.irq->pirq[pirq];
    old_pirq = irq_to_pirq(d, irq);
    /* Xen 4.19 returns 0 here and maps nothing; -EEXIST is the fix proposed upstream (2026). */
    if ((p->state == PIRQ_MAPPED && p->irq != irq) || p->state == PIRQ_ORPHAN ||
        (old_pirq && old_pirq != pirq))
        return -XEN_EEXIST;
    if (p->state == PIRQ_MAPPED)
        return 0;                       /* the same mapping again */
    flags = spin_lock_irqsave(&irq_lock);
    if (!msi) {
        *desc = (struct irq_desc){ .kind = IRQ_GSI, .level = gsi_cfg[irq].set ? gsi_cfg[irq].level : irq >= 16,
                                   .active_low = gsi_cfg[irq].set ? gsi_cfg[irq].active_low : irq >= 16 };
        rc = irq_prepare(irq);
    } else {
        rc = map_msi_source(d, irq, msi);
    }
    if (rc) {
        irq_destroy(irq);
    } else {
        desc->owner = d;
        desc->pirq = pirq;
        p->state = PIRQ_MAPPED;
        p->irq = irq;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
}

static int map_gsi(struct domain *d, int index, int *pirq_p)
{
    int pirq, rc;

    if (index < 0 || index >= (int)nr_irqs_gsi)
        return -XEN_EINVAL;
    spin_lock(&d->event_lock);
    if (!domain_irq(d, true))
        rc = -XEN_ENOMEM;
    else if ((pirq = allocate_pirq(d, index, *pirq_p, MAP_PIRQ_TYPE_GSI)) < 0)
        rc = pirq;
    else if (!(rc = map_domain_pirq(d, pirq, index, NULL)))
        *pirq_p = pirq;
    spin_unlock(&d->event_lock);
    return rc;
}

/* Xen's allocate_and_map_msi_pirq: a new irq (index must be -1: Tandem makes no irqs ahead). */
static int map_msi(struct domain *d, int index, int *pirq_p, struct msi_info *msi)
{
    unsigned long flags;
    int irq, pirq, rc;

    if (!msi->table_base)
        msi->entry_nr = 1;
    if (index != -1)
        return -XEN_EINVAL;
    spin_lock(&d->event_lock);
    flags = spin_lock_irqsave(&irq_lock);
    irq = irq_create();
    spin_unlock_irqrestore(&irq_lock, flags);
    if (irq < 0)
        rc = -XEN_EINVAL;               /* Xen: "can't create irq for msi" */
    else if (!domain_irq(d, true))
        rc = -XEN_ENOMEM;
    else if ((pirq = allocate_pirq(d, irq, *pirq_p, MAP_PIRQ_TYPE_MSI)) < 0)
        rc = pirq;
    else if (!(rc = map_domain_pirq(d, pirq, irq, msi)))
        *pirq_p = pirq;
    if (rc && irq >= 0 && irq_descs[irq].kind != IRQ_NONE && !irq_descs[irq].owner) {
        flags = spin_lock_irqsave(&irq_lock);
        irq_destroy(irq);
        spin_unlock_irqrestore(&irq_lock, flags);
    }
    spin_unlock(&d->event_lock);
    return rc;
}

/* Xen copies the struct back whatever the outcome (pirq and entry_nr are OUT). */
long physdev_map_pirq(guest_va_t arg)
{
    struct physdev_map_pirq m;
    struct msi_info msi;
    struct domain *d;
    long rc;

    if (copy_from_guest(&m, arg, sizeof(m)))
        return -XEN_EFAULT;
    if (m.type == MAP_PIRQ_TYPE_MULTI_MSI && m.table_base)
        return -XEN_EINVAL;
    msi = (struct msi_info){
        .sbdf = PCI_SBDF(m.type == MAP_PIRQ_TYPE_MSI_SEG || m.type == MAP_PIRQ_TYPE_MULTI_MSI ?
                         (uint32_t)m.bus >> 16 : 0, m.bus & 0xff, (m.devfn >> 3) & 0x1f, m.devfn & 7),
        .entry_nr = m.entry_nr, .table_base = m.table_base };
    if (!(rc = target_domain(m.domid, &d))) {
        switch (m.type) {
        case MAP_PIRQ_TYPE_GSI:
            rc = map_gsi(d, m.index, &m.pirq);
            break;
        case MAP_PIRQ_TYPE_MULTI_MSI:
            /* One vector per function here: more is refused, as Xen refuses more than a device has. */
            if (m.entry_nr != 1) {
                m.entry_nr = 1;
                rc = -XEN_ENFILE;
                break;
            }
            msi.entry_nr = 1;
            /* fall through */
        case MAP_PIRQ_TYPE_MSI:
        case MAP_PIRQ_TYPE_MSI_SEG:
            if (msi.sbdf >> 16)
                rc = -XEN_ENODEV;       /* segment 0 only */
            else
                rc = map_msi(d, m.index, &m.pirq, &msi);
            break;
        default:
            rc = -XEN_EINVAL;
        }
    }
    if (copy_to_guest(arg, &m, sizeof(m)))
        rc = -XEN_EFAULT;
    return rc;
}

/* Xen's unmap_domain_pirq; a pirq still bound is force-unbound (its port stays, silent). */
static int unmap_domain_pirq(struct domain *d, int pirq)
{
    struct pirq *p;
    struct irq_desc *desc;
    unsigned long flags;

    if (pirq < 0 || pirq >= NR_PIRQS)
        return -XEN_EINVAL;
    p = d->arch.irq ? &d->arch.irq->pirq[pirq] : NULL;
    if (!p || p->state != PIRQ_MAPPED)
        return -XEN_EINVAL;
    flags = spin_lock_irqsave(&irq_lock);
    desc = &irq_descs[p->irq];
    irq_report(desc, p->irq, ", unmapped");
    irq_destroy(p->irq);
    p->state = p->evtchn ? PIRQ_ORPHAN : PIRQ_FREE;
    p->irq = 0;
    p->masked = false;
    irq_set_eoi_bit(d, pirq, false);
    spin_unlock_irqrestore(&irq_lock, flags);
    return 0;
}

long physdev_unmap_pirq(guest_va_t arg)
{
    struct physdev_unmap_pirq u;
    struct domain *d;
    long rc;

    if (copy_from_guest(&u, arg, sizeof(u)))
        return -XEN_EFAULT;
    if ((rc = target_domain(u.domid, &d)))
        return rc;
    spin_lock(&d->event_lock);
    rc = unmap_domain_pirq(d, u.pirq);
    spin_unlock(&d->event_lock);
    return rc;
}

/* No permission check, as Xen: any domain may reserve a pirq number. */
long physdev_get_free_pirq(guest_va_t arg)
{
    struct physdev_get_free_pirq g;
    struct domain *d = current->domain;
    struct domain_irq *di;
    int pirq;

    if (copy_from_guest(&g, arg, sizeof(g)))
        return -XEN_EFAULT;
    spin_lock(&d->event_lock);
    if (!(di = domain_irq(d, true)))
        pirq = -XEN_ENOMEM;
    else if ((pirq = get_free_pirq(di, g.type)) >= 0)
        di->pirq[pirq].state = PIRQ_RESERVED;
    spin_unlock(&d->event_lock);
    if (pirq < 0)
        return pirq;
    g.pirq = pirq;
    return copy_to_guest(arg, &g, sizeof(g)) ? -XEN_EFAULT : 0;
}

/* Xen: a pirq number with no state is -EINVAL; with _v1 the port is unmasked too. */
long physdev_eoi(guest_va_t arg)
{
    struct physdev_eoi e;
    struct domain *d = current->domain;
    struct domain_irq *di;
    long rc = 0;

    if (copy_from_guest(&e, arg, sizeof(e)))
        return -XEN_EFAULT;
    if (e.irq >= NR_PIRQS)
        return -XEN_EINVAL;
    spin_lock(&d->event_lock);
    di = d->arch.irq;
    if (!di || di->pirq[e.irq].state == PIRQ_FREE) {
        rc = -XEN_EINVAL;
    } else {
        if (di->auto_unmask && di->pirq[e.irq].evtchn)
            evtchn_unmask_port(d, di->pirq[e.irq].evtchn);
        pirq_guest_eoi(d, e.irq);
    }
    spin_unlock(&d->event_lock);
    return rc;
}

/*
 * The pre-3.2 ABI (Xen's pirq_guest_unmask): an eoi for every pirq whose
 * port the guest has unmasked while its source waits masked.
 */
long physdev_irq_unmask_notify(void)
{
    struct domain *d = current->domain;
    struct domain_irq *di;

    spin_lock(&d->event_lock);
    if ((di = d->arch.irq))
        for (uint32_t i = 0; i < NR_PIRQS; i++)
            if (di->pirq[i].masked && di->pirq[i].evtchn && !evtchn_port_masked(d, di->pirq[i].evtchn))
                pirq_guest_eoi(d, i);
    spin_unlock(&d->event_lock);
    return 0;
}

/* Xen sets needs_eoi for every pirq of a PV domain (the eoi map says which really need it). */
long physdev_irq_status_query(guest_va_t arg)
{
    struct physdev_irq_status_query q;

    if (copy_from_guest(&q, arg, sizeof(q)))
        return -XEN_EFAULT;
    if (q.irq >= NR_PIRQS)
        return -XEN_EINVAL;
    q.flags = XENIRQSTAT_needs_eoi;
    return copy_to_guest(arg, &q, sizeof(q)) ? -XEN_EFAULT : 0;
}

/* The bitmap page: one bit per pirq set while it needs PHYSDEVOP_eoi (level GSIs). */
long physdev_pirq_eoi_gmfn(uint64_t cmd, guest_va_t arg)
{
    struct physdev_pirq_eoi_gmfn g;
    struct domain *d = current->domain;
    struct domain_irq *di;
    mfn_t mfn;
    long rc = 0;

    if (copy_from_guest(&g, arg, sizeof(g)))
        return -XEN_EFAULT;
    mfn = g.gmfn;                       /* direct paging: the guest names machine frames */
    if (!mfn_valid(mfn) || get_page_and_type(mfn, d, PGT_writable_page))
        return -XEN_EINVAL;
    spin_lock(&d->event_lock);
    if (!(di = domain_irq(d, true)))
        rc = -XEN_ENOMEM;
    else if (di->eoi_mfn)
        rc = -XEN_EBUSY;
    if (rc) {
        spin_unlock(&d->event_lock);
        put_page_and_type(mfn);
        return rc;
    }
    di->eoi_mfn = mfn;
    di->eoi_map = mfn_to_virt(mfn);
    di->auto_unmask = cmd == PHYSDEVOP_pirq_eoi_gmfn_v1;
    for (unsigned int i = 0; i < NR_PIRQS; i++)
        if (di->pirq[i].state == PIRQ_MAPPED && di->pirq[i].evtchn)
            irq_set_eoi_bit(d, i, irq_descs[di->pirq[i].irq].level);
    spin_unlock(&d->event_lock);
    return 0;
}

/* Teardown: every pirq of irq's owner on this function unmapped (before the function changes hands). */
void irq_release_pdev(struct pci_dev *pdev)
{
    for (int irq = IRQ_MSI_BASE; irq < NR_IRQS; irq++) {
        struct domain *d = irq_descs[irq].owner;
        if (irq_descs[irq].kind == IRQ_NONE || irq_descs[irq].pdev != pdev || !d)
            continue;
        spin_lock(&d->event_lock);
        if (irq_descs[irq].pdev == pdev && irq_descs[irq].owner == d)
            unmap_domain_pirq(d, irq_descs[irq].pirq);
        spin_unlock(&d->event_lock);
    }
}

/*
 * Domain teardown, after its event channels are closed (every pirq is
 * unbound by then) and before its memory goes: every pirq unmapped, the
 * eoi page's reference dropped.
 */
void irq_release_domain(struct domain *d)
{
    struct domain_irq *di = d->arch.irq;

    if (!di)
        return;
    spin_lock(&d->event_lock);
    for (int i = 0; i < NR_PIRQS; i++)
        if (di->pirq[i].state == PIRQ_MAPPED)
            unmap_domain_pirq(d, i);
    d->arch.irq = NULL;
    spin_unlock(&d->event_lock);
    if (di->eoi_mfn)
        put_page_and_type(di->eoi_mfn);
    xfree(di);
}
