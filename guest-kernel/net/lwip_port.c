/*
 * What lwIP asks of its platform with NO_SYS (include/arch/cc.h): the time in milliseconds
 * for its timers, printing, assertions, random numbers, and atoi.
 */
#include "kernel.h"
#include "lwip/sys.h"

u32_t sys_now(void)
{
    return (u32_t)(system_time_ns() / 1000000);
}

void lwip_port_diag(const char *fmt, ...)
{
    char buf[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("lwip: %s", buf);
}

void lwip_port_assert(const char *msg, int line, const char *file)
{
    kernel_panic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

/* xorshift64, seeded from the clock on first use: TCP ports, ISNs, DHCP and DNS ids. */
unsigned int lwip_port_rand(void)
{
    static uint64_t s;

    if (!s)
        s = system_time_ns() * 0x9e3779b97f4a7c15ULL | 1;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (unsigned int)(s >> 32);
}

int atoi(const char *s)
{
    return (int)simple_strtoull(s, NULL, 10);
}
