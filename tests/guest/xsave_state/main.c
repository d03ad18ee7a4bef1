/*
 * xsave_state: XSAVE for a PV guest, as Xen offers it (hypervisor/arch/x86/fpu.c,
 * pv/emul.c):
 *   - CPUID: XSAVE in leaf 1, OSXSAVE in the kernel's forced view; leaf 0xD
 *     sub-leaves consistent (components, sizes, offsets; nothing the
 *     hypervisor does not switch: no PKRU, no supervisor state);
 *   - the guest's CR4 view: OSXSAVE clear until it sets it, xsetbv #UD before;
 *   - xsetbv: every XCR0 the hardware refuses (no x87, AVX without SSE,
 *     unsupported or reserved bits, XCR index 1, from user mode) is #GP with
 *     XCR0 unchanged; good values are taken (xgetbv, from kernel and user
 *     mode, reads them); AVX instructions #UD with XCR0 = x87|SSE;
 *   - the ymm registers (upper halves included) survive a yield and a sleep;
 *   - VCPUOP_initialise: the new vCPU gets the image's x87/SSE state, XCR0
 *     x87|SSE, its CR4 view from ctrlreg[4], and the ymm upper halves in
 *     their init state (not vCPU 0's).
 * The test is compiled -mno-sse -mno-avx: only its inline asm touches these registers.
 */
#include "multidom.h"
#include "traps.h"
#include "usermode.h"
#include <tandem/vcpu.h>

const char test_title[] = "XSAVE: CPUID 0xD, xsetbv, AVX state preserved";

#define CR4_OSXSAVE (1UL << 18)
#define X87 1ULL
#define SSE 2ULL
#define YMM 4ULL

