/*
 * gnt_revoke_mid_use (hostile): the granter clears GTF_permit_access (a
 * plain atomic and, as a careless or hostile granter would, leaving the
 * hypervisor's bits) while its grant is mapped. The mapping stays valid
 * (its PTE holds its own references), GTF_reading/GTF_writing stay set
 * until the unmap (Xen), but no new use is given: a new map or copy of
 * the revoked entry is general_error, even though the entry is still
 * pinned (Xen would take a second pin of an already-pinned entry without
 * looking at it again; Tandem looks). A granter that overwrites the whole
 * flags word (losing reading/writing) gets them back cleared by the unmap
 * and nothing else breaks. Re-granted afterwards, it maps again.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: a grant revoked while mapped";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, dst, v, bus;
    grant_handle_t h, h2;
    domid_t self;
    volatile uint64_t *gv;
    const uint16_t rw = GTF_reading | GTF_writing;

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    dst = pt_free_mfn();
    pt_unmap(12);
    pt_unmap(13);
    gv = pt_slot_va(12);
    gt_grant(t, 8, self, page, GTF_permit_access);
    expect_rc(gt_map(8, self, (void *)gv, GNTMAP_host_map, &h), GNTST_okay, "map ref 8 writable");
    gv[0] = 0x1234;

    __atomic_fetch_and(&t[8].flags, (uint16_t)~GTF_permit_access, __ATOMIC_SEQ_CST);     /* revoke */
    printk("revoked while mapped: flags %#x\n", t[8].flags);
    if ((t[8].flags & rw) != rw)
        test_fail("revoked while mapped: flags %#x, want reading|writing still set", t[8].flags);
    if (!probe_read(gv, &v) || v != 0x1234 || !probe_write(gv, 0x5678))
        test_fail("the existing mapping stopped working after the revoke");
    expect_rc(gt_map(8, self, pt_slot_va(13), GNTMAP_host_map, &h2), GNTST_general_error,
              "new writable map of the revoked entry");
    expect_rc(gt_map(8, self, pt_slot_va(13), GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_general_error,
              "new read-only map of the revoked entry");
    expect_rc(gt_map_dev(8, self, NULL, GNTMAP_device_map, &h2, &bus), GNTST_general_error,
              "new device map of the revoked entry");
    expect_rc(gt_copy(self, 8, 0, DOMID_SELF, dst, 0, 8, GNTCOPY_source_gref), GNTST_general_error,
              "copy from the revoked entry");
    expect_rc(gt_copy(DOMID_SELF, dst, 0, self, 8, 0, 8, GNTCOPY_dest_gref), GNTST_general_error,
              "copy into the revoked entry");
    if (probe_read(pt_slot_va(13), &v))
        test_fail("a refused map of the revoked entry mapped something");
    if ((t[8].flags & rw) != rw)
        test_fail("after the refused uses: flags %#x", t[8].flags);
    expect_rc(gt_unmap((void *)gv, h), GNTST_okay, "unmap the mapping of the revoked entry");
    if (t[8].flags != 0)
        test_fail("after the unmap: flags %#x, want 0", t[8].flags);
    if (probe_read(gv, &v))
        test_fail("the unmapped view still reads");

    /* Overwritten whole (reading/writing lost) while mapped read-only. */
    gt_grant(t, 8, self, page, GTF_permit_access);
    expect_rc(gt_map(8, self, (void *)gv, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay, "map read-only");
    t[8].flags = 0;
    expect_rc(gt_map(8, self, pt_slot_va(13), GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_general_error,
              "new map after the flags were overwritten");
    if (!probe_read(gv, &v) || v != 0x5678)
        test_fail("the read-only mapping stopped working");
    expect_rc(gt_unmap((void *)gv, h), GNTST_okay, "unmap");
    if (t[8].flags != 0)
        test_fail("after the unmap: flags %#x", t[8].flags);

    gt_grant(t, 8, self, page, GTF_permit_access);
    expect_rc(gt_map(8, self, (void *)gv, GNTMAP_host_map, &h), GNTST_okay, "map again once re-granted");
    expect_rc(gt_unmap((void *)gv, h), GNTST_okay, "unmap");
    t[8].flags = 0;
    test_success();
}
