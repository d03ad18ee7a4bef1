/* x86 instructions, MSRs and control registers used by the core. */
#ifndef TANDEM_PROCESSOR_H
#define TANDEM_PROCESSOR_H

#include "types.h"

#define MSR_EFER            0xC0000080
#define MSR_STAR            0xC0000081
#define MSR_LSTAR           0xC0000082
#define MSR_CSTAR           0xC0000083
#define MSR_SFMASK          0xC0000084
#define MSR_FS_BASE         0xC0000100
#define MSR_GS_BASE         0xC0000101
#define MSR_SHADOW_GS_BASE  0xC0000102
#define MSR_APIC_BASE       0x0000001B
#define MSR_SYSENTER_CS     0x00000174
#define MSR_SYSENTER_ESP    0x00000175
#define MSR_SYSENTER_EIP    0x00000176
#define MSR_PAT             0x00000277
#define MSR_PLATFORM_INFO   0x000000ce      /* Intel: bit 31 = CPUID faulting available */
#define MSR_MISC_FEATURES_ENABLES 0x00000140 /* Intel: bit 0 = CPUID faults at CPL > 0 */
#define MSR_AMD_HWCR        0xc0010015      /* AMD: bit 35 = CpuidUserDis */
#define PLATFORM_INFO_CPUID_FAULTING  (1ULL << 31)
#define MISC_FEATURES_CPUID_FAULTING  (1ULL << 0)
#define HWCR_CPUID_USER_DIS           (1ULL << 35)
#define EFER_SCE  (1UL << 0)
#define EFER_LME  (1UL << 8)
#define EFER_LMA  (1UL << 10)
#define EFER_NXE  (1UL << 11)

#define X86_CR0_PE  (1UL << 0)
#define X86_CR0_MP  (1UL << 1)
#define X86_CR0_EM  (1UL << 2)
#define X86_CR0_TS  (1UL << 3)
#define X86_CR0_ET  (1UL << 4)
#define X86_CR0_NE  (1UL << 5)
#define X86_CR0_WP  (1UL << 16)
#define X86_CR0_NW  (1UL << 29)
#define X86_CR0_CD  (1UL << 30)
#define X86_CR0_PG  (1UL << 31)
#define X86_CR4_PAE        (1UL << 5)
#define X86_CR4_PGE        (1UL << 7)
#define X86_CR4_OSFXSR     (1UL << 9)
#define X86_CR4_OSXMMEXCPT (1UL << 10)
#define X86_CR4_FSGSBASE   (1UL << 16)
#define X86_CR4_OSXSAVE    (1UL << 18)
#define X86_CR4_SMEP       (1UL << 20)
#define X86_CR4_SMAP       (1UL << 21)

/* CPUID bits the core checks: leaf 1 EDX, leaf 7 subleaf 0 EBX. */
#define CPUID1_EDX_SEP     (1U << 11)
#define CPUID7_EBX_SMEP    (1U << 7)
#define CPUID7_EBX_SMAP    (1U << 20)

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
/* rdmsr/wrmsr that may #GP (an MSR the CPU may not have): false if it faulted. */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *v)
{
    uint32_t lo = 0, hi = 0, ok = 1;
    __asm__ __volatile__("1: rdmsr\n"
                         "2:\n"
                         ".pushsection .text.fixup, \"ax\"\n"
                         "3: xor %k2, %k2\n"
                         "   jmp 2b\n"
                         ".popsection\n"
                         ".pushsection .ex_table, \"a\"\n"
                         "   .quad 1b, 3b\n"
                         ".popsection"
                         : "+a"(lo), "+d"(hi), "+r"(ok) : "c"(msr));
    *v = ((uint64_t)hi << 32) | lo;
    return ok;
}
static inline bool wrmsr_safe(uint32_t msr, uint64_t v)
{
    uint32_t ok = 1;
    __asm__ __volatile__("1: wrmsr\n"
                         "2:\n"
                         ".pushsection .text.fixup, \"ax\"\n"
                         "3: xor %k0, %k0\n"
                         "   jmp 2b\n"
                         ".popsection\n"
                         ".pushsection .ex_table, \"a\"\n"
                         "   .quad 1b, 3b\n"
                         ".popsection"
                         : "+r"(ok) : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
    return ok;
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
#define DEFINE_CR(n) \
    static inline uint64_t read_cr##n(void) { uint64_t v; __asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
    static inline void write_cr##n(uint64_t v) { __asm__ __volatile__("mov %0, %%cr" #n :: "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void outb(uint16_t port, uint8_t v) { __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ __volatile__("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
/*
 * SMAP: hypervisor accesses to user pages (every PV guest page) fault unless
 * EFLAGS.AC is set. Only the guest-copy helpers (entry.S) set it; code that
 * must touch a guest page another way brackets the access with stac()/clac().
 * cpu_smap is true once CR4.SMAP is on (stac/clac are #UD without SMAP).
 */
extern bool cpu_smap;
static inline void stac(void) { if (cpu_smap) __asm__ __volatile__("stac" ::: "memory"); }
static inline void clac(void) { if (cpu_smap) __asm__ __volatile__("clac" ::: "memory"); }

static inline void local_irq_disable(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void local_irq_enable(void)  { __asm__ __volatile__("sti" ::: "memory"); }
static inline void safe_halt(void)         { __asm__ __volatile__("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void)         { __asm__ __volatile__("pause" ::: "memory"); }
static inline void invlpg(uint64_t va)     { __asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory"); }
/* A CR3 reload that ticks the TLB-flush clock (arch/x86/tlbflush.c, mm.h). */
void flush_tlb_local(void);

#endif
