/*
 * xsave_off: with `xsave=off` on the hypervisor's command line (FXSAVE
 * only, as on a CPU without XSAVE) a PV guest sees no XSAVE: CPUID leaf 1
 * without XSAVE, OSXSAVE, AVX, FMA, F16C; leaf 7 without AVX2 and
 * AVX-512; leaf 0xD empty; CR4.OSXSAVE cannot be set in its view; xsetbv
 * and AVX instructions raise #UD. SSE state is still switched (one sleep).
 */
#include "multidom.h"
#include "traps.h"

const char test_title[] = "xsave=off: no XSAVE or AVX offered";

static void xen_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    *a = leaf; *c = sub;
    __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(*a), "=b"(*b), "+c"(*c), "=d"(*d) :: "memory");
}

void test_main(void)
{
    static uint8_t in[16] __attribute__((aligned(16))) = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6 };
    static uint8_t out[16] __attribute__((aligned(16)));
    uint32_t a, b, c, d;
    uint64_t cr4;
    unsigned long n;

    md_init();
    md_events_on();
    CHECK_RC(traps_set_exceptions(), 0, "install exception handlers");
    xen_cpuid(1, 0, &a, &b, &c, &d);
    if (c & ((1U << 26) | (1U << 27) | (1U << 28) | (1U << 12) | (1U << 29)))
        test_fail("leaf 1 ECX %#x shows XSAVE/OSXSAVE/AVX/FMA/F16C", c);
    xen_cpuid(7, 0, &a, &b, &c, &d);
    if (b & ((1U << 5) | (1U << 16)))
        test_fail("leaf 7 EBX %#x shows AVX2/AVX-512", b);
    xen_cpuid(0xd, 0, &a, &b, &c, &d);
    if (a | b | c | d)
        test_fail("leaf 0xD.0: %#x %#x %#x %#x, want nothing", a, b, c, d);
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
    __asm__ __volatile__("mov %0, %%cr4" :: "r"(cr4 | (1UL << 18)) : "memory");
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
    if (cr4 & (1UL << 18))
        test_fail("CR4.OSXSAVE set in the guest's view without XSAVE");
    n = last_trap.count;
    __asm__ __volatile__("1: xsetbv\n2:" ASM_EXTABLE(1b, 2b) :: "c"(0), "a"(3), "d"(0) : "memory");
    if (last_trap.count != n + 1 || last_trap.vector != TRAP_invalid_op)
        test_fail("xsetbv: want #UD");
    n = last_trap.count;
    __asm__ __volatile__("1: vpxor %%xmm0, %%xmm0, %%xmm0\n2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    if (last_trap.count != n + 1 || last_trap.vector != TRAP_invalid_op)
        test_fail("an AVX instruction: want #UD");
    __asm__ __volatile__("movdqa %0, %%xmm5" :: "m"(in));
    md_sleep_ns(MD_MS(5));
    __asm__ __volatile__("movdqa %%xmm5, %0" : "=m"(out));
    if (memcmp(in, out, 16))
        test_fail("xmm5 changed across a sleep");
    test_success();
}
