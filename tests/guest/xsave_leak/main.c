/*
 * xsave_leak (hostile, three domains from one image): each vCPU's AVX state
 * and XCR0 are its own across context switches. Domains `a` and `b` fill
 * ymm0-15 (upper halves included) with their own pattern and XCR0 with
 * every offered component, then for 1.5 s alternately spin and sleep 1 ms
 * (each wake-up a switch from another running domain), checking all 16
 * registers after each; domain `sse` keeps XCR0 = x87|SSE and checks after
 * each sleep that XCR0 still reads x87|SSE and an AVX instruction still
 * raises #UD (another domain's XCR0 must not follow it in).
 */
#include "multidom.h"
#include "traps.h"

const char test_title[] = "hostile: ymm registers and XCR0 do not leak between domains";

static uint8_t want[16][32] __attribute__((aligned(32)));
static uint8_t got[16][32] __attribute__((aligned(32)));

static void xen_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    *a = leaf; *c = sub;
    __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(*a), "=b"(*b), "+c"(*c), "=d"(*d) :: "memory");
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void load(void)
{
    __asm__ __volatile__(
        "vmovdqu 0(%0), %%ymm0\n\tvmovdqu 32(%0), %%ymm1\n\tvmovdqu 64(%0), %%ymm2\n\tvmovdqu 96(%0), %%ymm3\n\t"
        "vmovdqu 128(%0), %%ymm4\n\tvmovdqu 160(%0), %%ymm5\n\tvmovdqu 192(%0), %%ymm6\n\tvmovdqu 224(%0), %%ymm7\n\t"
        "vmovdqu 256(%0), %%ymm8\n\tvmovdqu 288(%0), %%ymm9\n\tvmovdqu 320(%0), %%ymm10\n\tvmovdqu 352(%0), %%ymm11\n\t"
        "vmovdqu 384(%0), %%ymm12\n\tvmovdqu 416(%0), %%ymm13\n\tvmovdqu 448(%0), %%ymm14\n\tvmovdqu 480(%0), %%ymm15\n\t"
        :: "r"(want) : "memory");
}

static void store(void)
{
    __asm__ __volatile__(
        "vmovdqu %%ymm0, 0(%0)\n\tvmovdqu %%ymm1, 32(%0)\n\tvmovdqu %%ymm2, 64(%0)\n\tvmovdqu %%ymm3, 96(%0)\n\t"
        "vmovdqu %%ymm4, 128(%0)\n\tvmovdqu %%ymm5, 160(%0)\n\tvmovdqu %%ymm6, 192(%0)\n\tvmovdqu %%ymm7, 224(%0)\n\t"
        "vmovdqu %%ymm8, 256(%0)\n\tvmovdqu %%ymm9, 288(%0)\n\tvmovdqu %%ymm10, 320(%0)\n\tvmovdqu %%ymm11, 352(%0)\n\t"
        "vmovdqu %%ymm12, 384(%0)\n\tvmovdqu %%ymm13, 416(%0)\n\tvmovdqu %%ymm14, 448(%0)\n\tvmovdqu %%ymm15, 480(%0)\n\t"
        :: "r"(got) : "memory");
}

static void spin(void)
{
    for (volatile unsigned int i = 0; i < 20000; i++)
        ;
}

static void ymm_role(uint8_t seed)
{
    uint64_t end = md_now() + MD_MS(1500), xmask;
    unsigned long rounds = 0, bad = 0;
    uint32_t a, b, c, d;

    xen_cpuid(0xd, 0, &a, &b, &c, &d);
    xmask = a | ((uint64_t)d << 32);
    __asm__ __volatile__("xsetbv" :: "c"(0), "a"((uint32_t)xmask), "d"((uint32_t)(xmask >> 32)));
    for (unsigned int i = 0; i < 16; i++)
        for (unsigned int j = 0; j < 32; j++)
            want[i][j] = (uint8_t)(seed + 17 * i + 3 * j);
    load();
    while (md_now() < end) {
        spin();
        md_sleep_ns(MD_MS(1));
        store();
        rounds++;
        if (memcmp(want, got, sizeof(want))) {
            if (!bad++)
                for (unsigned int i = 0; i < 16; i++)
                    if (memcmp(want[i], got[i], 32)) {
                        printk("xsave_leak: ymm%u byte 31 is %#x, want %#x\n", i, got[i][31], want[i][31]);
                        break;
                    }
            load();
        }
        if (xgetbv0() != xmask)
            bad++;
    }
    printk("xsave_leak: %lu checks after a switch, %lu saw another domain's state\n", rounds, bad);
    if (bad)
        test_fail("ymm/XCR0 state changed %lu times in %lu", bad, rounds);
}

static void sse_role(void)
{
    uint64_t end = md_now() + MD_MS(1500);
    unsigned long rounds = 0, bad = 0;

    CHECK_RC(traps_set(TRAP_invalid_op, 0), 0, "install a #UD handler");
    while (md_now() < end) {
        unsigned long n = last_trap.count;

        spin();
        md_sleep_ns(MD_MS(1));
        rounds++;
        __asm__ __volatile__("1: vpxor %%xmm0, %%xmm0, %%xmm0\n2:" ASM_EXTABLE(1b, 2b) ::: "memory");
        if (xgetbv0() != 3 || last_trap.count != n + 1)
            bad++;
    }
    printk("xsave_leak: sse: %lu checks after a switch, %lu saw another XCR0\n", rounds, bad);
    if (bad)
        test_fail("XCR0 was not x87|SSE %lu times in %lu", bad, rounds);
}

void test_main(void)
{
    uint32_t a, b, c, d;

    md_init();
    md_events_on();
    xen_cpuid(0xd, 0, &a, &b, &c, &d);
    if (!(a & 4)) {
        test_skip("no AVX state offered");
        return;
    }
    __asm__ __volatile__("mov %%cr4, %%rax; or $0x40000, %%rax; mov %%rax, %%cr4" ::: "rax");
    if (md_arg_is("role", "a"))
        ymm_role(0x10);
    else if (md_arg_is("role", "b"))
        ymm_role(0x80);
    else if (md_arg_is("role", "sse"))
        sse_role();
    else
        test_error("role=a, role=b or role=sse");
    test_success();
}
