/*
 * gnttab_replace (grant tables v1, hostile): GNTTABOP_unmap_and_replace
 * (Xen's PV rules): the grant mapping at host_addr takes the PTE at
 * new_addr, which is cleared, and the grant is released; new_addr 0 just
 * clears. Refused: a bad or released handle (bad_handle); new_addr not
 * mapped, equal to host_addr or in the hypervisor, a host_addr not the
 * mapping's (general_error, nothing changed). The audit stays clean.
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: GNTTABOP_unmap_and_replace";

static domid_t SELF;
static volatile struct grant_entry_v1 *table;

static int16_t replace(void *va, void *nva, grant_handle_t h)
{
    struct gnttab_unmap_and_replace op = { .host_addr = (uint64_t)va, .new_addr = (uint64_t)nva, .handle = h };

    if (gt_op(GNTTABOP_unmap_and_replace, &op, 1))
        test_fail("unmap_and_replace: the call itself failed");
    return op.status;
}

#define ST(got, want, what) expect_rc((got), (want), "%s", (what))

void test_main(void)
{
    uint64_t page, other, v;
    volatile uint8_t *own, *oth, *gv, *nv;
    grant_handle_t h;

    if (!pt_init())
        return;
    if (!(table = gt_own_table(10)))
        return;
    page = pt_free_mfn();
    other = pt_free_mfn();
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the page to grant");
    expect_rc(pt_map(13, other, L1_FLAGS_RW), 0, "map a second own page");
    own = pt_slot_va(11);
    oth = pt_slot_va(13);
    own[100] = 0x11;
    oth[100] = 0x22;
    gv = pt_slot_va(12);
    nv = pt_slot_va(14);
    pt_unmap(12);
    if (!gt_find_self(table, page, (void *)gv, &SELF)) {
        test_fail("no domain id maps our own grant");
        return;
    }
    gt_grant(table, 8, SELF, page, GTF_permit_access);

    /* Success: gv takes nv's mapping (the second page), nv is cleared, the grant released. */
    ST(gt_map(8, SELF, (void *)gv, GNTMAP_host_map, &h), GNTST_okay, "map ref 8 at gv");
    expect_rc(pt_map(14, other, L1_FLAGS_RW), 0, "map the second page at nv");
    if (gv[100] != 0x11 || nv[100] != 0x22)
        test_fail("before: gv shows %#x, nv %#x", gv[100], nv[100]);
    ST(replace((void *)gv, (void *)nv, h), GNTST_okay, "unmap_and_replace(gv, nv)");
    if (!probe_read(gv, &v) || gv[100] != 0x22)
        test_fail("after: gv does not show what nv mapped");
    gv[101] = 0x33;
    if (oth[101] != 0x33)
        test_fail("a write at gv did not reach the second page");
    if (probe_read(nv, &v))
        test_fail("nv is still mapped after unmap_and_replace");
    if (table[8].flags != GTF_permit_access)
        test_fail("ref 8 after the replace: flags %#x", table[8].flags);
    printk("unmap_and_replace: gv now maps the page nv mapped; nv unmapped; ref 8 released\n");
    ST(replace((void *)gv, (void *)nv, h), GNTST_bad_handle, "replace the released handle again");
    ST(replace((void *)gv, NULL, 12345), GNTST_bad_handle, "replace an unknown handle");
    pt_unmap(12);

    /* new_addr not mapped: refused, the grant mapping stays. */
    ST(gt_map(8, SELF, (void *)gv, GNTMAP_host_map, &h), GNTST_okay, "map ref 8 at gv again");
    ST(replace((void *)gv, (void *)nv, h), GNTST_general_error, "replace with an unmapped new_addr");
    if (!probe_read(gv, &v) || gv[100] != 0x11)
        test_fail("the refused replace changed gv");
    ST(replace((void *)gv, (void *)gv, h), GNTST_general_error, "replace with new_addr = host_addr");
    ST(replace((void *)nv, (void *)oth, h), GNTST_general_error, "replace at another host_addr");
    ST(replace((void *)gv, (void *)0xffff800000001000UL, h), GNTST_general_error, "new_addr in the hypervisor");
    if ((table[8].flags & (GTF_reading | GTF_writing)) != (GTF_reading | GTF_writing))
        test_fail("ref 8 after the refusals: flags %#x", table[8].flags);
    /* new_addr 0: just cleared. */
    ST(replace((void *)gv, NULL, h), GNTST_okay, "unmap_and_replace with new_addr 0");
    if (probe_read(gv, &v))
        test_fail("gv still mapped after replace with new_addr 0");
    if (table[8].flags != GTF_permit_access)
        test_fail("ref 8 after new_addr 0: flags %#x", table[8].flags);
    table[8].flags = 0;
    pt_unmap(10);
    pt_unmap(11);
    pt_unmap(13);
    test_success();
}
