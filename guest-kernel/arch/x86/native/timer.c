/*
 * Time on the native platform: the TSC for system time, the local APIC
 * timer (xAPIC, MMIO) for the 100 Hz tick. Frequencies come from CPUID leaf
 * 0x40000010 when a hypervisor offers it (eax = TSC kHz, ebx = APIC bus kHz,
 * as VMware and KVM define it; Tandem's HVM domains have it), otherwise
 * they are measured against PIT channel 2, as Linux's pit_calibrate_tsc does.
 */
#include "native.h"

#define MSR_APIC_BASE   0x1b
#define APIC_BASE_EN    (1UL << 11)
#define APIC_ID         0x020
#define APIC_TPR        0x080
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3e0
#define LVT_MASKED      (1u << 16)
#define LVT_PERIODIC    (1u << 17)
#define LVT_EXTINT      (7u << 8)
#define TDCR_DIV16      0x3
#define HZ              100

#define PIT_HZ          1193182
#define CAL_MS          20

uint64_t native_tsc_khz, native_apic_khz;
const char *native_clock_source = "?";
static uint64_t tsc_at_boot;
static uint64_t apic_va;

/* The one accessor pair of the APIC: a 32-bit mov each, nothing the MMIO emulator cannot decode. */
static inline uint32_t apic_read(uint32_t reg)
{
    uint32_t v;

    __asm__ __volatile__("movl %1, %0" : "=r"(v) : "m"(*(volatile uint32_t *)(apic_va + reg)));
    return v;
}
static inline void apic_write(uint32_t reg, uint32_t v)
{
    __asm__ __volatile__("movl %1, %0" : "=m"(*(volatile uint32_t *)(apic_va + reg)) : "r"(v) : "memory");
}

uint64_t system_time_ns(void)
{
    uint64_t d = rdtsc() - tsc_at_boot, k = native_tsc_khz;

    return d / k * 1000000 + d % k * 1000000 / k;
}

/* TSC ticks in CAL_MS of PIT channel 2 (gate on, one-shot count, wait for OUT2). */
static uint64_t pit_tsc_khz_once(void)
{
    uint16_t latch = PIT_HZ * CAL_MS / 1000;
    uint64_t t0, t;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb0);
    outb(0x42, latch & 0xff);
    outb(0x42, latch >> 8);
    t0 = rdtsc();
    do {
        t = rdtsc();
        if (t - t0 > (1ULL << 36))
            return 0;           /* no PIT */
    } while (!(inb(0x61) & 0x20));
    return (t - t0) * PIT_HZ / ((uint64_t)latch * 1000);
}

/* Median of three: one round descheduled on a busy host does not count. */
static uint64_t pit_tsc_khz(void)
{
    uint64_t k[3], t;

    for (unsigned i = 0; i < 3; i++)
        k[i] = pit_tsc_khz_once();
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = i + 1; j < 3; j++)
            if (k[j] < k[i]) {
                t = k[i];
                k[i] = k[j];
                k[j] = t;
            }
    return k[1];
}

/* The APIC timer's input (bus) frequency, counted against the TSC over 10 ms. */
static uint64_t apic_bus_khz(void)
{
    uint64_t t0 = rdtsc(), span = native_tsc_khz * 10;
    uint32_t c0, c1;

    apic_write(APIC_TDCR, TDCR_DIV16);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | NATIVE_VEC_TIMER);
    apic_write(APIC_TMICT, 0xffffffff);
    c0 = apic_read(APIC_TMCCT);
    while (rdtsc() - t0 < span)
        ;
    c1 = apic_read(APIC_TMCCT);
    apic_write(APIC_TMICT, 0);
    return (uint64_t)(c0 - c1) * 16 / 10;
}

static void find_frequencies(void)
{
    uint32_t r[4];

    cpuid(0x40000000, r);
    if (native_hypervisor && r[0] >= 0x40000010 && r[0] < 0x40010000) {
        cpuid(0x40000010, r);
        if (r[0] && r[1]) {
            native_tsc_khz = r[0];
            native_apic_khz = r[1];
            native_clock_source = "CPUID 0x40000010";
            return;
        }
    }
    native_tsc_khz = pit_tsc_khz();
    if (!native_tsc_khz)
        kernel_panic("no TSC frequency: no CPUID leaf 0x40000010 and no PIT");
    native_apic_khz = apic_bus_khz();
    native_clock_source = "PIT channel 2";
}

void timer_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    tsc_at_boot = rdtsc();
    native_tsc_khz = 1000000;               /* until measured: system_time_ns must not divide by 0 */
    outb(0x21, 0xff);                       /* both 8259s masked: only the APIC interrupts */
    outb(0xa1, 0xff);
    if (!(base & APIC_BASE_EN))
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
    apic_va = native_mmio_map(base & 0xfffff000);
    apic_write(APIC_SVR, 0x100 | NATIVE_VEC_SPURIOUS);     /* software enable */
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_LINT0, LVT_MASKED);
    apic_write(APIC_LVT_LINT1, LVT_MASKED);
    apic_write(APIC_LVT_ERROR, LVT_MASKED);
    find_frequencies();
    if (native_apic_khz < 16 * HZ / 1000 + 1)
        kernel_panic("APIC timer frequency %lu kHz: too slow", (unsigned long)native_apic_khz);
    apic_write(APIC_TDCR, TDCR_DIV16);
    apic_write(APIC_LVT_TIMER, LVT_PERIODIC | NATIVE_VEC_TIMER);
    apic_write(APIC_TMICT, (uint32_t)(native_apic_khz * 1000 / 16 / HZ));
    printk("timer: local APIC at %lx, periodic %u Hz; TSC %lu kHz, APIC bus %lu kHz (%s)\n",
           (unsigned long)(base & 0xfffff000), HZ, (unsigned long)native_tsc_khz,
           (unsigned long)native_apic_khz, native_clock_source);
}

void native_apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

uint32_t native_apic_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

void native_apic_lint0_extint(void)
{
    apic_write(APIC_LVT_LINT0, LVT_EXTINT);
}

void native_timer_irq(struct trap_frame *f);

/* Interrupts off. The EOI first: a switch to another thread must not hold the APIC's ISR bit. */
void native_timer_irq(struct trap_frame *f)
{
    (void)f;
    apic_write(APIC_EOI, 0);
    jiffies++;
    current_thread->ticks++;
    need_resched = true;
    uart_poll();
    if (need_resched)
        schedule();
}
