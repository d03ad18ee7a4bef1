/*
 * gnt_pt_not_granted (hostile): a page table can never be granted
 * writable. A pinned L1, the boot L2 and L4 in use, a table only linked
 * (not pinned) and a GDT frame, each granted writable: host_map, device_map
 * and copy into them are refused with general_error, and the entry's flags
 * are left as they were. Read-only they may be mapped (PV guests map their
 * tables read-only); a write through that mapping is at most an emulated,
 * validated page-table update (ptwr), so a forged writable entry for the
 * L4 faults.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: a page table or GDT frame is never mapped writable through a grant";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t l1, gdtf, src, bus, v, gdt[1];
    grant_handle_t h;
    domid_t self;
    struct { uint64_t mfn; const char *what; } tabs[5];

    if (!gt_self_init(&t, &self))
        return;
    l1 = pt_new_table(NULL, NULL, 0);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin a fresh L1");
    gdtf = pt_free_mfn();
    gdt[0] = gdtf;
    expect_rc(HC2(set_gdt, gdt, 512), 0, "set_gdt of a fresh frame");
    src = pt_free_mfn();
    tabs[0].mfn = l1;              tabs[0].what = "pinned L1";
    tabs[1].mfn = pt_l2;           tabs[1].what = "boot L2";
    tabs[2].mfn = pt_l4;           tabs[2].what = "boot L4 (the base pointer)";
    tabs[3].mfn = pt_scratch_l1;   tabs[3].what = "linked, unpinned scratch L1";
    tabs[4].mfn = gdtf;            tabs[4].what = "GDT frame";
    pt_unmap(12);
    for (unsigned int i = 0; i < 5; i++) {
        gt_grant(t, 8 + i, self, tabs[i].mfn, GTF_permit_access);
        expect_rc(gt_map(8 + i, self, pt_slot_va(12), GNTMAP_host_map, &h), GNTST_general_error,
                  "host_map of a %s granted writable", tabs[i].what);
        expect_rc(gt_map_dev(8 + i, self, NULL, GNTMAP_device_map, &h, &bus), GNTST_general_error,
                  "device_map of a %s granted writable", tabs[i].what);
        expect_rc(gt_copy(DOMID_SELF, src, 0, self, 8 + i, 0, 8, GNTCOPY_dest_gref), GNTST_general_error,
                  "copy into a %s granted writable", tabs[i].what);
        if (t[8 + i].flags != GTF_permit_access)
            test_fail("%s: refused uses left flags %#x", tabs[i].what, t[8 + i].flags);
        if (probe_read(pt_slot_va(12), &v))
            test_fail("%s: something is mapped at the target VA", tabs[i].what);
        expect_rc(gt_map(8 + i, self, pt_slot_va(12), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay,
                  "read-only host_map of the %s", tabs[i].what);
        /* A write there is at most a validated ptwr update: a writable L4 entry never is. */
        if (probe_write(pt_slot_va(12), (pt_l4 << 12) | L1_FLAGS_RW))
            test_fail("%s: the read-only grant mapping took a forged entry", tabs[i].what);
        expect_rc(gt_unmap(pt_slot_va(12), h), GNTST_okay, "unmap it");
        t[8 + i].flags = 0;
    }
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, l1, 0), 0, "unpin the L1");
    test_success();
}
