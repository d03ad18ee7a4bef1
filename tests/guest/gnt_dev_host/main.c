/*
 * gnt_dev_host (hostile): device and host mappings of one grant are
 * counted apart, so unmapping one leaves the other exact. A writable
 * device mapping and a writable host mapping of ref 8 (two handles), and a
 * read-only host mapping: unmapping the host mapping leaves GTF_writing
 * set (the device may still write), the frame still held writable (no pin
 * as a table) and alive; unmapping the device mapping then leaves the
 * read-only host mapping readable, GTF_reading set, the frame no longer
 * writable-held (it can be pinned as an L1 while mapped read-only). One
 * handle with both halves (host_map | device_map) goes whole at its unmap.
 * The audit counts every step's references.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: device and host mappings of one grant";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, bus, bus2, v;
    grant_handle_t hd, hh, hr, hb;
    domid_t self;
    const uint16_t rw = GTF_reading | GTF_writing;

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    pt_unmap(12);
    pt_unmap(13);
    gt_grant(t, 8, self, page, GTF_permit_access);
    expect_rc(gt_map_dev(8, self, NULL, GNTMAP_device_map, &hd, &bus), GNTST_okay, "device map, writable");
    if (bus != page << 12)
        test_fail("dev_bus_addr %#lx, want %#lx", bus, page << 12);
    expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map, &hh), GNTST_okay, "host map, writable");
    expect_rc(gt_map(8, self, pt_slot_va(13), GNTMAP_host_map | GNTMAP_readonly, &hr), GNTST_okay,
              "host map, read-only");
    *(volatile uint64_t *)pt_slot_va(12) = 0xdd00;

    expect_rc(gt_unmap(pt_slot_va(12), hh), GNTST_okay, "unmap the writable host mapping");
    if ((t[8].flags & rw) != rw)
        test_fail("host unmapped, device still mapped: flags %#x, want reading|writing", t[8].flags);
    if (!mmuext1(MMUEXT_PIN_L1_TABLE, page, 0))
        test_fail("the frame became an L1 while a device may write it");
    if (probe_read(pt_slot_va(12), &v))
        test_fail("the unmapped host view still reads");

    expect_rc(gt_unmap_dev(NULL, bus, hd), GNTST_okay, "unmap the device mapping");
    if ((t[8].flags & rw) != GTF_reading)
        test_fail("only the read-only host mapping left: flags %#x, want reading", t[8].flags);
    if (!probe_read(pt_slot_va(13), &v) || v != 0xdd00)
        test_fail("the read-only host mapping stopped working");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, page, 0), 0, "pin as L1 with only a read-only mapping");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, page, 0), 0, "unpin");
    expect_rc(gt_unmap(pt_slot_va(13), hr), GNTST_okay, "unmap the read-only host mapping");
    if (t[8].flags != GTF_permit_access)
        test_fail("all unmapped: flags %#x", t[8].flags);

    /* One handle, both halves. */
    expect_rc(gt_map_dev(8, self, pt_slot_va(12), GNTMAP_host_map | GNTMAP_device_map, &hb, &bus2), GNTST_okay,
              "host and device map in one handle");
    expect_rc(gt_unmap_dev(pt_slot_va(12), bus2, hb), GNTST_okay, "unmap both halves");
    if (t[8].flags != GTF_permit_access || probe_read(pt_slot_va(12), &v))
        test_fail("after the combined unmap: flags %#x", t[8].flags);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, page, 0), 0, "the frame is free of grant references");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, page, 0), 0, "unpin");
    t[8].flags = 0;
    test_success();
}
