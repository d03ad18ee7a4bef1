/*
 * Device interrupts on the native platform (docs/guest-kernel.md, "Device
 * interrupts"): ISA lines 0-15 on vectors 0x30-0x3f, edge-triggered and
 * active high as ISA lines are. Through the IOAPIC when one answers at
 * 0xfec00000 (bare QEMU's pc and q35, Tandem's HVM domains: ISA line n is
 * pin n, we never use line 0), else through the 8259 pair with the local
 * APIC's LINT0 in ExtINT mode; irq=pic on the command line takes the 8259s
 * even with an IOAPIC there, irq=off takes no device interrupt at all (the
 * drivers poll). A handler runs with interrupts off; the EOI follows it,
 * then the scheduler if the handler woke a thread.
 */
#include "native.h"

#define IOAPIC_PA       0xfec00000UL
#define IOAPIC_SEL      0x00
#define IOAPIC_WIN      0x10
#define IOAPIC_VER      0x01
#define IOAPIC_REDIR    0x10
#define REDIR_MASKED    (1u << 16)
#define PIC1            0x20
#define PIC2            0xa0
#define PIC_EOI         0x20

static native_irq_handler_t handlers[NATIVE_NR_IRQS];
static uint64_t counts[NATIVE_NR_IRQS], unhandled;
static uint64_t ioapic_va;
static unsigned int ioapic_pins;
static enum { IRQ_NONE, IRQ_IOAPIC, IRQ_PIC } mode;
static uint16_t pic_mask = 0xffff;
static uint16_t masked = 0xffff;        /* as the controller has it: a write only when it changes */

/* The IOAPIC's window: one 32-bit mov each, as for the local APIC (the HVM decoder's rule). */
static uint32_t ioapic_read(uint32_t reg)
{
    uint32_t v;

    __asm__ __volatile__("movl %1, (%2)\n\tmovl 0x10(%2), %0" : "=&r"(v) : "r"(reg), "r"(ioapic_va) : "memory");
    return v;
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
    __asm__ __volatile__("movl %0, (%2)\n\tmovl %1, 0x10(%2)" :: "r"(reg), "r"(v), "r"(ioapic_va) : "memory");
}

static void pic_write_mask(void)
{
    outb(PIC1 + 1, (uint8_t)pic_mask);
    outb(PIC2 + 1, (uint8_t)(pic_mask >> 8));
}

/* Both 8259s: vectors 0x30 and 0x38, cascaded on IR2, 8086 mode, everything but the cascade masked. */
static void pic_init(void)
{
    outb(PIC1, 0x11);
    outb(PIC2, 0x11);
    outb(PIC1 + 1, NATIVE_VEC_IRQ0);
    outb(PIC2 + 1, NATIVE_VEC_IRQ0 + 8);
    outb(PIC1 + 1, 0x04);
    outb(PIC2 + 1, 0x02);
    outb(PIC1 + 1, 0x01);
    outb(PIC2 + 1, 0x01);
    pic_mask = 0xffff & ~(1u << 2);
    pic_write_mask();
}

static bool ioapic_probe(void)
{
    uint32_t ver;

    ioapic_va = native_mmio_map(IOAPIC_PA);
    ver = ioapic_read(IOAPIC_VER);
    if (ver == 0xffffffffu || (ver & 0xff) < 0x10)
        return false;                   /* nothing there (or not an I/O APIC) */
    ioapic_pins = ((ver >> 16) & 0xff) + 1;
    return ioapic_pins >= NATIVE_NR_IRQS;
}

