/*
 * emulation: what Xen emulates for a PV kernel (xen/arch/x86/pv/emul-*.c):
 * forced-emulation CPUID, rdmsr/wrmsr of the segment bases (#GP for unknown
 * MSRs), mov from CR0/CR3/CR4, clts, wbinvd, and port I/O / cli by virtual IOPL.
 */
#include "traps.h"
#include <tandem/physdev.h>

const char test_title[] = "privileged-instruction and forced-CPUID emulation";

#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102

static unsigned long before;
static bool faulted(void) { return last_trap.count != before; }
static void arm(void) { before = last_trap.count; }

/* Expect exactly one #GP(0) since arm(), at `what`. */
static void want_gp(const char *what)
{
    if (!faulted())
        test_fail("%s: no #GP", what);
    else if (last_trap.vector != TRAP_gp_fault || last_trap.err != 0)
        test_fail("%s: vector %u error %#lx, want #GP(0)", what, last_trap.vector, (unsigned long)last_trap.err);
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo = 0, hi = 0;
    arm();
    __asm__ __volatile__("1: rdmsr; 2:" ASM_EXTABLE(1b, 2b) : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
    arm();
    __asm__ __volatile__("1: wrmsr; 2:" ASM_EXTABLE(1b, 2b) :: "a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(msr) : "memory");
}

static uint8_t inb80(void)
{
    uint8_t v = 0x5a;
    arm();
    __asm__ __volatile__("1: inb $0x80, %0; 2:" ASM_EXTABLE(1b, 2b) : "+a"(v) :: "memory");
    return v;
}

static void check_msr(uint32_t msr, uint64_t v, const char *name)
{
    uint64_t got;

    wrmsr(msr, v);
    if (faulted())
        test_fail("wrmsr %s faulted", name);
    got = rdmsr(msr);
    if (faulted() || got != v)
        test_fail("rdmsr %s: %#lx (fault %d), want %#lx", name, (unsigned long)got, faulted(), (unsigned long)v);
    wrmsr(msr, 0);
}

void test_main(void)
{
    uint32_t a, b, c, d;
    uint64_t cr0, cr3, cr4, want_cr3;
    struct physdev_set_iopl iopl;

    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");

    a = 0x40000000; c = 0; arm();
    __asm__ __volatile__("1: ud2; .ascii \"xen\"; cpuid; 2:" ASM_EXTABLE(1b, 2b)
                         : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
    if (faulted() || b != 0x566e6558 || c != 0x65584d4d || d != 0x4d4d566e || a < 0x40000002)
        test_fail("forced CPUID 0x40000000: eax %#x, signature %#x %#x %#x (fault %d)", a, b, c, d, faulted());
    a = 0x40000001; c = 0;
    __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
    if (a != ((4 << 16) | 19))
        test_fail("forced CPUID 0x40000001: eax %#x, want version 4.19", a);
    arm();
    __asm__ __volatile__("1: ud2; .ascii \"xen\"; nop; 2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    if (!faulted() || last_trap.vector != TRAP_invalid_op)
        test_fail("ud2 \"xen\" without cpuid after it: want a plain #UD");

    check_msr(MSR_FS_BASE, 0x00007f0012345000UL, "FS_BASE");
    check_msr(MSR_GS_BASE, 0xffff888812345000UL, "GS_BASE");
    check_msr(MSR_SHADOW_GS_BASE, 0x00007f00abcde000UL, "SHADOW_GS_BASE");
    wrmsr(MSR_FS_BASE, 0x0000800000000000UL);
    want_gp("wrmsr FS_BASE non-canonical");
    rdmsr(0x12345678);
    want_gp("rdmsr of unknown MSR 0x12345678");
    wrmsr(0x12345678, 0);
    want_gp("wrmsr of unknown MSR 0x12345678");

    arm();
    __asm__ __volatile__("1: mov %%cr0, %0; mov %%cr4, %1; mov %%cr3, %2; 2:" ASM_EXTABLE(1b, 2b)
                         : "=r"(cr0), "=r"(cr4), "=r"(cr3) :: "memory");
    want_cr3 = pfn_to_mfn((start_info->pt_base - 0xffffffff80000000UL) >> 12) << 12;
    if (faulted())
        test_fail("mov from cr0/cr4/cr3 faulted");
    else {
        if ((cr0 & 0x80000001) != 0x80000001)
            test_fail("cr0 %#lx: PE and PG should be set", (unsigned long)cr0);
        if (cr3 != want_cr3)
            test_fail("cr3 %#lx, want %#lx (our L4 mfn << 12)", (unsigned long)cr3, (unsigned long)want_cr3);
    }
    (void)cr4;

    arm();
    __asm__ __volatile__("1: clts; 2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    if (faulted())
        test_fail("clts: vector %u, want it emulated", last_trap.vector);
    arm();
    __asm__ __volatile__("1: wbinvd; 2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    if (faulted())
        test_fail("wbinvd: vector %u, want it emulated (a no-op for a domU)", last_trap.vector);

    inb80();
    want_gp("inb $0x80 with virtual IOPL 0");
    arm();
    __asm__ __volatile__("1: cli; 2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    want_gp("cli with virtual IOPL 0");

    iopl.iopl = 1;
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iopl, &iopl), 0, "set_iopl 1");
    if (inb80() != 0xff || faulted())
        test_fail("inb $0x80 with virtual IOPL 1: want 0xff (no device for a domU), no fault");
    arm();
    __asm__ __volatile__("mov $0x80, %%edx; 1: outb %%al, %%dx; 2:" ASM_EXTABLE(1b, 2b) ::: "rax", "rdx", "memory");
    if (faulted())
        test_fail("outb %%al, %%dx with virtual IOPL 1 faulted");
    arm();
    a = 0;
    __asm__ __volatile__("mov $0x80, %%edx; 1: inl %%dx, %%eax; 2:" ASM_EXTABLE(1b, 2b) : "+a"(a) :: "rdx", "memory");
    if (faulted() || a != 0xffffffff)
        test_fail("inl %%dx with virtual IOPL 1: %#x (fault %d), want 0xffffffff", a, faulted());
    arm();
    __asm__ __volatile__("1: cli; 2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    __asm__ __volatile__("1: sti; 2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    if (faulted())
        test_fail("cli / sti with virtual IOPL 1: vector %u, want no-ops (Xen emulates them)", last_trap.vector);
    iopl.iopl = 4;
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iopl, &iopl), -XEN_EINVAL, "set_iopl 4");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iopl, 0x1000), -XEN_EFAULT, "set_iopl from an unmapped address");
    iopl.iopl = 0;
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iopl, &iopl), 0, "set_iopl 0");
    inb80();
    want_gp("inb $0x80 after set_iopl 0");
    test_success();
}
