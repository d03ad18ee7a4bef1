/*
 * gnt_batch_preempt: large grant batches are preempted between elements
 * and continued (as mmu_update) and complete correctly. A one-shot timer
 * re-armed every 50 us from its own upcall keeps an event pending, so the
 * batch is preempted whenever it fires: the upcall runs in the middle of
 * the hypercall, which the guest then re-enters with the rest of the
 * array. A batch of 1000 copies (each 4 bytes to its own offset), 400
 * maps and 400 unmaps, and a mixed batch with bad elements: every element
 * gets its own status exactly once, the data lands, and upcalls taken
 * while the batch's last element was still undone show it was preempted.
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "grant batches preempted and continued";

#define NCOPY 1000
#define NMAP 400
#define PERIOD 50000ULL

static volatile unsigned long ticks, mid;
static volatile bool arming;
static volatile int16_t *volatile watch;   /* the last element's status of the batch in progress */

static void tick(uint32_t port)
{
    (void)port;
    ticks++;
    if (watch && *watch == 99)
        mid++;          /* the batch's last element is not done: this upcall came at a continuation */
    if (arming)
        HC1(set_timer_op, md_now() + PERIOD);
}

static struct gnttab_copy cops[NCOPY];
static struct gnttab_map_grant_ref mops[NMAP];
static struct gnttab_unmap_grant_ref uops[NMAP];

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t src, dst;
    volatile uint32_t *ps, *pd;
    unsigned long before, total = 0;
    uint32_t port, fp;
    domid_t self, fd;
    long rc;

    md_init();
    if (!gt_self_init(&t, &self))
        return;
    src = pt_free_mfn();
    dst = pt_free_mfn();
    expect_rc(pt_map(11, src, L1_FLAGS_RW), 0, "map src");
    expect_rc(pt_map(13, dst, L1_FLAGS_RW), 0, "map dst");
    ps = pt_slot_va(11);
    pd = pt_slot_va(13);
    for (unsigned int i = 0; i < 1024; i++) {
        ps[i] = 0xc0de0000 + i;
        pd[i] = 0;
    }
    gt_grant(t, 8, self, src, GTF_permit_access);
    for (unsigned int i = 0; i < NCOPY; i++) {
        cops[i] = (struct gnttab_copy){ .len = 4, .flags = GNTCOPY_source_gref, .status = 99 };
        cops[i].source.domid = self;
        cops[i].source.u.ref = 8;
        cops[i].source.offset = (uint16_t)(4 * (NCOPY - 1 - i));
        cops[i].dest.domid = DOMID_SELF;
        cops[i].dest.u.gmfn = dst;
        cops[i].dest.offset = (uint16_t)(4 * i);
    }
    /* md_init bound VIRQ_TIMER: find its port and take it over. */
    for (port = 1; port < 64 && md_status(DOMID_SELF, port, &fd, &fp) != EVTCHNSTAT_virq; port++)
        ;
    if (port == 64) {
        test_fail("no VIRQ_TIMER port");
        return;
    }
    md_bind(port, tick);
    md_events_on();

    arming = true;
    HC1(set_timer_op, md_now() + PERIOD);
    before = mid;
    watch = &cops[NCOPY - 1].status;
    rc = gt_op(GNTTABOP_copy, cops, NCOPY);
    watch = NULL;
    total += mid - before;
    expect_rc(rc, 0, "copy batch of %u", NCOPY);
    for (unsigned int i = 0; i < NCOPY; i++) {
        if (cops[i].status != GNTST_okay)
            test_fail("copy %u: status %d", i, cops[i].status);
        if (pd[i] != 0xc0de0000 + (NCOPY - 1 - i))
            test_fail("copy %u: word %#x", i, pd[i]);
    }
    printk("batch: %u copies, %lu continuations seen\n", NCOPY, mid - before);

    for (unsigned int i = 0; i < NMAP; i++) {
        pt_unmap(20 + i);
        mops[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)pt_slot_va(20 + i),
                                                 .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 8, .dom = self,
                                                 .status = 99 };
    }
    mops[NMAP / 2].ref = 600;          /* one bad element in the middle */
    before = mid;
    watch = &mops[NMAP - 1].status;
    expect_rc(gt_op(GNTTABOP_map_grant_ref, mops, NMAP), 0, "map batch of %u", NMAP);
    watch = NULL;
    total += mid - before;
    printk("batch: %u maps, %lu continuations seen\n", NMAP, mid - before);
    for (unsigned int i = 0; i < NMAP; i++) {
        int16_t want = i == NMAP / 2 ? GNTST_bad_gntref : GNTST_okay;
        if (mops[i].status != want)
            test_fail("map %u: status %d, want %d", i, mops[i].status, want);
        else if (want == GNTST_okay && *(volatile uint32_t *)pt_slot_va(20 + i) != 0xc0de0000)
            test_fail("map %u does not show the frame", i);
        uops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = mops[i].host_addr, .handle = mops[i].handle,
                                                   .status = 99 };
    }
    before = mid;
    watch = &uops[NMAP - 1].status;
    expect_rc(gt_op(GNTTABOP_unmap_grant_ref, uops, NMAP), 0, "unmap batch of %u", NMAP);
    watch = NULL;
    total += mid - before;
    /* A fast host may finish between two timer events: run the copy batch again until one lands inside. */
    for (unsigned int again = 0; !total && again < 200; again++) {
        before = mid;
        watch = &cops[NCOPY - 1].status;
        cops[NCOPY - 1].status = 99;
        expect_rc(gt_op(GNTTABOP_copy, cops, NCOPY), 0, "copy batch again");
        watch = NULL;
        total += mid - before;
    }
    arming = false;
    printk("batch: %u unmaps, %lu continuations seen\n", NMAP, mid - before);
    for (unsigned int i = 0; i < NMAP; i++) {
        int16_t want = i == NMAP / 2 ? GNTST_bad_handle : GNTST_okay;
        uint64_t v;
        if (uops[i].status != want)
            test_fail("unmap %u: status %d, want %d", i, uops[i].status, want);
        if (probe_read(pt_slot_va(20 + i), &v))
            test_fail("VA %u still mapped", i);
    }
    if (t[8].flags != GTF_permit_access)
        test_fail("after the batches: flags %#x", t[8].flags);
    if (total)
        printk("batch: preempted (%lu continuations seen in the three calls)\n", total);
    else
        test_fail("no batch was ever preempted");
    t[8].flags = 0;
    pt_unmap(11);
    pt_unmap(13);
    test_success();
}
