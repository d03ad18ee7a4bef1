/*
 * cpuid_faulting: CPUID faulting for a PV guest as Xen 4.19 presents it
 * (xen/arch/x86/msr.c guest_rdmsr/guest_wrmsr, pv/emul-priv-op.c
 * pv_emul_cpuid, pv/emul-inv-op.c): MSR_PLATFORM_INFO (0xce) reads bit 31
 * when the CPU can fault CPUID and is read-only; MSR_MISC_FEATURES_ENABLES
 * (0x140) takes bit 0 only when offered (else #GP). With it on, CPUID in
 * guest user mode (plain or with the forced-emulation prefix) is #GP(0) to
 * the guest kernel, while the kernel's CPUID is emulated. QEMU's TCG cannot
 * fault CPUID (and Xen offers it to PV guests only when the CPU can), so
 * under make test this checks the "not offered" side; on a CPU with CPUID
 * faulting the same kernel checks the other (it says which it ran).
 */
#include "usermode.h"

const char test_title[] = "CPUID faulting: MSR_PLATFORM_INFO, MSR_MISC_FEATURES_ENABLES, user CPUID #GP";

#define MSR_PLATFORM_INFO         0xce
#define MSR_MISC_FEATURES_ENABLES 0x140
#define CPUID_FAULTING_OFFERED    (1UL << 31)

static const uint8_t u_cpuid[] = { 0x0f, 0xa2, 0x0f, 0x05 };
static const uint8_t u_forced[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2, 0x0f, 0x05 };

