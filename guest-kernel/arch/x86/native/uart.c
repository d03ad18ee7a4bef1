/*
 * The console on a 16550 UART, COM1, polled both ways (the PV kernel's is
 * the console ring, lib/console.c and kernel/console_in.c): output waits for
 * THR empty (LSR bit 5); input is drained from RBR while LSR bit 0 says data
 * is ready, on every timer tick, into a buffer that console_getchar reads.
 * No UART interrupt: an HVM domain's UART has no interrupt line.
 */
#include "native.h"

#define COM1        0x3f8
#define UART_RBR    0
#define UART_IER    1
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define LSR_DR      0x01
#define LSR_THRE    0x20
#define INBUF       256

static char inbuf[INBUF];
static unsigned in_prod, in_cons;       /* free-running; interrupts off around both */
static struct thread *reader;

void uart_init(void)
{
    outb(COM1 + UART_IER, 0x00);        /* no interrupts */
    outb(COM1 + UART_LCR, 0x80);        /* DLAB: divisor 1, 115200 baud */
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    outb(COM1 + UART_LCR, 0x03);        /* 8N1. The FIFO stays as it is: enabling it drops a received byte */
    outb(COM1 + UART_MCR, 0x03);        /* DTR, RTS */
}

static void uart_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        ;
    outb(COM1, (uint8_t)c);
}

/* A write goes out whole, never split by another thread's (interrupts off). */
void console_write(const char *s, size_t len)
{
    uint8_t m = events_save();

    while (len--)
        uart_putc(*s++);
    events_restore(m);
}

/* Interrupts off (the timer tick). What does not fit stays in the UART: it waits for the next tick. */
void uart_poll(void)
{
    bool got = false;

    while (in_prod - in_cons < INBUF && (inb(COM1 + UART_LSR) & LSR_DR)) {
        inbuf[in_prod++ % INBUF] = (char)inb(COM1 + UART_RBR);
        got = true;
    }
    if (got && reader) {
        thread_wake(reader);
        reader = NULL;
    }
}

void console_input_init(void)
{
    in_prod = in_cons = 0;
}

bool console_input_pending(void)
{
    return in_prod != in_cons;
}

/* Block until a byte is in the buffer; returns with interrupts disabled. */
static void wait_input(void)
{
    for (;;) {
        events_disable();
        if (in_prod != in_cons)
            return;
        reader = current_thread;
        thread_block();
    }
}

void console_wait_input(void)
{
    wait_input();
    events_enable();
}

int console_getchar(void)
{
    char c;

    wait_input();
    c = inbuf[in_cons++ % INBUF];
    events_enable();
    return (unsigned char)c;
}
