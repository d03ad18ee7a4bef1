/*
 * gnttab_self (grant tables v1, hostile): a domain grants its own frames
 * to itself (Xen allows it), so one kernel exercises the whole path:
 * get/set_version (v1 only: 2 is -ENOSYS, as a Xen limited to v1),
 * query_size and setup_table (the table frames are hypervisor pages the
 * guest maps writable, never a page table), map_grant_ref with
 * GNTMAP_host_map (by VA, or by the L1 entry's address with
 * GNTMAP_contains_pte, which must be an aligned entry of an own L1) (GTF_reading/GTF_writing set while mapped, cleared by
 * unmap, the view gone after it), GNTMAP_readonly honoured, copy both
 * ways. Refused with Xen's status: a ref beyond the table (bad_gntref), a
 * grant to another domain (general_error, Xen's _set_status), a
 * read-only grant mapped or copied writable (general_error), a page
 * table granted writable (general_error), a grant-mapped frame pinned as
 * a page table (refused by its writable type), a bad or stale handle
 * (bad_handle), an unknown domain (bad_domain), a hypervisor address
 * (general_error, as Xen), a copy crossing its page (bad_copy_arg), a copy from a
 * frame not the caller's (bad_page). The audit must stay clean.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant tables v1 granted to self";

static domid_t SELF;        /* our domain id, found by gt_find_self() */

static int16_t copy(uint64_t src, uint16_t soff, uint64_t dst, uint16_t doff, uint16_t len, uint16_t flags)
{
    struct gnttab_copy op = { .len = len, .flags = flags };

    op.source.domid = (flags & GNTCOPY_source_gref) ? SELF : DOMID_SELF;
    op.dest.domid = (flags & GNTCOPY_dest_gref) ? SELF : DOMID_SELF;
    if (flags & GNTCOPY_source_gref)
        op.source.u.ref = (grant_ref_t)src;
    else
        op.source.u.gmfn = src;
    if (flags & GNTCOPY_dest_gref)
        op.dest.u.ref = (grant_ref_t)dst;
    else
        op.dest.u.gmfn = dst;
    op.source.offset = soff;
    op.dest.offset = doff;
    if (gt_op(GNTTABOP_copy, &op, 1))
        test_fail("copy: the call itself failed");
    return op.status;
}

static volatile struct grant_entry_v1 *table;

#define ST(got, want, what) expect_rc((got), (want), "%s", (what))

