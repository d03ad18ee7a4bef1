/*
 * The native platform's inline half of the seam in include/platform.h (the
 * PV one: arch/x86/pv/include/arch/platform.h). Ring 0 on real page tables:
 * guest-physical frames are machine frames, the interrupt flag is IF.
 */
#ifndef GUEST_ARCH_PLATFORM_H
#define GUEST_ARCH_PLATFORM_H

/* GDT selectors (cpu.c): SYSRET wants user code32, user data, user code64 in a row (STAR). */
#define NATIVE_KCODE    0x08
#define NATIVE_KDATA    0x10
#define NATIVE_UCODE32  0x1b
#define NATIVE_UDATA    0x23
#define NATIVE_UCODE    0x2b
#define NATIVE_TSS      0x30
#define ARCH_USER_CS    NATIVE_UCODE
#define ARCH_USER_SS    NATIVE_UDATA
#define ARCH_NAME       "native"
/* One L4 for both modes: the kernel half is not user-accessible (no _PAGE_USER). */
#define ARCH_USER_L4    0

/* Interrupt vectors: exceptions 0-31, the APIC timer, ISA lines 0-15 (irq.c), the APIC's spurious vector. */
#define NATIVE_VEC_TIMER    0x20
#define NATIVE_VEC_IRQ0     0x30
#define NATIVE_NR_IRQS      16
#define NATIVE_VEC_SPURIOUS 0xff

#ifndef __ASSEMBLY__
/* No P2M: a pfn is the frame itself. */
static inline uint64_t mfn_to_pfn(uint64_t mfn) { return mfn; }
static inline uint64_t pfn_to_mfn(uint64_t pfn) { return pfn; }

static inline void events_disable(void) { __asm__ __volatile__("cli" ::: "memory"); }

/* NX only if the CPU has it (EFER.NXE set at boot, cpu.c); 0 otherwise: a reserved bit would fault. */
extern uint64_t native_page_nx;
#define ARCH_PAGE_NX    native_page_nx
#endif

#endif
