/* Time: the TSC calibrated against PIT channel 2, scaled to ns the pvclock way. */
#include "lib.h"
#include "time.h"
#include "processor.h"

uint64_t tsc_khz;
uint64_t boot_wallclock;         /* seconds since 1970 at system time 0 */
uint64_t boot_tsc;
uint32_t tsc_to_system_mul;
int8_t tsc_shift;

#define PIT_HZ     1193182UL
#define CALIBRATE_MS 10

static uint64_t calibrate_tsc_pit(void)
{
    uint32_t latch = PIT_HZ * CALIBRATE_MS / 1000;
    uint64_t t0, t1;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);     /* gate on, speaker off */
    outb(0x43, 0xb0);                           /* channel 2, lo/hi, mode 0 */
    outb(0x42, latch & 0xff);
    outb(0x42, latch >> 8);
    t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    t1 = rdtsc();
    return (t1 - t0) / CALIBRATE_MS;
}

/* Xen's set_time_scale: ns = ((tsc << shift) * mul) >> 32, with 1e9 < tps32 <= 2e9. */
static void set_time_scale(uint64_t ticks_per_sec)
{
    uint64_t tps64 = ticks_per_sec;
    uint32_t tps32;
    int shift = 0;

    while (tps64 > 2000000000ULL) {
        tps64 >>= 1;
        shift--;
    }
    tps32 = (uint32_t)tps64;
    while (tps32 <= 1000000000U) {
        tps32 <<= 1;
        shift++;
    }
    tsc_to_system_mul = (uint32_t)((1000000000ULL << 32) / tps32);
    tsc_shift = shift;
}

uint64_t tsc_to_ns(uint64_t delta)
{
    if (tsc_shift >= 0)
        delta <<= tsc_shift;
    else
        delta >>= -tsc_shift;
    return (uint64_t)(((unsigned __int128)delta * tsc_to_system_mul) >> 32);
}

uint64_t now_ns(void)
{
    if (!tsc_khz)
        return 0;
    return tsc_to_ns(rdtsc() - boot_tsc);
}

static unsigned int cmos(unsigned int reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

/* Reads the CMOS RTC (BCD or binary, 24h assumed as QEMU provides). */
static uint64_t read_rtc_seconds(void)
{
    unsigned int sec, min, hour, day, mon, year, b;
    static const int cum[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint64_t days;

    while (cmos(0x0a) & 0x80)
        ;
    sec = cmos(0); min = cmos(2); hour = cmos(4); day = cmos(7); mon = cmos(8); year = cmos(9);
    b = cmos(0x0b);
    if (!(b & 4)) {
#define BCD(x) (((x) & 15) + ((x) >> 4) * 10)
        sec = BCD(sec); min = BCD(min); hour = BCD(hour); day = BCD(day); mon = BCD(mon); year = BCD(year);
#undef BCD
    }
    if (mon < 1 || mon > 12)
        return 0;
    year += 2000;
    days = (year - 1970) * 365 + (year - 1969) / 4 + cum[mon - 1] + day - 1;
    if (mon > 2 && year % 4 == 0)
        days++;
    return ((days * 24 + hour) * 60 + min) * 60 + sec;
}

void time_init(void)
{
    /* Remap and mask the legacy PICs so their vectors never alias exceptions. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xff); outb(0xa1, 0xff);

    boot_wallclock = read_rtc_seconds();
    boot_tsc = rdtsc();
    /*
     * A late look at the PIT only ever makes the TSC look faster (the host
     * may deschedule QEMU mid-window): the smallest of several rounds is
     * the best estimate.
     */
    tsc_khz = calibrate_tsc_pit();
    for (int i = 0; i < 4; i++) {
        uint64_t k = calibrate_tsc_pit();
        if (k && k < tsc_khz)
            tsc_khz = k;
    }
    if (!tsc_khz)
        panic("TSC calibration against the PIT failed");
    set_time_scale(tsc_khz * 1000);
    printk("Time: TSC %lu.%03lu MHz (PIT-calibrated), pvclock mul %#x shift %d\n",
           (unsigned long)(tsc_khz / 1000), (unsigned long)(tsc_khz % 1000),
           tsc_to_system_mul, tsc_shift);
    /* For `make bench`: turns guests' TSC deltas into ns (docs/benchmarks.md). */
    printk("BENCH clock tsc_khz=%lu\n", (unsigned long)tsc_khz);
}
