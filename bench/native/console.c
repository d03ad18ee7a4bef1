/* COM1 output, polled, and a printf small enough for one screen. */
#include "native.h"

#define COM1 0x3f8

void console_init(void)
{
    outb(COM1 + 1, 0x00);       /* no interrupts */
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 0x01);       /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 2, 0xc7);       /* FIFO on */
}

static void putc(char c)
{
    if (c == '\n')
        putc('\r');
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

static void put_unsigned(uint64_t v, unsigned base)
{
    char buf[24];
    int i = 0;

    do {
        buf[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (i)
        putc(buf[--i]);
}

static uint64_t arg_unsigned(va_list *ap, int longs)
{
    return longs ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int longs)
{
    return longs ? va_arg(*ap, long) : va_arg(*ap, int);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        int longs = 0;
        int64_t s;

        if (*fmt != '%') {
            putc(*fmt);
            continue;
        }
        while (*++fmt == 'l')
            longs = 1;
        switch (*fmt) {
        case 's':
            for (const char *p = va_arg(ap, const char *); *p; p++)
                putc(*p);
            break;
        case 'c':
            putc((char)va_arg(ap, int));
            break;
        case 'd':
            s = arg_signed(&ap, longs);
            if (s < 0)
                putc('-');
            put_unsigned(s < 0 ? -(uint64_t)s : (uint64_t)s, 10);
            break;
        case 'u':
            put_unsigned(arg_unsigned(&ap, longs), 10);
            break;
        case 'x':
            put_unsigned(arg_unsigned(&ap, longs), 16);
            break;
        case '\0':
            va_end(ap);
            return;
        default:
            putc(*fmt);
        }
    }
    va_end(ap);
}
