/* Descriptor tables, the TSS and the SYSCALL MSRs of the native benchmark kernel. */
#include "native.h"

#define MSR_EFER   0xC0000080
#define MSR_STAR   0xC0000081
#define MSR_LSTAR  0xC0000082
#define MSR_SFMASK 0xC0000084
#define EFER_SCE   0x1
/* SYSCALL clears TF, IF, DF, NT and AC, as a real kernel would. */
#define SFMASK     0x44700

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

static uint64_t gdt[8] ALIGNED(16) = {
    0,
    0x00AF9A000000FFFF,         /* SEL_KCODE: 64-bit code, DPL 0 */
    0x00CF92000000FFFF,         /* SEL_KDATA */
    0x00CFFA000000FFFF,         /* SEL_UCODE32: unused, SYSRET layout */
    0x00CFF2000000FFFF,         /* SEL_UDATA */
    0x00AFFA000000FFFF,         /* SEL_UCODE: 64-bit code, DPL 3 */
    0, 0,                       /* SEL_TSS, filled in at run time */
};
static struct tss64 tss;
static struct idt_gate idt[256] ALIGNED(16);
static uint8_t rsp0_stack[16384] ALIGNED(16);

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void set_gate(unsigned vec, uint64_t handler, unsigned dpl)
{
    idt[vec] = (struct idt_gate){
        .off_lo = (uint16_t)handler,
        .sel = SEL_KCODE,
        .type = (uint8_t)(0x8e | (dpl << 5)),   /* present 64-bit interrupt gate */
        .off_mid = (uint16_t)(handler >> 16),
        .off_hi = (uint32_t)(handler >> 32),
    };
}

static void gdt_load(void)
{
    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    struct desc_ptr p = { sizeof(gdt) - 1, (uint64_t)gdt };

    gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[SEL_TSS / 8 + 1] = base >> 32;
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
        :: "m"(p), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS) : "rax", "memory");
}

static void idt_load(void)
{
    struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)idt };

    for (unsigned v = 0; v < 32; v++)
        set_gate(v, exc_table[v], 0);
    set_gate(14, (uint64_t)pf_entry, 0);
    set_gate(VEC_NULL_INT, (uint64_t)null_int_entry, 3);
    set_gate(VEC_USER_EXIT, (uint64_t)user_exit_entry, 3);
    __asm__ __volatile__("lidt %0" :: "m"(p) : "memory");
}

void cpu_init(void)
{
    tss.rsp[0] = (uint64_t)(rsp0_stack + sizeof(rsp0_stack));
    tss.iomap_base = sizeof(tss);
    gdt_load();
    idt_load();
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_SFMASK, SFMASK);
}

void trap_fatal(struct trap_frame *f)
{
    uint64_t cr2;

    __asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
    kprintf("BENCH error vector=%lu error_code=0x%lx rip=0x%lx cs=0x%lx cr2=0x%lx rsp=0x%lx\n",
            f->vector, f->error_code, f->rip, f->cs, cr2, f->rsp);
    qemu_exit(EXIT_FATAL);
}