void test_main(void)
{
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    struct gnttab_set_version sv;
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    uint64_t frames[2] = { 0, 0 }, v;
    uint64_t page, other, l1;
    volatile uint8_t *own, *gv_rw, *gv_ro, *oth;
    grant_handle_t h, h2;
    long rc;

    if (!pt_init())
        return;

    /* Versions: 1 only. */
    expect_rc(gt_op(GNTTABOP_get_version, &gv, 1), 0, "get_version");
    expect_rc(gv.version, 1, "version in force");
    sv.version = 1;
    expect_rc(gt_op(GNTTABOP_set_version, &sv, 1), 0, "set_version(1)");
    sv.version = 2;
    expect_rc(gt_op(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS, "set_version(2) (no v2, as Xen with max-ver:1)");
    expect_rc(sv.version, 1, "set_version(2) reports the version in force");
    sv.version = 3;
    expect_rc(gt_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL, "set_version(3)");
    gv.dom = 999;
    expect_rc(gt_op(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH, "get_version of no domain");
    expect_rc(gt_op(99, &gv, 1), -XEN_ENOSYS, "unknown sub-op");

    /* Size. */
    expect_rc(gt_op(GNTTABOP_query_size, &qs, 1), 0, "query_size");
    expect_rc(qs.status, GNTST_okay, "query_size status");
    expect_rc(qs.nr_frames, 0, "frames before setup_table");
    expect_rc(qs.max_nr_frames, 64, "max_grant_frames (Xen's default)");
    st.frame_list = (uint64_t)frames;
    expect_rc(gt_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table(1)");
    ST(st.status, GNTST_okay, "setup_table status");
    if (!frames[0])
        test_fail("setup_table returned no frame");
    st.nr_frames = 65;
    expect_rc(gt_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table(65)");
    ST(st.status, GNTST_general_error, "setup_table beyond max_grant_frames");
    st.nr_frames = 1;
    st.dom = 999;
    expect_rc(gt_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table of no domain");
    ST(st.status, GNTST_bad_domain, "setup_table of no domain: status");
    qs.dom = DOMID_SELF;
    expect_rc(gt_op(GNTTABOP_query_size, &qs, 1), 0, "query_size again");
    expect_rc(qs.nr_frames, 1, "frames after setup_table");

    /* The table frame: mapped writable by the guest, never a page table. */
    expect_rc(pt_map(10, frames[0], L1_FLAGS_RW), 0, "map the grant table frame RW");
    table = pt_slot_va(10);
    if (!mmuext1(MMUEXT_PIN_L1_TABLE, frames[0], 0))
        test_fail("the grant table frame was pinned as an L1");

    page = pt_free_mfn();
    other = pt_free_mfn();
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the page to grant");
    expect_rc(pt_map(13, other, L1_FLAGS_RW), 0, "map a second own page");
    own = pt_slot_va(11);
    oth = pt_slot_va(13);
    for (unsigned int i = 0; i < 4096; i++)
        own[i] = (uint8_t)(i * 7);
    gv_rw = pt_slot_va(12);
    gv_ro = pt_slot_va(14);
    pt_unmap(12);
    pt_unmap(14);

    if (!gt_find_self(table, page, (void *)gv_rw, &SELF)) {
        test_fail("no domain id maps our own grant");
        return;
    }
    printk("we are d%u\n", SELF);

    /* Map, use, unmap. */
    gt_grant(table, 8, SELF, page, GTF_permit_access);
    ST(gt_map(8, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_okay, "map ref 8 writable");
    if ((table[8].flags & (GTF_reading | GTF_writing)) != (GTF_reading | GTF_writing))
        test_fail("ref 8 mapped writable: flags %#x, want reading|writing", table[8].flags);
    if (gv_rw[100] != (uint8_t)700 || gv_rw[4095] != (uint8_t)(4095 * 7))
        test_fail("the grant mapping shows other contents");
    gv_rw[5] = 0xa5;
    if (own[5] != 0xa5)
        test_fail("a write through the grant mapping did not reach the frame");
    rc = mmuext1(MMUEXT_PIN_L1_TABLE, page, 0);
    if (!rc)
        test_fail("a frame mapped writable through a grant was pinned as an L1");
    printk("pin a grant-mapped frame as an L1: %ld (refused)\n", rc);
    ST(gt_map(8, SELF, (void *)gv_ro, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay, "map ref 8 again, read-only");
    ST(gt_unmap((void *)gv_rw, h), GNTST_okay, "unmap the writable mapping");
    if ((table[8].flags & (GTF_reading | GTF_writing)) != GTF_reading)
        test_fail("ref 8 still mapped read-only: flags %#x, want reading only", table[8].flags);
    if (probe_read(gv_rw, &v))
        test_fail("the unmapped grant view is still readable");
    if (probe_write(gv_ro, 1))
        test_fail("the read-only grant mapping took a write");
    ST(gt_unmap((void *)gv_ro, h2), GNTST_okay, "unmap the read-only mapping");
    if (table[8].flags != GTF_permit_access)
        test_fail("ref 8 unmapped: flags %#x, want permit_access only", table[8].flags);
    ST(gt_unmap((void *)gv_rw, h), GNTST_bad_handle, "double unmap");
    ST(gt_unmap((void *)gv_rw, 12345), GNTST_bad_handle, "unmap an unknown handle");
    ST(gt_unmap((void *)gv_rw, 0xffffffffU), GNTST_bad_handle, "unmap handle ~0");

    /* GNTMAP_contains_pte: host_addr is the machine address of the L1 entry to write. */
    ST(gt_map(8, SELF, (void *)pt_maddr(pt_scratch_l1, 12), GNTMAP_host_map | GNTMAP_contains_pte, &h),
       GNTST_okay, "map ref 8 with contains_pte into scratch slot 12's entry");
    if (gv_rw[100] != (uint8_t)700)
        test_fail("the contains_pte mapping shows other contents");
    ST(gt_unmap((void *)gv_rw, h), GNTST_general_error, "unmap a contains_pte mapping by its VA");
    ST(gt_unmap((void *)pt_maddr(pt_scratch_l1, 12), h), GNTST_okay, "unmap it by the entry's address");
    if (probe_read(gv_rw, &v))
        test_fail("the unmapped contains_pte view is still readable");
    ST(gt_map(8, SELF, (void *)(pt_maddr(pt_scratch_l1, 12) + 4), GNTMAP_host_map | GNTMAP_contains_pte, &h),
       GNTST_general_error, "contains_pte at an unaligned entry address");
    ST(gt_map(8, SELF, (void *)pt_maddr(pt_l2, 0), GNTMAP_host_map | GNTMAP_contains_pte, &h),
       GNTST_general_error, "contains_pte into an L2");
    ST(gt_map(8, SELF, (void *)pt_maddr(other, 0), GNTMAP_host_map | GNTMAP_contains_pte, &h),
       GNTST_general_error, "contains_pte into a frame that is not a page table");
    ST(gt_map(8, SELF, (void *)pt_maddr(pt_unowned_mfn(pt_max_page - 1), 0), GNTMAP_host_map | GNTMAP_contains_pte, &h),
       GNTST_general_error, "contains_pte into a frame not ours");
    if (table[8].flags != GTF_permit_access)
        test_fail("ref 8 after the contains_pte cases: flags %#x", table[8].flags);

    /* Refusals. */
    ST(gt_map(512, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_bad_gntref, "ref 512, beyond a 1-frame table");
    ST(gt_map(0x7fffffff, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_bad_gntref, "ref 0x7fffffff");
    ST(gt_map(8, 999, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_bad_domain, "map from no domain");
    ST(gt_map(8, SELF, (void *)gv_rw, 0, &h), GNTST_bad_gntref, "map with neither host_map nor device_map");
    ST(gt_map(8, SELF, (void *)0xffff800000001000UL, GNTMAP_host_map, &h), GNTST_general_error, "map at a hypervisor address (Xen: general_error)");
    ST(gt_map(20, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_general_error, "map an entry never granted");
    gt_grant(table, 9, 7, page, GTF_permit_access);
    ST(gt_map(9, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_general_error, "map a grant to another domain");
    gt_grant(table, 10, SELF, page, GTF_permit_access | GTF_readonly);
    ST(gt_map(10, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_general_error, "map a read-only grant writable");
    if (table[10].flags != (GTF_permit_access | GTF_readonly))
        test_fail("a refused map left flags %#x", table[10].flags);
    ST(gt_map(10, SELF, (void *)gv_ro, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay, "map a read-only grant read-only");
    if (probe_write(gv_ro, 1))
        test_fail("the read-only grant's mapping took a write");
    ST(gt_unmap((void *)gv_ro, h), GNTST_okay, "unmap it");
    gt_grant(table, 12, SELF, page, GTF_accept_transfer);
    ST(gt_map(12, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_general_error, "map an accept_transfer entry");

    /* A page table granted writable. */
    l1 = pt_new_table(NULL, NULL, 0);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin a fresh L1");
    gt_grant(table, 11, SELF, l1, GTF_permit_access);
    ST(gt_map(11, SELF, (void *)gv_rw, GNTMAP_host_map, &h), GNTST_general_error, "map a page table granted writable");
    if (table[11].flags != GTF_permit_access)
        test_fail("the refused page-table map left flags %#x", table[11].flags);
    ST(copy(other, 0, 11, 0, 8, GNTCOPY_dest_gref), GNTST_general_error, "copy into a page table granted writable");
    ST(copy(other, 0, l1, 0, 8, 0), GNTST_general_error, "copy into an own page table");

    /* Copy. */
    for (unsigned int i = 0; i < 4096; i++)
        oth[i] = 0;
    ST(copy(8, 100, other, 200, 300, GNTCOPY_source_gref), GNTST_okay, "copy from ref 8 to an own frame");
    for (unsigned int i = 0; i < 300; i++)
        if (oth[200 + i] != own[100 + i])
            test_fail("copy from a grant: byte %u differs", i);
    if (oth[199] || oth[500])
        test_fail("copy from a grant wrote outside its range");
    oth[0] = 0x3c;
    ST(copy(other, 0, 8, 4095, 1, GNTCOPY_dest_gref), GNTST_okay, "copy to ref 8's last byte");
    if (own[4095] != 0x3c)
        test_fail("copy to a grant did not land");
    ST(copy(8, 0, 8, 2048, 1024, GNTCOPY_source_gref | GNTCOPY_dest_gref), GNTST_okay, "copy within ref 8");
    ST(copy(10, 0, other, 0, 16, GNTCOPY_source_gref), GNTST_okay, "copy from a read-only grant");
    ST(copy(other, 0, 10, 0, 16, GNTCOPY_dest_gref), GNTST_general_error, "copy into a read-only grant");
    ST(copy(8, 4000, other, 0, 200, GNTCOPY_source_gref), GNTST_bad_copy_arg, "copy crossing the source page");
    ST(copy(8, 0, other, 3900, 200, GNTCOPY_source_gref), GNTST_bad_copy_arg, "copy crossing the destination page");
    ST(copy(600, 0, other, 0, 8, GNTCOPY_source_gref), GNTST_bad_gntref, "copy from a ref beyond the table");
    ST(copy(9, 0, other, 0, 8, GNTCOPY_source_gref), GNTST_general_error, "copy from a grant to another domain");
    ST(copy(pt_unowned_mfn(pt_max_page - 1), 0, other, 0, 8, 0), GNTST_bad_page, "copy from a frame not ours");
    ST(copy(other, 4000, frames[0], 4088, 8, 0), GNTST_okay, "copy into the own grant table frame (writable for good)");
    for (unsigned int r = 8; r <= 12; r++)
        if (table[r].flags & (GTF_reading | GTF_writing))
            test_fail("ref %u still in use after the copies: flags %#x", r, table[r].flags);

    /* Clean up: revoke, unmap what the test mapped. */
    for (unsigned int r = 8; r <= 12; r++)
        table[r].flags = 0;
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, l1, 0), 0, "unpin the L1");
    pt_unmap(10);
    pt_unmap(11);
    pt_unmap(13);
    test_success();
}
