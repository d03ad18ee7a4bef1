/*
 * Descriptor tables, the TSS, the FPU and SYSCALL: what a ring-0 kernel sets
 * up for itself (a PV kernel gets these from the hypervisor through the trap
 * table and callbacks, arch/x86/pv/platform.c).
 */
#include "native.h"

#define MSR_EFER    0xC0000080
#define MSR_STAR    0xC0000081
#define MSR_LSTAR   0xC0000082
#define MSR_SFMASK  0xC0000084
#define EFER_SCE    (1UL << 0)
#define EFER_NXE    (1UL << 11)
#define SFMASK      0x44700     /* SYSCALL clears TF, IF, DF, NT and AC: in masked, as the PV callback */

struct tss64 {
    uint32_t rsv0;
    uint64_t rsp[3];
    uint64_t rsv1;
    uint64_t ist[7];
    uint64_t rsv2;
    uint16_t rsv3;
    uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, rsv;
};

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

extern const uint64_t native_exc_table[32], native_irq_table[NATIVE_NR_IRQS];
extern char timer_entry[], spurious_entry[], syscall_entry[];
extern uint64_t syscall_kstack;

uint64_t native_page_nx;

static uint64_t gdt[8] __attribute__((aligned(16))) = {
    0,
    0x00AF9A000000FFFF,         /* NATIVE_KCODE: 64-bit code, DPL 0 */
    0x00CF92000000FFFF,         /* NATIVE_KDATA */
    0x00CFFA000000FFFF,         /* NATIVE_UCODE32: unused, the SYSRET layout wants it */
    0x00CFF2000000FFFF,         /* NATIVE_UDATA */
    0x00AFFA000000FFFF,         /* NATIVE_UCODE: 64-bit code, DPL 3 */
    0, 0,                       /* NATIVE_TSS, filled in at boot */
};
static struct tss64 tss;
static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint8_t df_stack[8192] __attribute__((aligned(16)));     /* #DF on a stack of its own (IST 1) */

static void set_gate(unsigned vec, uint64_t handler, unsigned dpl, unsigned ist)
{
    idt[vec] = (struct idt_gate){
        .off_lo = (uint16_t)handler,
        .sel = NATIVE_KCODE,
        .ist = (uint8_t)ist,
        .type = (uint8_t)(0x8e | (dpl << 5)),   /* present 64-bit interrupt gate: IF cleared */
        .off_mid = (uint16_t)(handler >> 16),
        .off_hi = (uint32_t)(handler >> 32),
    };
}

static void gdt_load(void)
{
    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    struct desc_ptr p = { sizeof(gdt) - 1, (uint64_t)gdt };

    gdt[NATIVE_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                          (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[NATIVE_TSS / 8 + 1] = base >> 32;
    __asm__ __volatile__(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %2, %%eax\n\t"
        "mov %%eax, %%ds\n\t"
        "mov %%eax, %%es\n\t"
        "mov %%eax, %%ss\n\t"
        "ltr %w3"
        :: "m"(p), "i"(NATIVE_KCODE), "i"(NATIVE_KDATA), "r"(NATIVE_TSS) : "rax", "memory");
}

/* x87 and SSE for user processes: the state exec gives them (FCW 0x37f, MXCSR 0x1f80). */
static void fpu_init(void)
{
    uint32_t mxcsr = 0x1f80;

    __asm__ __volatile__("fninit; ldmxcsr %0" :: "m"(mxcsr));
}

void cpu_init(void)
{
    uint32_t r[4];

    tss.ist[0] = (uint64_t)df_stack + sizeof(df_stack);
    tss.rsp[0] = (uint64_t)df_stack + sizeof(df_stack);     /* until the first process runs */
    tss.iomap_base = sizeof(tss);                           /* no I/O bitmap: user mode has no ports */
    gdt_load();
    cpuid(0x80000000, r);
    if (r[0] >= 0x80000001) {
        cpuid(0x80000001, r);
        if (r[3] & (1u << 20)) {
            wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
            native_page_nx = 1UL << 63;
        }
    }
    fpu_init();
}

void cpu_set_kernel_stack(uint64_t top)
{
    tss.rsp[0] = top;
    syscall_kstack = top;
}

void traps_init(void)
{
    struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)idt };

    for (unsigned v = 0; v < 32; v++)
        set_gate(v, native_exc_table[v], v == 3 ? 3 : 0, v == 8 ? 1 : 0);    /* int3 from anywhere */
    set_gate(NATIVE_VEC_TIMER, (uint64_t)timer_entry, 0, 0);
    for (unsigned v = 0; v < NATIVE_NR_IRQS; v++)
        set_gate(NATIVE_VEC_IRQ0 + v, native_irq_table[v], 0, 0);
    set_gate(NATIVE_VEC_SPURIOUS, (uint64_t)spurious_entry, 0, 0);
    __asm__ __volatile__("lidt %0" :: "m"(p) : "memory");
}

void syscall_init(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSCALL: CS = KCODE, SS = KDATA; SYSRET: CS = UCODE32 + 16, SS = UCODE32 + 8, RPL 3. */
    wrmsr(MSR_STAR, ((uint64_t)(NATIVE_UCODE32 & ~3) << 48) | ((uint64_t)NATIVE_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_SFMASK, SFMASK);
}

/* Interrupt gates clear IF, and nothing enables it before do_exception reads CR2. */
uint64_t arch_fault_addr(void)
{
    uint64_t cr2;

    __asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}
