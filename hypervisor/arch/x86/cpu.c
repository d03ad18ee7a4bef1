/* Per-CPU set-up: GDT with Xen's reserved selectors, TSS with IST stacks, IDT, SYSCALL/SYSENTER MSRs, SMEP/SMAP. */
#include "lib.h"
#include "cpu.h"
#include "processor.h"
#include "page.h"
#include "mm.h"
#include "cpuid_faulting.h"
#include <tandem/xen.h>

struct percpu percpu_data[NR_CPUS] __section(".data.pvfast.percpu");   /* beside the hot globals */
char cpu0_stack[STACK_SIZE] __aligned(STACK_SIZE) __section(".bss.page_aligned");
static uint64_t cpu0_gdt[16 * 512] __aligned(4096) __section(".bss.page_aligned");
/*
 * Each CPU's IST stacks share one STACK_SIZE-aligned block whose top word,
 * like the main stack's, points at the CPU's struct percpu, so this_cpu()
 * works on them: an IST vector never relies on the interrupted RSP or GS.
 */
static char ist_blocks[NR_CPUS][STACK_SIZE] __aligned(STACK_SIZE);
bool cpu_smap __pv_fast_data;

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t ist, attr;
    uint16_t off_mid;
    uint32_t off_hi, rsvd;
} __packed;
static struct idt_entry idt[256] __aligned(16);
extern char idt_stubs[];
extern char syscall_entry[], cstar_entry[], sysenter_entry[];

/* IST slots (TSS.ist[n - 1]) and the vectors that use them. */
enum { IST_DF = 1, IST_NMI, IST_MC, IST_DB };
static const struct { uint8_t vec, ist; } ist_vectors[] = {
    { 1, IST_DB }, { 2, IST_NMI }, { 8, IST_DF }, { 18, IST_MC },
};

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
    /*
     * Vectors that can arrive before an entry path has switched to the
     * hypervisor stack (NMI, #MC, and #DB held back by `mov ss` until after
     * SYSCALL, XSA-260) or when the stack is unusable (#DF) get their own.
     */
    for (unsigned int i = 0; i < ARRAY_SIZE(ist_vectors); i++)
        set_gate(ist_vectors[i].vec, 0, ist_vectors[i].ist);
}

/*
 * Boot-time check of what the above promises: each IST vector's gate names
 * its IST slot and the slot points into this CPU's IST block, whose top
 * word is the per-CPU pointer. Panics otherwise; the boot log line is what
 * the nmi_platform test matches.
 */
static void cpu_check_ist(const struct percpu *pc, unsigned int cpu)
{
    uint64_t lo = (uint64_t)ist_blocks[cpu], hi = lo + STACK_SIZE;

    for (unsigned int i = 0; i < ARRAY_SIZE(ist_vectors); i++) {
        unsigned int v = ist_vectors[i].vec, n = idt[v].ist;
        uint64_t top = n ? pc->tss.ist[n - 1] : 0;
        if (n != ist_vectors[i].ist || top <= lo || top > hi || (top & 15))
            panic("IDT: vector %u has IST %u (stack top %#lx)", v, n, (unsigned long)top);
    }
    if (*(struct percpu **)(hi - 8) != pc)
        panic("IDT: CPU%u's IST block has no per-CPU pointer", cpu);
    printk(XENLOG_INFO "IDT: CPU%u: #DB NMI #DF #MC on IST stacks %u %u %u %u\n", cpu,
           idt[1].ist, idt[2].ist, idt[8].ist, idt[18].ist);
}

/* CPUID leaf 7 subleaf 0 EBX (structured features), 0 if the leaf is absent. */
static uint32_t cpuid7_ebx(void)
{
    uint32_t a, b, c, d;

    cpuid_count(0, 0, &a, &b, &c, &d);
    if (a < 7)
        return 0;
    cpuid_count(7, 0, &a, &b, &c, &d);
    return b;
}

/* SMEP: ring 0 never executes a user page, which every PV guest page is. */
static void cpu_enable_smep(unsigned int cpu)
{
    bool smep = cpuid7_ebx() & CPUID7_EBX_SMEP;

    if (smep)
        write_cr4(read_cr4() | X86_CR4_SMEP);
    printk(XENLOG_INFO "CPU%u: SMEP %s\n", cpu, smep ? "on" : "unavailable");
}

/* QEMU's TCG says so at CPUID 0x40000000 ("TCGTCGTCGTCG"). */
static bool cpu_is_qemu_tcg(void)
{
    uint32_t a, sig[3];

    cpuid_count(0x40000000, 0, &a, &sig[0], &sig[1], &sig[2]);
    return !memcmp(sig, "TCGTCGTCGTCG", 12);
}

