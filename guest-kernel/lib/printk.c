/*
 * printk: one line of formatted output, written with console_write, which each build provides
 * (the PV console in lib/console.c, the UART in arch/x86/native/uart.c).
 */
#include "guest.h"

void printk(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}
