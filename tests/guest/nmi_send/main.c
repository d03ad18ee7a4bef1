/*
 * nmi_send: virtual NMIs as Xen 4.19 delivers them (VCPUOP_send_nmi in
 * arch/x86/domain.c, register_guest_nmi_callback, entry.S process_nmi,
 * do_iret's async_exception_cleanup): an NMI sent to another vCPU wakes it
 * and reaches its own NMI callback (trap_ctxt[2], events masked on entry);
 * one pending NMI at a time (sends coalesce); none while in the callback,
 * the next one right after its iret; with no callback it is lost. Refused:
 * a non-NULL argument (-EINVAL), a vCPU that does not exist (-ENOENT).
 */
#include "multidom.h"
#include <tandem/vcpu.h>
#include "nmi.h"

const char test_title[] = "VCPUOP_send_nmi to the NMI callback of this and another vCPU";

static struct vcpu_guest_context ctx;
static uint8_t stack1[16384] __attribute__((aligned(16)));

static volatile unsigned int v1_ready, v1_stop;

/* vCPU 1: its own NMI callback, then block until told to stop (each NMI wakes it). */
static void __attribute__((noreturn, used)) secondary_main(void)
{
    if (nmi_register(1))
        test_fail("vCPU 1: register its NMI callback");
    v1_ready = 1;
    while (!v1_stop)
        HC2(sched_op, SCHEDOP_block, NULL);
    for (;;)
        HC3(vcpu_op, VCPUOP_down, 1, NULL);
}

static bool start_vcpu1(void)
{
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.user_regs.rip = (uint64_t)secondary_main;
    ctx.user_regs.rsp = (uint64_t)stack1 + sizeof(stack1) - 8;
    ctx.user_regs.rflags = 0x200;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = pfn_to_mfn((start_info->pt_base - 0xffffffff80000000UL) >> 12) << 12;
    CHECK_RC(HC3(vcpu_op, VCPUOP_initialise, 1, &ctx), 0, "VCPUOP_initialise vCPU 1");
    CHECK_RC(HC3(vcpu_op, VCPUOP_up, 1, NULL), 0, "VCPUOP_up vCPU 1");
    for (unsigned int i = 0; i < 100 && !v1_ready; i++)
        md_sleep_ns(MD_MS(5));
    return v1_ready;
}

static bool wait_count(unsigned int id, unsigned long want)
{
    for (unsigned int i = 0; i < 100 && nmi_recs[id].count < want; i++)
        md_sleep_ns(MD_MS(5));
    return nmi_recs[id].count >= want;
}

static void self_nmis(void)
{
    unsigned long c;

    /* No callback yet: the NMI is lost, and registering later does not bring it back. */
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 0, NULL), 0, "send_nmi to self without a callback");
    CHECK_RC(nmi_register(0), 0, "register vCPU 0's NMI callback");
    md_sleep_ns(MD_MS(1));
    CHECK_RC(nmi_recs[0].count, 0, "NMI sent with no callback is lost");

    /* To ourselves: taken on the way back from the hypercall, events masked in the callback. */
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 0, NULL), 0, "send_nmi to self");
    CHECK_RC(nmi_recs[0].count, 1, "self NMI taken at once");
    CHECK_RC(nmi_recs[0].mask_in_handler, 1, "events masked in the NMI callback");
    CHECK_RC(nmi_recs[0].cs & 0xffff, FLAT_KERNEL_CS & ~3, "NMI frame cs: kernel context (RPL 0)");
    CHECK_RC((nmi_recs[0].cs >> 32) & 0xff, 0, "NMI frame's saved upcall mask (events were on)");
    CHECK_RC(shared_info->vcpu_info[0].evtchn_upcall_mask, 0, "iret from the callback restored the event mask");

    /* Sent twice from inside the callback: one more NMI, after the callback's iret, not nested. */
    c = nmi_recs[0].count;
    nmi_recs[0].resend = 2;
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 0, NULL), 0, "send_nmi to self (callback resends twice)");
    CHECK_RC(nmi_recs[0].count, c + 2, "NMIs sent while in the callback: exactly one more, after its iret");
    CHECK_RC(nmi_recs[0].max_depth, 1, "NMI callback never nested");
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;

    /* Unregistered: lost again. */
    CHECK_RC(nmi_unregister(), 0, "unregister the NMI callback");
    c = nmi_recs[0].count;
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 0, NULL), 0, "send_nmi to self after unregistering");
    CHECK_RC(nmi_recs[0].count, c, "no NMI without a callback");
}

static void remote_nmis(void)
{
    unsigned long c0 = nmi_recs[0].count;

    if (!start_vcpu1()) {
        test_fail("vCPU 1 never got ready");
        return;
    }
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 1, NULL), 0, "send_nmi to vCPU 1");
    if (!wait_count(1, 1))
        test_fail("the NMI never reached vCPU 1's callback");
    CHECK_RC(nmi_recs[0].count, c0, "vCPU 0's callback not entered for vCPU 1's NMI");
    CHECK_RC(nmi_recs[1].mask_in_handler, 1, "events masked in vCPU 1's NMI callback");
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 1, NULL), 0, "second send_nmi to vCPU 1");
    if (!wait_count(1, 2))
        test_fail("the second NMI never reached vCPU 1");
    v1_stop = 1;
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 1, NULL), 0, "send_nmi to wake vCPU 1 to stop");
    wait_count(1, 3);
    printk("nmi_send: vCPU 1 took %lu NMIs, vCPU 0 %lu\n", nmi_recs[1].count, nmi_recs[0].count);
}

void test_main(void)
{
    md_init();
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 0, 0x1000), -XEN_EINVAL, "send_nmi with an argument");
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 2, NULL), -XEN_ENOENT, "send_nmi to vCPU 2 (dom_vcpus=2)");
    CHECK_RC(HC3(vcpu_op, VCPUOP_send_nmi, 1UL << 32, NULL), -XEN_ENOENT, "send_nmi to vCPU 2^32");
    self_nmis();
    remote_nmis();
    test_success();
}
