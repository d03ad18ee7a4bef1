/*
 * The virtual 8259 pair of an HVM domain (docs/hvm.md "Interrupt
 * controllers"), modelled on Xen's hvm/vpic.c: ICW1-4, OCW1 (mask), OCW2
 * (non-specific and specific EOI, rotation, set priority), OCW3 (IRR/ISR
 * read select, poll, special mask mode), auto-EOI, the ELCR (0x4d0/0x4d1),
 * the slave cascaded on the master's IR2. A line's level comes from
 * hvm/irq.c: a rising edge sets IRR, a falling one clears it (Xen's
 * vpic_irq_positive/negative_edge); at INTA an edge-triggered request leaves
 * IRR, a level-triggered one stays while its line is high. The master's
 * output is vCPU 0's LINT0 (hvm_irq_pic_vector). Called with the domain's
 * irq lock held.
 */
#include "lib.h"
#include "domain.h"
#include "hvm.h"
#include "irq.h"

#define PRIO_NONE 8

static struct hvm_irq *irq_of(struct domain *d)
{
    return &d->arch.hvm->irq;
}

/* The highest priority in mask (0 highest, after rotation), PRIO_NONE if mask is empty. */
static unsigned int priority(const struct hvm_vpic *p, uint8_t mask)
{
    if (!mask)
        return PRIO_NONE;
    for (unsigned int prio = 0; prio < 8; prio++)
        if (mask & (1u << ((prio + p->priority_add) & 7)))
            return prio;
    return PRIO_NONE;
}

/* The IR that would interrupt now (-1: none): pending, unmasked, above everything in service. */
static int highest_irq(const struct hvm_vpic *p)
{
    unsigned int prio = priority(p, p->irr & ~p->imr), cur;
    uint8_t in_service = p->isr;

    if (prio == PRIO_NONE)
        return -1;
    if (p->special_fully_nested && p->is_master && ((prio + p->priority_add) & 7) == 2)
        in_service &= ~(1u << 2);
    if (p->special_mask_mode)
        in_service &= ~p->imr;
    cur = priority(p, in_service);
    return prio < cur ? (int)((prio + p->priority_add) & 7) : -1;
}

static void update_output(struct domain *d, unsigned int which)
{
    struct hvm_irq *irq = irq_of(d);
    struct hvm_vpic *p = &irq->pic[which];
    bool out = highest_irq(p) >= 0;

    if (out == p->int_output)
        return;
    p->int_output = out;
    if (which == 1) {
        /* The slave's output is the master's IR2 (level). */
        if (out)
            irq->pic[0].irr |= 1u << 2;
        else
            irq->pic[0].irr &= ~(1u << 2);
        update_output(d, 0);
    } else if (out && d->vcpu[0] && vlapic_accept_pic_intr(d->vcpu[0])) {
        hvm_irq_kick(d->vcpu[0]);       /* the master's INT is vCPU 0's LINT0 */
    }
}

void vpic_init(struct hvm_irq *irq)
{
    /*
     * As a PC's BIOS leaves them: initialised, master at vector 0x08, slave at 0x70, every
     * line masked; the slave's line to the master is level-triggered (Xen's ELCR default).
     */
    memset(irq->pic, 0, sizeof(irq->pic));
    irq->pic[0] = (struct hvm_vpic){ .is_master = true, .irq_base = 0x08, .imr = 0xff, .elcr = 1u << 2 };
    irq->pic[1] = (struct hvm_vpic){ .irq_base = 0x70, .imr = 0xff };
}

void vpic_set_line(struct domain *d, unsigned int isa_irq, bool high)
{
    struct hvm_vpic *p = &irq_of(d)->pic[isa_irq >> 3];
    uint8_t mask = (uint8_t)(1u << (isa_irq & 7));

    if (isa_irq == 2)
        return;                         /* the cascade: no ISA device there */
    if (high)
        p->irr |= mask;
    else
        p->irr &= ~mask;
    update_output(d, isa_irq >> 3);
}

/* One PIC's part of INTA: the request moves to in-service (unless auto-EOI). */
static void intack_one(struct domain *d, unsigned int which, int ir)
{
    struct hvm_vpic *p = &irq_of(d)->pic[which];
    uint8_t mask = (uint8_t)(1u << ir);

    if (!(p->elcr & mask))
        p->irr &= ~mask;                /* edge: the edge is consumed */
    if (!p->auto_eoi)
        p->isr |= mask;
    else if (p->rotate_on_auto_eoi)
        p->priority_add = (uint8_t)((ir + 1) & 7);
    update_output(d, which);
}

/* The INTA cycle: the vector of the highest request; IR7's (spurious) if it went away meanwhile. */
static int intack(struct domain *d)
{
    struct hvm_irq *irq = irq_of(d);
    int ir = highest_irq(&irq->pic[0]), vec;

    if (ir < 0)
        return irq->pic[0].irq_base + 7;
    intack_one(d, 0, ir);
    if (ir != 2)
        return irq->pic[0].irq_base + ir;
    if ((ir = highest_irq(&irq->pic[1])) < 0)
        return irq->pic[1].irq_base + 7;
    vec = irq->pic[1].irq_base + ir;
    intack_one(d, 1, ir);
    return vec;
}