static void xen_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    *a = leaf; *c = sub;
    __asm__ __volatile__("ud2; .ascii \"xen\"; cpuid" : "+a"(*a), "=b"(*b), "+c"(*c), "=d"(*d) :: "memory");
}

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

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* xsetbv; the vector it raised (-1: none). */
static int xsetbv_vec(uint32_t index, uint64_t val)
{
    unsigned long n = last_trap.count;

    __asm__ __volatile__("1: xsetbv\n2:" ASM_EXTABLE(1b, 2b)
                         :: "c"(index), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
    return last_trap.count == n ? -1 : (int)last_trap.vector;
}

static int vex_vec(void)
{
    unsigned long n = last_trap.count;

    __asm__ __volatile__("1: vpxor %%xmm0, %%xmm0, %%xmm0\n2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    return last_trap.count == n ? -1 : (int)last_trap.vector;
}

static uint8_t ymm_in[16][32] __attribute__((aligned(32)));
static uint8_t ymm_out[16][32] __attribute__((aligned(32)));

#define YMM_ALL(op, mem) \
    op " 0(" mem "), %%ymm0\n\t" op " 32(" mem "), %%ymm1\n\t" op " 64(" mem "), %%ymm2\n\t" \
    op " 96(" mem "), %%ymm3\n\t" op " 128(" mem "), %%ymm4\n\t" op " 160(" mem "), %%ymm5\n\t" \
    op " 192(" mem "), %%ymm6\n\t" op " 224(" mem "), %%ymm7\n\t" op " 256(" mem "), %%ymm8\n\t" \
    op " 288(" mem "), %%ymm9\n\t" op " 320(" mem "), %%ymm10\n\t" op " 352(" mem "), %%ymm11\n\t" \
    op " 384(" mem "), %%ymm12\n\t" op " 416(" mem "), %%ymm13\n\t" op " 448(" mem "), %%ymm14\n\t" \
    op " 480(" mem "), %%ymm15\n\t"
#define YMM_STORE_ALL(mem) \
    "vmovdqu %%ymm0, 0(" mem ")\n\tvmovdqu %%ymm1, 32(" mem ")\n\tvmovdqu %%ymm2, 64(" mem ")\n\t" \
    "vmovdqu %%ymm3, 96(" mem ")\n\tvmovdqu %%ymm4, 128(" mem ")\n\tvmovdqu %%ymm5, 160(" mem ")\n\t" \
    "vmovdqu %%ymm6, 192(" mem ")\n\tvmovdqu %%ymm7, 224(" mem ")\n\tvmovdqu %%ymm8, 256(" mem ")\n\t" \
    "vmovdqu %%ymm9, 288(" mem ")\n\tvmovdqu %%ymm10, 320(" mem ")\n\tvmovdqu %%ymm11, 352(" mem ")\n\t" \
    "vmovdqu %%ymm12, 384(" mem ")\n\tvmovdqu %%ymm13, 416(" mem ")\n\tvmovdqu %%ymm14, 448(" mem ")\n\t" \
    "vmovdqu %%ymm15, 480(" mem ")\n\t"

static void ymm_load(void)
{
    __asm__ __volatile__(YMM_ALL("vmovdqu", "%0") :: "r"(ymm_in) : "memory");
}

static void ymm_check(const char *what)
{
    __asm__ __volatile__(YMM_STORE_ALL("%0") :: "r"(ymm_out) : "memory");
    for (unsigned int i = 0; i < 16; i++)
        if (memcmp(ymm_in[i], ymm_out[i], 32)) {
            test_fail("%s: ymm%u changed (%s half)", what, i,
                      memcmp(ymm_in[i], ymm_out[i], 16) ? "lower" : "upper");
            return;
        }
}

static uint64_t xmask;

static void check_cpuid(void)
{
    uint32_t a, b, c, d, max_end = 0;

    xen_cpuid(1, 0, &a, &b, &c, &d);
    if (!(c & (1U << 27)))
        test_fail("leaf 1 ECX %#x: no OSXSAVE in the kernel's forced view", c);
    xen_cpuid(0xd, 0, &a, &b, &c, &d);
    xmask = a | ((uint64_t)d << 32);
    printk("xsave_state: 0xD.0 eax %#x ebx %u ecx %u edx %#x\n", a, b, c, d);
    if ((xmask & 3) != 3)
        test_fail("0xD.0 components %#lx lack x87|SSE", (unsigned long)xmask);
    if (xmask & ~(0xe7ULL))
        test_fail("0xD.0 components %#lx: beyond x87/SSE/AVX/AVX-512", (unsigned long)xmask);
    if (b < 576 || c < b)
        test_fail("0xD.0 sizes: current %u, all %u", b, c);
    for (unsigned int i = 2; i < 63; i++) {
        uint32_t sa, sb, sc, sd;
        xen_cpuid(0xd, i, &sa, &sb, &sc, &sd);
        if (!(xmask & (1ULL << i))) {
            if (sa | sb | sc | sd)
                test_fail("0xD.%u (not offered): %#x %#x %#x %#x", i, sa, sb, sc, sd);
            continue;
        }
        if (!sa || sb < 576 || (sc & 1) || sd)
            test_fail("0xD.%u: size %u offset %u flags %#x %#x", i, sa, sb, sc, sd);
        if (sb + sa > max_end)
            max_end = sb + sa;
    }
    if (max_end && max_end != c)
        test_fail("0xD.0 ECX %u, but the components end at %u", c, max_end);
    if ((xmask & YMM)) {
        xen_cpuid(0xd, 2, &a, &b, &c, &d);
        if (a != 256 || b != 576)
            test_fail("0xD.2 (AVX): size %u offset %u, want 256 at 576", a, b);
    }
    xen_cpuid(0xd, 1, &a, &b, &c, &d);
    printk("xsave_state: 0xD.1 eax %#x ebx %u ecx %#x edx %#x\n", a, b, c, d);
    if ((a & ~7U) || c || d)
        test_fail("0xD.1: %#x %#x %#x %#x: XSAVES/XFD or supervisor state offered", a, b, c, d);
    xen_cpuid(7, 0, &a, &b, &c, &d);
    if (!(xmask & YMM) && (b & (1U << 5)))
        test_fail("AVX2 offered without AVX state");
    if (c & (1U << 3))
        test_fail("PKU offered");
}

static void check_xsetbv(void)
{
    static const struct { uint32_t index; uint64_t val; const char *what; } bad[] = {
        { 0, 0, "nothing" }, { 0, SSE, "SSE without x87" }, { 0, X87 | YMM, "AVX without SSE" },
        { 0, 3 | (1ULL << 9), "PKRU (not offered)" }, { 0, 3 | (3ULL << 3), "MPX (not offered)" },
        { 0, 7 | (1ULL << 5), "opmask alone" }, { 0, 3 | (1ULL << 62), "reserved bit 62" },
        { 0, 3 | (1ULL << 63), "reserved bit 63" }, { 0, 3 | (1ULL << 8), "supervisor PT" },
        { 1, 3, "XCR index 1" }, { 0x80000000U, 3, "XCR index 0x80000000" },
    };
    uint64_t cr4 = read_cr4();
    int vec;

    if (cr4 & CR4_OSXSAVE)
        test_fail("CR4 %#lx: OSXSAVE set before the guest set it", (unsigned long)cr4);
    if ((vec = xsetbv_vec(0, 3)) != TRAP_invalid_op)
        test_fail("xsetbv with the guest's CR4.OSXSAVE clear: vector %d, want #UD", vec);
    write_cr4(cr4 | CR4_OSXSAVE);
    if (!(read_cr4() & CR4_OSXSAVE))
        test_fail("CR4.OSXSAVE does not read back set");
    write_cr4(cr4 | CR4_OSXSAVE | (1UL << 21) | (1UL << 20));   /* SMAP, SMEP: Tandem's, ignored */
    if (read_cr4() != (cr4 | CR4_OSXSAVE))
        test_fail("CR4 %#lx after setting SMEP/SMAP, want %#lx", (unsigned long)read_cr4(),
                  (unsigned long)(cr4 | CR4_OSXSAVE));
    if (xgetbv0() != 3)
        test_fail("first XCR0 %#lx, want x87|SSE", (unsigned long)xgetbv0());

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        if (bad[i].val == (7 | (1ULL << 5)) && !(xmask & YMM))
            continue;
        vec = xsetbv_vec(bad[i].index, bad[i].val);
        if (vec != TRAP_gp_fault || last_trap.err != 0)
            test_fail("xsetbv %s (%#lx): vector %d, want #GP(0)", bad[i].what, (unsigned long)bad[i].val, vec);
        if (xgetbv0() != 3)
            test_fail("XCR0 %#lx after the refused %s", (unsigned long)xgetbv0(), bad[i].what);
    }
    if (xmask & YMM) {
        if ((vec = vex_vec()) != TRAP_invalid_op)
            test_fail("AVX instruction with XCR0 x87|SSE: vector %d, want #UD", vec);
        if ((vec = xsetbv_vec(0, 7)) != -1)
            test_fail("xsetbv x87|SSE|AVX: vector %d", vec);
        if (xgetbv0() != 7)
            test_fail("XCR0 %#lx after xsetbv 7", (unsigned long)xgetbv0());
        if ((vec = vex_vec()) != -1)
            test_fail("AVX instruction with XCR0.AVX set: vector %d", vec);
    }
    if ((vec = xsetbv_vec(0, xmask)) != -1 || xgetbv0() != xmask)
        test_fail("xsetbv of every offered component %#lx: vector %d, XCR0 %#lx", (unsigned long)xmask, vec,
                  (unsigned long)xgetbv0());
    if ((vec = xsetbv_vec(0, 3)) != -1 || xgetbv0() != 3)
        test_fail("xsetbv back to x87|SSE: vector %d", vec);
    CHECK_RC(xsetbv_vec(0, xmask), -1, "xsetbv of every offered component again");
}

static void check_user(void)
{
    static const uint8_t setbv[] = { 0x31, 0xc9, 0x0f, 0x01, 0xd1, 0x0f, 0x05 };   /* xor ecx; xsetbv; syscall */
    static const uint8_t getbv[] = { 0x31, 0xc9, 0x0f, 0x01, 0xd0, 0x0f, 0x05 };   /* xor ecx; xgetbv; syscall */
    struct um_regs r;

    if (!um_init())
        return;
    memset(&r, 0, sizeof(r));
    r.rax = 3;
    um_run(setbv, sizeof(setbv), 0, &r);
    if (r.vector != TRAP_gp_fault)
        test_fail("xsetbv in guest user mode: vector %#x, want #GP", r.vector);
    memset(&r, 0, sizeof(r));
    um_run(getbv, sizeof(getbv), 0, &r);
    if (r.vector != UM_SYSCALL || (r.rax | (r.rdx << 32)) != xmask)
        test_fail("xgetbv in guest user mode: vector %#x XCR0 %#lx, want %#lx", r.vector,
                  (unsigned long)(r.rax | (r.rdx << 32)), (unsigned long)xmask);
}

/* vCPU 1, from VCPUOP_initialise. */
static volatile unsigned int v_ran;
static volatile uint64_t v_xcr0, v_cr4;
static volatile uint32_t v_mxcsr;
static uint8_t v_ymm0[32] __attribute__((aligned(32)));
static volatile int v_setbv;
static struct vcpu_guest_context ctx;
static uint8_t stack[8192] __attribute__((aligned(16)));

static void __attribute__((noreturn, used)) secondary_main(void)
{
    uint32_t mxcsr;

    __asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr));
    v_mxcsr = mxcsr;
    v_xcr0 = xgetbv0();
    v_cr4 = read_cr4();
    v_setbv = 0;
    if (xmask & YMM) {
        __asm__ __volatile__("xsetbv" :: "c"(0), "a"(7), "d"(0));
        __asm__ __volatile__("vmovdqu %%ymm0, %0" : "=m"(v_ymm0));
    }
    v_ran++;
    for (;;)
        HC3(vcpu_op, VCPUOP_down, 1, NULL);
}

