/* The large page-table tree of the preemption tests: see pt_tree.h. */
#include "pt_tree.h"
#include "upcall.h"
#include <tandem/sched.h>

static unsigned int idx[512];
static uint64_t ent[512];

bool pt_tree_build(struct pt_tree *t)
{
    unsigned int per_l2 = PT_TREE_L1S / PT_TREE_L2S;

    for (unsigned int i = 0; i < 512; i++)
        idx[i] = i;
    if (!(t->data = pt_free_mfn()))
        return false;
    for (unsigned int i = 0; i < 512; i++)
        ent[i] = (t->data << 12) | L1_FLAGS_RO;
    for (unsigned int k = 0; k < PT_TREE_L1S; k++)
        if (!(t->l1[k] = pt_new_table(idx, ent, 512)))
            return false;
    for (unsigned int j = 0; j < PT_TREE_L2S; j++) {
        for (unsigned int i = 0; i < per_l2; i++)
            ent[i] = (t->l1[j * per_l2 + i] << 12) | LX_FLAGS;
        if (!(t->l2[j] = pt_new_table(idx, ent, per_l2)))
            return false;
    }
    for (unsigned int j = 0; j < PT_TREE_L2S; j++)
        ent[j] = (t->l2[j] << 12) | LX_FLAGS;
    if (!(t->l3 = pt_new_table(idx, ent, PT_TREE_L2S)))
        return false;
    {
        unsigned int i4[2] = { 0, L4_IDX(VIRT_BASE) };
        uint64_t e4[2] = { (t->l3 << 12) | LX_FLAGS, (pt_l3 << 12) | LX_FLAGS };
        if (!(t->l4 = pt_new_table(i4, e4, 2)))
            return false;
    }
    return true;
}

static struct pt_tree dtree;

static void die_hook(void)
{
    struct sched_shutdown s = { .reason = SHUTDOWN_poweroff };

    printk("pt_tree: powering off mid-validation or mid-teardown\n");
    HC2(sched_op, SCHEDOP_shutdown, &s);
}

static long pin(void) { return mmuext1(MMUEXT_PIN_L4_TABLE, dtree.l4, 0); }
static long unpin(void) { return mmuext1(MMUEXT_UNPIN_TABLE, dtree.l4, 0); }

void pt_tree_destroy_midway(bool teardown)
{
    uint32_t port;
    uint64_t t0, dt_pin, dt_unpin;

    if (!pt_init() || !pt_tree_build(&dtree))
        return;
    t0 = pt_rdtsc();
    expect_rc(pin(), 0, "pin the L4 (timing run)");
    dt_pin = pt_rdtsc() - t0;
    t0 = pt_rdtsc();
    expect_rc(unpin(), 0, "unpin (timing run)");
    dt_unpin = pt_rdtsc() - t0;
    if (teardown)
        expect_rc(pin(), 0, "pin the L4 again");
    evt_map_shared_info();
    expect_rc(evt_register_callback(), 0, "register the event callback");
    expect_rc(evt_bind_virq(VIRQ_TIMER, &port), 0, "bind VIRQ_TIMER");
    evt_unmask(port);
    upcall_hook = die_hook;
    /* From half-way into the call down (TSC ~2.6 GHz, roughly); the timer may come late. */
    for (unsigned int k = 1; k <= 6; k++) {
        evt_set_timer(evt_now() + ((teardown ? dt_unpin : dt_pin) * 10 / 26 >> k));
        evt_events_on();
        expect_rc(teardown ? unpin() : pin(), 0, "the call the upcall did not interrupt");
        evt_events_off();
        expect_rc(teardown ? pin() : unpin(), 0, "undo it for another try");
    }
    test_fail("the calls ended without the upcall (the timer never fired inside them)");
}
