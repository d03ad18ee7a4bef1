/*
 * gnt_readonly (hostile): a GTF_readonly grant can be used for reading
 * only. Mapping it writable (host_map, device_map, both, contains_pte) and
 * copying into it are refused with general_error (Xen's "write-pin of a r/o
 * grant entry"), without setting GTF_writing; read-only mappings and copies
 * from it work, and a write through the read-only mapping faults. A
 * granter turning a writable grant read-only while it is mapped writable
 * gets no new writable use.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: read-only grants are never mapped or copied writable";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, dst, bus, v;
    grant_handle_t h, h2;
    domid_t self;
    volatile uint64_t *own;

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    dst = pt_free_mfn();
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the page to grant");
    own = pt_slot_va(11);
    own[0] = 0x600d;
    pt_unmap(12);
    gt_grant(t, 8, self, page, GTF_permit_access | GTF_readonly);
    expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_general_error, "host_map writable");
    expect_rc(gt_map_dev(8, self, NULL, GNTMAP_device_map, &h, &bus), GNTST_general_error, "device_map writable");
    expect_rc(gt_map_dev(8, self, pt_slot_va(12), GNTMAP_device_map | GNTMAP_host_map, &h, &bus), GNTST_general_error,
              "host and device map writable");
    expect_rc(gt_map(8, self, (void *)pt_maddr(pt_scratch_l1, 12), GNTMAP_host_map | GNTMAP_contains_pte, &h),
              GNTST_general_error, "contains_pte writable");
    expect_rc(gt_copy(DOMID_SELF, dst, 0, self, 8, 0, 8, GNTCOPY_dest_gref), GNTST_general_error, "copy into it");
    expect_rc(gt_copy(self, 8, 0, self, 8, 8, 8, GNTCOPY_source_gref | GNTCOPY_dest_gref), GNTST_general_error,
              "copy within it");
    if (t[8].flags != (GTF_permit_access | GTF_readonly))
        test_fail("refused writable uses left flags %#x", t[8].flags);
    if (probe_read(pt_slot_va(12), &v))
        test_fail("a refused map left a mapping");

    expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay, "read-only map");
    if (!probe_read(pt_slot_va(12), &v) || v != 0x600d)
        test_fail("the read-only mapping does not show the frame");
    if (probe_write(pt_slot_va(12), 1))
        test_fail("a write through the read-only grant mapping went through");
    if (t[8].flags != (GTF_permit_access | GTF_readonly | GTF_reading))
        test_fail("read-only mapped: flags %#x", t[8].flags);
    expect_rc(gt_map(8, self, pt_slot_va(13), GNTMAP_host_map, &h2), GNTST_general_error,
              "writable map while mapped read-only");
    expect_rc(gt_copy(self, 8, 0, DOMID_SELF, dst, 0, 8, GNTCOPY_source_gref), GNTST_okay, "copy from it");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap");

    /* Writable grant mapped writable, then made read-only by the granter: no new writable use. */
    gt_grant(t, 9, self, page, GTF_permit_access);
    expect_rc(gt_map(9, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_okay, "map a writable grant writable");
    __atomic_fetch_or(&t[9].flags, GTF_readonly, __ATOMIC_SEQ_CST);
    pt_unmap(13);
    expect_rc(gt_map(9, self, pt_slot_va(13), GNTMAP_host_map, &h2), GNTST_general_error,
              "second writable map after the granter made it read-only");
    expect_rc(gt_copy(DOMID_SELF, dst, 0, self, 9, 0, 8, GNTCOPY_dest_gref), GNTST_general_error,
              "copy into it after it was made read-only");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap");
    if (t[9].flags != (GTF_permit_access | GTF_readonly))
        test_fail("after the unmap: flags %#x", t[9].flags);
    t[8].flags = 0;
    t[9].flags = 0;
    pt_unmap(11);
    test_success();
}
