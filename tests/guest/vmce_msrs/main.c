/*
 * vmce_msrs: the virtual machine-check architecture a PV guest sees
 * (pv/vmce.c, as Xen's vmce.c): CPUID leaf 1 shows MCE and MCA; MCG_CAP
 * reads 2 banks and is read-only; MCG_CTL reads 0 (no MCG_CTL_P) and takes
 * writes; MCG_STATUS keeps what the vCPU writes; MCi_CTL reads all ones;
 * MCi_STATUS/ADDR/MISC read 0; MCi_STATUS takes only 0; MCi_ADDR/MISC
 * refuse all ones; bank 2 and beyond, and CMCI's MCi_CTL2, do not exist (#GP).
 */
#include "test.h"
#include "traps.h"

const char test_title[] = "virtual machine-check MSRs";

/* rdmsr/wrmsr; the vector raised, -1 if none. */
static int rd(uint32_t msr, uint64_t *val)
{
    unsigned long n = last_trap.count;
    uint32_t lo = 0, hi = 0;

    __asm__ __volatile__("1: rdmsr\n2:" ASM_EXTABLE(1b, 2b) : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *val = ((uint64_t)hi << 32) | lo;
    return last_trap.count == n ? -1 : (int)last_trap.vector;
}

static int wr(uint32_t msr, uint64_t val)
{
    unsigned long n = last_trap.count;

    __asm__ __volatile__("1: wrmsr\n2:" ASM_EXTABLE(1b, 2b)
                         :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
    return last_trap.count == n ? -1 : (int)last_trap.vector;
}

static void want_rd(uint32_t msr, uint64_t want, const char *what)
{
    uint64_t v = 0;
    int vec = rd(msr, &v);

    if (vec != -1 || v != want)
        test_fail("rdmsr %s (%#x): vector %d value %#lx, want %#lx", what, msr, vec, (unsigned long)v,
                  (unsigned long)want);
}

static void want_wr(uint32_t msr, uint64_t val, bool ok, const char *what)
{
    int vec = wr(msr, val);

    if (ok ? vec != -1 : vec != TRAP_gp_fault)
        test_fail("wrmsr %s (%#x) = %#lx: vector %d, want %s", what, msr, (unsigned long)val, vec,
                  ok ? "none" : "#GP");
}

void test_main(void)
{
    uint32_t a = 1, b, c = 0, d;
    uint64_t cap = 0, v;

    CHECK_RC(traps_set(TRAP_gp_fault, 0), 0, "install a #GP handler");
    __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    if ((d & ((1U << 7) | (1U << 14))) != ((1U << 7) | (1U << 14)))
        test_fail("leaf 1 EDX %#x: MCE/MCA not shown", d);
    if (rd(0x179, &cap) != -1 || (cap & 0xff) != 2 || (cap & ~((1ULL << 11) | (1ULL << 24) | 0xff)))
        test_fail("MCG_CAP %#lx: want 2 banks, at most TES_P|SER_P", (unsigned long)cap);
    printk("vmce_msrs: MCG_CAP %#lx\n", (unsigned long)cap);
    want_wr(0x179, cap, false, "MCG_CAP (read-only)");
    want_rd(0x17b, 0, "MCG_CTL");
    want_wr(0x17b, ~0ULL, true, "MCG_CTL");
    want_rd(0x17a, 0, "MCG_STATUS");
    want_wr(0x17a, 4, true, "MCG_STATUS");
    want_rd(0x17a, 4, "MCG_STATUS after a write");
    want_wr(0x17a, 0, true, "MCG_STATUS");
    for (uint32_t bank = 0; bank < 2; bank++) {
        uint32_t base = 0x400 + 4 * bank;
        want_rd(base, ~0ULL, "MCi_CTL");
        want_wr(base, 0, true, "MCi_CTL (ignored)");
        want_rd(base, ~0ULL, "MCi_CTL after writing 0");
        want_rd(base + 1, 0, "MCi_STATUS");
        want_wr(base + 1, 0, true, "MCi_STATUS");
        want_wr(base + 1, 1ULL << 63, false, "MCi_STATUS (an error record)");
        want_rd(base + 1, 0, "MCi_STATUS after the refused write");
        want_rd(base + 2, 0, "MCi_ADDR");
        want_wr(base + 2, 0x1000, true, "MCi_ADDR");
        want_wr(base + 2, ~0ULL, false, "MCi_ADDR all ones");
        want_rd(base + 3, 0, "MCi_MISC");
        want_wr(base + 3, ~0ULL, false, "MCi_MISC all ones");
    }
    if (rd(0x408, &v) != TRAP_gp_fault)
        test_fail("rdmsr MC2_CTL: want #GP (2 banks)");
    if (rd(0x280, &v) != TRAP_gp_fault)
        test_fail("rdmsr MC0_CTL2: want #GP (no CMCI)");
    test_success();
}
