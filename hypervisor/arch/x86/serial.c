/* 16550 UART on COM1 (0x3f8), 115200 8n1, polled; console.c buffers what it sends. */
#include "console.h"
#include "processor.h"

#define COM1 0x3f8

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
    return inb(COM1 + 5) & 0x20;        /* LSR: transmit holding register empty */
}

void serial_tx(char c)
{
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
