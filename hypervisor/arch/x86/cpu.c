/* Per-CPU set-up: GDT with Xen's reserved selectors, TSS with IST stacks, IDT, SYSCALL MSRs. */
#include "lib.h"
#include "cpu.h"
#include "processor.h"
#include "page.h"
#include "mm.h"

struct percpu percpu_data[NR_CPUS];
char cpu0_stack[STACK_SIZE] __aligned(STACK_SIZE) __section(".bss.page_aligned");
static uint64_t cpu0_gdt[16 * 512] __aligned(4096) __section(".bss.page_aligned");
static char ist_stacks[NR_CPUS][3][IST_STACK_SIZE] __aligned(16);

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t ist, attr;
    uint16_t off_mid;
    uint32_t off_hi, rsvd;
} __packed;
static struct idt_entry idt[256] __aligned(16);
extern char idt_stubs[];
extern char syscall_entry[], cstar_entry[];

#define GDT_IDX(sel) ((sel) >> 3)

static void set_gate(unsigned int vec, unsigned int dpl, unsigned int ist)
{
    uint64_t addr = (uint64_t)(idt_stubs + 16 * vec);

    idt[vec] = (struct idt_entry){
        .off_lo = addr & 0xffff, .sel = __HYPERVISOR_CS, .ist = ist,
        .attr = 0x8e | (dpl << 5),          /* present, 64-bit interrupt gate */
        .off_mid = (addr >> 16) & 0xffff, .off_hi = addr >> 32,
    };
}

void idt_init(void)
{
    for (unsigned int v = 0; v < 256; v++)
        set_gate(v, 0, 0);
    /* As Xen: only int3, into and int $0x80 may be used directly from ring 3. */
    set_gate(3, 3, 0);
    set_gate(4, 3, 0);
    set_gate(0x80, 3, 0);
    set_gate(8, 0, 1);      /* #DF  */
    set_gate(2, 0, 2);      /* NMI  */
    set_gate(18, 0, 3);     /* #MC  */
}

static void load_gdt_tss(struct percpu *pc)
{
    struct { uint16_t limit; uint64_t base; } __packed gdtr = { 16 * 4096 - 1, (uint64_t)pc->gdt };

    struct { uint16_t limit; uint64_t base; } __packed idtr = { sizeof(idt) - 1, (uint64_t)idt };

    __asm__ __volatile__(
        "lgdt %0\n\t"
        "lidt %1\n\t"
        "pushq $0xe008\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov $0xe010, %%eax\n\t"
        "mov %%eax, %%ss\n\t"
        "xor %%eax, %%eax\n\t"
        "mov %%eax, %%ds\n\t"
        "mov %%eax, %%es\n\t"
        "mov %%eax, %%fs\n\t"
        "mov %%eax, %%gs\n\t"
        "mov $0xe040, %%eax\n\t"
        "ltr %%ax\n\t"
        :: "m"(gdtr), "m"(idtr) : "rax", "memory");
}

/*
 * Once the core's page tables are live: the GDT moves to its per-CPU
 * virtual area, whose first 14 pages show the running vCPU's set_gdt
 * frames (or a zero page) and the last two the hypervisor's entries.
 */
void cpu_gdt_virt_init(unsigned int cpu)
{
    struct percpu *pc = &percpu_data[cpu];
    uint64_t base = GDT_VIRT_START + cpu * 16 * PAGE_SIZE;
    uint64_t rw = _PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_ACCESSED | _PAGE_DIRTY;
    struct { uint16_t limit; uint64_t base; } __packed gdtr = { 16 * 4096 - 1, base };
    static mfn_t zero_mfn = INVALID_MFN;

    if (zero_mfn == INVALID_MFN) {
        zero_mfn = alloc_frames(0, DOMID_XEN);
        BUG_ON(zero_mfn == INVALID_MFN);
        memset(mfn_to_virt(zero_mfn), 0, PAGE_SIZE);
    }
    pc->gdt_zero_mfn = zero_mfn;
    hv_map_pages(base, zero_mfn << PAGE_SHIFT, PAGE_SIZE, rw);
    for (unsigned int i = 1; i < 14; i++)
        hv_map_pages(base + i * PAGE_SIZE, zero_mfn << PAGE_SHIFT, PAGE_SIZE, rw);
    hv_map_pages(base + 14 * PAGE_SIZE, __pa(pc->gdt + 14 * 512), 2 * PAGE_SIZE, rw);
    for (unsigned int i = 0; i < 16; i++)
        pc->gdt_l1e[i] = hv_l1e(base + i * PAGE_SIZE);
    pc->gdt_virt = base;
    __asm__ __volatile__("lgdt %0" :: "m"(gdtr) : "memory");
}

