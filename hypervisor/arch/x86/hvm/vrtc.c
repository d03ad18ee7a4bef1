/*
 * An HVM domain's CMOS real-time clock (docs/hvm.md "The CMOS clock"): an
 * MC146818 at ports 0x70 (index, bit 7 the NMI mask: kept, no effect) and
 * 0x71 (data), in the hypervisor as Xen's vRTC is: a guest reads the time
 * a few times at boot, and the time is the hypervisor's own (boot_wallclock,
 * read from the machine's CMOS clock, plus system time), so a device model
 * would add a round trip and know no better. The clock registers (0, 2, 4,
 * 6-9, century 0x32) are computed at each read, in BCD or binary and 24- or
 * 12-hour form as status B says; the guest cannot set the clock (writes to
 * them are ignored and counted) and there is no interrupt (IRQ 8: periodic,
 * alarm and update-ended bits of status B are kept, nothing fires; status C
 * reads 0). Status A reads 0x26 (32.768 kHz, 1024 Hz rate, never an update
 * in progress: the value is computed whole), status D 0x80 (the battery is
 * good). The other 114 bytes of CMOS RAM (and the alarm registers) keep
 * what the guest writes, 0 at start.
 */
#include "lib.h"
#include "domain.h"
#include "hvm.h"
#include "time.h"

#define RTC_SEC     0x00
#define RTC_MIN     0x02
#define RTC_HOUR    0x04
#define RTC_WDAY    0x06
#define RTC_MDAY    0x07
#define RTC_MON     0x08
#define RTC_YEAR    0x09
#define RTC_A       0x0a
#define RTC_B       0x0b
#define RTC_C       0x0c
#define RTC_D       0x0d
#define RTC_CENTURY 0x32
#define B_SET       0x80
#define B_DM_BIN    0x04
#define B_24H       0x02
#define B_KEPT      0xff

bool vrtc_is_port(uint16_t port)
{
    return port == HVM_RTC_INDEX || port == HVM_RTC_DATA;
}

/* Days since 1970-01-01 into year, month (1-12) and day (1-31) (proleptic Gregorian). */
static void civil_from_days(int64_t z, unsigned int *y, unsigned int *m, unsigned int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (unsigned int)(yoe + era * 400 + (*m <= 2));
}

static uint8_t rtc_form(const struct hvm_vrtc *r, unsigned int v)
{
    return (r->ram[RTC_B] & B_DM_BIN) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t clock_reg(const struct hvm_vrtc *r, unsigned int reg)
{
    uint64_t t = boot_wallclock + now_ns() / 1000000000ULL, days = t / 86400, s = t % 86400;
    unsigned int y, m, d, h = (unsigned int)(s / 3600);

    civil_from_days((int64_t)days, &y, &m, &d);
    switch (reg) {
    case RTC_SEC: return rtc_form(r, (unsigned int)(s % 60));
    case RTC_MIN: return rtc_form(r, (unsigned int)(s / 60 % 60));
    case RTC_HOUR:
        if (r->ram[RTC_B] & B_24H)
            return rtc_form(r, h);
        return (uint8_t)(rtc_form(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
    case RTC_WDAY: return rtc_form(r, (unsigned int)((days + 4) % 7 + 1));   /* 1970-01-01: a Thursday; Sunday 1 */
    case RTC_MDAY: return rtc_form(r, d);
    case RTC_MON: return rtc_form(r, m);
    case RTC_YEAR: return rtc_form(r, y % 100);
    default: return rtc_form(r, y / 100);                                   /* RTC_CENTURY */
    }
}

static bool is_clock_reg(unsigned int reg)
{
    return reg == RTC_SEC || reg == RTC_MIN || reg == RTC_HOUR || (reg >= RTC_WDAY && reg <= RTC_YEAR) ||
           reg == RTC_CENTURY;
}

void vrtc_init(struct hvm_vrtc *r)
{
    memset(r, 0, sizeof(*r));
    r->ram[RTC_B] = B_24H;              /* BCD, 24-hour: a PC BIOS's setting */
}

/* IN/OUT on 0x70/0x71 (vrtc_is_port): bytes only; a wider access reads all ones, writes nothing. */
void vrtc_port_io(struct domain *d, uint16_t port, unsigned int size, bool in, uint32_t *val)
{
    struct hvm_vrtc *r = &d->arch.hvm->rtc;
    unsigned int reg = r->index & 0x7f;

    if (size != 1) {
        if (in)
            *val = ~0u;
        return;
    }
    if (port == HVM_RTC_INDEX) {
        if (in)
            *val = 0xff;                /* write-only on a PC */
        else
            r->index = (uint8_t)*val;
        return;
    }
    if (in) {
        *val = is_clock_reg(reg) ? clock_reg(r, reg) : reg == RTC_A ? 0x26 : reg == RTC_C ? 0 :
               reg == RTC_D ? 0x80 : r->ram[reg];
        return;
    }
    if (is_clock_reg(reg) || reg == RTC_C || reg == RTC_D) {
        r->writes_ignored++;
        return;
    }
    if (reg == RTC_A)
        return;                         /* rate and divider: nothing to change */
    r->ram[reg] = (uint8_t)*val;
}
