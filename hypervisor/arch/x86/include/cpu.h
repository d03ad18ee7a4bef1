/*
 * Per-CPU state. Each CPU's hypervisor stack is STACK_SIZE-aligned; its top
 * 16 bytes hold a pointer to the CPU's struct percpu, and just below them the
 * guest frame (struct cpu_user_regs) that every entry from guest mode fills.
 * MSR_SHADOW_GS_BASE holds &percpu so the SYSCALL entry can find its stack.
 */
#ifndef TANDEM_CPU_H
#define TANDEM_CPU_H

#include "types.h"
#include "regs.h"
#include "config.h"

#define PERCPU_RSP0_OFF     0
#define PERCPU_SCRATCH_OFF  8

struct tss64 {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3;
    uint16_t iomap_base;
} __packed;

struct vcpu;

struct percpu {
    uint64_t rsp0;              /* top of the guest frame: TSS.rsp0 (offset 0, used by entry.S) */
    uint64_t scratch_rsp;       /* SYSCALL entry scratch (offset 8) */
    unsigned int cpu_id;
    struct vcpu *curr;          /* vCPU whose state is in the guest frame, NULL when idle */
    uint64_t cr3_loaded;
    bool need_resched;
    uint64_t timer_deadline;    /* ns: when the one-shot APIC timer fires next */
    struct vcpu *rq_head;       /* run queue */
    struct tss64 tss __aligned(16);
    uint64_t *gdt;              /* 16 pages: 14 guest pages + hypervisor page(s) */
    uint64_t gdt_virt;          /* per-CPU GDT area (after cpu_gdt_virt_init) */
    uint64_t *gdt_l1e[16];      /* its L1 entries */
    uint64_t gdt_zero_mfn;
    uint64_t ldt_virt;          /* per-CPU LDT area (16 pages, mapped lazily: pv/ldt.c) */
    uint64_t *ldt_l1e[16];      /* its L1 entries */
};

extern struct percpu percpu_data[NR_CPUS];
extern char cpu0_stack[STACK_SIZE];

static inline struct percpu *this_cpu(void)
{
    uint64_t rsp;

    __asm__ ("mov %%rsp, %0" : "=r"(rsp));
    return *(struct percpu **)((rsp & ~(uint64_t)(STACK_SIZE - 1)) + STACK_SIZE - 8);
}

/* The guest frame of this CPU. */
static inline struct cpu_user_regs *guest_cpu_regs(void)
{
    return (struct cpu_user_regs *)(this_cpu()->rsp0 - sizeof(struct cpu_user_regs));
}

void cpu_init(unsigned int cpu, char *stack);
void cpu_gdt_virt_init(unsigned int cpu);
struct vcpu_gdt { const uint64_t *frames; unsigned int nr; };
void cpu_load_guest_gdt(const struct vcpu_gdt *g);
/* cpu's GDT area stops showing frame m (the zero page instead); for frames about to be released. */
void cpu_gdt_forget_frame(unsigned int cpu, mfn_t m);
/* For the audit: the frame guest page i (< 14) of cpu's GDT area shows; false if it shows the zero page or the area is not set up. */
bool cpu_gdt_slot_frame(unsigned int cpu, unsigned int i, mfn_t *mfn);
/* This CPU's LDT area page i (< 16) shows frame m (0: not present). */
void cpu_ldt_map_frame(unsigned int i, mfn_t m);
/* cpu's LDT area stops showing frame m (for frames about to be released). */
void cpu_ldt_forget_frame(unsigned int cpu, mfn_t m);
/* For the audit: the frame page i of cpu's LDT area shows; false if none. */
bool cpu_ldt_slot_frame(unsigned int cpu, unsigned int i, mfn_t *mfn);
/* Load LDTR: the LDT area with `ents` entries (its descriptor at LDT_SELECTOR), or none for 0. */
void cpu_load_ldt(unsigned int ents);
void idt_init(void);
/* After the command line: SMAP per smap= ("on", "off", "auto"; see cpu.c). */
void cpu_enable_smap(unsigned int cpu, const char *mode);
/* Switch to the guest frame at the top of this CPU's stack and return to the guest. */
__noreturn void resume_guest(struct cpu_user_regs *frame);

/* Hypervisor GDT selectors (in the reserved area, as Xen's). */
#define __HYPERVISOR_CS  0xe008
#define __HYPERVISOR_DS  0xe010
#define TSS_SELECTOR     0xe040
#define LDT_SELECTOR     0xe050      /* as Xen's LDT_ENTRY: after the 16-byte TSS descriptor */

#endif
