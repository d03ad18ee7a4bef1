/*
 * gnt_subops: the grant_table_op sub-ops beyond map/unmap/copy, with
 * Xen's numbers and errors. transfer (Tandem refuses page transfers): a
 * frame not ours or not RAM is bad_page, an unknown domain bad_domain,
 * anything else general_error (Xen's status when the transferee's entry
 * does not accept), and the page stays ours. swap_grant_ref: entries
 * exchanged, the same ref a no-op, bad_gntref beyond the table, eagain
 * while either is in use. get_status_frames (v1): none to give, so 0
 * frames is okay and any more general_error; another domain's is
 * permission_denied, none bad_domain; count != 1 -EINVAL. cache_flush
 * (x86, Xen 4.19): CLEAN of our own frame or one we map through a grant is
 * 0, INVAL alone -EOPNOTSUPP, a range past the page or unknown op bits
 * (SOURCE_GREF too) -EINVAL, a frame neither ours nor mapped -EINVAL or
 * (no owner) -EPERM, nothing to do 0 and, continuing a scan, -EILSEQ.
 * dump_table: our table on the console (okay), another domain's
 * permission_denied, none bad_domain. Bits 12+ of cmd are -EINVAL except
 * for cache_flush; unknown sub-ops -ENOSYS.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "grant_table_op: transfer, swap, status frames, cache_flush, dump_table";

static long cflush(uint64_t addr, uint16_t off, uint16_t len, uint32_t op)
{
    struct gnttab_cache_flush c = { .offset = off, .length = len, .op = op };

    c.a.dev_bus_addr = addr;
    return gt_op(GNTTABOP_cache_flush, &c, 1);
}

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    struct gnttab_transfer tr[4];
    struct gnttab_swap_grant_ref sw[3];
    struct gnttab_get_status_frames sf = { .dom = DOMID_SELF };
    struct gnttab_dump_table dt = { .dom = DOMID_SELF };
    uint64_t page, other, fl[2], v;
    volatile uint64_t *own;
    grant_handle_t h;
    domid_t self;
    struct gnttab_get_version gv = { .dom = 0 };
    int16_t other_st;
    long rc;

    if (!gt_self_init(&t, &self))
        return;
    /* d0 exists (-EPERM to get_version) or not (-ESRCH): another domain's table is permission_denied or bad_domain. */
    rc = gt_op(GNTTABOP_get_version, &gv, 1);
    other_st = rc == -XEN_ESRCH ? GNTST_bad_domain : GNTST_permission_denied;
    page = pt_free_mfn();
    other = pt_free_mfn();
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map page");
    own = pt_slot_va(11);
    own[0] = 0x7e57;

    /* transfer */
    for (unsigned int i = 0; i < 4; i++)
        tr[i] = (struct gnttab_transfer){ .mfn = page, .domid = self, .ref = 8 };
    tr[1].mfn = pt_unowned_mfn(pt_max_page - 1);
    tr[2].mfn = pt_max_page + 3;
    tr[3].domid = 999;
    gt_grant(t, 8, self, 0, GTF_accept_transfer);
    expect_rc(gt_op(GNTTABOP_transfer, tr, 4), 0, "transfer batch of 4");
    expect_rc(tr[0].status, GNTST_general_error, "transfer of our page (refused)");
    expect_rc(tr[1].status, GNTST_bad_page, "transfer of a frame not ours");
    expect_rc(tr[2].status, GNTST_bad_page, "transfer of a frame beyond RAM");
    expect_rc(tr[3].status, GNTST_bad_domain, "transfer to no domain");
    if (t[8].flags != GTF_accept_transfer || own[0] != 0x7e57)
        test_fail("a refused transfer changed something: flags %#x", t[8].flags);
    t[8].flags = 0;

    /* swap_grant_ref */
    gt_grant(t, 8, self, page, GTF_permit_access);
    gt_grant(t, 9, self, other, GTF_permit_access | GTF_readonly);
    sw[0] = (struct gnttab_swap_grant_ref){ .ref_a = 8, .ref_b = 9 };
    sw[1] = (struct gnttab_swap_grant_ref){ .ref_a = 9, .ref_b = 9 };
    sw[2] = (struct gnttab_swap_grant_ref){ .ref_a = 8, .ref_b = 512 };
    expect_rc(gt_op(GNTTABOP_swap_grant_ref, sw, 3), 0, "swap batch of 3");
    expect_rc(sw[0].status, GNTST_okay, "swap 8 and 9");
    expect_rc(sw[1].status, GNTST_okay, "swap 9 with itself");
    expect_rc(sw[2].status, GNTST_bad_gntref, "swap with ref 512");
    if (t[8].frame != (uint32_t)other || t[8].flags != (GTF_permit_access | GTF_readonly) ||
        t[9].frame != (uint32_t)page || t[9].flags != GTF_permit_access)
        test_fail("swap: entries not exchanged (8: %#x %#x, 9: %#x %#x)", t[8].flags, t[8].frame, t[9].flags,
                  t[9].frame);
    pt_unmap(12);
    expect_rc(gt_map(9, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_okay, "map ref 9 (now the page)");
    if (!probe_read(pt_slot_va(12), &v) || v != 0x7e57)
        test_fail("ref 9 after the swap does not map the page");
    sw[0] = (struct gnttab_swap_grant_ref){ .ref_a = 8, .ref_b = 9 };
    expect_rc(gt_op(GNTTABOP_swap_grant_ref, sw, 1), 0, "swap while ref 9 is mapped");
    expect_rc(sw[0].status, GNTST_eagain, "swap of a ref in use");

    /* cache_flush: ours, and one we map through a grant (our own, so: ours); the rules. */
    expect_rc(cflush(page << 12, 0, 4096, GNTTAB_CACHE_CLEAN), 0, "cache_flush CLEAN of our page");
    expect_rc(cflush(page << 12, 64, 100, GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL), 0, "CLEAN|INVAL part of it");
    expect_rc(cflush(page << 12, 0, 64, GNTTAB_CACHE_INVAL), -XEN_EOPNOTSUPP, "INVAL alone (x86)");
    expect_rc(cflush(page << 12, 4000, 200, GNTTAB_CACHE_CLEAN), -XEN_EINVAL, "range past the page");
    expect_rc(cflush(page << 12, 4096, 0, GNTTAB_CACHE_CLEAN), -XEN_EINVAL, "offset 4096");
    expect_rc(cflush(page << 12, 0, 4097, GNTTAB_CACHE_CLEAN), -XEN_EINVAL, "length 4097");
    expect_rc(cflush(8, 0, 64, GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_SOURCE_GREF), -XEN_EINVAL, "SOURCE_GREF");
    expect_rc(cflush(page << 12, 0, 64, 4), -XEN_EINVAL, "unknown op bit");
    expect_rc(cflush(page << 12, 0, 0, GNTTAB_CACHE_CLEAN), 0, "length 0: nothing to do");
    expect_rc(cflush(page << 12, 0, 64, 0), 0, "op 0: nothing to do");
    {
        struct gnttab_cache_flush c = { .offset = 0, .length = 0, .op = GNTTAB_CACHE_CLEAN };
        expect_rc(gt_op(GNTTABOP_cache_flush | (5U << 12), &c, 1), -XEN_EILSEQ,
                  "nothing to do in a continued scan (cmd bits 12+)");
    }
    expect_rc(cflush(pt_max_page << 12, 0, 64, GNTTAB_CACHE_CLEAN), -XEN_EINVAL, "a frame beyond RAM");
    expect_rc(cflush(pt_unowned_mfn(pt_max_page - 1) << 12, 0, 64, GNTTAB_CACHE_CLEAN), -XEN_EPERM,
              "a frame nobody owns");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap ref 9");
    t[8].flags = t[9].flags = 0;

    /* get_status_frames */
    sf.frame_list = (uint64_t)fl;
    expect_rc(gt_op(GNTTABOP_get_status_frames, &sf, 1), 0, "get_status_frames(0)");
    expect_rc(sf.status, GNTST_okay, "no status frames asked: okay");
    sf.nr_frames = 1;
    expect_rc(gt_op(GNTTABOP_get_status_frames, &sf, 1), 0, "get_status_frames(1)");
    expect_rc(sf.status, GNTST_general_error, "v1 has no status frames");
    sf.dom = 0;
    expect_rc(gt_op(GNTTABOP_get_status_frames, &sf, 1), 0, "get_status_frames of d0");
    expect_rc(sf.status, other_st, "another domain's (d0), unprivileged");
    sf.dom = 999;
    expect_rc(gt_op(GNTTABOP_get_status_frames, &sf, 1), 0, "get_status_frames of no domain");
    expect_rc(sf.status, GNTST_bad_domain, "no such domain");
    expect_rc(gt_op(GNTTABOP_get_status_frames, &sf, 2), -XEN_EINVAL, "count 2");

    /* dump_table: our table with one entry in use. */
    gt_grant(t, 8, self, page, GTF_permit_access);
    expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_okay, "map ref 8 for the dump");
    expect_rc(gt_op(GNTTABOP_dump_table, &dt, 1), 0, "dump_table");
    expect_rc(dt.status, GNTST_okay, "dump_table of our own");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap ref 8");
    t[8].flags = 0;
    dt.dom = 0;
    expect_rc(gt_op(GNTTABOP_dump_table, &dt, 1), 0, "dump_table of d0");
    expect_rc(dt.status, other_st, "another domain's (d0), unprivileged");
    dt.dom = 999;
    expect_rc(gt_op(GNTTABOP_dump_table, &dt, 1), 0, "dump_table of none");
    expect_rc(dt.status, GNTST_bad_domain, "dump_table of no domain");

    /* cmd encoding */
    rc = gt_op(GNTTABOP_query_size | (1U << 12), &dt, 1);
    expect_rc(rc, -XEN_EINVAL, "query_size with bit 12 set");
    expect_rc(gt_op(13, &dt, 1), -XEN_ENOSYS, "sub-op 13");
    expect_rc(gt_op(0xfff, &dt, 1), -XEN_ENOSYS, "sub-op 0xfff");
    expect_rc(gt_op(GNTTABOP_map_grant_ref, &dt, 0x80000000U), -XEN_EINVAL, "count 2^31");
    pt_unmap(11);
    test_success();
}
