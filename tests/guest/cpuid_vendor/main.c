/*
 * cpuid_vendor: the forced-emulation CPUID policy hides the same features
 * whatever the CPU vendor. AMD CPUs repeat most of leaf 1's EDX bits in leaf
 * 0x80000001 EDX (PSE, MCE, APIC, MTRR, MCA, PSE36 among them), Intel ones
 * leave them 0; and AMD reports SVM in leaf 0x80000001 ECX bit 2 where Intel
 * reports VMX in leaf 1. What leaf 1 hides must not show in the AMD copy,
 * and SVM is hidden like VMX (Xen's PV policy). Run under `-cpu max`
 * (AuthenticAMD) and, as cpuid_vendor_intel (the same source, linked), under
 * an Intel model; each expect file checks the vendor the test printed.
 */
#include "test.h"

const char test_title[] = "forced-CPUID policy, whatever the CPU vendor";

static void xen_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    *a = leaf; *c = 0;
    __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(*a), "=b"(*b), "+c"(*c), "=d"(*d) :: "memory");
}

void test_main(void)
{
    uint32_t a, b, c, d, a1, b1, c1, d1, ra, rb, rc, rd;
    char v[13];
    /* Leaf-1 EDX bits the policy hides that AMD also reports in 0x80000001 EDX. */
    /* PSE, APIC, MTRR, PSE36 (MCE and MCA are shown: the virtual banks of pv/vmce.c). */
    const uint32_t hidden_1d = (1U << 3) | (1U << 9) | (1U << 12) | (1U << 17);

    xen_cpuid(0, &a, &b, &c, &d);
    memcpy(v, &b, 4); memcpy(v + 4, &d, 4); memcpy(v + 8, &c, 4); v[12] = 0;
    printk("cpuid_vendor: vendor %s, max leaf %#x\n", v, a);
    xen_cpuid(1, &a1, &b1, &c1, &d1);
    xen_cpuid(0x80000000, &a, &b, &c, &d);
    if (a < 0x80000001) {
        test_error("no leaf 0x80000001 (max extended leaf %#x)", a);
        return;
    }
    xen_cpuid(0x80000001, &a, &b, &c, &d);
    ra = 0x80000001; rc = 0;
    __asm__ __volatile__("cpuid" : "+a"(ra), "=b"(rb), "+c"(rc), "=d"(rd));
    printk("cpuid_vendor: leaf 1 edx %08x ecx %08x; 0x80000001 edx %08x ecx %08x (raw %08x %08x)\n",
           d1, c1, d, c, rd, rc);
    if (d1 & hidden_1d)
        test_fail("leaf 1 EDX %08x shows hidden bits %08x", d1, d1 & hidden_1d);
    if (d & hidden_1d)
        test_fail("leaf 0x80000001 EDX %08x shows bits leaf 1 hides: %08x", d, d & hidden_1d);
    if (c1 & (1U << 5))
        test_fail("leaf 1 ECX shows VMX");
    if (c & (1U << 2))
        test_fail("leaf 0x80000001 ECX %08x shows SVM", c);
    if (d & (1U << 26))
        test_fail("leaf 0x80000001 EDX shows 1 GiB pages");
    if (!(d & (1U << 29)))
        test_fail("leaf 0x80000001 EDX %08x lost long mode", d);
    test_success();
}
