/*
 * segbase_debugreg: set_segment_base (xen/arch/x86/pv/misc-hypercalls.c)
 * and set/get_debugreg (set_debugreg(), x86emul_read_dr()) as Xen 4.19:
 * DR0-3 must not point into Xen (-EPERM); DR6/DR7 reserved bits are fixed
 * up silently, upper halves are -EINVAL, DR7.GD is -EPERM; DR4/DR5 alias
 * DR6/DR7 while the virtual CR4.DE is clear; anything else is -ENODEV.
 */
#include "traps.h"

const char test_title[] = "set_segment_base and set/get_debugreg";

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void check_base(unsigned int which, uint32_t msr, uint64_t base, const char *name)
{
    char what[64];
    uint64_t got;

    snprintf(what, sizeof(what), "set_segment_base(%s, %#lx)", name, (unsigned long)base);
    CHECK_RC(HC2(set_segment_base, which, base), 0, what);
    got = rdmsr(msr);
    if (got != base)
        test_fail("%s reads back %#lx through rdmsr %#x", what, (unsigned long)got, msr);
    snprintf(what, sizeof(what), "set_segment_base(%s, non-canonical)", name);
    CHECK_RC(HC2(set_segment_base, which, 0x0000800000000000UL), -XEN_EINVAL, what);
    CHECK_RC(HC2(set_segment_base, which, 0), 0, "set_segment_base(..., 0)");
}

void test_main(void)
{
    static volatile uint64_t watched[4];        /* never touched: breakpoints stay silent */

    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");

    check_base(SEGBASE_FS, 0xc0000100, 0x00007f0000010000UL, "FS");
    check_base(SEGBASE_GS_KERNEL, 0xc0000101, 0xffff888000020000UL, "GS kernel");
    check_base(SEGBASE_GS_USER, 0xc0000102, 0x00007f0000030000UL, "GS user");
    CHECK_RC(HC2(set_segment_base, 4, 0), -XEN_EINVAL, "set_segment_base(which 4)");
    CHECK_RC(HC2(set_segment_base, 99, 0), -XEN_EINVAL, "set_segment_base(which 99)");
    CHECK_RC(HC2(set_segment_base, SEGBASE_GS_USER_SEL, 0), 0, "set_segment_base(GS user selector 0)");
    /* Xen never fails this one (a faulting load becomes the NUL selector): Linux BUG()s otherwise. */
    CHECK_RC(HC2(set_segment_base, SEGBASE_GS_USER_SEL, 0x1237), 0, "set_segment_base(GS user selector 0x1237)");

    /* Architectural reset values. */
    CHECK_RC(HC1(get_debugreg, 6), 0xffff0ff0, "get_debugreg(6) at start");
    CHECK_RC(HC1(get_debugreg, 7), 0x400, "get_debugreg(7) at start");

    for (unsigned int r = 0; r < 4; r++) {
        CHECK_RC(HC2(set_debugreg, r, &watched[r]), 0, "set_debugreg(0-3, guest address)");
        CHECK_RC(HC1(get_debugreg, r), (long)&watched[r], "get_debugreg(0-3) returns what was set");
    }
    CHECK_RC(HC2(set_debugreg, 0, 0x00007ffffffff000UL), 0, "set_debugreg(0, top of the lower half)");
    CHECK_RC(HC2(set_debugreg, 0, HYPERVISOR_VIRT_START + 0x2d080200000UL), -XEN_EPERM,
             "set_debugreg(0, hypervisor address)");
    CHECK_RC(HC2(set_debugreg, 3, MACH2PHYS_VIRT_START), -XEN_EPERM, "set_debugreg(3, M2P address)");
    CHECK_RC(HC1(get_debugreg, 0), 0x00007ffffffff000L, "get_debugreg(0) unchanged by a refused set");

    CHECK_RC(HC2(set_debugreg, 6, 0), 0, "set_debugreg(6, 0)");
    CHECK_RC(HC1(get_debugreg, 6), 0xffff0ff0, "DR6 reserved-one bits read as one");
    CHECK_RC(HC2(set_debugreg, 6, 1UL << 32), -XEN_EINVAL, "set_debugreg(6, upper half set)");

    CHECK_RC(HC2(set_debugreg, 7, 0), 0, "set_debugreg(7, 0)");
    CHECK_RC(HC1(get_debugreg, 7), 0x400, "DR7 bit 10 reads as one");
    CHECK_RC(HC2(set_debugreg, 7, (1U << 12) | (1U << 14) | (1U << 15)), 0, "set_debugreg(7, reserved bits)");
    CHECK_RC(HC1(get_debugreg, 7), 0x400, "DR7 reserved bits are cleared");
    CHECK_RC(HC2(set_debugreg, 7, 1UL << 32), -XEN_EINVAL, "set_debugreg(7, upper half set)");
    CHECK_RC(HC2(set_debugreg, 7, 1U << 13), -XEN_EPERM, "set_debugreg(7, GD)");
    CHECK_RC(HC2(set_debugreg, 7, 0x1 | (2U << 16)), -XEN_EPERM, "set_debugreg(7, I/O breakpoint without CR4.DE)");
    CHECK_RC(HC2(set_debugreg, 7, 0x1 | (1U << 16) | (3U << 18)), 0, "set_debugreg(7, L0 write len 4)");
    CHECK_RC(HC1(get_debugreg, 7), 0x1 | (1U << 16) | (3U << 18) | 0x400, "get_debugreg(7) after enabling L0");
    CHECK_RC(HC2(set_debugreg, 7, 0), 0, "set_debugreg(7, 0) again");

    /* Virtual CR4.DE is clear: DR4/DR5 are DR6/DR7. */
    CHECK_RC(HC2(set_debugreg, 4, 0x1), 0, "set_debugreg(4) (alias of DR6)");
    CHECK_RC(HC1(get_debugreg, 6), 0xffff0ff1, "DR6 after writing DR4");
    CHECK_RC(HC1(get_debugreg, 4), 0xffff0ff1, "get_debugreg(4) (alias of DR6)");
    CHECK_RC(HC2(set_debugreg, 5, 0x2), 0, "set_debugreg(5) (alias of DR7)");
    CHECK_RC(HC1(get_debugreg, 7), 0x402, "DR7 after writing DR5");
    CHECK_RC(HC1(get_debugreg, 5), 0x402, "get_debugreg(5) (alias of DR7)");
    CHECK_RC(HC2(set_debugreg, 7, 0), 0, "set_debugreg(7, 0) at the end");

    CHECK_RC(HC2(set_debugreg, 8, 0), -XEN_ENODEV, "set_debugreg(8)");
    CHECK_RC(HC1(get_debugreg, 8), -XEN_ENODEV, "get_debugreg(8)");
    CHECK_RC(HC1(get_debugreg, ~0UL), -XEN_ENODEV, "get_debugreg(-1)");
    test_success();
}
