/*
 * The shadow-consistency test guest (docs/hvm.md "Shadow paging"): run
 * as an HVM domain with paging=shadow, it changes its own page tables in
 * every way the shadow code supports and checks what it reads back
 * through the new mappings, and that removed, read-only, no-execute and
 * supervisor mappings fault as they must (its own IDT catches #PF and
 * #GP at known probe instructions). Then garbage CR0/CR4/CR3/EFER values
 * (#GP, the old value kept). Prints "shadow: all checks passed" and
 * powers off; any failure prints "shadow: FAIL ..." and crashes.
 *
 * With -DSH_HOSTILE=n it instead does one thing that must get it killed
 * (tests/guest/hvm_shadow_*): 1 a PTE to guest-physical beyond its memory,
 * 2 a page table beyond its memory, 3 CR3 beyond its memory, 4 CR0.PE
 * cleared, 5 a #PF handler that fixes nothing (the no-progress watchdog),
 * 6 edits of its own tables in any order pointing anywhere below and
 * then beyond its memory (read back: only its own frames, then killed), 7
 * page-table writes the emulator must refuse (unaligned, crossing into the
 * table, XCHG, LOCK CMPXCHG: done as the CPU does), then an emulated one
 * beyond its memory.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

typedef uint64_t u64;

#define PTE_P  0x001ULL
#define PTE_RW 0x002ULL
#define PTE_US 0x004ULL
#define PTE_A  0x020ULL
#define PTE_D  0x040ULL
#define PTE_PS 0x080ULL
#define PTE_NX (1ULL << 63)
#define EC_P 1
#define EC_W 2
#define EC_U 4
#define EC_I 0x10
#define MIB (1ULL << 20)
#define TVA 0x40000000ULL              /* the test window: boot_pdpt[1] -> t2 -> t1 */
#define PVA (1ULL << 39)               /* pml4[1]: private to address space B */
#define RSLOT 510ULL                   /* the recursive slot */
#define RBASE 0xffffff0000000000ULL    /* 510 << 39, sign-extended */

extern u64 boot_pml4[512], boot_pdpt[512], boot_pd[512];
extern char pr_insn[], pr_fix[], pw_insn[], pw_fix[], pc0_insn[], pc0_fix[], pc4_insn[], pc4_fix[];
extern char pc3_insn[], pc3_fix[], pm_insn[], pm_fix[], ur_insn[], ur_fix[], uw_insn[], uw_fix[];
extern char trap_pf[], trap_gp[], trap_ud[], trap_back[], user_read[], user_write[], stack_top[];
extern u64 gdt[], tss_desc[];
u64 probe_read(u64 va);
void probe_write(u64 va, u64 val);
void probe_exec(u64 va);
void probe_wrcr0(u64 v);
void probe_wrcr4(u64 v);
void probe_wrcr3(u64 v);
void probe_wrmsr(uint32_t msr, u64 v);
u64 user_call(void *fn, u64 arg);
void shadow_main(uint32_t mem);

#ifdef SH_HOSTILE
#define TEST __attribute__((unused)) static     /* the hostile variants run none of the checks */
#else
#define TEST static
#endif

struct tframe { u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax, ec, rip, cs, rflags, rsp, ss; };
struct gate { uint16_t lo, sel, flags, mid; uint32_t hi, zero; };

static struct gate idt[256] __attribute__((aligned(16)));
static uint32_t tss[26] __attribute__((aligned(16)));
static volatile unsigned int faults, f_vec;
static volatile u64 f_ec, f_cr2;
static u64 next_free, mem_end, *t1, *t2;

void *memset(void *p, int c, size_t n);
void *memset(void *p, int c, size_t n)
{
    unsigned char *b = p;
    while (n--)
        *b++ = (unsigned char)c;
    return p;
}

static void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static void puts(const char *s)
{
    while (*s)
        outb(0xe9, (uint8_t)*s++);
}

static void puthex(u64 v)
{
    char b[19];
    b[0] = '0';
    b[1] = 'x';
    for (int i = 0; i < 16; i++)
        b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    b[18] = 0;
    puts(b);
}

static void vmmcall(u64 op, u64 arg)
{
    __asm__ volatile("vmmcall" :: "a"(op), "D"(arg) : "memory");
}

