/*
 * The PCI bookkeeping sub-ops of physdev_op. A Linux dom0 reports each
 * function it finds (pci_device_add, or the older manage_pci_add(_ext)) and
 * each ECAM window (pci_mmcfg_reserved); Tandem enumerated the bus itself,
 * so these only confirm what it knows. Xen's order of checks: the argument
 * is copied (-EFAULT), the XSM privilege check (-EPERM), then the function
 * is looked up (-ENODEV). Tandem has no hot-plug: a remove is accepted and
 * the function stays where it is.
 */
#include "lib.h"
#include "pci_internal.h"
#include "domain.h"
#include <tandem/physdev.h>
#include <tandem/errno.h>

/* The caller may report functions: the driver domain (Xen's hardware domain). */
static bool may_manage(const struct domain *d)
{
    return d == pci_driver_domain();
}

static long confirm(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    struct pci_dev *p;

    if (!may_manage(current->domain))
        return -XEN_EPERM;
    /* What the caller cannot see (a bridge, another segment) is unknown to it. */
    p = seg ? NULL : pci_get_pdev(PCI_SBDF(0, bus, devfn >> 3, devfn & 7));
    return pci_owns(current->domain, p) ? 0 : -XEN_ENODEV;
}

long pci_physdev_op(uint64_t cmd, guest_va_t arg)
{
    switch (cmd) {
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove: {
        struct physdev_manage_pci m;
        if (copy_from_guest(&m, arg, sizeof(m)))
            return -XEN_EFAULT;
        return confirm(0, m.bus, m.devfn);
    }
    case PHYSDEVOP_manage_pci_add_ext: {
        struct physdev_manage_pci_ext m;
        if (copy_from_guest(&m, arg, sizeof(m)))
            return -XEN_EFAULT;
        return confirm(0, m.bus, m.devfn);
    }
    case PHYSDEVOP_pci_device_add: {
        struct physdev_pci_device_add a;
        if (copy_from_guest(&a, arg, sizeof(a)))
            return -XEN_EFAULT;
        return confirm(a.seg, a.bus, a.devfn);
    }
    case PHYSDEVOP_pci_device_remove: {
        struct physdev_pci_device r;
        if (copy_from_guest(&r, arg, sizeof(r)))
            return -XEN_EFAULT;
        return confirm(r.seg, r.bus, r.devfn);
    }
    case PHYSDEVOP_pci_mmcfg_reserved: {
        struct physdev_pci_mmcfg_reserved r;
        if (copy_from_guest(&r, arg, sizeof(r)))
            return -XEN_EFAULT;
        /* Xen's xsm_resource_setup_misc: the privileged domain (and here the driver domain). */
        if (!current->domain->is_privileged && !may_manage(current->domain))
            return -XEN_EPERM;
        return 0;               /* configuration access stays on ports 0xcf8/0xcfc */
    }
    default:
        return -XEN_ENOSYS;
    }
}