/* Show v's descriptor pages (set_gdt) in the first GDT pages of this CPU. */
void cpu_load_guest_gdt(const struct vcpu_gdt *g)
{
    struct percpu *pc = this_cpu();
    uint64_t rw = _PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_ACCESSED | _PAGE_DIRTY;

    if (!pc->gdt_virt)
        return;
    for (unsigned int i = 0; i < 14; i++) {
        mfn_t m = i < g->nr ? g->frames[i] : pc->gdt_zero_mfn;
        uint64_t e = (m << PAGE_SHIFT) | rw;
        if (*pc->gdt_l1e[i] != e) {
            *pc->gdt_l1e[i] = e;
            invlpg(pc->gdt_virt + i * PAGE_SIZE);
        }
    }
}

void cpu_init(unsigned int cpu, char *stack)
{
    struct percpu *pc = &percpu_data[cpu];
    uint64_t *g, tss = (uint64_t)&pc->tss;

    pc->cpu_id = cpu;
    pc->gdt = cpu0_gdt;       /* TODO(SMP): one GDT per CPU */
    pc->rsp0 = (uint64_t)stack + STACK_SIZE - 16;
    *(struct percpu **)(stack + STACK_SIZE - 8) = pc;

    g = pc->gdt;
    g[GDT_IDX(0xe008)] = 0x00af9a000000ffffULL;    /* ring-0 64-bit code */
    g[GDT_IDX(0xe010)] = 0x00cf92000000ffffULL;    /* ring-0 data */
    g[GDT_IDX(0xe020)] = 0x00cffa000000ffffULL;    /* 0xe023: ring-3 32-bit code */
    g[GDT_IDX(0xe028)] = 0x00cff2000000ffffULL;    /* 0xe02b: ring-3 data */
    g[GDT_IDX(0xe030)] = 0x00affa000000ffffULL;    /* 0xe033: ring-3 64-bit code */
    g[GDT_IDX(0xe040)] = (sizeof(struct tss64) - 1) | ((tss & 0xffffff) << 16) |
                         (0x89ULL << 40) | ((tss >> 24) & 0xff) << 56;
    g[GDT_IDX(0xe040) + 1] = tss >> 32;

    pc->tss.rsp[0] = pc->rsp0;
    for (int i = 0; i < 3; i++)
        pc->tss.ist[i] = (uint64_t)ist_stacks[cpu][i] + IST_STACK_SIZE;
    pc->tss.iomap_base = sizeof(struct tss64);  /* no I/O bitmap: all guest port I/O traps */

    load_gdt_tss(pc);

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
    /* SYSCALL: CS=0xe008/SS=0xe010; SYSRET: CS=0xe033/SS=0xe02b (from 0xe023). */
    wrmsr(MSR_STAR, (0xe023ULL << 48) | (0xe008ULL << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /*
     * Compatibility-mode SYSCALL (AMD; #UD on Intel) enters through CSTAR:
     * left at its reset value 0 it would run address 0 in ring 0 on the
     * guest's page tables and stack. SYSENTER_CS 0 makes SYSENTER #GP
     * (Intel; #UD on AMD in long mode) whatever firmware left there.
     */
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);
    wrmsr(MSR_SYSENTER_CS, 0);
    wrmsr(MSR_SYSENTER_ESP, 0);
    wrmsr(MSR_SYSENTER_EIP, 0);
    wrmsr(MSR_SFMASK, 0x47700);     /* TF DF IF IOPL NT AC */
    wrmsr(MSR_SHADOW_GS_BASE, (uint64_t)pc);
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_FS_BASE, 0);

    write_cr0(read_cr0() | X86_CR0_WP | X86_CR0_NE | X86_CR0_MP);
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
}
