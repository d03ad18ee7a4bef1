/*
 * Private to arch/x86's interrupt code (irq.c, pirq.c, io_apic.c, msi.c):
 * the hypervisor's interrupt descriptors, the IOAPIC and MSI programming
 * they use, and the per-domain pirq table (Xen's struct pirq).
 *
 * Numbering, as Xen's: irq N < nr_irqs_gsi is GSI N (IOAPIC pin N, one
 * IOAPIC); irqs from IRQ_MSI_BASE up are made by irq_create() for MSI and
 * MSI-X. irq 0 (the PIT's GSI 0 does not exist on q35) is never mapped.
 *
 * Locking: irq_lock guards every descriptor, the vector table and the MSI
 * state of every function; it is taken with interrupts off (the handler
 * takes it). A domain's event_lock guards its pirq table and is taken
 * before irq_lock, never after.
 */
#ifndef TANDEM_IRQ_DESC_H
#define TANDEM_IRQ_DESC_H

#include "types.h"
#include "spinlock.h"
#include "guest_access.h"

struct domain;
struct pci_dev;

#define IOAPIC_MAX_PINS  48
#define IRQ_MSI_BASE     IOAPIC_MAX_PINS
#define NR_MSI_IRQS      128
#define NR_IRQS          (IRQ_MSI_BASE + NR_MSI_IRQS)
#define NR_PIRQS         256        /* per domain (Xen: nr_irqs_gsi + extra_dom0_irqs) */
/* Device vectors: above the exceptions, below the timer's priority class. */
#define FIRST_DEVICE_VECTOR 0x30
#define LAST_DEVICE_VECTOR  0xdf

enum irq_kind { IRQ_NONE, IRQ_GSI, IRQ_MSI, IRQ_MSIX };

struct irq_desc {
    enum irq_kind kind;
    uint8_t vector;             /* 0: none */
    bool level, active_low;     /* GSI trigger and polarity (IOAPIC RTE) */
    bool guest_bound;           /* an event channel delivers it (pirq_guest_bind) */
    struct domain *owner;       /* whose pirq it is, NULL when unmapped */
    int pirq;
    struct pci_dev *pdev;       /* MSI / MSI-X */
    unsigned int msix_entry;
    uint64_t count;             /* interrupts received since it was mapped */
    uint64_t dropped;           /* of those, arriving with no port bound */
};

/*
 * A domain's pirq (Xen's struct pirq). RESERVED: handed out by
 * get_free_pirq, not mapped; ORPHAN: unmapped while a port was still bound
 * to it (Xen's forced unbind, arch.irq = -irq), free once that port closes.
 */
enum pirq_state { PIRQ_FREE, PIRQ_RESERVED, PIRQ_MAPPED, PIRQ_ORPHAN };
struct pirq {
    uint8_t state;              /* enum pirq_state */
    bool masked;                /* delivered, source masked until the guest's PHYSDEVOP_eoi */
    uint16_t irq;               /* PIRQ_MAPPED: the irq */
    uint32_t evtchn;            /* bound port, 0 none */
};

struct domain_irq {
    struct pirq pirq[NR_PIRQS];
    mfn_t eoi_mfn;              /* PHYSDEVOP_pirq_eoi_gmfn page (a writable type ref held), 0 none */
    uint64_t *eoi_map;
    bool auto_unmask;           /* registered with _v1: eoi also unmasks the port */
};

extern spinlock_t irq_lock;
extern struct irq_desc irq_descs[NR_IRQS];
extern unsigned int nr_irqs_gsi;

/* io_apic.c: one IOAPIC at its q35 address; every pin masked. */
void ioapic_init(void);
void ioapic_route(unsigned int pin, uint8_t vector, bool level, bool active_low);
void ioapic_mask(unsigned int pin, bool masked);
void ioapic_clear(unsigned int pin);
/* PHYSDEVOP_apic_read: -XEN_EINVAL unless physbase is the IOAPIC's. */
int ioapic_guest_read(uint64_t physbase, uint32_t reg, uint32_t *val);

/* msi.c: the hypervisor writes every MSI capability and MSI-X table entry. */
int msi_enable(struct pci_dev *pdev, uint8_t vector);
int msix_enable(struct pci_dev *pdev, unsigned int entry, uint8_t vector);
void msi_mask(struct irq_desc *desc, bool masked);
void msi_disable(struct irq_desc *desc);
bool msi_in_use(const struct pci_dev *pdev, bool msix);
int msix_prepare(struct pci_dev *pdev, bool release);
int msi_restore(struct pci_dev *pdev);

/* irq.c */
int irq_create(void);                   /* a free MSI irq, or -XEN_ENOSPC */
void irq_destroy(int irq);
int irq_prepare(int irq);               /* a vector; a GSI's RTE written, masked */
int irq_startup(int irq);               /* source unmasked */
void irq_shutdown(int irq);             /* source masked */
/* The pirq state of d, made on first use; NULL only when memory ran out (create). */
struct domain_irq *domain_irq(struct domain *d, bool create);
void irq_set_eoi_bit(struct domain *d, int pirq, bool set);
/* One log line with irq's interrupt counts (`when` appended). */
void irq_report(const struct irq_desc *desc, int irq, const char *when);
/* pirq.c: unmap every pirq on a vector of pdev (its owner's event lock taken). */
void irq_release_pdev(struct pci_dev *pdev);
/* The driver domain: the one that owns PCI functions (Xen's hardware-domain checks become this). */
bool is_driver_domain(const struct domain *d);
/* setup_gsi's trigger and polarity per GSI; unset: ISA edge active-high, PCI (16+) level active-low. */
struct gsi_cfg { bool set, level, active_low; };
extern struct gsi_cfg gsi_cfg[IOAPIC_MAX_PINS];
/* The sub-ops pirq.c implements (physdev_irq.c routes them). */
long physdev_map_pirq(guest_va_t arg);
long physdev_unmap_pirq(guest_va_t arg);
long physdev_get_free_pirq(guest_va_t arg);
long physdev_eoi(guest_va_t arg);
long physdev_irq_unmask_notify(void);
long physdev_irq_status_query(guest_va_t arg);
long physdev_pirq_eoi_gmfn(uint64_t cmd, guest_va_t arg);

#endif