void native_irq_init(void)
{
    const char *cl = (const char *)start_info->cmd_line, *how = "";
    bool want_pic = false;

    for (const char *p = cl; *p; p++)
        if ((p == cl || p[-1] == ' ') && !strncmp(p, "irq=", 4)) {
            if (!strncmp(p + 4, "off", 3)) {
                printk("irq: off (irq=off): the drivers poll\n");
                return;
            }
            want_pic = !strncmp(p + 4, "pic", 3);
            how = want_pic ? " (irq=pic)" : "";
        }
    if (!want_pic && ioapic_probe()) {
        for (unsigned int pin = 0; pin < ioapic_pins; pin++) {
            ioapic_write(IOAPIC_REDIR + 2 * pin, REDIR_MASKED);
            ioapic_write(IOAPIC_REDIR + 2 * pin + 1, 0);
        }
        mode = IRQ_IOAPIC;
        printk("irq: IOAPIC at %#lx, %u pins; ISA lines on vectors %#x-%#x\n", IOAPIC_PA, ioapic_pins,
               NATIVE_VEC_IRQ0, NATIVE_VEC_IRQ0 + NATIVE_NR_IRQS - 1);
        return;
    }
    pic_init();
    native_apic_lint0_extint();
    mode = IRQ_PIC;
    printk("irq: 8259 pair through LINT0 (ExtINT)%s; ISA lines on vectors %#x-%#x\n", how, NATIVE_VEC_IRQ0,
           NATIVE_VEC_IRQ0 + NATIVE_NR_IRQS - 1);
}

const char *native_irq_controller(void)
{
    return mode == IRQ_IOAPIC ? "IOAPIC" : mode == IRQ_PIC ? "8259" : NULL;
}

static void set_masked(unsigned int irq, bool masked_now)
{
    uint8_t m = events_save();

    if (!!(masked & 1u << irq) == masked_now) {
        events_restore(m);
        return;
    }
    masked = (uint16_t)(masked_now ? masked | 1u << irq : masked & ~(1u << irq));
    if (mode == IRQ_IOAPIC) {
        ioapic_write(IOAPIC_REDIR + 2 * irq + 1, native_apic_id() << 24);
        ioapic_write(IOAPIC_REDIR + 2 * irq, (NATIVE_VEC_IRQ0 + irq) | (masked_now ? REDIR_MASKED : 0));
    } else if (mode == IRQ_PIC) {
        pic_mask = (uint16_t)(masked_now ? pic_mask | 1u << irq : pic_mask & ~(1u << irq));
        pic_write_mask();
    }
    events_restore(m);
}

/* Line 2 is the 8259s' cascade: never masked. */
void native_irq_mask(unsigned int irq)
{
    if (irq < NATIVE_NR_IRQS && irq != 2)
        set_masked(irq, true);
}

void native_irq_unmask(unsigned int irq)
{
    if (irq < NATIVE_NR_IRQS && handlers[irq])
        set_masked(irq, false);
}

/* handler for ISA line irq, unmasked; false without an interrupt controller (the caller polls). */
bool native_irq_register(unsigned int irq, native_irq_handler_t h)
{
    if (mode == IRQ_NONE || irq == 0 || irq == 2 || irq >= NATIVE_NR_IRQS || !h)
        return false;
    handlers[irq] = h;
    set_masked(irq, false);
    return true;
}

uint64_t native_irq_count(unsigned int irq)
{
    return irq < NATIVE_NR_IRQS ? counts[irq] : unhandled;
}

void native_device_irq(struct trap_frame *f);

/* Interrupts off. The handler, then the EOI, then (the handler may have woken a thread) the scheduler. */
void native_device_irq(struct trap_frame *f)
{
    unsigned int irq = (unsigned int)(f->vector - NATIVE_VEC_IRQ0);

    if (irq < NATIVE_NR_IRQS && handlers[irq]) {
        counts[irq]++;
        handlers[irq](irq);
    } else {
        unhandled++;
    }
    if (mode == IRQ_IOAPIC) {
        native_apic_eoi();
    } else {
        if (irq >= 8)
            outb(PIC2, PIC_EOI);
        outb(PIC1, PIC_EOI);
    }
    if (need_resched)
        schedule();
}
