/*
 * mmu_preempt_destroy (hostile): the domain dies while its large tree
 * (pt_tree.h) is partially validated. A timer upcall taken at a
 * preemption point of the pin powers the domain off, so the hypervisor
 * tears it down with a table in the partial state (Xen's PGT_partial:
 * relinquish_memory drops the partial references). The audit before
 * destruction and the final frame account must be clean.
 */
#include "pt_tree.h"
#include "upcall.h"
#include <tandem/sched.h>

const char test_title[] = "hostile: domain destroyed in the middle of a preempted validation";

static struct pt_tree tree;

static void die_hook(void)
{
    struct sched_shutdown s = { .reason = SHUTDOWN_poweroff };

    printk("mmu_preempt_destroy: powering off mid-validation\n");
    HC2(sched_op, SCHEDOP_shutdown, &s);
}

void test_main(void)
{
    uint32_t port;
    uint64_t t0, dt;

    if (!pt_init() || !pt_tree_build(&tree))
        return;
    t0 = pt_rdtsc();
    expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, tree.l4, 0), 0, "pin the L4 (timing run)");
    dt = pt_rdtsc() - t0;
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, tree.l4, 0), 0, "unpin");
    evt_map_shared_info();
    expect_rc(evt_register_callback(), 0, "register the event callback");
    expect_rc(evt_bind_virq(VIRQ_TIMER, &port), 0, "bind VIRQ_TIMER");
    evt_unmask(port);
    upcall_hook = die_hook;
    evt_set_timer(evt_now() + dt * 10 / 26 / 2);    /* half-way into the pin (TSC ~2.6 GHz) */
    evt_events_on();
    mmuext1(MMUEXT_PIN_L4_TABLE, tree.l4, 0);
    evt_events_off();
    test_fail("the pin ended without the upcall (the timer did not fire inside it)");
}
