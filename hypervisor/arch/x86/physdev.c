/*
 * physdev_op (hypercall 33): routes each sub-op to its owner. I/O privilege
 * (set_iopl, set_iobitmap) is the PV vCPU's (pv/callbacks.c); the PCI
 * bookkeeping sub-ops are drivers/pci's; interrupts are irq.c's.
 * Xen's numbering and errors: docs/abi/physdev.md.
 */
#include "lib.h"
#include "hypercall.h"
#include "pci.h"
#include "irq.h"
#include "pv/pv.h"
#include <tandem/physdev.h>
#include <tandem/errno.h>

long do_physdev_op(uint64_t cmd, guest_va_t arg)
{
    switch (cmd) {
    case PHYSDEVOP_set_iopl:
    case PHYSDEVOP_set_iobitmap:
        return pv_physdev_io_op(cmd, arg);
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
    case PHYSDEVOP_manage_pci_add_ext:
    case PHYSDEVOP_pci_device_add:
    case PHYSDEVOP_pci_device_remove:
    case PHYSDEVOP_pci_mmcfg_reserved:
        return pci_physdev_op(cmd, arg);
    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:
    case PHYSDEVOP_eoi:
    case PHYSDEVOP_irq_status_query:
    case PHYSDEVOP_map_pirq:
    case PHYSDEVOP_unmap_pirq:
    case PHYSDEVOP_get_free_pirq:
    case PHYSDEVOP_pirq_eoi_gmfn_v1:
    case PHYSDEVOP_pirq_eoi_gmfn_v2:
    case PHYSDEVOP_alloc_irq_vector:
    case PHYSDEVOP_free_irq_vector:
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:
    case PHYSDEVOP_setup_gsi:
    case PHYSDEVOP_restore_msi:
    case PHYSDEVOP_restore_msi_ext:
    case PHYSDEVOP_prepare_msix:
    case PHYSDEVOP_release_msix:
        return irq_physdev_op(cmd, arg);
    default:
        return -XEN_ENOSYS;
    }
}
