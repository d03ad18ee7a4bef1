/*
 * fsgsbase: {rd,wr}{fs,gs}base for a PV guest, as Xen 4.19 allows them:
 * CPUID 7.0 EBX[0] shown; #UD until the guest sets CR4.FSGSBASE in its
 * view; then the bases the guest writes with wrfsbase/wrgsbase are the
 * ones the MSRs and set_segment_base see, and they survive a context
 * switch (a sleep: to idle and back) and the kernel/user GS swap: a base
 * written in user mode is the user GS base (MSR_SHADOW_GS_BASE from the kernel), the
 * kernel's comes back on the next entry and the user's on the next exit.
 * A non-canonical wrfsbase is #GP; clearing CR4.FSGSBASE makes them #UD again.
 */
#include "usermode.h"
#include "multidom.h"
#include <tandem/callback.h>

const char test_title[] = "FSGSBASE: the guest's CR4 view, bases across switches and the GS swap";

#define CR4_FSGSBASE (1UL << 16)
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102

static uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
    return v;
}

static void write_cr4(uint64_t v)
{
    __asm__ __volatile__("mov %0, %%cr4" :: "r"(v) : "memory");
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static int rdfsbase_vec(uint64_t *val)
{
    unsigned long n = last_trap.count;
    uint64_t v = 0;

    __asm__ __volatile__("1: rdfsbase %0\n2:" ASM_EXTABLE(1b, 2b) : "+r"(v) :: "memory");
    *val = v;
    return last_trap.count == n ? -1 : (int)last_trap.vector;
}

static int wrfsbase_vec(uint64_t val)
{
    unsigned long n = last_trap.count;

    __asm__ __volatile__("1: wrfsbase %0\n2:" ASM_EXTABLE(1b, 2b) :: "r"(val) : "memory");
    return last_trap.count == n ? -1 : (int)last_trap.vector;
}

static uint64_t rdgsbase(void)
{
    uint64_t v;
    __asm__ __volatile__("rdgsbase %0" : "=r"(v));
    return v;
}

static void wrgsbase(uint64_t v)
{
    __asm__ __volatile__("wrgsbase %0" :: "r"(v) : "memory");
}

void test_main(void)
{
    /* User mode: wrgsbase %rax; rdgsbase %rbx; syscall / rdgsbase %rax; syscall */
    static const uint8_t u_write[] = { 0xf3, 0x48, 0x0f, 0xae, 0xd8, 0xf3, 0x48, 0x0f, 0xae, 0xcb, 0x0f, 0x05 };
    static const uint8_t u_read[] = { 0xf3, 0x48, 0x0f, 0xae, 0xc8, 0x0f, 0x05 };
    const uint64_t kgs = 0xffff888000123000ULL, ugs = 0x00007f0000456000ULL;
    uint32_t a = 7, b, c = 0, d;
    uint64_t v, cr4;
    struct um_regs r;
    int vec;

    md_init();
    md_events_on();
    CHECK_RC(traps_set_exceptions(), 0, "install exception handlers");
    __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    if (!(b & 1)) {
        test_skip("no FSGSBASE offered (the CPU has none)");
        return;
    }
    cr4 = read_cr4();
    if (cr4 & CR4_FSGSBASE)
        test_fail("CR4 %#lx: FSGSBASE set before the guest set it", (unsigned long)cr4);
    if ((vec = rdfsbase_vec(&v)) != TRAP_invalid_op)
        test_fail("rdfsbase with CR4.FSGSBASE clear: vector %d, want #UD", vec);
    write_cr4(cr4 | CR4_FSGSBASE);
    if (!(read_cr4() & CR4_FSGSBASE))
        test_fail("CR4.FSGSBASE does not read back set");

    CHECK_RC(wrfsbase_vec(0x1234000), -1, "wrfsbase");
    if (rdmsr(MSR_FS_BASE) != 0x1234000)
        test_fail("MSR_FS_BASE %#lx after wrfsbase 0x1234000", (unsigned long)rdmsr(MSR_FS_BASE));
    CHECK_RC(HC2(set_segment_base, SEGBASE_FS, 0x5678000), 0, "set_segment_base FS");
    if (rdfsbase_vec(&v) != -1 || v != 0x5678000)
        test_fail("rdfsbase %#lx after set_segment_base 0x5678000", (unsigned long)v);
    /*
     * The CPU refuses a non-canonical base (#GP); QEMU's TCG takes it: then
     * the hypervisor must not fault putting it back after a switch (it
     * becomes 0).
     */
    vec = wrfsbase_vec(0x0000800000000000ULL);
    if (vec == -1) {
        printk("fsgsbase: this CPU takes a non-canonical wrfsbase (QEMU TCG)\n");
        md_sleep_ns(MD_MS(5));
        if (rdfsbase_vec(&v) != -1 || (v != 0 && v != 0x0000800000000000ULL))
            test_fail("FS base %#lx after a sleep with a non-canonical one", (unsigned long)v);
    } else if (vec != TRAP_gp_fault) {
        test_fail("wrfsbase of a non-canonical address: vector %d, want #GP", vec);
    }
    CHECK_RC(wrfsbase_vec(0x9abc000), -1, "wrfsbase");
    wrgsbase(kgs);
    md_sleep_ns(MD_MS(5));              /* a switch to idle and back */
    if (rdfsbase_vec(&v) != -1 || v != 0x9abc000)
        test_fail("FS base %#lx after a sleep, want 0x9abc000", (unsigned long)v);
    if (rdgsbase() != kgs || rdmsr(MSR_GS_BASE) != kgs)
        test_fail("GS base %#lx (MSR %#lx) after a sleep, want %#lx", (unsigned long)rdgsbase(),
                  (unsigned long)rdmsr(MSR_GS_BASE), (unsigned long)kgs);

    if (!um_init())
        return;
    memset(&r, 0, sizeof(r));
    r.rax = ugs;
    um_run(u_write, sizeof(u_write), 0, &r);
    if (r.vector != UM_SYSCALL || r.rbx != ugs)
        test_fail("user wrgsbase/rdgsbase: vector %#x, read %#lx", r.vector, (unsigned long)r.rbx);
    if (rdgsbase() != kgs)
        test_fail("kernel GS base %#lx after user mode wrote its own, want %#lx", (unsigned long)rdgsbase(),
                  (unsigned long)kgs);
    if (rdmsr(MSR_SHADOW_GS_BASE) != ugs)
        test_fail("MSR_SHADOW_GS_BASE %#lx, want the user's %#lx", (unsigned long)rdmsr(MSR_SHADOW_GS_BASE),
                  (unsigned long)ugs);
    md_sleep_ns(MD_MS(5));              /* a switch to idle and back */
    memset(&r, 0, sizeof(r));
    um_run(u_read, sizeof(u_read), 0, &r);
    if (r.vector != UM_SYSCALL || r.rax != ugs)
        test_fail("user rdgsbase on the next exit: vector %#x, read %#lx, want %#lx", r.vector,
                  (unsigned long)r.rax, (unsigned long)ugs);
    CHECK_RC(HC2(set_segment_base, SEGBASE_GS_USER, 0x7000), 0, "set_segment_base GS_USER");
    memset(&r, 0, sizeof(r));
    um_run(u_read, sizeof(u_read), 0, &r);
    if (r.rax != 0x7000)
        test_fail("user rdgsbase %#lx after set_segment_base GS_USER 0x7000", (unsigned long)r.rax);

    write_cr4(read_cr4() & ~CR4_FSGSBASE);
    if ((vec = rdfsbase_vec(&v)) != TRAP_invalid_op)
        test_fail("rdfsbase after clearing CR4.FSGSBASE: vector %d, want #UD", vec);
    if (rdmsr(MSR_FS_BASE) != 0x9abc000)
        test_fail("MSR_FS_BASE %#lx after clearing CR4.FSGSBASE", (unsigned long)rdmsr(MSR_FS_BASE));
    test_success();
}
