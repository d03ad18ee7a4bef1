/*
 * The virtual IOAPIC of an HVM domain (docs/hvm.md "Interrupt
 * controllers"), modelled on Xen's hvm/vioapic.c: 48 pins (GSIs 0-47),
 * version 0x11, at HVM_IOAPIC_BASE through the MMIO decoder (IOREGSEL at
 * 0x00, IOWIN at 0x10). A pin delivers fixed or lowest-priority messages
 * to vCPU 0's local APIC when its destination names it (physical: its APIC
 * ID or 0xff; logical: its LDR, flat or cluster). Edge pins fire on a
 * rising line; level pins set remote IRR and fire again after the local
 * APIC's EOI of that vector if the line is still high (Xen's
 * vioapic_update_EOI). Polarity is stored, not applied: a line's level is
 * "asserted" as the device model says (as Xen). Other delivery modes (NMI,
 * SMI, INIT, ExtINT) are dropped and counted.
 */
#include "lib.h"
#include "domain.h"
#include "hvm.h"
#include "irq.h"

#define REG_ID      0x00
#define REG_VER     0x01
#define REG_ARB     0x02
#define REG_REDIR   0x10

#define RTE_VECTOR      0xffULL
#define RTE_MODE_SHIFT  8
#define RTE_LOGICAL     (1ULL << 11)
#define RTE_STATUS      (1ULL << 12)
#define RTE_REMOTE_IRR  (1ULL << 14)
#define RTE_LEVEL       (1ULL << 15)
#define RTE_MASKED      (1ULL << 16)
#define RTE_DEST_SHIFT  56
/* What the guest may write: vector, delivery mode, destination mode, polarity, trigger, mask, destination. */
#define RTE_WRITABLE    (0x1afffULL | (0xffULL << RTE_DEST_SHIFT))

static struct hvm_irq *irq_of(struct domain *d)
{
    return &d->arch.hvm->irq;
}

void vioapic_init(struct hvm_irq *irq)
{
    irq->ioapic.ioregsel = 0;
    irq->ioapic.id = HVM_IOAPIC_ID << 24;
    for (unsigned int i = 0; i < HVM_IOAPIC_PINS; i++)
        irq->ioapic.redir[i] = RTE_MASKED;      /* as at reset: every pin masked */
}

bool vioapic_any_unmasked(const struct hvm_irq *irq)
{
    for (unsigned int i = 0; i < HVM_IOAPIC_PINS; i++)
        if (!(irq->ioapic.redir[i] & RTE_MASKED))
            return true;
    return false;
}

/* Send pin's message (its mask already checked). */
static void deliver(struct domain *d, unsigned int pin)
{
    struct hvm_irq *irq = irq_of(d);
    uint64_t e = irq->ioapic.redir[pin];
    unsigned int mode = (e >> RTE_MODE_SHIFT) & 7;
    struct vcpu *v = d->vcpu[0];

    if ((mode != 0 && mode != 1) || !v ||
        !vlapic_match_dest(v, (uint8_t)(e >> RTE_DEST_SHIFT), e & RTE_LOGICAL)) {
        irq->c.ioapic_dropped++;
        return;
    }
    irq->c.ioapic_delivered++;
    if (vlapic_set_irq(v, (uint8_t)(e & RTE_VECTOR), e & RTE_LEVEL) && vlapic_pending(v) >= 0)
        hvm_irq_kick(v);                /* it can take it: a halted vCPU wakes */
}

void vioapic_positive_edge(struct domain *d, unsigned int gsi)
{
    uint64_t *e = &irq_of(d)->ioapic.redir[gsi];

    if (gsi >= HVM_IOAPIC_PINS || (*e & RTE_MASKED))
        return;
    if (*e & RTE_LEVEL) {
        if (*e & RTE_REMOTE_IRR)
            return;                     /* the last one is not EOIed yet */
        *e |= RTE_REMOTE_IRR;
    }
    deliver(d, gsi);
}

