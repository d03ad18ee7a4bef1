/*
 * mmu_preempt_tree: a page-table tree of ~300,000 entries (pt_tree.h),
 * validated by pin, NEW_BASEPTR, an mmu_update linking its L3 and a pin
 * inside a multicall. Xen validates such a tree preemptibly (-ERESTART,
 * PGT_partial): the hypercall returns to the guest between chunks and
 * continues where it stopped. Each must end as an unpreempted one would
 * (same result, frames typed, audit clean); the COUNTERS line must show
 * restarts (mm_restarts). Hostile, from an upcall taken at a preemption
 * point (a timer set to fire mid-validation): writes to the partial L4
 * and a writable mapping of it are refused, and an L1 the validation has
 * not reached is made to map the boot L4 writable, which the validation
 * must then refuse (-EBUSY), undoing everything. Times are printed
 * (informational): the longest stretch without a return to the guest is
 * bounded by MM_PREEMPT_WORK entries, not by the tree. The same for the
 * teardowns (unpin, unlink, the old base pointer; mm_teardown_restarts),
 * where a hypercall made at a preemption point (from the upcall) first
 * finishes the teardown, as Xen's put_old_guest_table.
 */
#include "pt_tree.h"
#include "upcall.h"

const char test_title[] = "preemptible validation of a large page-table tree";

static struct pt_tree tree;
static volatile unsigned int hook_runs;
static volatile long hook_rc[4];
/*
 * Set only while the hostile call itself runs: a timer of an earlier try that
 * fired after its call returned is delivered when events go back on, before
 * the next call starts, and must not count as an upcall inside it.
 */
static volatile bool in_call;

static long pin_l4(void) { return mmuext1(MMUEXT_PIN_L4_TABLE, tree.l4, 0); }
static long unpin(void) { return mmuext1(MMUEXT_UNPIN_TABLE, tree.l4, 0); }

static void check_typed(const char *when)
{
    expect_rc(pt_map(40, tree.l1[PT_TREE_L1S - 1], L1_FLAGS_RW), -XEN_EBUSY, "map the last L1 RW %s", when);
    expect_rc(pt_map(40, tree.l4, L1_FLAGS_RW), -XEN_EBUSY, "map the L4 RW %s", when);
}

static void check_free(const char *when)
{
    expect_rc(pt_map(40, tree.l1[PT_TREE_L1S - 1], L1_FLAGS_RW), 0, "map the last L1 RW %s", when);
    expect_rc(pt_map(40, tree.l4, L1_FLAGS_RW), 0, "map the L4 RW %s", when);
    pt_unmap(40);
}

/* Upcall at a preemption point of the pin below: change the tree under the validation. */
static void hostile_hook(void)
{
    uint64_t last = tree.l1[PT_TREE_L1S - 1];

    if (!in_call || hook_runs++)
        return;
    hook_rc[0] = mmu_update1(pt_maddr(tree.l4, 5), (tree.data << 12) | LX_FLAGS);
    hook_rc[1] = pt_map(41, tree.l4, L1_FLAGS_RW);
    if (!hook_rc[0])
        mmu_update1(pt_maddr(tree.l4, 5), 0);
    if (!hook_rc[1])
        pt_unmap(41);
    hook_rc[2] = mmu_update1(pt_maddr(last, 7), (pt_l4 << 12) | L1_FLAGS_RW);
}

/* Upcall at a preemption point of the unpin: the L4 and its L3 are being torn down. */
static void teardown_hook(void)
{
    if (!in_call || hook_runs++)
        return;
    hook_rc[2] = pt_map(41, tree.l3, L1_FLAGS_RW);
    if (!hook_rc[2])
        pt_unmap(41);
    hook_rc[3] = mmu_update1(pt_maddr(tree.l4, 5), 0);
    hook_rc[0] = pin_l4();
    if (!hook_rc[0])
        unpin();
    hook_rc[1] = mmu_update1(pt_maddr(pt_l4, 1), (tree.l3 << 12) | LX_FLAGS);
    if (!hook_rc[1])
        mmu_update1(pt_maddr(pt_l4, 1), 0);
}

static uint64_t timed(long (*fn)(void), long want, const char *what)
{
    uint64_t t0 = pt_rdtsc();
    long rc = fn();
    uint64_t dt = pt_rdtsc() - t0;

    expect_rc(rc, want, "%s", what);
    printk("%s: %lu Mcycles\n", what, (unsigned long)(dt >> 20));
    return dt;
}

static long baseptr_big(void) { return mmuext1(MMUEXT_NEW_BASEPTR, tree.l4, 0); }
static long baseptr_boot(void) { return mmuext1(MMUEXT_NEW_BASEPTR, pt_l4, 0); }
static long link_l3(void) { return mmu_update1(pt_maddr(pt_l4, 1), (tree.l3 << 12) | LX_FLAGS); }
static long unlink_l3(void) { return mmu_update1(pt_maddr(pt_l4, 1), 0); }

static long pin_in_multicall(void)
{
    static struct mmuext_op op;
    static multicall_entry_t mc[1];
    long rc;

    op = (struct mmuext_op){ .cmd = MMUEXT_PIN_L4_TABLE };
    op.arg1.mfn = tree.l4;
    mc[0] = (multicall_entry_t){ .op = __HYPERVISOR_mmuext_op,
                                 .args = { (unsigned long)&op, 1, 0, DOMID_SELF } };
    rc = HC2(multicall, mc, 1);
    return rc ? rc : (long)mc[0].result;
}

