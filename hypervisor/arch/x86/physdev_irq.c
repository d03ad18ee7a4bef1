/*
 * irq_physdev_op: the interrupt sub-ops of physdev_op. pirq.c has the
 * pirq ones; here are the IOAPIC, vector, GSI set-up and MSI restore
 * sub-ops, which Xen keeps for its privileged domain (XSM_PRIV: here the
 * driver domain, the owner of the function for the per-function ones).
 */
#include "lib.h"
#include "pci.h"
#include "irq.h"
#include "domain.h"
#include "guest_access.h"
#include "irq_desc.h"
#include <tandem/physdev.h>
#include <tandem/errno.h>

/* Xen's apic_read: the IOAPIC's registers, read-only for the driver domain. */
static long physdev_apic(uint64_t cmd, guest_va_t arg)
{
    struct physdev_apic a;
    long rc;

    if (copy_from_guest(&a, arg, sizeof(a)))
        return -XEN_EFAULT;
    if (!is_driver_domain(current->domain))
        return -XEN_EPERM;
    /* The hypervisor alone programs the IOAPIC (map_pirq does, for a GSI): writes are refused. */
    if (cmd == PHYSDEVOP_apic_write)
        return -XEN_EPERM;
    rc = ioapic_guest_read(a.apic_physbase, a.reg, &a.value);
    if (copy_to_guest(arg, &a, sizeof(a)))
        rc = -XEN_EFAULT;
    return rc;
}

/* Xen's alloc_irq_vector is a dummy that echoes the irq: vectors are the hypervisor's. */
static long physdev_alloc_irq_vector(guest_va_t arg)
{
    struct physdev_irq op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!is_driver_domain(current->domain))
        return -XEN_EPERM;
    op.vector = op.irq;
    return copy_to_guest(arg, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

/* Xen's mp_register_gsi: a GSI's mode is set while it is not in use (-EEXIST otherwise). */
static long physdev_setup_gsi(guest_va_t arg)
{
    struct physdev_setup_gsi g;
    unsigned long flags;
    long rc = 0;

    if (copy_from_guest(&g, arg, sizeof(g)))
        return -XEN_EFAULT;
    if (g.gsi < 0 || g.gsi >= (int)nr_irqs_gsi)
        return -XEN_EINVAL;
    if (!is_driver_domain(current->domain))
        return -XEN_EPERM;
    flags = spin_lock_irqsave(&irq_lock);
    if (irq_descs[g.gsi].kind != IRQ_NONE)
        rc = -XEN_EEXIST;
    else
        gsi_cfg[g.gsi] = (struct gsi_cfg){ .set = true, .level = g.triggering, .active_low = g.polarity };
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
}

/* restore_msi(_ext), prepare_msix, release_msix: the caller must own the function. */
static long physdev_msi_dev(uint64_t cmd, guest_va_t arg)
{
    struct physdev_restore_msi r;
    struct physdev_pci_device p;
    struct pci_dev *pdev;
    pci_sbdf_t sbdf;
    unsigned long flags;
    long rc;

    if (cmd == PHYSDEVOP_restore_msi) {
        if (copy_from_guest(&r, arg, sizeof(r)))
            return -XEN_EFAULT;
        sbdf = PCI_SBDF(0, r.bus, r.devfn >> 3, r.devfn & 7);
    } else {
        if (copy_from_guest(&p, arg, sizeof(p)))
            return -XEN_EFAULT;
        sbdf = PCI_SBDF(p.seg, p.bus, p.devfn >> 3, p.devfn & 7);
    }
    /* Xen: prepare/release check XSM before the lookup, restore looks up first. */
    if ((cmd == PHYSDEVOP_prepare_msix || cmd == PHYSDEVOP_release_msix) &&
        !is_driver_domain(current->domain))
        return -XEN_EPERM;
    if (!(pdev = pci_get_pdev(sbdf)))
        return -XEN_ENODEV;
    if (pdev->owner != current->domain)
        return -XEN_EPERM;
    flags = spin_lock_irqsave(&irq_lock);
    if (cmd == PHYSDEVOP_prepare_msix || cmd == PHYSDEVOP_release_msix)
        rc = msix_prepare(pdev, cmd == PHYSDEVOP_release_msix);
    else
        rc = msi_restore(pdev);
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
}

long irq_physdev_op(uint64_t cmd, guest_va_t arg)
{
    switch (cmd) {
    case PHYSDEVOP_map_pirq:            return physdev_map_pirq(arg);
    case PHYSDEVOP_unmap_pirq:          return physdev_unmap_pirq(arg);
    case PHYSDEVOP_get_free_pirq:       return physdev_get_free_pirq(arg);
    case PHYSDEVOP_eoi:                 return physdev_eoi(arg);
    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:   return physdev_irq_unmask_notify();
    case PHYSDEVOP_irq_status_query:    return physdev_irq_status_query(arg);
    case PHYSDEVOP_pirq_eoi_gmfn_v1:
    case PHYSDEVOP_pirq_eoi_gmfn_v2:    return physdev_pirq_eoi_gmfn(cmd, arg);
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:          return physdev_apic(cmd, arg);
    case PHYSDEVOP_alloc_irq_vector:    return physdev_alloc_irq_vector(arg);
    case PHYSDEVOP_setup_gsi:           return physdev_setup_gsi(arg);
    case PHYSDEVOP_restore_msi:
    case PHYSDEVOP_restore_msi_ext:
    case PHYSDEVOP_prepare_msix:
    case PHYSDEVOP_release_msix:        return physdev_msi_dev(cmd, arg);
    default:                            return -XEN_ENOSYS;    /* free_irq_vector: Xen has none */
    }
}
