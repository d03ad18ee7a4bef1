/*
 * gnt_ref_range (hostile): a grant reference beyond the table is
 * bad_gntref for map, copy (either side) and swap_grant_ref, at the first
 * ref past one frame, past two once the table grew, and at the top of the
 * 32-bit range (no index arithmetic wraps); the last ref of the table works.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant references beyond the table";

static void beyond(domid_t self, grant_ref_t ref, uint64_t frame)
{
    struct gnttab_swap_grant_ref sw = { .ref_a = 8, .ref_b = ref };
    grant_handle_t h;
    uint64_t bus;

    expect_rc(gt_map(ref, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_bad_gntref, "map ref %#x", ref);
    expect_rc(gt_map_dev(ref, self, NULL, GNTMAP_device_map | GNTMAP_readonly, &h, &bus), GNTST_bad_gntref,
              "device_map ref %#x", ref);
    expect_rc(gt_copy(self, ref, 0, DOMID_SELF, frame, 0, 8, GNTCOPY_source_gref), GNTST_bad_gntref,
              "copy from ref %#x", ref);
    expect_rc(gt_copy(DOMID_SELF, frame, 0, self, ref, 0, 8, GNTCOPY_dest_gref), GNTST_bad_gntref,
              "copy into ref %#x", ref);
    expect_rc(gt_op(GNTTABOP_swap_grant_ref, &sw, 1), 0, "swap_grant_ref call");
    expect_rc(sw.status, GNTST_bad_gntref, "swap ref 8 with ref %#x", ref);
}

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2 };
    uint64_t frames[2], page, v;
    grant_handle_t h;
    domid_t self;

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    pt_unmap(12);
    beyond(self, 512, page);
    beyond(self, 0xffffffffU, page);
    beyond(self, 0x80000000U, page);
    beyond(self, 0xfffffe00U, page);    /* 512 * 0x7fffff: the frame index of a wrapped multiply */
    gt_grant(t, 511, self, page, GTF_permit_access);
    expect_rc(gt_map(511, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_okay, "map ref 511, the table's last");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap it");
    t[511].flags = 0;

    st.frame_list = (uint64_t)frames;
    expect_rc(gt_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table(2)");
    expect_rc(st.status, GNTST_okay, "setup_table(2) status");
    expect_rc(pt_map(13, frames[1], L1_FLAGS_RW), 0, "map the second table frame");
    ((volatile struct grant_entry_v1 *)pt_slot_va(13))[511] =
        (struct grant_entry_v1){ GTF_permit_access, self, (uint32_t)page };
    expect_rc(gt_map(1023, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_okay, "map ref 1023 of a 2-frame table");
    if (!probe_read(pt_slot_va(12), &v))
        test_fail("ref 1023's mapping does not read");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap it");
    ((volatile struct grant_entry_v1 *)pt_slot_va(13))[511].flags = 0;
    beyond(self, 1024, page);
    pt_unmap(13);
    test_success();
}
