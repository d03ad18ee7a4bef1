/*
 * gnt_copy_bad (hostile): grant copy with a bad domain or reference on
 * either side: no such domain (bad_domain), a ref beyond the table
 * (bad_gntref), an entry never granted, revoked or granted to another
 * domain (general_error), a read-only grant as destination
 * (general_error), a frame side that is not the caller's own RAM (another
 * domain's, free, the hypervisor's, beyond RAM: bad_page), a frame side
 * naming a foreign domid (permission_denied). Each refusal leaves the
 * flags and the destination untouched; a batch mixing good and bad
 * elements gives each its own status.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant copy with bad domains, refs and frames";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    struct gnttab_copy ops[4];
    uint64_t a, b, m2p[1];
    volatile uint8_t *pb;
    domid_t self;

    if (!gt_self_init(&t, &self))
        return;
    a = pt_free_mfn();
    b = pt_free_mfn();
    expect_rc(pt_map(13, b, L1_FLAGS_RW), 0, "map b");
    pb = pt_slot_va(13);
    pb[0] = 0x77;
    gt_grant(t, 8, self, a, GTF_permit_access);
    gt_grant(t, 9, self, b, GTF_permit_access | GTF_readonly);
    gt_grant(t, 10, 5, a, GTF_permit_access);

    expect_rc(gt_copy(999, 8, 0, DOMID_SELF, b, 0, 8, GNTCOPY_source_gref), GNTST_bad_domain, "source domain 999");
    expect_rc(gt_copy(DOMID_SELF, a, 0, 999, 8, 0, 8, GNTCOPY_dest_gref), GNTST_bad_domain, "destination domain 999");
    expect_rc(gt_copy(DOMID_INVALID, 8, 0, DOMID_SELF, b, 0, 8, GNTCOPY_source_gref), GNTST_bad_domain,
              "source DOMID_INVALID");
    expect_rc(gt_copy(self, 600, 0, DOMID_SELF, b, 0, 8, GNTCOPY_source_gref), GNTST_bad_gntref, "source ref 600");
    expect_rc(gt_copy(DOMID_SELF, a, 0, self, 0xffffffffU, 0, 8, GNTCOPY_dest_gref), GNTST_bad_gntref,
              "destination ref ~0");
    expect_rc(gt_copy(self, 20, 0, DOMID_SELF, b, 0, 8, GNTCOPY_source_gref), GNTST_general_error,
              "source ref never granted");
    expect_rc(gt_copy(self, 10, 0, DOMID_SELF, b, 0, 8, GNTCOPY_source_gref), GNTST_general_error,
              "source ref granted to d5");
    expect_rc(gt_copy(DOMID_SELF, a, 0, self, 9, 0, 8, GNTCOPY_dest_gref), GNTST_general_error,
              "destination a read-only grant");
    expect_rc(gt_copy(DOMID_SELF, pt_unowned_mfn(pt_max_page - 1), 0, DOMID_SELF, b, 0, 8, 0), GNTST_bad_page,
              "source frame nobody's");
    expect_rc(gt_copy(DOMID_SELF, a, 0, DOMID_SELF, pt_max_page + 5, 0, 8, 0), GNTST_bad_page,
              "destination frame beyond RAM");
    if (pt_m2p_frames(m2p, 1) == 1)
        expect_rc(gt_copy(DOMID_SELF, a, 0, DOMID_SELF, m2p[0], 0, 8, 0), GNTST_bad_page,
                  "destination the hypervisor's M2P frame");
    expect_rc(gt_copy(DOMID_SELF, a, 0, DOMID_SELF, 0xffffffffffffULL, 0, 8, 0), GNTST_bad_page,
              "destination frame 2^48 - 1");
    expect_rc(gt_copy(0, a, 0, DOMID_SELF, b, 0, 8, 0), GNTST_permission_denied, "source frame naming d0");
    if (pb[0] != 0x77)
        test_fail("a refused copy wrote the destination");

    /* A batch: each element its own status. */
    for (unsigned int i = 0; i < 4; i++) {
        ops[i] = (struct gnttab_copy){ .len = 8, .flags = GNTCOPY_source_gref };
        ops[i].source.domid = self;
        ops[i].source.u.ref = 8;
        ops[i].dest.domid = DOMID_SELF;
        ops[i].dest.u.gmfn = b;
    }
    ops[1].source.u.ref = 600;
    ops[3].source.domid = 999;
    expect_rc(gt_op(GNTTABOP_copy, ops, 4), 0, "batch of four copies");
    expect_rc(ops[0].status, GNTST_okay, "batch element 0");
    expect_rc(ops[1].status, GNTST_bad_gntref, "batch element 1 (ref 600)");
    expect_rc(ops[2].status, GNTST_okay, "batch element 2");
    expect_rc(ops[3].status, GNTST_bad_domain, "batch element 3 (domain 999)");
    for (grant_ref_t r = 8; r <= 10; r++) {
        if (t[r].flags & (GTF_reading | GTF_writing))
            test_fail("ref %u still flagged in use: %#x", r, t[r].flags);
        t[r].flags = 0;
    }
    pt_unmap(13);
    test_success();
}
