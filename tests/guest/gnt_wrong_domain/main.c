/*
 * gnt_wrong_domain (hostile): a grant is used only by the domain its entry
 * names. Entries naming another domain (an existing id, DOMID_SELF, 
 * DOMID_INVALID, a wrapped id) are general_error for map and copy (Xen's
 * _set_status_v1), with the flags untouched; naming the granter by
 * DOMID_SELF in the map's dom, or a domain that does not exist, is
 * bad_domain; a frame side of a copy naming another domain without
 * privilege is permission_denied.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grants to another domain, and ops naming the wrong domain";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, dst, bus;
    grant_handle_t h;
    domid_t self;
    const domid_t others[] = { 0, 2, DOMID_SELF, 0x7ff4, 0xffff, 0x8001 };

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    dst = pt_free_mfn();
    pt_unmap(12);
    for (unsigned int i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        if (others[i] == self)
            continue;
        gt_grant(t, 8, others[i], page, GTF_permit_access);
        expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_general_error,
                  "map a grant to d%#x", others[i]);
        expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_general_error,
                  "map read-only a grant to d%#x", others[i]);
        expect_rc(gt_map_dev(8, self, NULL, GNTMAP_device_map, &h, &bus), GNTST_general_error,
                  "device_map a grant to d%#x", others[i]);
        expect_rc(gt_copy(self, 8, 0, DOMID_SELF, dst, 0, 8, GNTCOPY_source_gref), GNTST_general_error,
                  "copy from a grant to d%#x", others[i]);
        if (t[8].flags != GTF_permit_access)
            test_fail("a grant to d%#x: flags %#x after refused uses", others[i], t[8].flags);
    }
    gt_grant(t, 8, self, page, GTF_permit_access);
    expect_rc(gt_map(8, DOMID_SELF, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_bad_domain,
              "map with dom DOMID_SELF (Xen: the granter by id only)");
    expect_rc(gt_map(8, 999, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_bad_domain, "map from no domain");
    expect_rc(gt_map(8, DOMID_INVALID, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_bad_domain, "map from DOMID_INVALID");
    expect_rc(gt_copy(999, 8, 0, DOMID_SELF, dst, 0, 8, GNTCOPY_source_gref), GNTST_bad_domain, "copy from no domain");
    expect_rc(gt_copy(DOMID_SELF, dst, 0, 999, 8, 0, 8, GNTCOPY_dest_gref), GNTST_bad_domain, "copy to no domain");
    expect_rc(gt_copy(0, dst, 0, DOMID_SELF, page, 0, 8, 0), GNTST_permission_denied,
              "copy from a frame naming d0, unprivileged");
    expect_rc(gt_copy(DOMID_SELF, dst, 0, 0, page, 0, 8, 0), GNTST_permission_denied,
              "copy to a frame naming d0, unprivileged");
    if (t[8].flags != GTF_permit_access)
        test_fail("ref 8 flags %#x", t[8].flags);
    t[8].flags = 0;
    test_success();
}
