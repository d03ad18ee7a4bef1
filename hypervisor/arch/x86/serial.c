/* 16550 UART on COM1 (0x3f8), 115200 8n1, polled. */
#include "console.h"
#include "processor.h"

#define COM1 0x3f8

/* Enabling the FIFO resets it: a byte already waiting (piped input) is kept here. */
static int early_char = -1;

void serial_init(void)
{
    if (inb(COM1 + 5) & 0x01)
        early_char = inb(COM1);
    outb(COM1 + 1, 0x00);       /* no interrupts */
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 0x01);       /* 115200 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8n1 */
    outb(COM1 + 2, 0xC5);       /* FIFO on; keep bytes already received (piped input) */
    outb(COM1 + 4, 0x03);       /* DTR, RTS */
}

void serial_putc(char c)
{
    unsigned int spins = 100000;

    if (c == '\n')
        serial_putc('\r');
    while (!(inb(COM1 + 5) & 0x20) && --spins)
        ;
    outb(COM1, c);
}

int serial_getc(void)
{
    if (early_char >= 0) {
        int c = early_char;
        early_char = -1;
        return c;
    }
    if (!(inb(COM1 + 5) & 0x01))
        return -1;
    return inb(COM1);
}
