/*
 * gnt_unmap_handles (hostile): unmap takes only a handle of a live mapping
 * of the caller's. A handle never given (in and beyond the maptrack, ~0),
 * a stale one (its mapping unmapped), a double unmap: bad_handle, nothing
 * changed. A stale handle whose number was given again to a new mapping
 * names that mapping: with the old mapping's host_addr it is refused
 * (general_error) and the new mapping stays; a device mapping unmapped with
 * another frame's bus address is bad_dev_addr. References and flags stay
 * exact throughout (audit).
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: unmap with wrong, stale and double handles";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, v, bus;
    grant_handle_t h, h2, hd;
    domid_t self;
    void *a, *b;

    if (!gt_self_init(&t, &self))
        return;
    a = pt_slot_va(12);
    b = pt_slot_va(13);
    page = pt_free_mfn();
    pt_unmap(12);
    pt_unmap(13);
    gt_grant(t, 8, self, page, GTF_permit_access);
    expect_rc(gt_unmap(a, 0), GNTST_bad_handle, "unmap handle 0 before any map");
    expect_rc(gt_map(8, self, a, GNTMAP_host_map, &h), GNTST_okay, "map at a");
    expect_rc(gt_unmap(a, h + 1), GNTST_bad_handle, "unmap a free handle inside the maptrack");
    expect_rc(gt_unmap(a, 100000), GNTST_bad_handle, "unmap a handle beyond the maptrack");
    expect_rc(gt_unmap(a, 0xffffffffU), GNTST_bad_handle, "unmap handle ~0");
    expect_rc(gt_unmap(a, 0x80000000U | h), GNTST_bad_handle, "unmap the handle with bit 31 set");
    if (!probe_read(a, &v))
        test_fail("a refused unmap removed the mapping");
    expect_rc(gt_unmap(a, h), GNTST_okay, "unmap it");
    expect_rc(gt_unmap(a, h), GNTST_bad_handle, "double unmap");
    expect_rc(gt_unmap(NULL, h), GNTST_bad_handle, "stale handle, no address");
    if (t[8].flags != GTF_permit_access)
        test_fail("after the unmaps: flags %#x", t[8].flags);

    /* The stale number given to a new mapping at b. */
    expect_rc(gt_map(8, self, b, GNTMAP_host_map, &h2), GNTST_okay, "map at b");
    if (h2 == h) {
        expect_rc(gt_unmap(a, h), GNTST_general_error, "stale handle (now b's) with a's address");
        if (!probe_read(b, &v))
            test_fail("the refused stale unmap removed b's mapping");
    } else {
        expect_rc(gt_unmap(a, h), GNTST_bad_handle, "stale handle");
    }
    expect_rc(gt_unmap(b, h2), GNTST_okay, "unmap b");

    /* Device mappings: the bus address must be the mapping's. */
    expect_rc(gt_map_dev(8, self, NULL, GNTMAP_device_map, &hd, &bus), GNTST_okay, "device map");
    expect_rc(gt_unmap_dev(NULL, bus + 4096, hd), GNTST_bad_dev_addr, "unmap with the next frame's bus address");
    if ((t[8].flags & GTF_writing) == 0)
        test_fail("the refused device unmap released the pin: flags %#x", t[8].flags);
    expect_rc(gt_unmap_dev(NULL, bus, hd), GNTST_okay, "unmap the device mapping");
    expect_rc(gt_unmap_dev(NULL, bus, hd), GNTST_bad_handle, "double device unmap");
    if (t[8].flags != GTF_permit_access)
        test_fail("at the end: flags %#x", t[8].flags);
    t[8].flags = 0;
    test_success();
}