void test_main(void)
{
    uint32_t port;
    uint64_t dt, dt_unpin;

    if (!pt_init() || !pt_tree_build(&tree))
        return;
    printk("tree: L4 %#lx, %u L2s, %u L1s of 512 entries\n", (unsigned long)tree.l4, PT_TREE_L2S, PT_TREE_L1S);

    dt = timed(pin_l4, 0, "pin the L4");
    check_typed("while the L4 is pinned");
    dt_unpin = timed(unpin, 0, "unpin the L4");
    check_free("after the unpin");

    timed(baseptr_big, 0, "NEW_BASEPTR to the unpinned L4");
    expect_rc(PTE_MFN(pt_read_cr3()), tree.l4, "cr3 after NEW_BASEPTR");
    check_typed("while it is the base pointer");
    timed(baseptr_boot, 0, "NEW_BASEPTR back to the boot L4");
    check_free("after the base pointer moved back");

    timed(link_l3, 0, "mmu_update linking the L3 into the boot L4");
    expect_rc(pt_map(40, tree.l1[PT_TREE_L1S - 1], L1_FLAGS_RW), -XEN_EBUSY, "map the last L1 RW while linked");
    timed(unlink_l3, 0, "mmu_update unlinking it");
    check_free("after the unlink");

    timed(pin_in_multicall, 0, "pin the L4 inside a multicall");
    check_typed("after the multicall pin");
    expect_rc(unpin(), 0, "unpin after the multicall pin");

    /* Hostile: change the tree at a preemption point. */
    evt_map_shared_info();
    expect_rc(evt_register_callback(), 0, "register the event callback");
    expect_rc(evt_bind_virq(VIRQ_TIMER, &port), 0, "bind VIRQ_TIMER");
    evt_unmask(port);
    upcall_hook = hostile_hook;
    for (unsigned int k = 2; k <= 7 && !hook_runs; k++) {
        long rc;
        evt_set_timer(evt_now() + (dt * 10 / 26 >> k));    /* into the pin (TSC ~2.6 GHz, roughly) */
        evt_events_on();
        in_call = true;
        rc = pin_l4();
        in_call = false;
        evt_events_off();
        printk("hostile pin: %ld after %u upcall(s) (partial L4 write %ld, RW map %ld, late L1 write %ld)\n",
               rc, hook_runs, hook_rc[0], hook_rc[1], hook_rc[2]);
        if (!hook_runs) {
            expect_rc(rc, 0, "the pin the upcall did not interrupt");
            expect_rc(unpin(), 0, "unpin it for another try");
            continue;
        }
        expect_rc(hook_rc[0], -XEN_EINVAL, "mmu_update into the partially validated L4");
        expect_rc(hook_rc[1], -XEN_EBUSY, "map the partially validated L4 RW");
        expect_rc(hook_rc[2], 0, "mmu_update into an L1 not validated yet (an ordinary page)");
        expect_rc(rc, -XEN_EBUSY, "the pin, once it reaches the changed L1");
    }
    upcall_hook = NULL;
    if (!hook_runs)
        test_fail("the timer never fired inside the pin");
    expect_rc(mmu_update1(pt_maddr(tree.l1[PT_TREE_L1S - 1], 7), (tree.data << 12) | L1_FLAGS_RO), 0,
              "restore the changed L1 entry");
    check_free("after the refused pin");
    expect_rc(pin_l4(), 0, "pin the repaired tree");

    /* Hostile: use the tree at a preemption point of its teardown. */
    upcall_hook = teardown_hook;
    hook_runs = 0;
    for (unsigned int k = 2; k <= 7 && !hook_runs; k++) {
        long rc;
        evt_set_timer(evt_now() + (dt_unpin * 10 / 26 >> k));
        evt_events_on();
        in_call = true;
        rc = unpin();
        in_call = false;
        evt_events_off();
        printk("hostile unpin: %ld after %u upcall(s) (pin again %ld, link its L3 %ld, map its L3 RW %ld, "
               "write its L4 %ld)\n", rc, hook_runs, hook_rc[0], hook_rc[1], hook_rc[2], hook_rc[3]);
        expect_rc(rc, 0, "the unpin");
        if (!hook_runs) {
            expect_rc(pin_l4(), 0, "pin again for another try");
            continue;
        }
        /* Xen's put_old_guest_table: each of these finishes the teardown first, then acts on a
         * torn-down tree (never a half-torn-down one). */
        expect_rc(hook_rc[0], 0, "pin the L4 at a preemption point of its teardown");
        expect_rc(hook_rc[1], 0, "link its L3 at a preemption point of the teardown");
        expect_rc(hook_rc[2], 0, "map its L3 RW at a preemption point of the teardown");
        expect_rc(hook_rc[3], 0, "mmu_update into the L4 at a preemption point of its teardown");
    }
    upcall_hook = NULL;
    if (!hook_runs)
        test_fail("the timer never fired inside the unpin");
    check_free("after the preempted unpin");
    expect_rc(pin_l4(), 0, "pin again after the teardown");
    expect_rc(unpin(), 0, "unpin it");
    test_success();
}
