/*
 * physdev_op hypercall (number 33): I/O privilege, physical IRQs and PCI.
 * Numbers and layouts are Xen's; the prose is Tandem's.
 *
 * Call: physdev_op(cmd, arg), arg = guest VA of the struct named beside
 * each PHYSDEVOP_*. The IRQ, APIC and PCI operations need a domain with
 * physical devices (the hardware domain); an ordinary domU gets an error
 * (-EPERM, or -ENOSYS where not implemented). Linux treats failures of
 * set_iopl and pirq_eoi_gmfn_v2 as harmless.
 */
#ifndef TANDEM_PUBLIC_PHYSDEV_H
#define TANDEM_PUBLIC_PHYSDEV_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "xen.h"                /* domid_t */

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY      4  /* obsolete (Xen still honours it) */
#define PHYSDEVOP_irq_status_query       5  /* struct physdev_irq_status_query */
#define PHYSDEVOP_set_iopl               6  /* struct physdev_set_iopl */
#define PHYSDEVOP_set_iobitmap           7  /* struct physdev_set_iobitmap */
#define PHYSDEVOP_apic_read              8  /* struct physdev_apic */
#define PHYSDEVOP_apic_write             9  /* struct physdev_apic */
#define PHYSDEVOP_alloc_irq_vector      10  /* struct physdev_irq */
#define PHYSDEVOP_free_irq_vector       11  /* struct physdev_irq */
#define PHYSDEVOP_eoi                   12  /* struct physdev_eoi */
#define PHYSDEVOP_map_pirq              13  /* struct physdev_map_pirq */
#define PHYSDEVOP_unmap_pirq            14  /* struct physdev_unmap_pirq */
#define PHYSDEVOP_manage_pci_add        15
#define PHYSDEVOP_manage_pci_remove     16
#define PHYSDEVOP_pirq_eoi_gmfn_v1      17  /* struct physdev_pirq_eoi_gmfn */
#define PHYSDEVOP_restore_msi           19
#define PHYSDEVOP_manage_pci_add_ext    20
#define PHYSDEVOP_setup_gsi             21
                                            /* 22: unused */
#define PHYSDEVOP_get_free_pirq         23  /* struct physdev_get_free_pirq */
#define PHYSDEVOP_pci_mmcfg_reserved    24
#define PHYSDEVOP_pci_device_add        25
#define PHYSDEVOP_pci_device_remove     26
#define PHYSDEVOP_restore_msi_ext       27
#define PHYSDEVOP_pirq_eoi_gmfn_v2      28  /* struct physdev_pirq_eoi_gmfn */
#define PHYSDEVOP_dbgp_op               29
#define PHYSDEVOP_prepare_msix          30
#define PHYSDEVOP_release_msix          31
#define PHYSDEVOP_pirq_eoi_gmfn PHYSDEVOP_pirq_eoi_gmfn_v2

#ifndef __ASSEMBLY__
/* PHYSDEVOP_eoi: the guest has finished servicing physical IRQ <irq>. */
struct physdev_eoi {
    uint32_t irq;               /* IN */
};
typedef struct physdev_eoi physdev_eoi_t;

/*
 * PHYSDEVOP_pirq_eoi_gmfn_v1/v2: register a page used as a bitmap, one
 * bit per PIRQ, saying which ones need PHYSDEVOP_eoi. v1 also makes eoi
 * unmask the port; v2 leaves eoi unchanged.
 */
struct physdev_pirq_eoi_gmfn {
    uint64_t gmfn;              /* IN: frame of the bitmap page */
};
typedef struct physdev_pirq_eoi_gmfn physdev_pirq_eoi_gmfn_t;
#endif

/* PHYSDEVOP_irq_status_query. */
#define _XENIRQSTAT_needs_eoi   0
#define XENIRQSTAT_needs_eoi    (1U << _XENIRQSTAT_needs_eoi)  /* call PHYSDEVOP_eoi */
#define _XENIRQSTAT_shared      1
#define XENIRQSTAT_shared       (1U << _XENIRQSTAT_shared)     /* shared with others */
#ifndef __ASSEMBLY__
struct physdev_irq_status_query {
    uint32_t irq;               /* IN */
    uint32_t flags;             /* OUT: XENIRQSTAT_* */
};
typedef struct physdev_irq_status_query physdev_irq_status_query_t;

/*
 * PHYSDEVOP_set_iopl: the virtual I/O privilege level of the calling vCPU
 * (0-3). Port I/O from guest kernel mode is allowed when iopl >= 1, from
 * user mode when iopl == 3; anything else traps and, for a domU without
 * I/O ports, reads all ones and drops writes. Linux asks for 1.
 */
struct physdev_set_iopl {
    uint32_t iopl;              /* IN: 0..3 */
};
typedef struct physdev_set_iopl physdev_set_iopl_t;

/* PHYSDEVOP_set_iobitmap: a TSS-style port bitmap for the calling vCPU. */
struct physdev_set_iobitmap {
    uint64_t bitmap;            /* IN: guest VA of the bitmap */
    uint32_t nr_ports;          /* IN: ports it covers */
    uint32_t pad;
};
typedef struct physdev_set_iobitmap physdev_set_iobitmap_t;

/* PHYSDEVOP_manage_pci_add / manage_pci_remove (segment 0). */
struct physdev_manage_pci {
    uint8_t bus;                /* IN */
    uint8_t devfn;              /* IN */
};
typedef struct physdev_manage_pci physdev_manage_pci_t;

