/*
 * gnt_mapped_not_pt (hostile): a frame mapped writable through a grant
 * (host_map, or device_map without readonly) holds its writable type, so
 * it can never become a page table (pin as L1..L4, link into an L2) or a
 * descriptor page (set_gdt) while mapped: the peer could otherwise write
 * forged entries into a table the hypervisor validated. After the unmap
 * the frame can become a table again.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: a frame mapped writable through a grant never becomes a page table or GDT";

static void refused_as_table(uint64_t page, const char *how)
{
    static const unsigned int pins[] = { MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE, MMUEXT_PIN_L3_TABLE,
                                         MMUEXT_PIN_L4_TABLE };
    uint64_t gdt[1] = { page };

    for (unsigned int i = 0; i < 4; i++)
        if (!mmuext1(pins[i], page, 0))
            test_fail("%s: the frame was pinned as an L%u", how, i + 1);
    if (!mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (page << 12) | LX_FLAGS))
        test_fail("%s: the frame was linked into the L2 as an L1", how);
    if (!HC2(set_gdt, gdt, 512))
        test_fail("%s: the frame became a GDT frame", how);
}

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t page, bus;
    grant_handle_t h, hd;
    domid_t self;

    if (!gt_self_init(&t, &self))
        return;
    page = pt_free_mfn();
    if (pt_read_entry(pt_l2, pt_scratch_l2_slot + 1))
        test_fail("L2 slot after the scratch L1 in use");
    gt_grant(t, 8, self, page, GTF_permit_access);
    pt_unmap(12);
    expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_okay, "map ref 8 writable");
    refused_as_table(page, "host-mapped writable");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap it");

    expect_rc(gt_map_dev(8, self, NULL, GNTMAP_device_map, &hd, &bus), GNTST_okay, "device_map ref 8 writable");
    refused_as_table(page, "device-mapped writable");
    expect_rc(gt_unmap_dev(NULL, bus, hd), GNTST_okay, "unmap the device mapping");

    /* Read-only through the grant: a table is fine (PV maps its tables read-only). */
    expect_rc(gt_map(8, self, pt_slot_va(12), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay, "map ref 8 read-only");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, page, 0), 0, "pin the frame as an L1 while mapped read-only");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, page, 0), 0, "unpin it");
    expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap the read-only mapping");

    /* Unmapped: a table again. */
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, page, 0), 0, "pin the frame as an L1 after the unmaps");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, page, 0), 0, "unpin it");
    if (t[8].flags != GTF_permit_access)
        test_fail("ref 8 flags %#x after the unmaps", t[8].flags);
    t[8].flags = 0;
    test_success();
}
