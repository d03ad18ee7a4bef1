/*
 * An HVM domain's port devices (docs/hvm.md "The virtual platform"): a
 * 16550 UART at 0x3f8 (COM1) that is the domain's console, QEMU's
 * isa-debug-exit at 0xf4 to power off or crash, and the Bochs/QEMU debug
 * console at 0xe9 (the PIC's ports go to vpic.c, the CMOS clock's to vrtc.c);
 * every other port is absent (reads all ones). The UART has no interrupt
 * line (there is no PIC or IOAPIC): the guest polls LSR. Bytes written to
 * THR are the domain's console output, printed as "(dN)" lines exactly as
 * port 0xe9's; RBR gives what the hypervisor's console sends this domain
 * (the keyboard while Ctrl-A x3 has given it the input, as a PV domain gets
 * on its console ring). LSR always says THR and the transmitter are empty:
 * the console buffers, so the guest never waits. Divisor, LCR, MCR and SCR
 * keep what the guest writes and change nothing (no baud rate, no loopback).
 */
#include "lib.h"
#include "domain.h"
#include "console.h"
#include "hvm.h"
#include <tandem/sched.h>

#define UART_RBR 0      /* read, DLAB 0; THR on write; DLL with DLAB */
#define UART_IER 1      /* DLM with DLAB */
#define UART_IIR 2      /* read; FCR on write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define LCR_DLAB  0x80
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define IIR_NONE  0x01      /* no interrupt pending */
#define IIR_FIFO  0xc0
#define MSR_DCD_DSR_CTS 0xb0

/* A byte for RBR: the one already taken from the domain's input, or the next typed for it. */
static bool rx_ready(struct hvm_vuart *u)
{
    char c;

    if (u->rx < 0 && console_read_input(&c, 1) == 1)
        u->rx = (unsigned char)c;
    return u->rx >= 0;
}

static uint8_t uart_read(struct hvm_vuart *u, unsigned int reg)
{
    uint8_t b;

    switch (reg) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB)
            return u->dll;
        if (!rx_ready(u))
            return 0;
        b = (uint8_t)u->rx;
        u->rx = -1;
        return b;
    case UART_IER: return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
    case UART_IIR: return IIR_NONE | (u->fcr & 1 ? IIR_FIFO : 0);
    case UART_LCR: return u->lcr;
    case UART_MCR: return u->mcr;
    case UART_LSR: return LSR_THRE | LSR_TEMT | (rx_ready(u) ? LSR_DR : 0);
    case UART_MSR: return MSR_DCD_DSR_CTS;
    default: return u->scr;
    }
}

static void uart_write(struct domain *d, struct hvm_vuart *u, unsigned int reg, uint8_t b)
{
    switch (reg) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB) {
            u->dll = b;
        } else {
            char c = (char)b;
            console_guest_write(d, CONSOLE_SRC_IO, &c, 1);
        }
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB)
            u->dlm = b;
        else
            u->ier = b & 0x0f;      /* kept; no interrupt is ever raised */
        break;
    case UART_IIR: u->fcr = b & 0xc9; break;
    case UART_LCR: u->lcr = b; break;
    case UART_MCR: u->mcr = b & 0x1f; break;
    case UART_LSR: case UART_MSR: break;
    default: u->scr = b; break;
    }
}

#define DEBUG_CONSOLE_PORT 0xe9

bool hvm_port_io_has_device(uint16_t port)
{
    return port == HVM_EXIT_PORT || port == DEBUG_CONSOLE_PORT || vpic_is_port(port) || vrtc_is_port(port) ||
           (port >= HVM_UART_BASE && port < HVM_UART_BASE + 8);
}

void hvm_port_io(struct vcpu *v, struct cpu_user_regs *regs, uint16_t port, unsigned int size,
                 bool in, uint32_t *val)
{
    struct domain *d = v->domain;
    struct hvm_vuart *u = &d->arch.hvm->uart;
    char why[80];

    if (port == HVM_EXIT_PORT) {
        if (in) {
            *val = ~0u;
        } else if ((*val & 0xff) == 0) {
            printk("d%u: isa-debug-exit 0: power off\n", d->domain_id);
            domain_shutdown(d, SHUTDOWN_poweroff);
        } else {
            snprintf(why, sizeof(why), "the guest wrote %#x to isa-debug-exit (port 0xf4)",
                     *val & 0xff);
            domain_crash(d, why, regs);
        }
        return;
    }
    if (port == DEBUG_CONSOLE_PORT) {
        char c = (char)*val;
        if (in)
            *val = DEBUG_CONSOLE_PORT;  /* as Bochs: reading it says it is there */
        else
            console_guest_write(d, CONSOLE_SRC_IO, &c, 1);
        return;
    }
    if (vrtc_is_port(port)) {
        vrtc_port_io(d, port, size, in, val);
        return;
    }
    if (vpic_is_port(port)) {
        spin_lock(&d->arch.hvm->irq.lock);
        vpic_port_io(d, port, size, in, val);
        spin_unlock(&d->arch.hvm->irq.lock);
        return;
    }
    if (port < HVM_UART_BASE || port >= HVM_UART_BASE + 8 || size != 1) {
        if (in)
            *val = ~0u;         /* absent (the 16550's registers are bytes) */
        return;
    }
    if (in)
        *val = uart_read(u, port - HVM_UART_BASE);
    else
        uart_write(d, u, port - HVM_UART_BASE, (uint8_t)*val);
}
