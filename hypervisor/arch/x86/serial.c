/* 16550 UART on COM1 (0x3f8), 115200 8n1, polled; console.c buffers what it sends. */
#include "console.h"
#include "processor.h"
#include "time.h"

#define COM1 0x3f8

/*
 * serial_baud_model=N (for tests): send as slowly as a real UART at N baud
 * does, 10 bits a character. QEMU's UART takes every byte at once, which
 * hides what output costs on hardware (64 KiB at 115200 baud: 5.7 s).
 */
uint64_t opt_serial_baud_model;
static uint64_t tx_next_ns;

/*
 * The FIFO stays off: enabling it resets it, and a byte that arrived before
 * (piped input) would be lost. One byte of buffering is enough with polling:
 * the sender waits while the receive register is full.
 */
void serial_init(void)
{
    outb(COM1 + 1, 0x00);       /* no interrupts */
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 0x01);       /* 115200 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8n1 */
    outb(COM1 + 4, 0x03);       /* DTR, RTS */
}

bool serial_tx_ready(void)
{
    if (opt_serial_baud_model && tsc_khz && now_ns() < tx_next_ns)
        return false;
    return inb(COM1 + 5) & 0x20;        /* LSR: transmit holding register empty */
}

void serial_tx(char c)
{
    if (opt_serial_baud_model && tsc_khz)
        tx_next_ns = now_ns() + 10ULL * 1000000000ULL / opt_serial_baud_model;
    outb(COM1, c);
}

void serial_putc(char c)
{
    unsigned int spins = 100000;        /* a UART that never drains is given up on */

    while (!serial_tx_ready() && --spins)
        ;
    serial_tx(c);
}

int serial_getc(void)
{
    if (!(inb(COM1 + 5) & 0x01))
        return -1;
    return inb(COM1);
}
