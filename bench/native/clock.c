/*
 * TSC frequency against PIT channel 2 (1.193182 MHz), as Linux's
 * pit_calibrate_tsc does: gate on, one-shot count, wait for OUT2 in port
 * 0x61. Under QEMU TCG the PIT follows the virtual clock (host time without
 * -icount, one ns per instruction with -icount shift=0), so the result turns
 * TSC deltas into nanoseconds in either mode.
 */
#include "native.h"

#define PIT_HZ       1193182
#define CAL_MS       20
#define CAL_ROUNDS   3
#define CAL_GIVEUP   (1ULL << 36)   /* TSC ticks: ~20 s on a fast host */

static uint64_t calibrate_once(void)
{
    uint16_t latch = PIT_HZ * CAL_MS / 1000;
    uint64_t t0, t;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);    /* gate 2 on, speaker off */
    outb(0x43, 0xb0);                           /* ch 2, lo/hi byte, mode 0 */
    outb(0x42, latch & 0xff);
    outb(0x42, latch >> 8);
    t0 = rdtsc_fenced();
    do {
        t = rdtsc_fenced();
        if (t - t0 > CAL_GIVEUP)
            return 0;
    } while (!(inb(0x61) & 0x20));
    return (t - t0) * PIT_HZ / ((uint64_t)latch * 1000);
}

uint64_t clock_tsc_khz(void)
{
    uint64_t k[CAL_ROUNDS], tmp;

    for (unsigned i = 0; i < CAL_ROUNDS; i++)
        k[i] = calibrate_once();
    /* Median of three: one descheduled round on a busy host does not count. */
    for (unsigned i = 0; i < CAL_ROUNDS; i++)
        for (unsigned j = i + 1; j < CAL_ROUNDS; j++)
            if (k[j] < k[i]) {
                tmp = k[i];
                k[i] = k[j];
                k[j] = tmp;
            }
    return k[CAL_ROUNDS / 2];
}
