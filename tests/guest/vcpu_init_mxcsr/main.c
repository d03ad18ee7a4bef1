/*
 * vcpu_init_mxcsr (hostile): VCPUOP_initialise with VGCF_i387_valid and an
 * FXSAVE image whose MXCSR has bits outside the CPU's MXCSR_MASK. On real
 * hardware fxrstor of such an image raises #GP in ring 0 when the vCPU is
 * first scheduled; the hypervisor must refuse the image with -EINVAL and
 * leave the vCPU uninitialised (a later VCPUOP_initialise may still
 * succeed). A good image (MXCSR 0x7f80, FCW 0x27f) must reach the vCPU.
 */
#include "multidom.h"
#include <tandem/vcpu.h>

const char test_title[] = "hostile: VCPUOP_initialise with reserved MXCSR bits is refused";

static struct vcpu_guest_context ctx;
static uint8_t stack[2][8192] __attribute__((aligned(16)));
static volatile unsigned int v_ran;
static volatile uint32_t v_mxcsr;
static volatile uint16_t v_fcw;

/* Where an initialised vCPU starts: report its MXCSR and FCW, then go down. */
static void __attribute__((noreturn, used)) secondary_main(void)
{
    uint32_t mxcsr;
    uint16_t fcw;

    __asm__ __volatile__("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fcw));
    v_mxcsr = mxcsr;
    v_fcw = fcw;
    v_ran++;
    /* Our own id: the one whose stack we are on. */
    unsigned int me = (uint64_t)__builtin_frame_address(0) >= (uint64_t)stack[1] ? 2 : 1;
    for (;;)
        HC3(vcpu_op, VCPUOP_down, me, NULL);
}

static long initialise(unsigned int vcpu, uint32_t mxcsr, uint16_t fcw)
{
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_i387_valid | VGCF_online;
    *(uint16_t *)&ctx.fpu_ctxt[0] = fcw;
    *(uint32_t *)&ctx.fpu_ctxt[24] = mxcsr;
    *(uint32_t *)&ctx.fpu_ctxt[28] = 0xffff;        /* MXCSR_MASK: ignored by fxrstor */
    ctx.user_regs.rip = (uint64_t)secondary_main;
    ctx.user_regs.rsp = (uint64_t)stack[vcpu - 1] + sizeof(stack[0]) - 8;
    ctx.user_regs.rflags = 0x200;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = pfn_to_mfn((start_info->pt_base - 0xffffffff80000000UL) >> 12) << 12;
    return HC3(vcpu_op, VCPUOP_initialise, vcpu, &ctx);
}

static bool wait_ran(unsigned int want)
{
    /* Blocking gives the new vCPU the CPU (a yield would not: vCPU 0 has more credit). */
    for (unsigned int i = 0; i < 50 && v_ran < want; i++)
        md_sleep_ns(MD_MS(10));
    return v_ran >= want;
}

void test_main(void)
{
    static const uint32_t bad[] = { 0x1f80 | (1U << 16), 0x1f80 | 0x80000000U, 0xffffffffU };
    long rc;

    md_init();
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        rc = initialise(1, bad[i], 0x37f);
        printk("vcpu_init_mxcsr: MXCSR %#x: rc %ld\n", bad[i], rc);
        if (rc != -XEN_EINVAL)
            test_fail("VCPUOP_initialise with MXCSR %#x: got %ld, want %d", bad[i], rc, -XEN_EINVAL);
        if (rc == 0) {
            wait_ran(1);        /* on hardware this is where fxrstor faults in ring 0 */
            printk("vcpu_init_mxcsr: the vCPU ran %u time(s) with MXCSR %#x\n", v_ran, v_mxcsr);
            break;
        }
    }
    CHECK_RC(HC3(vcpu_op, VCPUOP_is_up, 1, NULL), 0, "vCPU 1 is down after the refusals");

    /* A good image: the vCPU starts with exactly its MXCSR and FCW. */
    v_ran = 0;
    CHECK_RC(initialise(2, 0x7f80, 0x27f), 0, "VCPUOP_initialise vCPU 2 with MXCSR 0x7f80");
    if (!wait_ran(1))
        test_fail("vCPU 2 never ran");
    else if (v_mxcsr != 0x7f80 || v_fcw != 0x27f)
        test_fail("vCPU 2 started with MXCSR %#x FCW %#x, want 0x7f80 0x27f", v_mxcsr, v_fcw);
    test_success();
}