static void check_vcpu_initialise(void)
{
    static const uint8_t xmm0[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_i387_valid | VGCF_online;
    *(uint16_t *)&ctx.fpu_ctxt[0] = 0x37f;
    *(uint32_t *)&ctx.fpu_ctxt[24] = 0x7f80;
    memcpy(&ctx.fpu_ctxt[160], xmm0, 16);
    ctx.user_regs.rip = (uint64_t)secondary_main;
    ctx.user_regs.rsp = (uint64_t)stack + sizeof(stack) - 8;
    ctx.user_regs.rflags = 0x200;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = pfn_to_mfn((start_info->pt_base - 0xffffffff80000000UL) >> 12) << 12;
    ctx.ctrlreg[4] = CR4_OSXSAVE | (1UL << 20);    /* SMEP: not the guest's, dropped */
    memset(v_ymm0, 0xee, sizeof(v_ymm0));
    CHECK_RC(HC3(vcpu_op, VCPUOP_initialise, 1, &ctx), 0, "VCPUOP_initialise vCPU 1");
    for (unsigned int i = 0; i < 50 && !v_ran; i++)
        md_sleep_ns(MD_MS(10));
    if (!v_ran) {
        test_fail("vCPU 1 never ran");
        return;
    }
    printk("xsave_state: vCPU 1: XCR0 %#lx CR4 %#lx MXCSR %#x ymm0 upper %02x..%02x\n",
           (unsigned long)v_xcr0, (unsigned long)v_cr4, v_mxcsr, v_ymm0[16], v_ymm0[31]);
    if (v_xcr0 != 3)
        test_fail("vCPU 1 started with XCR0 %#lx (vCPU 0 has %#lx), want x87|SSE", (unsigned long)v_xcr0,
                  (unsigned long)xgetbv0());
    if (!(v_cr4 & CR4_OSXSAVE) || (v_cr4 & (1UL << 20)))
        test_fail("vCPU 1's CR4 view %#lx, want OSXSAVE from ctrlreg[4] and no SMEP", (unsigned long)v_cr4);
    if (v_mxcsr != 0x7f80)
        test_fail("vCPU 1's MXCSR %#x, want the image's 0x7f80", v_mxcsr);
    if (memcmp(v_ymm0, xmm0, 16))
        test_fail("vCPU 1's xmm0 is not the image's");
    if (xmask & YMM)
        for (unsigned int i = 16; i < 32; i++)
            if (v_ymm0[i]) {
                test_fail("vCPU 1's ymm0 upper half is not zero (byte %u = %#x): vCPU 0's?", i, v_ymm0[i]);
                break;
            }
}

void test_main(void)
{
    uint32_t a, b, c, d;

    md_init();
    md_events_on();
    CHECK_RC(traps_set_exceptions(), 0, "install exception handlers");
    xen_cpuid(1, 0, &a, &b, &c, &d);
    if (!(c & (1U << 26))) {
        test_skip("no XSAVE offered (the CPU has none, or xsave=off)");
        return;
    }
    check_cpuid();
    check_xsetbv();
    if (!(xmask & YMM)) {
        test_skip("no AVX state offered");
        return;
    }
    for (unsigned int i = 0; i < 16; i++)
        for (unsigned int j = 0; j < 32; j++)
            ymm_in[i][j] = (uint8_t)(0x13 * i + 5 * j + 0x21);
    ymm_load();
    CHECK_RC(HC2(sched_op, SCHEDOP_yield, 0), 0, "SCHEDOP_yield");
    ymm_check("after a yield");
    ymm_load();
    md_sleep_ns(MD_MS(10));
    ymm_check("after a 10 ms sleep");
    check_vcpu_initialise();
    ymm_load();
    md_sleep_ns(MD_MS(5));
    ymm_check("after vCPU 1 ran");
    check_user();
    test_success();
}