int vpic_intack(struct domain *d)
{
    struct hvm_irq *irq = irq_of(d);

    if (!irq->pic[0].int_output)
        return -1;
    irq->c.pic_injected++;
    return intack(d);
}

static void ocw2(struct hvm_vpic *p, uint8_t val)
{
    unsigned int cmd = val >> 5, prio;
    uint8_t in_service = p->isr;
    int ir;

    switch (cmd) {
    case 0: case 4:                     /* rotate in auto-EOI mode: clear, set */
        p->rotate_on_auto_eoi = cmd == 4;
        break;
    case 1: case 5:                     /* non-specific EOI (and rotate) */
        if (p->special_mask_mode)
            in_service &= ~p->imr;
        if ((prio = priority(p, in_service)) == PRIO_NONE)
            break;
        ir = (int)((prio + p->priority_add) & 7);
        p->isr &= (uint8_t)~(1u << ir);
        if (cmd == 5)
            p->priority_add = (uint8_t)((ir + 1) & 7);
        break;
    case 3: case 7:                     /* specific EOI (and rotate) */
        p->isr &= (uint8_t)~(1u << (val & 7));
        if (cmd == 7)
            p->priority_add = (uint8_t)(((val & 7) + 1) & 7);
        break;
    case 6:                             /* set priority: IR val&7 lowest */
        p->priority_add = (uint8_t)(((val & 7) + 1) & 7);
        break;
    default:                            /* 2: no operation */
        break;
    }
}

static void write_cmd(struct hvm_vpic *p, uint8_t val)
{
    if (val & 0x10) {                   /* ICW1: the initialisation sequence starts */
        p->irr &= p->elcr;              /* edge sense reset */
        p->imr = p->isr = 0;
        p->priority_add = 0;
        p->rotate_on_auto_eoi = p->special_mask_mode = p->readsel_isr = p->poll = false;
        if (!(val & 1))
            p->auto_eoi = p->special_fully_nested = false;     /* no ICW4: its features off */
        p->init_state = (uint8_t)(((val & 3) << 2) | 1);
    } else if (val & 0x08) {            /* OCW3 */
        if (val & 0x04)
            p->poll = true;
        if (val & 0x02)
            p->readsel_isr = val & 1;
        if (val & 0x40)
            p->special_mask_mode = (val >> 5) & 1;
    } else {
        ocw2(p, val);
    }
}

static void write_data(struct hvm_vpic *p, uint8_t val)
{
    switch (p->init_state & 3) {
    case 0:                             /* OCW1 */
        p->imr = val;
        break;
    case 1:                             /* ICW2 */
        p->irq_base = val & 0xf8;
        p->init_state++;
        if (!(p->init_state & 8))
            break;                      /* cascaded: ICW3 next */
        /* single: no ICW3 */
        /* fall through */
    case 2:                             /* ICW3 (the cascade wiring is fixed) */
        p->init_state++;
        if (!(p->init_state & 4))
            p->init_state = 0;          /* no ICW4: done */
        break;
    case 3:                             /* ICW4 */
        p->special_fully_nested = (val >> 4) & 1;
        p->auto_eoi = (val >> 1) & 1;
        p->init_state = 0;
        break;
    }
}

bool vpic_is_port(uint16_t port)
{
    return port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1 || port == 0x4d0 || port == 0x4d1;
}

/* IN/OUT on a PIC or ELCR port (vpic_is_port): bytes only; a wider access reads all ones, writes nothing. */
bool vpic_port_io(struct domain *d, uint16_t port, unsigned int size, bool in, uint32_t *val)
{
    struct hvm_irq *irq = irq_of(d);
    unsigned int which = port >= 0x4d0 ? port & 1u : port >= 0xa0;
    struct hvm_vpic *p = &irq->pic[which];
    uint8_t elcr_mask = which ? 0xde : 0xf8;   /* slave: IR8, IR13 edge; master: IR0-2 edge */

    if (!vpic_is_port(port))
        return false;
    if (size != 1) {
        if (in)
            *val = ~0u;
        return true;
    }
    if (port >= 0x4d0) {
        if (in)
            *val = p->elcr & elcr_mask;
        else
            p->elcr = (uint8_t)((*val & elcr_mask) | (which ? 0 : 1u << 2));
        return true;
    }
    if (in) {
        if (p->poll) {
            /* Poll mode: the next read is an INTA without the interrupt (bit 7: one was there). */
            int ir = highest_irq(p);
            p->poll = false;
            if (ir >= 0)
                intack_one(d, which, ir);
            *val = ir >= 0 ? 0x80u | (uint32_t)ir : 0;
        } else {
            *val = port & 1 ? p->imr : p->readsel_isr ? p->isr : p->irr;
        }
        return true;
    }
    if (port & 1)
        write_data(p, (uint8_t)*val);
    else
        write_cmd(p, (uint8_t)*val);
    update_output(d, which);
    return true;
}
