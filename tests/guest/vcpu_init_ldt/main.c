/*
 * vcpu_init_ldt: VCPUOP_initialise's ldt_base / ldt_ents, checked as Xen's
 * arch_set_info_guest (and MMUEXT_SET_LDT): a misaligned base, more than
 * 8192 entries, a base in the hypervisor's range -> -EINVAL, the vCPU stays
 * down. A good LDT (a read-only page with a ring-3 data segment) is the new
 * vCPU's from its first instruction: it loads ds with the LDT selector.
 */
#include "multidom.h"
#include <tandem/vcpu.h>

const char test_title[] = "VCPUOP_initialise with an LDT: refusals, and a vCPU starting on one";

static struct vcpu_guest_context ctx;
static uint8_t stack[2][8192] __attribute__((aligned(16)));
static uint64_t ldt[512] __attribute__((aligned(4096)));
static volatile unsigned int v_ran;
static volatile uint16_t v_ds;

static void __attribute__((noreturn, used)) secondary_main(void)
{
    uint16_t ds;

    __asm__ __volatile__("mov %1, %%ds; mov %%ds, %0" : "=r"(ds) : "r"(0x0fU));
    v_ds = ds;
    v_ran++;
    for (;;)
        HC3(vcpu_op, VCPUOP_down, 2, NULL);
}

static long initialise(unsigned int vcpu, uint64_t base, unsigned int ents)
{
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.user_regs.rip = (uint64_t)secondary_main;
    ctx.user_regs.rsp = (uint64_t)stack[vcpu - 1] + sizeof(stack[0]) - 8;
    ctx.user_regs.rflags = 0x200;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = pfn_to_mfn((start_info->pt_base - 0xffffffff80000000UL) >> 12) << 12;
    ctx.ldt_base = base;
    ctx.ldt_ents = ents;
    return HC3(vcpu_op, VCPUOP_initialise, vcpu, &ctx);
}

void test_main(void)
{
    uint64_t va = (uint64_t)ldt, mfn = pfn_to_mfn((va - 0xffffffff80000000UL) >> 12);

    md_init();
    ldt[1] = 0x00cff2000000ffffULL;            /* ring-3 data */
    CHECK_RC(HC3(update_va_mapping, va, (mfn << 12) | 0x25, UVMF_INVLPG), 0, "map the LDT page read-only");
    CHECK_RC(initialise(1, va + 8, 8), -XEN_EINVAL, "VCPUOP_initialise with a misaligned ldt_base");
    CHECK_RC(initialise(1, va, 8193), -XEN_EINVAL, "VCPUOP_initialise with 8193 LDT entries");
    CHECK_RC(initialise(1, 0xffff830000000000UL, 8), -XEN_EINVAL, "VCPUOP_initialise with the LDT in the hypervisor");
    CHECK_RC(HC3(vcpu_op, VCPUOP_is_up, 1, NULL), 0, "vCPU 1 is down after the refusals");
    CHECK_RC(initialise(2, va, 8), 0, "VCPUOP_initialise vCPU 2 with an 8-entry LDT");
    for (unsigned int i = 0; i < 50 && !v_ran; i++)
        md_sleep_ns(MD_MS(10));
    if (!v_ran)
        test_fail("vCPU 2 never ran");
    else if (v_ds != 0x0f)
        test_fail("vCPU 2 has ds %#x after loading the LDT selector 0xf", v_ds);
    test_success();
}