/*
 * SMAP: ring 0 never reads or writes a user page outside stac()/clac().
 * mode "on", "off", or "auto" (the default): on when the CPU has it, except
 * under QEMU's TCG up to at least 7.2, which checks the stack pops of a
 * CPL-3 iretq/lretq as supervisor accesses and so faults guests (Linux
 * among them) that use those instructions on their own pages.
 */
void cpu_enable_smap(unsigned int cpu, const char *mode)
{
    const char *why = "on";

    if (strcmp(mode, "on") && strcmp(mode, "off") && strcmp(mode, "auto"))
        printk(XENLOG_WARNING "smap=%s: not on, off or auto; using auto\n", mode);
    if (!(cpuid7_ebx() & CPUID7_EBX_SMAP))
        why = "unavailable";
    else if (!strcmp(mode, "off"))
        why = "off (smap=off)";
    else if (strcmp(mode, "on") && cpu_is_qemu_tcg())
        why = "off (QEMU TCG faults CPL-3 iret under SMAP; smap=on forces it)";
    if (!strcmp(why, "on")) {
        write_cr4(read_cr4() | X86_CR4_SMAP);
        cpu_smap = true;
        clac();
    }
    printk(XENLOG_INFO "CPU%u: SMAP %s\n", cpu, why);
}