/* PHYSDEVOP_manage_pci_add_ext. */
struct physdev_manage_pci_ext {
    uint8_t bus;                /* IN */
    uint8_t devfn;              /* IN */
    uint32_t is_extfn;          /* IN */
    uint32_t is_virtfn;         /* IN */
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;                   /* IN: with is_virtfn */
};
typedef struct physdev_manage_pci_ext physdev_manage_pci_ext_t;

/* PHYSDEVOP_pci_device_add. */
#define XEN_PCI_DEV_EXTFN   0x1
#define XEN_PCI_DEV_VIRTFN  0x2
#define XEN_PCI_DEV_PXM     0x4
struct physdev_pci_device_add {
    uint16_t seg;               /* IN */
    uint8_t bus;                /* IN */
    uint8_t devfn;              /* IN */
    uint32_t flags;             /* IN: XEN_PCI_DEV_* */
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;                   /* IN: with XEN_PCI_DEV_VIRTFN */
    uint32_t optarr[];          /* IN: [0] the proximity domain, with XEN_PCI_DEV_PXM */
};
typedef struct physdev_pci_device_add physdev_pci_device_add_t;

/* PHYSDEVOP_pci_mmcfg_reserved: an ECAM window the firmware reserved. */
#define XEN_PCI_MMCFG_RESERVED 0x1
struct physdev_pci_mmcfg_reserved {
    uint64_t address;           /* IN */
    uint16_t segment;           /* IN */
    uint8_t start_bus;          /* IN */
    uint8_t end_bus;            /* IN */
    uint32_t flags;             /* IN */
};
typedef struct physdev_pci_mmcfg_reserved physdev_pci_mmcfg_reserved_t;

/* PHYSDEVOP_apic_read / apic_write (hardware domain only). */
struct physdev_apic {
    uint64_t apic_physbase;     /* IN: IO-APIC base address */
    uint32_t reg;               /* IN: register index */
    uint32_t value;             /* INOUT: OUT for read, IN for write */
};
typedef struct physdev_apic physdev_apic_t;

/* PHYSDEVOP_alloc_irq_vector / free_irq_vector. */
struct physdev_irq {
    uint32_t irq;               /* IN */
    uint32_t vector;            /* INOUT: OUT for alloc, IN for free */
};
typedef struct physdev_irq physdev_irq_t;
#endif

/* PHYSDEVOP_map_pirq types. */
#define MAP_PIRQ_TYPE_MSI        0x0
#define MAP_PIRQ_TYPE_GSI        0x1
#define MAP_PIRQ_TYPE_UNKNOWN    0x2
#define MAP_PIRQ_TYPE_MSI_SEG    0x3
#define MAP_PIRQ_TYPE_MULTI_MSI  0x4

#ifndef __ASSEMBLY__
/* PHYSDEVOP_map_pirq: give <domid> a PIRQ for a GSI or MSI. 40 bytes. */
struct physdev_map_pirq {
    domid_t  domid;             /* IN */
    uint16_t pad;
    int32_t  type;              /* IN: MAP_PIRQ_TYPE_* */
    int32_t  index;             /* IN: GSI or MSI-X entry (ignored for MULTI_MSI) */
    int32_t  pirq;              /* INOUT: wanted PIRQ or -1; OUT the one given */
    int32_t  bus;               /* IN: bits 31:16 segment for MSI_SEG/MULTI_MSI */
    int32_t  devfn;             /* IN */
    int32_t  entry_nr;          /* INOUT: OUT too for MULTI_MSI */
    uint32_t pad1;
    uint64_t table_base;        /* IN: MSI-X table address */
};
typedef struct physdev_map_pirq physdev_map_pirq_t;

/* PHYSDEVOP_unmap_pirq. */
struct physdev_unmap_pirq {
    domid_t  domid;             /* IN */
    uint16_t pad;
    int32_t  pirq;              /* IN */
};
typedef struct physdev_unmap_pirq physdev_unmap_pirq_t;

/* PHYSDEVOP_setup_gsi: a GSI's trigger mode and polarity (before it is mapped). */
struct physdev_setup_gsi {
    int32_t gsi;                /* IN */
    uint8_t triggering;         /* IN: 0 edge, 1 level */
    uint8_t polarity;           /* IN: 0 active high, 1 active low */
    uint16_t pad;
};
typedef struct physdev_setup_gsi physdev_setup_gsi_t;

/* PHYSDEVOP_restore_msi: write a function's MSI/MSI-X state again (after a reset). */
struct physdev_restore_msi {
    uint8_t bus;                /* IN */
    uint8_t devfn;              /* IN */
};
typedef struct physdev_restore_msi physdev_restore_msi_t;

/* PHYSDEVOP_restore_msi_ext, prepare_msix, release_msix (and pci_device_remove). */
struct physdev_pci_device {
    uint16_t seg;               /* IN */
    uint8_t bus;                /* IN */
    uint8_t devfn;              /* IN */
};
typedef struct physdev_pci_device physdev_pci_device_t;

/* PHYSDEVOP_get_free_pirq. */
struct physdev_get_free_pirq {
    int32_t  type;              /* IN: MAP_PIRQ_TYPE_GSI or _MSI */
    uint32_t pirq;              /* OUT */
};
typedef struct physdev_get_free_pirq physdev_get_free_pirq_t;
#endif

#endif
