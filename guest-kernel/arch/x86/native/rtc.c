/*
 * The wall clock: the CMOS real-time clock (MC146818, ports 0x70/0x71),
 * read once at boot; afterwards boot time plus system time. Bare QEMU has
 * one, and so have Tandem's HVM domains (the hypervisor's, hvm/vrtc.c). A
 * platform without one (unused ports read all ones, so one read tells)
 * fails the checks below and the wall clock is 0, as `uptime` then says.
 */
#include "native.h"

#define RTC_INDEX   0x70
#define RTC_DATA    0x71
#define RTC_NMI_OFF 0x80        /* keep NMIs masked while the index is set, as a PC BIOS does */

static uint64_t wall_at_boot;   /* seconds since 1970 at system time 0 */

static uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, RTC_NMI_OFF | reg);
    return inb(RTC_DATA);
}

static bool bcd_to_bin(uint8_t *v, bool bcd)
{
    if (!bcd)
        return true;
    if ((*v & 0x0f) > 9 || (*v >> 4) > 9)
        return false;
    *v = (uint8_t)((*v >> 4) * 10 + (*v & 0x0f));
    return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
    static const unsigned before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint64_t days = (y - 1970) * 365 + before[m - 1] + d - 1;

    for (unsigned k = 1970; k < y; k++)
        days += (k % 4 == 0 && k % 100 != 0) || k % 400 == 0;
    if (m > 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        days++;
    return days;
}

void native_rtc_init(void)
{
    uint8_t t[6], b;            /* seconds, minutes, hours, day, month, year */
    static const uint8_t regs[6] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09 };
    uint64_t give_up = system_time_ns() + 10000000;
    bool bcd, pm;

    if (rtc_read(0x0a) == 0xff)
        return;                             /* nothing there (status A is never all ones) */
    while (rtc_read(0x0a) & 0x80)           /* an update in progress: at most ~2 ms */
        if (system_time_ns() > give_up)
            return;
    for (unsigned i = 0; i < 6; i++)
        t[i] = rtc_read(regs[i]);
    b = rtc_read(0x0b);
    bcd = !(b & 0x04);
    pm = !(b & 0x02) && (t[2] & 0x80);      /* 12-hour mode */
    t[2] &= 0x7f;
    for (unsigned i = 0; i < 6; i++)
        if (!bcd_to_bin(&t[i], bcd))
            return;
    if (!(b & 0x02))
        t[2] = (uint8_t)(t[2] % 12 + (pm ? 12 : 0));
    if (t[0] > 59 || t[1] > 59 || t[2] > 23 || t[3] < 1 || t[3] > 31 || t[4] < 1 || t[4] > 12 || t[5] > 99)
        return;
    wall_at_boot = days_since_epoch(2000 + t[5], t[4], t[3]) * 86400 + t[2] * 3600 + t[1] * 60 + t[0] -
                   system_time_ns() / 1000000000UL;
}

uint64_t arch_wallclock_sec(void)
{
    return wall_at_boot ? wall_at_boot + system_time_ns() / 1000000000UL : 0;
}