static void write_redir(struct domain *d, unsigned int pin, bool high, uint32_t val)
{
    struct hvm_irq *irq = irq_of(d);
    uint64_t *e = &irq->ioapic.redir[pin];
    uint64_t nv = high ? (*e & 0xffffffffULL) | ((uint64_t)val << 32) : (*e & ~0xffffffffULL) | val;

    *e = (*e & ~RTE_WRITABLE) | (nv & RTE_WRITABLE);
    /* Xen's vioapic_write_redirent: an edge pin has no remote IRR; an unmasked level pin whose
     * line is high fires now. */
    if (!(*e & RTE_LEVEL))
        *e &= ~RTE_REMOTE_IRR;
    else if (!(*e & (RTE_MASKED | RTE_REMOTE_IRR)) && irq->gsi_count[pin]) {
        *e |= RTE_REMOTE_IRR;
        deliver(d, pin);
    }
}

static uint32_t read_indirect(const struct hvm_vioapic *io)
{
    unsigned int r = io->ioregsel & 0xff;

    switch (r) {
    case REG_ID:
    case REG_ARB:
        return io->id;
    case REG_VER:
        return HVM_IOAPIC_VERSION | ((HVM_IOAPIC_PINS - 1) << 16);
    default:
        if (r >= REG_REDIR && r < REG_REDIR + 2 * HVM_IOAPIC_PINS) {
            uint64_t e = io->redir[(r - REG_REDIR) / 2];
            return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0;                       /* no register there (Xen reads 0 too) */
    }
}

/*
 * Accesses of 1, 2 or 4 bytes inside IOREGSEL (0x00-0x03) or IOWIN (0x10-0x13); anything
 * else in the page reads 0 and ignores writes; 8 bytes, or one crossing a register's end,
 * is refused (the domain is killed, as for the local APIC).
 */
static bool access_ok(uint64_t off, unsigned int size)
{
    return size <= 4 && (off & 3) + size <= 4;
}

bool vioapic_mmio_read(struct vcpu *v, uint64_t off, unsigned int size, uint64_t *val)
{
    struct hvm_irq *irq = irq_of(v->domain);
    uint32_t r = 0;

    if (!access_ok(off, size))
        return false;
    spin_lock(&irq->lock);
    if ((off & ~3ULL) == 0x00)
        r = irq->ioapic.ioregsel;
    else if ((off & ~3ULL) == 0x10)
        r = read_indirect(&irq->ioapic);
    spin_unlock(&irq->lock);
    *val = (r >> (8 * (off & 3))) & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
    return true;
}

bool vioapic_mmio_write(struct vcpu *v, uint64_t off, unsigned int size, uint64_t val)
{
    struct domain *d = v->domain;
    struct hvm_irq *irq = irq_of(d);
    struct hvm_vioapic *io = &irq->ioapic;
    unsigned int r;

    if (!access_ok(off, size))
        return false;
    if (off == 0x00) {
        spin_lock(&irq->lock);
        io->ioregsel = (uint32_t)val & 0xff;
        spin_unlock(&irq->lock);
        return true;
    }
    if (off != 0x10 || size != 4)
        return true;                    /* partial IOWIN writes, other offsets: ignored */
    spin_lock(&irq->lock);
    r = io->ioregsel;
    if (r == REG_ID)
        io->id = (uint32_t)val & 0x0f000000u;
    else if (r >= REG_REDIR && r < REG_REDIR + 2 * HVM_IOAPIC_PINS)
        write_redir(d, (r - REG_REDIR) / 2, r & 1, (uint32_t)val);
    spin_unlock(&irq->lock);
    return true;
}

void vioapic_eoi(struct domain *d, unsigned int vec)
{
    struct hvm_irq *irq = irq_of(d);

    spin_lock(&irq->lock);
    for (unsigned int pin = 0; pin < HVM_IOAPIC_PINS; pin++) {
        uint64_t *e = &irq->ioapic.redir[pin];
        if ((*e & RTE_VECTOR) != vec || !(*e & RTE_REMOTE_IRR))
            continue;
        *e &= ~RTE_REMOTE_IRR;
        if ((*e & RTE_LEVEL) && !(*e & RTE_MASKED) && irq->gsi_count[pin]) {
            *e |= RTE_REMOTE_IRR;       /* the line is still high: again */
            deliver(d, pin);
        }
    }
    spin_unlock(&irq->lock);
}
