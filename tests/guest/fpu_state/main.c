/*
 * fpu_state: fpu_taskswitch and the FPU/SSE state of a PV vCPU, as Xen's
 * do_fpu_taskswitch / do_device_not_available handle them:
 *   - with the virtual CR0.TS set, the next x87 or SSE instruction raises
 *     #NM, delivered once to the guest's vector-7 handler; Xen clears the
 *     virtual TS as it delivers it, so the retried instruction runs;
 *   - fpu_taskswitch(0) clears it: no #NM; the emulated `mov %cr0` shows it;
 *   - the virtual TS survives hypercalls and a sleep in SCHEDOP_block;
 *   - xmm0-15, MXCSR, the x87 control word and stack survive hypercalls,
 *     an exception, an event upcall and a sleep (a context switch away and
 *     back). The test is compiled -mno-sse: only its inline asm touches them.
 */
#include "upcall.h"
#include "traps.h"

const char test_title[] = "fpu_taskswitch, #NM delivery, FPU/SSE state preserved";

#define TRAP_no_device 7
#define CR0_TS (1UL << 3)
#define MS 1000000ULL

static uint32_t tport;

static uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
    return v;
}

/* One SSE / one x87 instruction; a fault at it is retried (the fixup is the instruction). */
static void use_sse(void) { __asm__ __volatile__("1: movdqa %%xmm0, %%xmm0\n" ASM_EXTABLE(1b, 1b) ::: "memory"); }
static void use_x87(void) { __asm__ __volatile__("1: fnstcw -8(%%rsp)\n" ASM_EXTABLE(1b, 1b) ::: "memory"); }

static void expect_nm(void (*use)(void), unsigned long want, const char *what)
{
    unsigned long n = last_trap.count;

    use();
    if (last_trap.count - n != want)
        test_fail("%s: %lu exceptions, want %lu", what, last_trap.count - n, want);
    else if (want && (last_trap.vector != TRAP_no_device || last_trap.has_err))
        test_fail("%s: vector %u (error code %d), want #NM without error code", what,
                  last_trap.vector, last_trap.has_err);
}

static void sleep_ms(uint64_t ms)
{
    unsigned long n = upcalls.port_hits[tport];
    uint64_t limit = evt_now() + 2000 * MS;

    evt_set_timer(evt_now() + ms * MS);
    while (upcalls.port_hits[tport] == n && evt_now() < limit) {
        evt_events_off();
        if (upcalls.port_hits[tport] != n)
            break;
        evt_block();
    }
    evt_events_off();
    if (upcalls.port_hits[tport] == n)
        test_error("the timer never woke the vCPU");
}

static uint8_t xmm_in[16][16] __attribute__((aligned(16)));
static uint8_t xmm_out[16][16] __attribute__((aligned(16)));

static void load_state(void)
{
    uint32_t mxcsr = 0x7f80;                /* default masks, rounding toward zero */
    uint16_t fcw = 0x0f7f;                  /* rounding toward zero, 64-bit precision */

    __asm__ __volatile__(
        "movdqa 0(%0), %%xmm0\n\tmovdqa 16(%0), %%xmm1\n\tmovdqa 32(%0), %%xmm2\n\tmovdqa 48(%0), %%xmm3\n\t"
        "movdqa 64(%0), %%xmm4\n\tmovdqa 80(%0), %%xmm5\n\tmovdqa 96(%0), %%xmm6\n\tmovdqa 112(%0), %%xmm7\n\t"
        "movdqa 128(%0), %%xmm8\n\tmovdqa 144(%0), %%xmm9\n\tmovdqa 160(%0), %%xmm10\n\tmovdqa 176(%0), %%xmm11\n\t"
        "movdqa 192(%0), %%xmm12\n\tmovdqa 208(%0), %%xmm13\n\tmovdqa 224(%0), %%xmm14\n\tmovdqa 240(%0), %%xmm15\n\t"
        "ldmxcsr %1\n\t"
        "fninit\n\tfldcw %2\n\tfld1\n\tfldpi\n\tfldl2t\n\t"
        :: "r"(xmm_in), "m"(mxcsr), "m"(fcw) : "memory");
}

