/*
 * stall_pt_validate: validating or devalidating a big page-table tree must
 * not hold the CPU for long (security issue 9, item 6). The attacker
 * builds an L4 -> L3 -> l1s/512 L2s -> l1s L1 tables (default 16,384 L1s,
 * 8,388,608 L1 entries, each mapping one data frame read-only), then pins
 * the L4 with one MMUEXT_PIN_L4_TABLE (the whole tree is validated) and
 * unpins it (the whole tree is devalidated). stall_preempt's victim
 * (domain 1, attacks=pin_tree,unpin_tree) sleeps 2 ms at a time and must
 * never wake 50 ms late; the attacker proves each step did its work: after
 * the pin the first and last L1 cannot be mapped writable (they are page
 * tables in use), after the unpin they can.
 * Then two ways of dropping a pinned tree without unpinning it:
 *   release_tree  pin the tree again, then decrease_reservation of the
 *                 pinned L4 frame itself (the pin goes with the frame, the
 *                 whole tree is devalidated);
 *   die_tree      pin a fresh L4 over the same tree, announce the attack
 *                 and power off: the domain's teardown drops the pin and
 *                 frees its 16,000+ tables (the victim, told die_ms=, keeps
 *                 sleeping that long after the announcement, as there is no
 *                 end to announce).
 */
#include "pt.h"
#include "multidom.h"

const char test_title[] = "stall: pinning and unpinning a big page-table tree are preempted";

#define MAX_L1S 16384

static struct mmuext_op copies[MAX_L1S];
static uint64_t l1s[MAX_L1S];
static volatile unsigned long events;
static uint32_t port;

static void on_event(uint32_t p)
{
    (void)p;
    events++;
}

static bool announce(void)
{
    unsigned long want = events + 1;

    CHECK_RC(md_send(port), 0, "send to the victim");
    return md_block_until(&events, want, md_now() + MD_MS(20000));
}

/* A table of n entries (index i -> mfns[i] | flags) in a fresh frame, or 0. */
static uint64_t table_of(const uint64_t *mfns, unsigned int n, uint64_t flags)
{
    static unsigned int idx[512];
    static uint64_t e[512];

    for (unsigned int i = 0; i < n; i++) {
        idx[i] = i;
        e[i] = (mfns[i] << 12) | flags;
    }
    return pt_new_table(idx, e, n);
}

static uint64_t l3;                     /* the tree's L3 (a second L4 over it for die_tree) */

static uint64_t build_tree(unsigned int n)
{
    uint64_t data = pt_free_mfn(), same[512], l2s[512], template;
    unsigned int done = 0;

    for (unsigned int i = 0; i < 512; i++)
        same[i] = data;
    template = table_of(same, 512, L1_FLAGS_RO);
    for (unsigned int i = 0; i < n; i++) {
        l1s[i] = pt_free_mfn();
        copies[i] = (struct mmuext_op){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = l1s[i], .arg2.src_mfn = template };
    }
    if (!data || !template || !l1s[n - 1] ||
        HC5(mmuext_op, (unsigned long)copies, n, (unsigned long)&done, DOMID_SELF, 0) || done != n) {
        test_error("cannot build %u L1 tables (%u copied)", n, done);
        return 0;
    }
    for (unsigned int j = 0; j < n / 512; j++)
        if (!(l2s[j] = table_of(&l1s[j * 512], 512, LX_FLAGS)))
            return 0;
    l3 = table_of(l2s, n / 512, LX_FLAGS);
    return l3 ? table_of(&l3, 1, LX_FLAGS) : 0;
}

/* Can L1 table frame mfn be mapped writable now (it is no page table in use)? */
static bool mappable_rw(uint64_t mfn)
{
    int slot = pt_alloc_slot();
    bool ok = slot >= 0 && pt_map(slot, mfn, L1_FLAGS_RW) == 0;

    if (ok)
        pt_unmap(slot);
    if (slot >= 0)
        pt_free_slot(slot);
    return ok;
}

static bool find_victim(void)
{
    uint64_t deadline = md_now() + MD_MS(10000);
    long rc = -1;

    while (rc) {
        for (uint32_t p = 1; p < 64 && (rc = md_bind_interdomain(1, p, &port)); p++)
            ;
        if (rc && md_now() > deadline)
            return false;
        if (rc)
            md_sleep_ns(MD_MS(1));
    }
    md_clear_pending(port);
    md_bind(port, on_event);
    md_events_on();
    return true;
}

/* decrease_reservation of the one frame mfn: 1 (extents done) when released. */
static long release(uint64_t mfn)
{
    static uint64_t extent;
    struct xen_memory_reservation r = { .extent_start = (uint64_t)&extent, .nr_extents = 1,
                                        .domid = DOMID_SELF };

    extent = mfn;
    return HC2(memory_op, XENMEM_decrease_reservation, &r) == 1 ? 0 : -1;
}

static bool attack(const char *name, unsigned int cmd, uint64_t l4, unsigned int n, bool tables_after)
{
    uint64_t t0;
    long rc;

    if (!announce()) {
        test_fail("the victim did not answer before %s", name);
        return false;
    }
    t0 = md_now();
    rc = cmd == ~0U ? release(l4) : mmuext1(cmd, l4, 0);
    printk("attacker: %s of a tree of %u L1s (%u entries): %ld in %lu ms\n", name, n, n * 512, rc,
           (unsigned long)((md_now() - t0) / 1000000));
    if (rc || mappable_rw(l1s[0]) == tables_after || mappable_rw(l1s[n - 1]) == tables_after) {
        test_fail("%s did not do its work (rc %ld)", name, rc);
        return false;       /* the victim sees the attack never end */
    }
    md_sleep_ns(MD_MS(20));
    if (!announce()) {
        test_fail("the victim did not answer after %s", name);
        return false;
    }
    return true;
}

void test_main(void)
{
    unsigned int n = md_arg_ul("l1s", MAX_L1S);
    uint64_t l4;

    n = n < 512 ? 512 : n > MAX_L1S ? MAX_L1S : n / 512 * 512;
    md_init();
    if (!md_arg_is("role", "attacker")) {
        test_error("role=attacker expected (boot with pt.cfg)");
        return;
    }
    if (!pt_init() || !(l4 = build_tree(n)))
        return;
    if (!find_victim()) {
        test_fail("the victim offered no port");
        return;
    }
    md_sleep_ns(MD_MS(50));
    if (!attack("pin_tree", MMUEXT_PIN_L4_TABLE, l4, n, true) ||
        !attack("unpin_tree", MMUEXT_UNPIN_TABLE, l4, n, false))
        return;
    /* Between attacks (not measured): pin again, released pinned. */
    CHECK_RC(mmuext1(MMUEXT_PIN_L4_TABLE, l4, 0), 0, "pin the tree again");
    if (!attack("release_tree", ~0U, l4, n, false))
        return;
    if (!(l4 = table_of(&l3, 1, LX_FLAGS))) {
        test_error("no frame for a second L4");
        return;
    }
    CHECK_RC(mmuext1(MMUEXT_PIN_L4_TABLE, l4, 0), 0, "pin a second L4 over the tree");
    if (mappable_rw(l1s[0]) || mappable_rw(l1s[n - 1])) {
        test_fail("the second pin did not validate the tree");
        return;
    }
    if (!announce()) {
        test_fail("the victim did not answer before die_tree");
        return;
    }
    printk("attacker: die_tree: powering off with a pinned tree of %u L1s (%u entries)\n", n, n * 512);
    test_success();     /* test_main returns: the domain powers off */
}
