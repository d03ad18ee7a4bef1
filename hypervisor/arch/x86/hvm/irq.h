/*
 * An HVM domain's interrupt lines and controllers (docs/hvm.md "Interrupt
 * controllers"): the 8259 pair (hvm/vpic.c), the IOAPIC (hvm/vioapic.c),
 * and the ISA and PCI INTx lines device models drive with dm_op
 * (hvm/irq.c), as Xen's hvm/irq.c, vpic.c and vioapic.c. Everything here is
 * under hvm_irq.lock; the local APIC's IRR and TMR are set with atomic bit
 * operations (vlapic_set_irq), so a line raised from another domain's
 * hypercall never races the vCPU's own delivery.
 */
#ifndef TANDEM_HVM_IRQ_H
#define TANDEM_HVM_IRQ_H

#include "types.h"
#include "spinlock.h"

struct vcpu;
struct domain;

#define HVM_IOAPIC_BASE   0xfec00000ULL     /* its page; registers at 0x00 (IOREGSEL), 0x10 (IOWIN) */
#define HVM_IOAPIC_PINS   48                /* Xen's VIOAPIC_NUM_PINS: ISA 0-15, PCI INTx GSIs 16-47 */
#define HVM_IOAPIC_VERSION 0x11             /* Xen's VIOAPIC_VERSION_ID: no EOI register */
#define HVM_IOAPIC_ID     1                 /* vCPU 0's local APIC is 0 */

/* One 8259 (Xen's struct hvm_hw_vpic, the fields it models). */
struct hvm_vpic {
    uint8_t irr, imr, isr;          /* request, mask, in-service */
    uint8_t elcr;                   /* 1: level-triggered (ports 0x4d0/0x4d1) */
    uint8_t irq_base;               /* ICW2: vector of IR0 */
    uint8_t priority_add;           /* rotation: the lowest-priority IR is priority_add - 1 */
    uint8_t init_state;             /* 0 ready; 1-3: expecting ICW2-4; bit 2 ICW4 wanted, bit 3 single */
    bool is_master, int_output, auto_eoi, rotate_on_auto_eoi, special_mask_mode,
         special_fully_nested, readsel_isr, poll;
};

struct hvm_vioapic {
    uint32_t ioregsel;              /* the register IOWIN reaches (8 bits) */
    uint32_t id;                    /* bits 27:24 */
    uint64_t redir[HVM_IOAPIC_PINS];
};

struct hvm_irq_counters {
    uint64_t isa_raised;            /* ISA lines raised by device models (0 -> 1) */
    uint64_t pci_raised;            /* PCI INTx lines raised (0 -> 1) */
    uint64_t pic_injected;          /* vectors the PIC gave at INTA */
    uint64_t ioapic_delivered;      /* IOAPIC messages to the local APIC */
    uint64_t ioapic_dropped;        /* not delivered: no destination, delivery mode not emulated */
};

struct hvm_irq {
    spinlock_t lock;
    struct hvm_vpic pic[2];         /* master (ports 0x20/0x21, IRQ 0-7), slave (0xa0/0xa1, IRQ 8-15) */
    struct hvm_vioapic ioapic;
    uint16_t isa_level;             /* ISA lines asserted (XEN_DMOP_set_isa_irq_level) */
    uint64_t pci_intx[2];           /* device * 4 + INTx asserted (XEN_DMOP_set_pci_intx_level) */
    uint8_t gsi_count[HVM_IOAPIC_PINS];  /* sources asserting each GSI */
    struct hvm_irq_counters c;
};

/* ---- hvm/irq.c ---- */
void hvm_irq_init(struct domain *d);
/* dm_op 9 and 8 (Xen's checks: -EINVAL for a line or level out of range). */
int hvm_irq_set_isa_level(struct domain *d, unsigned int isa_irq, unsigned int level);
int hvm_irq_set_pci_intx_level(struct domain *d, unsigned int seg, unsigned int bus, unsigned int dev,
                               unsigned int intx, unsigned int level);
/* The PIC's vector for v if it has one it may take now (-1: none); with ack, the INTA cycle. */
int hvm_irq_pic_vector(struct vcpu *v, bool ack);
/* Whether an interrupt controller could ever wake a halted v (some line unmasked). */
bool hvm_irq_may_wake(struct vcpu *v);
/* A vector became pending for v: wake it if it is halted. */
void hvm_irq_kick(struct vcpu *v);
void hvm_irq_report(struct domain *d);

/* ---- hvm/vpic.c (irq lock held) ---- */
void vpic_init(struct hvm_irq *irq);
void vpic_set_line(struct domain *d, unsigned int isa_irq, bool high);
int vpic_intack(struct domain *d);           /* the vector for the CPU's INTA, -1 if none */
bool vpic_port_io(struct domain *d, uint16_t port, unsigned int size, bool in, uint32_t *val);
bool vpic_is_port(uint16_t port);

/* ---- hvm/vioapic.c (irq lock held, but for the MMIO entry points and vioapic_eoi) ---- */
void vioapic_init(struct hvm_irq *irq);
void vioapic_positive_edge(struct domain *d, unsigned int gsi);
bool vioapic_mmio_read(struct vcpu *v, uint64_t off, unsigned int size, uint64_t *val);
bool vioapic_mmio_write(struct vcpu *v, uint64_t off, unsigned int size, uint64_t val);
/* The local APIC EOIed a level-triggered vector (TMR set): remote IRR clears, a held line fires again. */
void vioapic_eoi(struct domain *d, unsigned int vec);
bool vioapic_any_unmasked(const struct hvm_irq *irq);

#endif