static void load_gdt_tss(struct percpu *pc)
{
    struct { uint16_t limit; uint64_t base; } __packed gdtr = { 16 * 4096 - 1, (uint64_t)pc->gdt };

    struct { uint16_t limit; uint64_t base; } __packed idtr = { sizeof(idt) - 1, (uint64_t)idt };

    __asm__ __volatile__(
        "lgdt %0\n\t"
        "lidt %1\n\t"
        "pushq %[cs]\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %[ds], %%eax\n\t"
        "mov %%eax, %%ss\n\t"
        "xor %%eax, %%eax\n\t"
        "mov %%eax, %%ds\n\t"
        "mov %%eax, %%es\n\t"
        "mov %%eax, %%fs\n\t"
        "mov %%eax, %%gs\n\t"
        "mov %[tss], %%eax\n\t"
        "ltr %%ax\n\t"
        :: "m"(gdtr), "m"(idtr), [cs] "i"(__HYPERVISOR_CS), [ds] "i"(__HYPERVISOR_DS),
           [tss] "i"(TSS_SELECTOR) : "rax", "memory");
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
    /* The LDT area: its L1 entries exist, none present until a vCPU's LDT page faults in. */
    base = LDT_VIRT_START + cpu * 16 * PAGE_SIZE;
    hv_map_pages(base, zero_mfn << PAGE_SHIFT, 16 * PAGE_SIZE, rw);
    for (unsigned int i = 0; i < 16; i++) {
        pc->ldt_l1e[i] = hv_l1e(base + i * PAGE_SIZE);
        *pc->ldt_l1e[i] = 0;
        invlpg(base + i * PAGE_SIZE);
    }
    pc->ldt_virt = base;
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

/*
 * SYSENTER (Intel; AMD raises #UD in long mode whatever these hold): the
 * entry point and this CPU's guest-frame top, never what firmware left.
 * Without SEP the MSRs do not exist.
 */
static void cpu_init_sysenter(const struct percpu *pc)
{
    uint32_t a, b, c, d;

    cpuid_count(1, 0, &a, &b, &c, &d);
    if (!(d & CPUID1_EDX_SEP))
        return;
    wrmsr(MSR_SYSENTER_CS, __HYPERVISOR_CS);
    wrmsr(MSR_SYSENTER_ESP, pc->rsp0);
    wrmsr(MSR_SYSENTER_EIP, (uint64_t)sysenter_entry);
}

void cpu_gdt_forget_frame(unsigned int cpu, mfn_t m)
{
    struct percpu *pc = &percpu_data[cpu];
    uint64_t rw = _PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_ACCESSED | _PAGE_DIRTY;

    if (!pc->gdt_virt)
        return;
    for (unsigned int i = 0; i < 14; i++)
        if (((*pc->gdt_l1e[i] & PADDR_MASK) >> PAGE_SHIFT) == m) {
            *pc->gdt_l1e[i] = (pc->gdt_zero_mfn << PAGE_SHIFT) | rw;
            /* TODO(SMP): another CPU's area needs the flush done there (an IPI). */
            invlpg(pc->gdt_virt + i * PAGE_SIZE);
        }
}

void cpu_ldt_map_frame(unsigned int i, mfn_t m)
{
    struct percpu *pc = this_cpu();
    /* Writable: the processor sets the accessed bit of the descriptors it loads (as Xen's shadow LDT). */
    uint64_t e = m ? (m << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_ACCESSED | _PAGE_DIRTY : 0;

    if (!pc->ldt_virt || *pc->ldt_l1e[i] == e)
        return;
    *pc->ldt_l1e[i] = e;
    invlpg(pc->ldt_virt + i * PAGE_SIZE);
}

void cpu_ldt_forget_frame(unsigned int cpu, mfn_t m)
{
    struct percpu *pc = &percpu_data[cpu];

    if (!pc->ldt_virt)
        return;
    for (unsigned int i = 0; i < 16; i++)
        if ((*pc->ldt_l1e[i] & _PAGE_PRESENT) && ((*pc->ldt_l1e[i] & PADDR_MASK) >> PAGE_SHIFT) == m) {
            *pc->ldt_l1e[i] = 0;
            /* TODO(SMP): another CPU's area needs the flush done there (an IPI). */
            invlpg(pc->ldt_virt + i * PAGE_SIZE);
        }
}

bool cpu_ldt_slot_frame(unsigned int cpu, unsigned int i, mfn_t *mfn)
{
    const struct percpu *pc = &percpu_data[cpu];

    if (!pc->ldt_virt || !(*pc->ldt_l1e[i] & _PAGE_PRESENT))
        return false;
    *mfn = (*pc->ldt_l1e[i] & PADDR_MASK) >> PAGE_SHIFT;
    return true;
}

void cpu_load_ldt(unsigned int ents)
{
    struct percpu *pc = this_cpu();
    uint64_t base = pc->ldt_virt, limit = ents * 8 - 1;
    uint16_t sel = 0;

    if (ents && base) {
        /* A 16-byte LDT system descriptor (type 2, present, DPL 0). */
        pc->gdt[GDT_IDX(LDT_SELECTOR)] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x82ULL << 40) |
                                         ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
        pc->gdt[GDT_IDX(LDT_SELECTOR) + 1] = base >> 32;
        sel = LDT_SELECTOR;
    }
    __asm__ __volatile__("lldt %w0" :: "r"(sel) : "memory");
}

bool cpu_gdt_slot_frame(unsigned int cpu, unsigned int i, mfn_t *mfn)
{
    const struct percpu *pc = &percpu_data[cpu];

    if (!pc->gdt_virt)
        return false;
    *mfn = (*pc->gdt_l1e[i] & PADDR_MASK) >> PAGE_SHIFT;
    return *mfn != pc->gdt_zero_mfn;
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
    g[GDT_IDX(__HYPERVISOR_CS)] = 0x00af9a000000ffffULL;  /* ring-0 64-bit code */
    g[GDT_IDX(__HYPERVISOR_DS)] = 0x00cf92000000ffffULL;  /* ring-0 data */
    g[GDT_IDX(FLAT_RING3_CS32)] = 0x00cffa000000ffffULL;  /* ring-3 32-bit code */
    g[GDT_IDX(FLAT_RING3_DS32)] = 0x00cff2000000ffffULL;  /* ring-3 data */
    g[GDT_IDX(FLAT_RING3_CS64)] = 0x00affa000000ffffULL;  /* ring-3 64-bit code */
    g[GDT_IDX(TSS_SELECTOR)] = (sizeof(struct tss64) - 1) | ((tss & 0xffffff) << 16) |
                         (0x89ULL << 40) | ((tss >> 24) & 0xff) << 56;
    g[GDT_IDX(TSS_SELECTOR) + 1] = tss >> 32;

    pc->tss.rsp[0] = pc->rsp0;
    *(struct percpu **)(ist_blocks[cpu] + STACK_SIZE - 8) = pc;
    for (int i = 0; i < NR_IST_STACKS; i++)
        pc->tss.ist[i] = (uint64_t)ist_blocks[cpu] + (i + 1) * IST_STACK_SIZE - 16;
    pc->tss.iomap_base = sizeof(struct tss64);  /* no I/O bitmap: all guest port I/O traps */

    load_gdt_tss(pc);

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
    /* SYSCALL: CS=0xe008/SS=0xe010; SYSRET: CS=0xe033/SS=0xe02b (from 0xe023). */
    wrmsr(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) | ((uint64_t)__HYPERVISOR_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /* SYSCALL from 32-bit code: without this the CPU enters ring 0 at address 0. */
    wrmsr(MSR_CSTAR, (uint64_t)cstar_entry);
    wrmsr(MSR_SFMASK, 0x47700);     /* TF DF IF IOPL NT AC */
    wrmsr(MSR_SHADOW_GS_BASE, (uint64_t)pc);
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_FS_BASE, 0);

    cpu_init_sysenter(pc);

    write_cr0(read_cr0() | X86_CR0_WP | X86_CR0_NE | X86_CR0_MP);
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    cpu_enable_smep(cpu);
    if (cpu == 0)
        cpuid_faulting_probe();
    cpu_check_ist(pc, cpu);
}
