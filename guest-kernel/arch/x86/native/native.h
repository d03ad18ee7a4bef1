/* Internal interfaces of the native platform (arch/x86/native/); include/platform.h is the seam. */
#ifndef GUEST_NATIVE_H
#define GUEST_NATIVE_H

#include "kernel.h"

static inline void outb(uint16_t port, uint8_t v) { __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outw(uint16_t port, uint16_t v) { __asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;

    __asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
/* REP INSW/OUTSW/INSL/OUTSL: n elements between a port and memory (one exit each run under HVM). */
static inline void insw(uint16_t port, void *buf, unsigned long n)
{
    __asm__ __volatile__("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}
static inline void outsw(uint16_t port, const void *buf, unsigned long n)
{
    __asm__ __volatile__("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}
static inline void insl(uint16_t port, void *buf, unsigned long n)
{
    __asm__ __volatile__("rep insl" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}
static inline void outsl(uint16_t port, const void *buf, unsigned long n)
{
    __asm__ __volatile__("rep outsl" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;

    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(uint64_t v) { __asm__ __volatile__("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void invlpg(uint64_t va) { __asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory"); }

/* cpu.c: GDT, TSS, IDT, FPU and NX at boot; the kernel stack for entries from user mode. */
void cpu_init(void);
void cpu_set_kernel_stack(uint64_t top);

/* uart.c: COM1, polled. uart_poll (every tick) moves received bytes to the input buffer. */
void uart_init(void);
void uart_poll(void);

/* timer.c: TSC and APIC frequencies, the 100 Hz APIC timer, system time. */
void timer_init(void);
extern uint64_t native_tsc_khz, native_apic_khz;
extern const char *native_clock_source;     /* how the frequencies were found */
void native_apic_eoi(void);
uint32_t native_apic_id(void);
void native_apic_lint0_extint(void);         /* LINT0 unmasked in ExtINT mode: the 8259's output reaches us */
/* The local APIC's MMIO window: every access a single 32-bit mov (the HVM emulator decodes it). */
uint64_t native_mmio_map(uint64_t pa);      /* mmu.c: an uncached kernel VA for the 2 MiB around pa */

/* irq.c: ISA device interrupts through the IOAPIC or the 8259 pair (after timer_init). */
typedef void (*native_irq_handler_t)(unsigned int irq);
void native_irq_init(void);
bool native_irq_register(unsigned int irq, native_irq_handler_t h);    /* false: no controller, poll */
void native_irq_mask(unsigned int irq);
void native_irq_unmask(unsigned int irq);
uint64_t native_irq_count(unsigned int irq);
const char *native_irq_controller(void);    /* "IOAPIC", "8259" or NULL (none: irq=off) */

/* mmu.c: the kernel map of memory from the Multiboot memory size. */
void native_mm_init(uint64_t mem_top);

/* rtc.c: the wall clock from the CMOS RTC, read once (after timer_init: it needs system time). */
void native_rtc_init(void);

/* main.c: what the boot loader said. */
extern bool native_hypervisor;              /* CPUID: running under a hypervisor (HVM) */

#endif