static void check_state(const char *what)
{
    uint32_t mxcsr = 0;
    uint16_t fcw = 0;
    uint64_t l2t = 0, pi = 0, one = 0;

    __asm__ __volatile__(
        "movdqa %%xmm0, 0(%0)\n\tmovdqa %%xmm1, 16(%0)\n\tmovdqa %%xmm2, 32(%0)\n\tmovdqa %%xmm3, 48(%0)\n\t"
        "movdqa %%xmm4, 64(%0)\n\tmovdqa %%xmm5, 80(%0)\n\tmovdqa %%xmm6, 96(%0)\n\tmovdqa %%xmm7, 112(%0)\n\t"
        "movdqa %%xmm8, 128(%0)\n\tmovdqa %%xmm9, 144(%0)\n\tmovdqa %%xmm10, 160(%0)\n\tmovdqa %%xmm11, 176(%0)\n\t"
        "movdqa %%xmm12, 192(%0)\n\tmovdqa %%xmm13, 208(%0)\n\tmovdqa %%xmm14, 224(%0)\n\tmovdqa %%xmm15, 240(%0)\n\t"
        "stmxcsr %1\n\tfnstcw %2\n\t"
        "fstpl %3\n\tfstpl %4\n\tfstpl %5\n\t"
        :: "r"(xmm_out), "m"(mxcsr), "m"(fcw), "m"(l2t), "m"(pi), "m"(one) : "memory");
    for (unsigned int i = 0; i < 16; i++)
        if (memcmp(xmm_in[i], xmm_out[i], 16)) {
            test_fail("%s: xmm%u changed", what, i);
            break;
        }
    if ((mxcsr & 0xffc0) != 0x7f80)
        test_fail("%s: MXCSR %#x, want 0x7f80", what, mxcsr);
    if (fcw != 0x0f7f)
        test_fail("%s: x87 control word %#x, want 0xf7f", what, fcw);
    /* Doubles rounded toward zero: log2(10), pi, 1. */
    if (l2t != 0x400a934f0979a371ULL || pi != 0x400921fb54442d18ULL || one != 0x3ff0000000000000ULL)
        test_fail("%s: x87 stack %#lx %#lx %#lx, want log2(10), pi, 1", what,
                  (unsigned long)l2t, (unsigned long)pi, (unsigned long)one);
}

void test_main(void)
{
    uint32_t ipi;

    evt_map_shared_info();
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &tport), 0, "bind VIRQ_TIMER");
    CHECK_RC(evt_unmask(tport), 0, "unmask it");
    CHECK_RC(evt_bind_ipi(&ipi), 0, "bind_ipi");
    CHECK_RC(evt_unmask(ipi), 0, "unmask it");
    CHECK_RC(traps_set(TRAP_no_device, 0), 0, "install a #NM handler");
    CHECK_RC(traps_set(TRAP_invalid_op, 0), 0, "install a #UD handler");

    CHECK_RC(HC1(fpu_taskswitch, 0), 0, "fpu_taskswitch(0)");
    if (read_cr0() & CR0_TS)
        test_fail("CR0.TS reads set after fpu_taskswitch(0)");
    expect_nm(use_sse, 0, "SSE with TS clear");
    expect_nm(use_x87, 0, "x87 with TS clear");

    CHECK_RC(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
    if (!(read_cr0() & CR0_TS))
        test_fail("CR0.TS reads clear after fpu_taskswitch(1)");
    expect_nm(use_sse, 1, "SSE with TS set: one #NM, then the retry runs");
    if (read_cr0() & CR0_TS)
        test_fail("CR0.TS still set after the #NM was delivered");
    expect_nm(use_sse, 0, "SSE again after the #NM");
    expect_nm(use_x87, 0, "x87 after the #NM");

    CHECK_RC(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
    expect_nm(use_x87, 1, "x87 with TS set");
    expect_nm(use_x87, 0, "x87 again");

    CHECK_RC(HC1(fpu_taskswitch, 42), 0, "fpu_taskswitch(42): any non-zero sets TS");
    CHECK_RC(HC2(xen_version, 0, 0), 0x00040013, "a hypercall with TS set");
    expect_nm(use_sse, 1, "SSE after a hypercall with TS set");

    CHECK_RC(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
    sleep_ms(5);
    if (!(read_cr0() & CR0_TS))
        test_fail("CR0.TS lost across a sleep in SCHEDOP_block");
    expect_nm(use_sse, 1, "SSE with TS set, after a sleep");

    CHECK_RC(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
    CHECK_RC(HC1(fpu_taskswitch, 0), 0, "fpu_taskswitch(0)");
    expect_nm(use_sse, 0, "SSE after fpu_taskswitch(1) then (0)");
    __asm__ __volatile__("clts");          /* emulated: clears the virtual TS */
    CHECK_RC(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1)");
    __asm__ __volatile__("clts");
    expect_nm(use_sse, 0, "SSE after an emulated clts");

    /* Register contents across hypercalls, an exception, an upcall and a sleep. */
    for (unsigned int i = 0; i < 16; i++)
        for (unsigned int j = 0; j < 16; j++)
            xmm_in[i][j] = (uint8_t)(0x11 * i + 7 * j + 1);
    load_state();
    CHECK_RC(HC2(xen_version, 0, 0), 0x00040013, "xen_version");
    CHECK_RC(HC2(sched_op, SCHEDOP_yield, 0), 0, "SCHEDOP_yield");
    check_state("after hypercalls and a yield");
    load_state();
    __asm__ __volatile__("1: ud2\n2:" ASM_EXTABLE(1b, 2b) ::: "memory");
    check_state("after an exception");
    load_state();
    {
        unsigned long n = upcalls.port_hits[ipi];
        CHECK_RC(evt_send(ipi), 0, "send on the IPI port");
        evt_events_on();
        evt_events_off();
        if (upcalls.port_hits[ipi] != n + 1)
            test_error("the IPI upcall did not arrive");
    }
    check_state("after an event upcall");
    load_state();
    sleep_ms(10);
    check_state("after a 10 ms sleep in SCHEDOP_block");
    load_state();
    CHECK_RC(HC1(fpu_taskswitch, 1), 0, "fpu_taskswitch(1) with live state");
    sleep_ms(5);
    expect_nm(use_sse, 1, "SSE with TS set after a sleep, live state");
    check_state("after fpu_taskswitch(1), a sleep and the #NM");
    test_success();
}