/* Vector raised, or -1. */
static long rdmsr_try(uint32_t msr, uint64_t *val)
{
    unsigned long c = last_trap.count;
    uint32_t lo = 0, hi = 0;

    __asm__ __volatile__("1: rdmsr\n2:\n" ASM_EXTABLE(1b, 2b) : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *val = ((uint64_t)hi << 32) | lo;
    return last_trap.count != c ? (long)last_trap.vector : -1L;
}

static long wrmsr_try(uint32_t msr, uint64_t val)
{
    unsigned long c = last_trap.count;

    __asm__ __volatile__("1: wrmsr\n2:\n" ASM_EXTABLE(1b, 2b)
                         :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
    if (last_trap.count == c)
        return -1;
    if (last_trap.vector == TRAP_gp_fault && last_trap.err != 0)
        test_fail("wrmsr %#x: #GP error %#lx, want 0", msr, (unsigned long)last_trap.err);
    return last_trap.vector;
}

static void cpuid_kernel(uint32_t leaf, uint32_t *r, bool forced)
{
    uint32_t a = leaf, b, c = 0, d;

    if (forced)
        __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    else
        __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    r[0] = a; r[1] = b; r[2] = c; r[3] = d;
}

/* User mode: leaf 0's vendor (ebx) through plain CPUID, or the vector it raised. */
static unsigned int user_cpuid(const uint8_t *code, size_t len, struct um_regs *r)
{
    memset(r, 0, sizeof(*r));
    um_run(code, len, 0, r);
    return r->vector;
}

static void msr_refusals(uint64_t pinfo)
{
    uint64_t v;

    CHECK_RC(wrmsr_try(MSR_PLATFORM_INFO, pinfo), TRAP_gp_fault, "wrmsr PLATFORM_INFO (read-only)");
    CHECK_RC(wrmsr_try(MSR_PLATFORM_INFO, 0), TRAP_gp_fault, "wrmsr PLATFORM_INFO 0");
    CHECK_RC(wrmsr_try(MSR_MISC_FEATURES_ENABLES, 2), TRAP_gp_fault, "wrmsr MISC_FEATURES_ENABLES bit 1");
    CHECK_RC(wrmsr_try(MSR_MISC_FEATURES_ENABLES, 1UL << 32), TRAP_gp_fault, "wrmsr MISC_FEATURES_ENABLES bit 32");
    CHECK_RC(wrmsr_try(MSR_MISC_FEATURES_ENABLES, 0), -1, "wrmsr MISC_FEATURES_ENABLES 0");
    CHECK_RC(rdmsr_try(MSR_MISC_FEATURES_ENABLES, &v), -1, "rdmsr MISC_FEATURES_ENABLES");
    CHECK_RC(v, 0, "MISC_FEATURES_ENABLES after refused writes");
}

static void user_works(const char *what)
{
    struct um_regs r;
    uint32_t k[4];

    cpuid_kernel(0, k, true);
    if (user_cpuid(u_cpuid, sizeof(u_cpuid), &r) != UM_SYSCALL)
        test_fail("user cpuid (%s): vector %#x, want no fault", what, r.vector);
    else if ((uint32_t)r.rbx != k[1])
        test_fail("user cpuid (%s): vendor ebx %#x, kernel sees %#x", what, (uint32_t)r.rbx, k[1]);
    if (user_cpuid(u_forced, sizeof(u_forced), &r) != UM_SYSCALL)
        test_fail("user forced cpuid (%s): vector %#x, want no fault", what, r.vector);
    else if ((uint32_t)r.rbx != k[1])
        test_fail("user forced cpuid (%s): vendor ebx %#x, want %#x", what, (uint32_t)r.rbx, k[1]);
}

static void user_faults(void)
{
    struct um_regs r;

    if (user_cpuid(u_cpuid, sizeof(u_cpuid), &r) != TRAP_gp_fault || r.err != 0 || r.rip != UM_CODE)
        test_fail("user cpuid with faulting on: vector %#x err %#lx at %#lx, want #GP(0) at %#lx", r.vector,
                  (unsigned long)r.err, (unsigned long)r.rip, UM_CODE);
    if (user_cpuid(u_forced, sizeof(u_forced), &r) != TRAP_gp_fault || r.err != 0 || r.rip != UM_CODE)
        test_fail("user forced cpuid with faulting on: vector %#x err %#lx at %#lx, want #GP(0) at the ud2",
                  r.vector, (unsigned long)r.err, (unsigned long)r.rip);
}

static void offered(void)
{
    uint64_t v;
    uint32_t k[4];

    CHECK_RC(wrmsr_try(MSR_MISC_FEATURES_ENABLES, 1), -1, "wrmsr MISC_FEATURES_ENABLES 1 (faulting on)");
    CHECK_RC(rdmsr_try(MSR_MISC_FEATURES_ENABLES, &v), -1, "rdmsr MISC_FEATURES_ENABLES");
    CHECK_RC(v, 1, "MISC_FEATURES_ENABLES reads back bit 0");
    user_faults();
    /* The kernel's plain CPUID now faults into the hypervisor and is emulated: Xen's leaves show. */
    cpuid_kernel(0x40000000, k, false);
    if (k[1] != 0x566e6558 || k[2] != 0x65584d4d || k[3] != 0x4d4d566e)
        test_fail("kernel cpuid 0x40000000 with faulting on: %08x %08x %08x, want XenVMMXenVMM", k[1], k[2], k[3]);
    cpuid_kernel(0x40000000, k, true);
    if (k[1] != 0x566e6558)
        test_fail("kernel forced cpuid with faulting on: ebx %08x", k[1]);
    CHECK_RC(wrmsr_try(MSR_MISC_FEATURES_ENABLES, 3), TRAP_gp_fault, "wrmsr MISC_FEATURES_ENABLES 3");
    CHECK_RC(rdmsr_try(MSR_MISC_FEATURES_ENABLES, &v), -1, "rdmsr MISC_FEATURES_ENABLES");
    CHECK_RC(v, 1, "MISC_FEATURES_ENABLES unchanged by a refused write");
    user_faults();
    CHECK_RC(wrmsr_try(MSR_MISC_FEATURES_ENABLES, 0), -1, "wrmsr MISC_FEATURES_ENABLES 0 (faulting off)");
    user_works("faulting turned off again");
    printk("cpuid_faulting: offered, user CPUID faulted to the kernel\n");
}

static void not_offered(void)
{
    uint64_t v;

    CHECK_RC(wrmsr_try(MSR_MISC_FEATURES_ENABLES, 1), TRAP_gp_fault, "wrmsr MISC_FEATURES_ENABLES 1 (not offered)");
    CHECK_RC(rdmsr_try(MSR_MISC_FEATURES_ENABLES, &v), -1, "rdmsr MISC_FEATURES_ENABLES");
    CHECK_RC(v, 0, "MISC_FEATURES_ENABLES after the refused write");
    user_works("not offered");
    printk("cpuid_faulting: not offered by this CPU, MSRs refuse it\n");
}

void test_main(void)
{
    uint64_t pinfo;

    CHECK_RC(traps_set_exceptions(), 0, "install exception handlers");
    if (!um_init())
        return;
    CHECK_RC(rdmsr_try(MSR_PLATFORM_INFO, &pinfo), -1, "rdmsr PLATFORM_INFO");
    if (pinfo & ~CPUID_FAULTING_OFFERED)
        test_fail("PLATFORM_INFO %#lx: bits other than CPUID faulting", (unsigned long)pinfo);
    msr_refusals(pinfo);
    user_works("faulting off");
    if (pinfo & CPUID_FAULTING_OFFERED)
        offered();
    else
        not_offered();
    test_success();
}
