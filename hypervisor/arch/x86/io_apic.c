/*
 * The IOAPIC (one, at q35's 0xfec00000; ACPI's MADT would name others):
 * the hypervisor owns every pin. All start masked; a pin is routed to a
 * vector only while a driver domain's pirq is bound to its GSI. The 8259
 * PICs are masked for good, as Xen does once the IOAPIC is in use.
 */
#include "lib.h"
#include "mm.h"
#include "processor.h"
#include "irq_desc.h"
#include <tandem/errno.h>

#define IOAPIC_BASE     0xfec00000UL
#define IOREGSEL        0x00
#define IOWIN           0x10
#define IOAPIC_REG_ID   0x00
#define IOAPIC_REG_VER  0x01
#define IOAPIC_RTE(pin) (0x10 + 2 * (pin))

#define RTE_MASKED      (1U << 16)
#define RTE_LEVEL       (1U << 15)
#define RTE_ACTIVE_LOW  (1U << 13)

static volatile uint32_t *ioapic;
unsigned int nr_irqs_gsi;

/* Callers hold irq_lock (or run before interrupts are on): IOREGSEL is shared state. */
static uint32_t ioapic_read(unsigned int reg)
{
    ioapic[IOREGSEL / 4] = reg;
    return ioapic[IOWIN / 4];
}

static void ioapic_write(unsigned int reg, uint32_t val)
{
    ioapic[IOREGSEL / 4] = reg;
    ioapic[IOWIN / 4] = val;
}

void ioapic_clear(unsigned int pin)
{
    ioapic_write(IOAPIC_RTE(pin) + 1, 0);
    ioapic_write(IOAPIC_RTE(pin), RTE_MASKED);
}

void ioapic_init(void)
{
    uint32_t ver;

    /* Both 8259s fully masked: with the IOAPIC in charge they must never raise ExtINT. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    ioapic = ioremap(IOAPIC_BASE, PAGE_SIZE);
    ver = ioapic_read(IOAPIC_REG_VER);
    nr_irqs_gsi = ((ver >> 16) & 0xff) + 1;
    if ((ver & 0xff) < 0x10 || nr_irqs_gsi > IOAPIC_MAX_PINS) {
        printk(XENLOG_WARNING "IRQ: no usable IOAPIC at %#lx (version %#x): no GSIs\n",
               IOAPIC_BASE, ver);
        nr_irqs_gsi = 0;
        return;
    }
    for (unsigned int pin = 0; pin < nr_irqs_gsi; pin++)
        ioapic_clear(pin);
    printk("IRQ: IOAPIC id %u version %#x at %#lx: %u pins, all masked\n",
           ioapic_read(IOAPIC_REG_ID) >> 24, ver & 0xff, IOAPIC_BASE, nr_irqs_gsi);
}

/* Fixed delivery, physical destination: the boot CPU's APIC (id 0) takes every device interrupt. */
void ioapic_route(unsigned int pin, uint8_t vector, bool level, bool active_low)
{
    uint32_t lo = vector | RTE_MASKED | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0);

    ioapic_write(IOAPIC_RTE(pin), RTE_MASKED);
    ioapic_write(IOAPIC_RTE(pin) + 1, 0u << 24);
    ioapic_write(IOAPIC_RTE(pin), lo);
}

void ioapic_mask(unsigned int pin, bool masked)
{
    uint32_t lo = ioapic_read(IOAPIC_RTE(pin));

    ioapic_write(IOAPIC_RTE(pin), masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
}

/*
 * Xen's ioapic_guest_read: the hardware value of any register of the
 * IOAPIC at physbase (version, ids, RTEs: nothing there is secret).
 */
int ioapic_guest_read(uint64_t physbase, uint32_t reg, uint32_t *val)
{
    unsigned long flags;

    if (!nr_irqs_gsi || physbase != IOAPIC_BASE)
        return -XEN_EINVAL;
    flags = spin_lock_irqsave(&irq_lock);
    *val = ioapic_read(reg & 0xff);
    spin_unlock_irqrestore(&irq_lock, flags);
    return 0;
}
