/*
 * gnttab_mapper_dies (hostile): a domain destroyed while it maps others'
 * grants releases every mapping. d2 maps d1's ref 8 writable twice and
 * ref 9 read-only, then ends without unmapping. d1 sees GTF_reading and
 * GTF_writing set while d2 lives, and both cleared by d2's teardown, so
 * it can revoke the entries (the cmpxchg to 0 succeeds). The audit after
 * each teardown must be clean and every frame returned.
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: a domain ends holding grant mappings";

#define ACK 0x41434b4544UL          /* the granter saw the mappings */

static bool wait_flags(volatile uint16_t *f, uint16_t mask, uint16_t want)
{
    uint64_t deadline = md_now() + MD_MS(20000);

    while ((*f & mask) != want && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    return (*f & mask) == want;
}

static void granter(domid_t peer)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    volatile struct grant_entry_v1 *t;
    uint64_t frame = 0, page = pt_free_mfn();
    const uint16_t rw = GTF_reading | GTF_writing;

    st.frame_list = (uint64_t)&frame;
    if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay) {
        test_fail("setup_table: status %d", st.status);
        return;
    }
    expect_rc(pt_map(10, frame, L1_FLAGS_RW), 0, "map the table frame");
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the granted page");
    t = pt_slot_va(10);
    t[9] = (struct grant_entry_v1){ GTF_permit_access | GTF_readonly, peer, (uint32_t)page };
    t[8].domid = peer;
    t[8].frame = (uint32_t)page;
    __asm__ __volatile__("" ::: "memory");
    t[8].flags = GTF_permit_access;
    if (!wait_flags(&t[8].flags, rw, rw) || !wait_flags(&t[9].flags, rw, GTF_reading)) {
        test_fail("the mapper never mapped: flags %#x %#x", t[8].flags, t[9].flags);
        return;
    }
    *(volatile uint64_t *)pt_slot_va(11) = ACK;    /* the mapper may end now */
    if (!wait_flags(&t[8].flags, rw, 0) || !wait_flags(&t[9].flags, rw, 0)) {
        test_fail("the dead mapper's mappings were not released: flags %#x %#x", t[8].flags, t[9].flags);
        return;
    }
    if (!__sync_bool_compare_and_swap(&t[8].flags, GTF_permit_access, 0) ||
        !__sync_bool_compare_and_swap(&t[9].flags, GTF_permit_access | GTF_readonly, 0))
        test_fail("revoking after the mapper's end failed");
    printk("granter: the dead mapper's 3 mappings released, grants revoked\n");
    test_success();
}

static void mapper(domid_t peer)
{
    void *a = pt_slot_va(20), *b = pt_slot_va(21), *c = pt_slot_va(22);
    uint64_t deadline = md_now() + MD_MS(20000);
    int16_t st;

    pt_unmap(20);
    pt_unmap(21);
    pt_unmap(22);
    while ((st = gt_map(8, peer, a, GNTMAP_host_map, NULL)) != GNTST_okay && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (st != GNTST_okay) {
        test_fail("map the peer's ref 8: status %d", st);
        return;
    }
    expect_rc(gt_map(8, peer, b, GNTMAP_host_map, NULL), GNTST_okay, "map ref 8 a second time");
    expect_rc(gt_map(9, peer, c, GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_okay, "map ref 9 read-only");
    deadline = md_now() + MD_MS(20000);
    while (*(volatile uint64_t *)a != ACK && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (*(volatile uint64_t *)a != ACK)
        test_fail("the granter never saw our mappings");
    printk("mapper: ending with 3 grant mappings held\n");
    test_success();
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
