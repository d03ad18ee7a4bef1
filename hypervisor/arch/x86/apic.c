/* Local APIC (xAPIC, MMIO): one-shot timer that drives scheduling and guest timers. */
#include "lib.h"
#include "time.h"
#include "mm.h"
#include "processor.h"
#include "cpu.h"

#define APIC_ID      0x020
#define APIC_EOI     0x0b0
#define APIC_SVR     0x0f0
#define APIC_LVT_TMR 0x320
#define APIC_TMICT   0x380
#define APIC_TMCCT   0x390
#define APIC_TDCR    0x3e0

static volatile uint32_t *apic;
static uint64_t apic_khz;       /* timer ticks per ms (divide by 16) */

static inline void apic_write(unsigned reg, uint32_t v) { apic[reg / 4] = v; }
static inline uint32_t apic_read(unsigned reg) { return apic[reg / 4]; }

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void apic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    uint64_t t0;
    uint32_t left;

    wrmsr(MSR_APIC_BASE, base | (1UL << 11));   /* global enable */
    apic = ioremap(base & 0xfffff000UL, PAGE_SIZE);
    apic_write(APIC_SVR, 0x100 | SPURIOUS_VECTOR);
    apic_write(APIC_TDCR, 0x3);                 /* divide by 16 */
    apic_write(APIC_LVT_TMR, 1 << 16);          /* masked while calibrating */
    apic_write(APIC_TMICT, 0xffffffff);
    t0 = rdtsc();
    while (rdtsc() - t0 < tsc_khz * 10)
        ;
    left = apic_read(APIC_TMCCT);
    apic_khz = (0xffffffffULL - left) / 10;
    if (!apic_khz)
        apic_khz = 1;
    apic_write(APIC_TMICT, 0);
    apic_write(APIC_LVT_TMR, TIMER_VECTOR);     /* one-shot */
    printk("APIC: id %u, timer %lu kHz\n", apic_read(APIC_ID) >> 24, (unsigned long)apic_khz);
}

void apic_timer_oneshot(uint64_t deadline_ns)
{
    uint64_t now = now_ns(), ticks;

    this_cpu()->timer_deadline = deadline_ns;
    ticks = deadline_ns > now ? (deadline_ns - now) * apic_khz / 1000000 : 1;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffULL)
        ticks = 0xffffffffULL;
    apic_write(APIC_TMICT, (uint32_t)ticks);
}
