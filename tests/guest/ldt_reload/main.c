/*
 * ldt_reload: data selectors from the LDT across a deschedule, reloaded by
 * the hypervisor (Xen's load_segments):
 *  - fs loaded from a real LDT, the LDT's mapping removed and put back (the
 *    LDT pages are dropped and must fault in again): the reload after the
 *    vCPU blocks maps the page from the hypervisor and fs is still there;
 *  - the LDT's VA then remapped to a page that cannot be an LDT page (a TSS
 *    descriptor in it): the reload fails and the guest gets its failsafe
 *    callback with the old fs in the frame, not a hypervisor fault.
 */
#include "pt.h"
#include <tandem/callback.h>
#include <tandem/vcpu.h>
#include <tandem/event_channel.h>

const char test_title[] = "LDT selectors reloaded after a deschedule; failsafe when the LDT page went bad";

#define SEL1 0x0fU          /* LDT entry 1, RPL 3 */

static uint8_t si_page[4096] __attribute__((aligned(4096)));
void ldt_failsafe_entry(void);
void ldt_failsafe_c(uint64_t *frame);
static int phase;

__asm__(".pushsection .text\n"
        "ldt_failsafe_entry:\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call ldt_failsafe_c\n"
        "  ud2\n"
        ".popsection");

void ldt_failsafe_c(uint64_t *f)
{
    /* f[0] rcx, f[1] r11, f[2..5] ds es fs gs, f[6] rip ... */
    if (phase != 2)
        test_fail("failsafe callback in phase %d (fs %#lx in the frame)", phase, (unsigned long)f[4]);
    else if (f[4] != SEL1)
        test_fail("failsafe frame fs %#lx, want %#x", (unsigned long)f[4], SEL1);
    else {
        printk("failsafe callback with fs %#lx in the frame\n", (unsigned long)f[4]);
        test_success();
    }
    test_exit();
}

static long set_ldt(uint64_t b, unsigned int ents)
{
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

    op.arg1.linear_addr = b;
    op.arg2.nr_ents = ents;
    return HC5(mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0);
}

static unsigned int port;

/* Block on a timer 5 ms ahead (a few times: the vCPU is surely descheduled and its selectors reloaded). */
static void block_until_descheduled(void)
{
    struct shared_info *s = (struct shared_info *)si_page;
    struct vcpu_set_singleshot_timer t = { .flags = 0 };

    for (int i = 0; i < 20; i++) {
        t.timeout_abs_ns = pvclock_read_ns(&s->vcpu_info[0].time) + 5000000;
        CHECK_RC(HC3(vcpu_op, VCPUOP_set_singleshot_timer, 0, &t), 0, "singleshot");
        HC2(sched_op, SCHEDOP_block, 0);
        __atomic_and_fetch(&s->evtchn_pending[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
        s->vcpu_info[0].evtchn_pending_sel = 0;     /* else the next event sets no upcall_pending (2-level rule) */
        s->vcpu_info[0].evtchn_upcall_pending = 0;
    }
}

static uint16_t get_fs(void)
{
    uint16_t v;

    __asm__ __volatile__("mov %%fs, %0" : "=r"(v));
    return v;
}

void test_main(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_failsafe, .address = (uint64_t)ldt_failsafe_entry };
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    unsigned int idx[2] = { 1, 5 };
    uint64_t good[2] = { 0x00cff2000000ffffULL, 0 }, bad[2] = { 0x00cff2000000ffffULL, 0x0000e90000000067ULL };
    uint64_t l, b, va;

    if (!pt_init())
        return;
    CHECK_RC(HC2(callback_op, CALLBACKOP_register, &cb), 0, "register failsafe");
    CHECK_RC(HC2(event_channel_op, EVTCHNOP_bind_virq, &bv), 0, "bind VIRQ_TIMER");
    port = bv.port;
    CHECK_RC(HC3(update_va_mapping, si_page, start_info->shared_info | 0x67, UVMF_INVLPG), 0, "map shared_info");
    l = pt_free_mfn();
    b = pt_free_mfn();
    pt_fill(l, idx, good, 2);
    pt_fill(b, idx, bad, 2);
    expect_rc(pt_map(20, l, L1_FLAGS_RO), 0, "map the LDT page read-only");
    va = (uint64_t)pt_slot_va(20);
    expect_rc(set_ldt(va, 16), 0, "SET_LDT");
    __asm__ __volatile__("mov %0, %%fs" :: "r"(SEL1));
    if (get_fs() != SEL1)
        test_fail("fs is %#x after loading %#x", get_fs(), SEL1);

    /* Phase 1: the LDT pages dropped (mapping removed and restored), reloaded lazily by the hypervisor. */
    phase = 1;
    expect_rc(pt_unmap(20), 0, "unmap the LDT");
    expect_rc(pt_map(20, l, L1_FLAGS_RO), 0, "map it again");
    block_until_descheduled();
    if (get_fs() != SEL1)
        test_fail("fs is %#x after a deschedule, want %#x", get_fs(), SEL1);
    else
        printk("ldt_reload: fs %#x reloaded from the LDT after a deschedule\n", get_fs());

    /* Phase 2: the same VA now maps a page that cannot be an LDT page. */
    phase = 2;
    expect_rc(pt_unmap(20), 0, "unmap the LDT");
    expect_rc(pt_map(20, b, L1_FLAGS_RO), 0, "map a page with a TSS descriptor there");
    block_until_descheduled();
    test_fail("no failsafe callback (fs %#x)", get_fs());
}
