/*
 * gnt_mapper_crash (hostile): a domain destroyed (here: crashed) while it
 * maps others' grants releases every mapping, whatever kind. d2 maps d1's
 * ref 8 writable by VA, ref 9 read-only, ref 10 for a device (writable),
 * ref 11 by the L1 entry's address (contains_pte) and ref 8 once more
 * with host_map | device_map, then crashes. d1 sees every entry's
 * GTF_reading/GTF_writing cleared by d2's teardown and reuses the frames:
 * pins A (ref 8) and D (ref 11) as L1 tables (no writable reference is
 * left), and gives C (ref 10, device-mapped) back with
 * decrease_reservation, which frees it at once (current_reservation drops:
 * no reference of the dead mapper keeps it a zombie). Revoking each entry
 * succeeds.
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: a domain crashes holding grant mappings of every kind";

#define ACK 0x4352415348000000UL     /* bit 0 clear: a valid empty entry when A becomes an L1 */

static long cur(void)
{
    domid_t self = DOMID_SELF;

    return memop(XENMEM_current_reservation, &self);
}

static void granter(domid_t peer)
{
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    volatile struct grant_entry_v1 *t = gt_own_table(10);
    uint64_t f[4], deadline;
    const uint16_t rw = GTF_reading | GTF_writing;
    const uint16_t want[4] = { rw, GTF_reading, rw, rw };
    long c0;
    bool all;

    if (!t)
        return;
    for (unsigned int i = 0; i < 4; i++)
        f[i] = pt_free_mfn();
    expect_rc(pt_map(11, f[0], L1_FLAGS_RW), 0, "map A");
    *(volatile uint64_t *)pt_slot_va(11) = 0;
    t[9] = (struct grant_entry_v1){ GTF_permit_access | GTF_readonly, peer, (uint32_t)f[1] };
    t[10] = (struct grant_entry_v1){ GTF_permit_access, peer, (uint32_t)f[2] };
    t[11] = (struct grant_entry_v1){ GTF_permit_access, peer, (uint32_t)f[3] };
    gt_grant(t, 8, peer, f[0], GTF_permit_access);
    deadline = md_now() + MD_MS(20000);
    do {
        all = true;
        for (unsigned int i = 0; i < 4; i++)
            all &= (t[8 + i].flags & rw) == want[i];
        if (!all)
            md_sleep_ns(MD_MS(1));
    } while (!all && md_now() < deadline);
    if (!all) {
        test_fail("the mapper never mapped everything: %#x %#x %#x %#x", t[8].flags, t[9].flags, t[10].flags,
                  t[11].flags);
        return;
    }
    if (!mmuext1(MMUEXT_PIN_L1_TABLE, f[0], 0))
        test_fail("A became an L1 while the peer maps it writable");
    *(volatile uint64_t *)pt_slot_va(11) = ACK;     /* the mapper crashes now */
    expect_rc(pt_unmap(11), 0, "unmap our view of A");
    deadline = md_now() + MD_MS(20000);
    do {
        all = true;
        for (unsigned int i = 0; i < 4; i++)
            all &= !(t[8 + i].flags & rw);
        if (!all)
            md_sleep_ns(MD_MS(1));
    } while (!all && md_now() < deadline);
    if (!all) {
        test_fail("the crashed mapper's pins stayed: %#x %#x %#x %#x", t[8].flags, t[9].flags, t[10].flags,
                  t[11].flags);
        return;
    }
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, f[0], 0), 0, "pin A as an L1");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, f[3], 0), 0, "pin D as an L1");
    c0 = cur();
    r.extent_start = (uint64_t)&f[2];
    expect_rc(memop(XENMEM_decrease_reservation, &r), 1, "give C back");
    expect_rc(cur(), c0 - 1, "C freed at once (nothing of the dead peer holds it)");
    if (!__sync_bool_compare_and_swap(&t[8].flags, GTF_permit_access, 0) ||
        !__sync_bool_compare_and_swap(&t[9].flags, GTF_permit_access | GTF_readonly, 0) ||
        !__sync_bool_compare_and_swap(&t[10].flags, GTF_permit_access, 0) ||
        !__sync_bool_compare_and_swap(&t[11].flags, GTF_permit_access, 0))
        test_fail("revoking after the crash failed");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f[0], 0), 0, "unpin A");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f[3], 0), 0, "unpin D");
    printk("granter: every mapping of the crashed peer released, frames reused\n");
    test_success();
}

static void mapper(domid_t peer)
{
    struct sched_shutdown s = { SHUTDOWN_crash };
    volatile uint64_t *a = pt_slot_va(20);
    uint64_t deadline = md_now() + MD_MS(20000), bus;
    int16_t st;

    for (unsigned int i = 20; i < 25; i++)
        pt_unmap(i);
    while ((st = gt_map(8, peer, (void *)a, GNTMAP_host_map, NULL)) != GNTST_okay && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (st != GNTST_okay) {
        test_fail("map the peer's ref 8: status %d", st);
        return;
    }
    expect_rc(gt_map(9, peer, pt_slot_va(21), GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_okay, "ref 9 read-only");
    expect_rc(gt_map_dev(10, peer, NULL, GNTMAP_device_map, NULL, &bus), GNTST_okay, "ref 10 for a device");
    expect_rc(gt_map(11, peer, (void *)pt_maddr(pt_scratch_l1, 23), GNTMAP_host_map | GNTMAP_contains_pte, NULL),
              GNTST_okay, "ref 11 by the PTE's address");
    expect_rc(gt_map_dev(8, peer, pt_slot_va(24), GNTMAP_host_map | GNTMAP_device_map, NULL, &bus), GNTST_okay,
              "ref 8 again, host and device");
    deadline = md_now() + MD_MS(20000);
    while (*a != ACK && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    printk("mapper: crashing with 5 grant mappings held\n");
    HC2(sched_op, SCHEDOP_shutdown, &s);
    test_fail("SCHEDOP_shutdown(crash) returned");
}

void test_main(void)
{
    domid_t peer = (domid_t)md_arg_ul("peer", 0);

    md_init();
    if (!pt_init())
        return;
    if (md_arg_is("role", "granter"))
        granter(peer);
    else
        mapper(peer);
}