static __attribute__((noreturn)) void fail(const char *what, u64 a, u64 b)
{
    puts("shadow: FAIL ");
    puts(what);
    puts(" ");
    puthex(a);
    puts(" ");
    puthex(b);
    puts("\n");
    vmmcall(1, 2);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void ok(const char *what)
{
    puts("shadow: ok ");
    puts(what);
    puts("\n");
}

void trap_c(struct tframe *f, unsigned int vec);
void trap_c(struct tframe *f, unsigned int vec)
{
    static char *const fix[][2] = {
        { pr_insn, pr_fix }, { pw_insn, pw_fix }, { pc0_insn, pc0_fix }, { pc4_insn, pc4_fix },
        { pc3_insn, pc3_fix }, { pm_insn, pm_fix }, { ur_insn, ur_fix }, { uw_insn, uw_fix },
    };
    u64 cr2;

    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    faults++;
    f_vec = vec;
    f_ec = f->ec;
    f_cr2 = vec == 14 ? cr2 : 0;
    for (unsigned int i = 0; i < sizeof(fix) / sizeof(fix[0]); i++)
        if (f->rip == (u64)fix[i][0]) {
            f->rip = (u64)fix[i][1];
            return;
        }
    if (vec == 14 && (f->ec & EC_I) && f->rip == cr2) {
        f->rip = *(u64 *)f->rsp;         /* a probe_exec target that may not run: return from it */
        f->rsp += 8;
        return;
    }
    fail("unexpected trap (vector, rip)", vec, f->rip);
}

static void set_gate(unsigned int vec, void *h, unsigned int dpl)
{
    u64 a = (u64)h;
    idt[vec] = (struct gate){ (uint16_t)a, 0x08, (uint16_t)(0x8e00 | (dpl << 13)), (uint16_t)(a >> 16),
                              (uint32_t)(a >> 32), 0 };
}

static u64 *phys(u64 gpa)
{
    return (u64 *)gpa;                  /* the boot tables map the first 1 GiB 1:1 */
}

static u64 alloc_frame(void)
{
    u64 f = next_free;
    next_free += 4096;
    memset(phys(f), 0, 4096);
    return f;
}

static void invlpg(u64 va)
{
    __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static u64 rdcr(int n)
{
    u64 v = 0;
    if (n == 0)
        __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    else if (n == 3)
        __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    else
        __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

static void wrcr3(u64 v)
{
    __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory");
}

static u64 rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}

/* A frame with a recognisable first word (and word 1: its own address). */
static u64 pattern_frame(u64 tag)
{
    u64 f = alloc_frame();
    phys(f)[0] = 0x5ead000000000000ULL | tag;
    phys(f)[1] = f;
    return f;
}

static void expect_read(u64 va, u64 want, const char *what)
{
    u64 v;
    faults = 0;
    v = probe_read(va);
    if (faults)
        fail(what, va, f_ec | 0xfa000000ULL);
    if (v != want)
        fail(what, v, want);
}

static void expect_fault(bool write, u64 va, u64 ec, const char *what)
{
    faults = 0;
    if (write)
        probe_write(va, 0x1234);
    else
        (void)probe_read(va);
    if (faults != 1 || f_vec != 14 || f_cr2 != va || f_ec != ec)
        fail(what, f_cr2, f_ec | ((u64)faults << 32));
}

static u64 pte_va(u64 va)          /* where va's L1 entry is seen through the recursive slot */
{
    return RBASE | (((va & 0xffffffffffffULL) >> 12) << 3);
}

TEST void test_basic(u64 f1, u64 f2, u64 f3)
{
    t1[0] = f1 | PTE_P | PTE_RW;
    expect_read(TVA, phys(f1)[0], "map");
    t1[0] = f2 | PTE_P | PTE_RW;
    invlpg(TVA);
    expect_read(TVA, phys(f2)[0], "remap to another frame");
    probe_write(TVA + 16, 0xabc);
    if (phys(f2)[2] != 0xabc)
        fail("write through the new mapping", phys(f2)[2], 0xabc);
    t1[0] = 0;
    invlpg(TVA);
    expect_fault(false, TVA, 0, "unmapped read faults (not present)");
    t1[0] = f1 | PTE_P;
    invlpg(TVA);
    expect_read(TVA, phys(f1)[0], "read-only mapping reads");
    expect_fault(true, TVA, EC_P | EC_W, "read-only mapping write faults");
    t1[0] |= PTE_RW;
    invlpg(TVA);
    faults = 0;
    probe_write(TVA + 24, 77);
    if (faults || phys(f1)[3] != 77)
        fail("RO -> RW then writes", phys(f1)[3], faults);
    t1[0] &= ~PTE_RW;
    invlpg(TVA);
    expect_fault(true, TVA, EC_P | EC_W, "RW -> RO write faults again");
    ok("map, remap, unmap, RO<->RW");
    /* A and D as the CPU would set them: A on a read, D only on a write */
    t1[1] = f3 | PTE_P | PTE_RW;
    expect_read(TVA + 4096, phys(f3)[0], "A/D page reads");
    if ((t1[1] & (PTE_A | PTE_D)) != PTE_A || !(t2[0] & PTE_A))
        fail("A set, D clear after a read", t1[1], t2[0]);
    probe_write(TVA + 4096 + 8, 5);
    if ((t1[1] & (PTE_A | PTE_D)) != (PTE_A | PTE_D) || phys(f3)[1] != 5)
        fail("D set after a write", t1[1], phys(f3)[1]);
    t1[1] &= ~(PTE_A | PTE_D);          /* cleared by the guest: set again on the next accesses */
    invlpg(TVA + 4096);
    expect_read(TVA + 4096, phys(f3)[0], "A/D page reads again");
    if ((t1[1] & (PTE_A | PTE_D)) != PTE_A)
        fail("A set again, D still clear", t1[1], 0);
    probe_write(TVA + 4096 + 8, 6);
    if ((t1[1] & (PTE_A | PTE_D)) != (PTE_A | PTE_D))
        fail("D set again after a write", t1[1], 0);
    ok("accessed and dirty bits");
}

TEST void test_nx_user(u64 f1)
{
    u64 fc = alloc_frame();

    ((uint8_t *)phys(fc))[0] = 0xc3;    /* ret */
    probe_wrmsr(0xc0000080, rdmsr(0xc0000080) | (1ULL << 11));     /* NXE */
    t1[2] = fc | PTE_P | PTE_RW | PTE_NX;
    faults = 0;
    probe_exec(TVA + 2 * 4096);
    if (faults != 1 || f_ec != (EC_P | EC_I) || f_cr2 != TVA + 2 * 4096)
        fail("NX page fetch faults", f_ec, faults);
    t1[2] &= ~PTE_NX;
    invlpg(TVA + 2 * 4096);
    faults = 0;
    probe_exec(TVA + 2 * 4096);
    if (faults)
        fail("NX cleared: it runs", f_ec, faults);
    t1[2] |= PTE_NX;
    invlpg(TVA + 2 * 4096);
    faults = 0;
    probe_exec(TVA + 2 * 4096);
    if (faults != 1)
        fail("NX set again: faults", f_ec, faults);
    ok("no-execute");
    t1[3] = f1 | PTE_P | PTE_RW;        /* supervisor only */
    faults = 0;
    (void)user_call(user_read, TVA + 3 * 4096);
    if (faults != 1 || f_ec != (EC_P | EC_U) || f_cr2 != TVA + 3 * 4096)
        fail("user read of a supervisor page faults", f_ec, faults);
    t1[3] |= PTE_US;
    invlpg(TVA + 3 * 4096);
    faults = 0;
    if (user_call(user_read, TVA + 3 * 4096) != phys(f1)[0] || faults)
        fail("user page reads from ring 3", f_ec, faults);
    t1[3] = f1 | PTE_P | PTE_US;        /* user, read-only */
    invlpg(TVA + 3 * 4096);
    faults = 0;
    (void)user_call(user_write, TVA + 3 * 4096);
    if (faults != 1 || f_ec != (EC_P | EC_W | EC_U))
        fail("user write of a read-only page faults", f_ec, faults);
    ok("user/supervisor");
}

TEST void test_large(void)
{
    u64 big1 = 24 * MIB, big2 = 26 * MIB, va = TVA + 2 * MIB;

    for (u64 k = 0; k < 512; k += 37) {
        phys(big1 + k * 4096)[1] = 0xb1000000 + k;
        phys(big2 + k * 4096)[1] = 0xb2000000 + k;
    }
    t2[1] = big1 | PTE_P | PTE_RW | PTE_PS;
    for (u64 k = 0; k < 512; k += 37)
        expect_read(va + k * 4096 + 8, 0xb1000000 + k, "2 MiB page reads");
    if ((t2[1] & (PTE_A | PTE_D)) != PTE_A)
        fail("2 MiB page: A set, D clear", t2[1], 0);
    probe_write(va + 5 * 4096 + 16, 99);
    if (!(t2[1] & PTE_D) || phys(big1 + 5 * 4096)[2] != 99)
        fail("2 MiB page: write sets D", t2[1], 0);
    t2[1] = big2 | PTE_P | PTE_PS;
    invlpg(va);                         /* one INVLPG drops the whole 2 MiB translation */
    for (u64 k = 0; k < 512; k += 37)
        expect_read(va + k * 4096 + 8, 0xb2000000 + k, "2 MiB page remapped");
    expect_fault(true, va + 4096, EC_P | EC_W, "2 MiB read-only page write faults");
    t2[1] = 0;
    invlpg(va + 300 * 4096);
    expect_fault(false, va + 7 * 4096, 0, "2 MiB page unmapped");
    ok("2 MiB pages");
}

TEST void test_recursive(u64 f2, u64 f3)
{
    u64 va = TVA + 4 * 4096;

    boot_pml4[RSLOT] = (u64)boot_pml4 | PTE_P | PTE_RW;
    t1[4] = f3 | PTE_P | PTE_RW;
    expect_read(va, phys(f3)[0], "recursive test page");
    expect_read(pte_va(va), t1[4], "its PTE seen through the recursive slot");
    expect_read(RBASE | (RSLOT << 30) | (RSLOT << 21) | (RSLOT << 12) | (RSLOT * 8),
                boot_pml4[RSLOT], "the recursive entry seen through itself");
    probe_write(pte_va(va), f2 | PTE_P | PTE_RW);
    if (t1[4] != (f2 | PTE_P | PTE_RW))
        fail("PTE written through the recursive slot", t1[4], 0);
    invlpg(va);
    expect_read(va, phys(f2)[0], "remapped through the recursive slot");
    /* a new mapping written through the recursive slot: no INVLPG needed (nothing was cached) */
    probe_write(pte_va(va + 4096), f3 | PTE_P | PTE_RW);
    expect_read(va + 4096, phys(f3)[0], "a new mapping written through the recursive slot");
    probe_write(pte_va(va + 4096), 0);
    invlpg(va + 4096);
    expect_fault(false, va + 4096, 0, "removed through the recursive slot");
    /* the top-level table written through itself: a new PML4 entry, then removed (CR3 reload) */
    probe_write(RBASE | (RSLOT << 30) | (RSLOT << 21) | (RSLOT << 12) | (3 * 8),
                (u64)boot_pdpt | PTE_P | PTE_RW);
    if (boot_pml4[3] != ((u64)boot_pdpt | PTE_P | PTE_RW))
        fail("PML4 entry written through the recursive slot", boot_pml4[3], 0);
    expect_read((3ULL << 39) + va, phys(f2)[0], "a new PML4 entry written through itself");
    probe_write(RBASE | (RSLOT << 30) | (RSLOT << 21) | (RSLOT << 12) | (3 * 8), 0);
    wrcr3(rdcr(3));
    expect_fault(false, (3ULL << 39) + va, 0, "the PML4 entry removed through itself");
    ok("recursive slot");
}

TEST void test_spaces(u64 f1, u64 f3)
{
    u64 l4b = alloc_frame(), l3b = alloc_frame(), l2b = alloc_frame(), l1b = alloc_frame();
    u64 fp = pattern_frame(0x70), fq = pattern_frame(0x71), cr3a = rdcr(3);
    u64 *pb = phys(l1b);

    phys(l4b)[0] = boot_pml4[0];        /* shares every table below pml4[0] with A */
    phys(l4b)[1] = l3b | PTE_P | PTE_RW;
    phys(l3b)[0] = l2b | PTE_P | PTE_RW;
    phys(l2b)[0] = l1b | PTE_P | PTE_RW;
    pb[0] = fp | PTE_P | PTE_RW;
    t1[5] = f1 | PTE_P | PTE_RW;
    expect_read(TVA + 5 * 4096, phys(f1)[0], "A: shared page");
    expect_fault(false, PVA, 0, "A: B's private page is not mapped in A");
    wrcr3(l4b);
    expect_read(TVA + 5 * 4096, phys(f1)[0], "B: shared page");
    expect_read(PVA, phys(fp)[0], "B: private page");
    wrcr3(cr3a);
    /* edits to B's tables (and shared ones) while A runs, no INVLPG: due at the switch */
    pb[0] = fq | PTE_P | PTE_RW;
    t1[5] = f3 | PTE_P | PTE_RW;
    wrcr3(l4b);
    expect_read(PVA, phys(fq)[0], "B: private page remapped while inactive");
    expect_read(TVA + 5 * 4096, phys(f3)[0], "B: shared entry changed while inactive");
    pb[0] = 0;
    wrcr3(cr3a);
    expect_read(TVA + 5 * 4096, phys(f3)[0], "A: shared entry changed");
    for (unsigned int i = 0; i < 20; i++) {
        pb[0] = (i & 1 ? fp : fq) | PTE_P | PTE_RW;
        wrcr3(l4b);
        expect_read(PVA, phys(i & 1 ? fp : fq)[0], "B: switch back and forth");
        wrcr3(cr3a);
        expect_fault(false, PVA, 0, "A: switch back and forth");
    }
    /* B's table written more often than is emulated while A runs (then left writable: out of
     * sync), and after some quiet switches (write-protected again) cleared by REP STOS (never
     * emulated): each due at the switch to B */
    for (unsigned int i = 0; i < 100; i++)
        pb[i % 8] = (i & 1 ? fp : fq) | PTE_P | PTE_RW;
    wrcr3(l4b);
    expect_read(PVA, phys(fq)[0], "B: its table written 100 times while inactive (entry 0)");
    expect_read(PVA + 7 * 4096, phys(fp)[0], "B: its table written 100 times while inactive (entry 7)");
    for (unsigned int i = 0; i < 4; i++) {
        wrcr3(cr3a);
        wrcr3(l4b);
    }
    expect_read(PVA + 3 * 4096, phys(fp)[0], "B: quiet switches");
    wrcr3(cr3a);
    {
        u64 *dst = pb, cnt = 512;
        __asm__ volatile("rep stosq" : "+D"(dst), "+c"(cnt) : "a"(0ULL) : "memory");
    }
    wrcr3(l4b);
    expect_fault(false, PVA, 0, "B: its table cleared by REP STOS while inactive");
    expect_fault(false, PVA + 7 * 4096, 0, "B: its table cleared by REP STOS (entry 7)");
    wrcr3(cr3a);
    /* the same CR3 loaded again makes a changed PTE due, without INVLPG */
    t1[5] = f1 | PTE_P | PTE_RW;
    wrcr3(cr3a);
    expect_read(TVA + 5 * 4096, phys(f1)[0], "CR3 reload: the changed PTE");
    ok("two address spaces sharing tables, edits while inactive, CR3 switches");
}

/* Its live page tables written through second mappings: every shadowed table is write-protected,
 * so each write is trapped and emulated (or the table left writable); what it reads back through
 * the changed mappings is what the write said, with INVLPG where the architecture needs one. */
TEST void test_pt_writes(u64 f1, u64 f2)
{
    u64 alias = TVA + 40 * 4096, cr0 = rdcr(0);

    t1[40] = (u64)t1 | PTE_P | PTE_RW;  /* t1 itself, seen at alias */
    expect_read(alias + 40 * 8, (u64)t1 | PTE_P | PTE_RW | PTE_A,    /* A: set by the read's walk */
                "a page table read through a second mapping");
    probe_write(alias + 41 * 8, f1 | PTE_P | PTE_RW);
    if (t1[41] != (f1 | PTE_P | PTE_RW))
        fail("a page table written through a second mapping", t1[41], 0);
    expect_read(TVA + 41 * 4096, phys(f1)[0], "a new mapping written through a second mapping");
    probe_write(alias + 41 * 8, f2 | PTE_P | PTE_RW);
    invlpg(TVA + 41 * 4096);
    expect_read(TVA + 41 * 4096, phys(f2)[0], "a mapping changed through a second mapping");
    probe_write(alias + 41 * 8, 0);
    invlpg(TVA + 41 * 4096);
    expect_fault(false, TVA + 41 * 4096, 0, "a mapping removed through a second mapping");
    for (unsigned int i = 0; i < 64; i++)   /* more writes than are emulated: left writable */
        probe_write(alias + 41 * 8, (i & 1 ? f1 : f2) | PTE_P | PTE_RW);
    invlpg(TVA + 41 * 4096);
    expect_read(TVA + 41 * 4096, phys(f1)[0], "a mapping written 64 times");
    t1[41] = 0;
    invlpg(TVA + 41 * 4096);
    /* a read-only second mapping of a page table: the write is the guest's own #PF */
    t1[42] = (u64)t1 | PTE_P;
    expect_fault(true, TVA + 42 * 4096 + 41 * 8, EC_P | EC_W, "page table through a read-only mapping");
    if (t1[41])
        fail("a refused write to a page table changed it", t1[41], 0);
    /* from ring 3: through a user-writable mapping it is done, through a user read-only one not */
    t1[43] = (u64)t1 | PTE_P | PTE_RW | PTE_US;
    faults = 0;
    (void)user_call(user_write, TVA + 43 * 4096 + 44 * 8);
    if (faults || t1[44] != 0x5a5a)
        fail("a ring-3 write to a user-writable page table", t1[44], faults);
    t1[44] = 0;
    t1[43] = (u64)t1 | PTE_P | PTE_US;
    invlpg(TVA + 43 * 4096);
    faults = 0;
    (void)user_call(user_write, TVA + 43 * 4096 + 44 * 8);
    if (faults != 1 || f_ec != (EC_P | EC_W | EC_U) || t1[44])
        fail("a ring-3 write to a user read-only page table faults", f_ec, t1[44]);
    /* CR0.WP clear: ring 0 writes through the read-only mapping; due at the next CR3 load */
    t1[45] = f1 | PTE_P | PTE_RW;
    expect_read(TVA + 45 * 4096, phys(f1)[0], "WP: mapped");
    probe_wrcr0(cr0 & ~(1ULL << 16));
    faults = 0;
    probe_write(TVA + 42 * 4096 + 45 * 8, f2 | PTE_P | PTE_RW);
    if (faults || t1[45] != (f2 | PTE_P | PTE_RW))
        fail("CR0.WP clear: ring 0 writes a read-only page", t1[45], faults);
    wrcr3(rdcr(3));
    expect_read(TVA + 45 * 4096, phys(f2)[0], "CR0.WP clear: the changed mapping after a CR3 load");
    probe_wrcr0(cr0);
    expect_fault(true, TVA + 42 * 4096 + 45 * 8, EC_P | EC_W, "CR0.WP set again: read-only again");
    probe_write(alias + 45 * 8, f1 | PTE_P | PTE_RW);
    invlpg(TVA + 45 * 4096);
    expect_read(TVA + 45 * 4096, phys(f1)[0], "CR0.WP set again: written through a second mapping");
    for (unsigned int i = 40; i < 46; i++)
        t1[i] = 0;
    wrcr3(rdcr(3));
    ok("page tables written through second mappings (write-protected)");
}

/* Its own tables edited in any order (LCG), each edit made due by INVLPG or a CR3 reload:
 * what it reads is always the frame its tables name, or the fault they call for. */
TEST void test_any_order(u64 *frames, unsigned int nf)
{
    u64 x = 12345, cr3 = rdcr(3);

    for (unsigned int n = 0; n < 400; n++) {
        unsigned int slot = 8 + (unsigned int)((x >> 33) % 32), pick;
        u64 va = TVA + (u64)slot * 4096, e;
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        pick = (unsigned int)((x >> 40) % (nf + 2));
        e = pick >= nf ? (x & 1 ? 0 : frames[0] | PTE_RW) :
            frames[pick] | PTE_P | (x & (1ULL << 20) ? PTE_RW : 0) | (x & (1ULL << 21) ? PTE_NX : 0);
        t1[slot] = e;
        if (x & (1ULL << 22))
            invlpg(va);
        else
            wrcr3(cr3);
        if (e & PTE_P) {
            expect_read(va, phys(e & 0x000ffffffffff000ULL)[0], "any order: read back");
            if (e & PTE_RW)
                probe_write(va + 8, e & 0x000ffffffffff000ULL);
            else
                expect_fault(true, va + 8, EC_P | EC_W, "any order: read-only");
        } else {
            expect_fault(false, va, 0, "any order: not present");
        }
    }
    ok("edits in any order");
}

TEST void expect_gp(const char *what, u64 val)
{
    if (faults != 1 || f_vec != 13)
        fail(what, val, faults);
    faults = 0;
}

TEST void test_garbage_cr(void)
{
    u64 cr0 = rdcr(0), cr3 = rdcr(3), cr4 = rdcr(4), efer = rdmsr(0xc0000080), sw;

    if ((cr0 & 0x80010011) != 0x80010011 || cr4 != 0x20 || cr3 != (u64)boot_pml4 ||
        (efer & 0x1d00) != 0x500)
        fail("the guest's own CR0/CR3/CR4/EFER read back", cr0, cr4 | (efer << 32));
    faults = 0;
    probe_wrcr4(cr4 | (1ULL << 30));
    expect_gp("CR4 reserved bit: #GP", cr4);
    probe_wrcr4(cr4 | (1ULL << 17));
    expect_gp("CR4.PCIDE: #GP (not offered)", cr4);
    probe_wrcr4(cr4 & ~0x20ULL);
    expect_gp("CR4.PAE cleared in long mode: #GP", cr4);
    probe_wrcr0(cr0 | (1ULL << 32));
    expect_gp("CR0 bit 32: #GP", cr0);
    probe_wrcr0(cr0 | (1ULL << 29));
    expect_gp("CR0.NW without CD: #GP", cr0);
    probe_wrcr0(cr0 & ~(1ULL << 31));
    expect_gp("CR0.PG cleared from 64-bit code: #GP", cr0);
    probe_wrcr3(cr3 | (1ULL << 63));
    expect_gp("CR3 bit 63: #GP", cr3);
    probe_wrmsr(0xc0000080, efer & ~0x100ULL);
    expect_gp("EFER.LME cleared with paging on: #GP", efer);
    probe_wrmsr(0xc0000080, efer | (1ULL << 12));
    expect_gp("EFER.SVME: #GP", efer);
    if (rdcr(0) != cr0 || rdcr(4) != cr4 || rdcr(3) != cr3 || rdmsr(0xc0000080) != efer)
        fail("refused writes changed nothing", rdcr(0), rdcr(4));
    __asm__ volatile("clts; smsw %0" : "=r"(sw));
    if ((sw & 0xffff) != (cr0 & 0xfff7))
        fail("CLTS and SMSW", sw, cr0);
    __asm__ volatile("mov %1, %%r9; mov %%r9, %%cr4; mov %%cr4, %%r10; mov %%r10, %0"
                     : "=r"(sw) : "r"(cr4 | 0x80) : "r9", "r10");   /* REX forms; PGE */
    if (sw != (cr4 | 0x80))
        fail("MOV CR4 through r9/r10", sw, cr4);
    probe_wrcr4(cr4);
    ok("garbage CR0/CR3/CR4/EFER refused, CLTS, SMSW, REX forms");
}

#ifdef SH_HOSTILE
void noop_pf(void);
__asm__(".text\n.globl noop_pf\nnoop_pf: add $8, %rsp\n iretq\n");

static void hostile(u64 *frames)
{
    u64 far = (u64)mem_end + 64 * MIB;

    switch (SH_HOSTILE) {
    case 1:
        puts("shadow: hostile: a PTE to guest-physical beyond its memory\n");
        t1[0] = far | PTE_P | PTE_RW;
        (void)probe_read(TVA);
        break;
    case 2:
        puts("shadow: hostile: a page table beyond its memory\n");
        t2[0] = far | PTE_P | PTE_RW;
        (void)probe_read(TVA);
        break;
    case 3:
        puts("shadow: hostile: CR3 beyond its memory\n");
        wrcr3(far);
        break;
    case 4:
        puts("shadow: hostile: CR0.PE cleared\n");
        probe_wrcr0(rdcr(0) & ~0x80000001ULL);
        break;
    case 5:
        puts("shadow: hostile: a #PF handler that fixes nothing\n");
        set_gate(14, noop_pf, 0);
        (void)probe_read(TVA + 100 * 4096);
        break;
    case 6:
        /* every slot of its tables at every level, in an odd order, at its own frames (its page
         * tables included) and its tables' own frames: reads give its own memory only */
        puts("shadow: hostile: its tables edited in any order\n");
        for (unsigned int n = 0; n < 64; n++) {
            unsigned int s = (n * 7) % 64;
            u64 target = s & 1 ? (u64)t1 : s & 2 ? (u64)boot_pml4 : frames[s % 4];
            t1[s] = target | PTE_P | PTE_RW;
            invlpg(TVA + s * 4096ULL);
            if (probe_read(TVA + s * 4096ULL) != phys(target)[0])
                fail("hostile: read back", s, target);
        }
        t2[3] = (u64)t2 | PTE_P | PTE_RW;     /* t2 as its own L1: its entries become pages */
        if (probe_read(TVA + 3 * 2 * MIB + 0 * 4096) != phys(t2[0] & 0x000ffffffffff000ULL)[0])
            fail("hostile: t2 as an L1", t2[0], 0);
        puts("shadow: hostile: own memory only; now one PTE beyond it\n");
        t1[63] = (mem_end + 4096) | PTE_P;
        invlpg(TVA + 63 * 4096ULL);
        (void)probe_read(TVA + 63 * 4096ULL);
        break;
    case 7: {
        /* writes to a live (write-protected) page table the emulator must not take, or take
         * exactly: each is done as the CPU would; then an emulated one beyond its memory */
        u64 alias = TVA + 40 * 4096, v;

        puts("shadow: hostile: page-table writes the emulator must refuse or bound\n");
        t1[0] = frames[0] | PTE_P | PTE_RW;
        t1[39] = frames[3] | PTE_P | PTE_RW;
        t1[40] = (u64)t1 | PTE_P | PTE_RW;
        if (probe_read(TVA) != phys(frames[0])[0] || probe_read(alias) != t1[0])
            fail("hostile: set up", t1[0], 0);
        probe_write(alias + 41 * 8 + 4, (frames[1] | PTE_P | PTE_RW) << 32);   /* straddles 41/42 */
        if (t1[41] || t1[42] != (frames[1] | PTE_P | PTE_RW))
            fail("hostile: unaligned write", t1[41], t1[42]);
        if (probe_read(TVA + 42 * 4096) != phys(frames[1])[0])
            fail("hostile: unaligned write read back", t1[42], 0);
        v = frames[2] | PTE_P | PTE_RW;
        __asm__ volatile("xchg %0, (%1)" : "+r"(v) : "r"(alias + 43 * 8) : "memory");
        if (v || probe_read(TVA + 43 * 4096) != phys(frames[2])[0])
            fail("hostile: XCHG into a page table", v, t1[43]);
        v = 0;
        __asm__ volatile("lock cmpxchgq %2, (%1)" : "+a"(v) : "r"(alias + 44 * 8), "r"(frames[3] | PTE_P)
                         : "memory");
        if (probe_read(TVA + 44 * 4096) != phys(frames[3])[0])
            fail("hostile: LOCK CMPXCHG into a page table", v, t1[44]);
        for (unsigned int i = 0; i < 4; i++)
            wrcr3(rdcr(3));             /* quiet CR3 loads: t1 write-protected again */
        probe_write(alias - 4, (frames[1] | PTE_P | PTE_RW) << 32 | 0x11223344);  /* into t1[0] */
        invlpg(TVA);
        if (t1[0] != (frames[1] | PTE_P | PTE_RW) || (phys(frames[3])[511] >> 32) != 0x11223344)
            fail("hostile: a write crossing into a page table", t1[0], phys(frames[3])[511]);
        if (probe_read(TVA) != phys(frames[1])[0])
            fail("hostile: a write crossing into a page table, read back", t1[0], 0);
        for (unsigned int i = 0; i < 4; i++)
            wrcr3(rdcr(3));
        puts("shadow: hostile: own memory only; now one PTE beyond it, written through a mapping\n");
        probe_write(alias + 45 * 8, (mem_end + 8192) | PTE_P);
        (void)probe_read(TVA + 45 * 4096);
        break;
    }
    }
    puts("shadow: FAIL survived the hostile act\n");
    vmmcall(1, 2);
}
#endif

void shadow_main(uint32_t mem)
{
    u64 f[8], tss_base = (u64)tss;
    struct { uint16_t limit; u64 base; } __attribute__((packed)) idtr = { sizeof(idt) - 1, (u64)idt };

    puts("shadow: long mode on its own tables (shadowed)\n");
    mem_end = mem;
    if (mem < 32 * MIB)
        fail("needs 32 MiB", mem, 0);
    set_gate(14, trap_pf, 0);
    set_gate(13, trap_gp, 0);
    set_gate(6, trap_ud, 0);
    set_gate(0x80, trap_back, 3);
    __asm__ volatile("lidt %0" :: "m"(idtr));
    *(u64 *)((char *)tss + 4) = (u64)stack_top - 4096;     /* rsp0: traps from ring 3 */
    tss_desc[0] = 103 | ((tss_base & 0xffffff) << 16) | (0x89ULL << 40) | (((tss_base >> 24) & 0xff) << 56);
    tss_desc[1] = tss_base >> 32;
    __asm__ volatile("ltr %w0" :: "r"(0x28));
    next_free = 16 * MIB;
    t2 = phys(alloc_frame());
    t1 = phys(alloc_frame());
    boot_pdpt[1] = (u64)t2 | PTE_P | PTE_RW | PTE_US;
    t2[0] = (u64)t1 | PTE_P | PTE_RW | PTE_US;
    for (unsigned int i = 0; i < 8; i++)
        f[i] = pattern_frame(i);
#ifdef SH_HOSTILE
    hostile(f);
#else
    test_garbage_cr();
    test_basic(f[1], f[2], f[3]);
    test_nx_user(f[1]);
    test_large();
    test_recursive(f[2], f[3]);
    test_spaces(f[1], f[3]);
    test_pt_writes(f[1], f[2]);
    test_any_order(f, 8);
    puts("shadow: all checks passed\n");
    vmmcall(1, 0);
#endif
    fail("still running after power off", 0, 0);
}
