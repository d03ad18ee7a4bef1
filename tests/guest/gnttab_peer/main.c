/*
 * gnttab_peer (grant tables v1 between two domains, hostile): role=granter
 * (d1) sets up its table and grants d2 a page writable (ref 8), the same
 * page read-only (ref 9), the page to a third domain (ref 10) and a pinned
 * L1 writable (ref 11). role=mapper (d2) maps ref 8, checks the contents,
 * writes a marker; the refusals a peer meets: the read-only grant mapped or
 * copied writable, the grant to another domain, the page table, a ref
 * beyond the table, a handle it does not own. The granter, seeing the
 * marker, finds GTF_reading|GTF_writing set, cannot pin the mapped page as
 * a page table, and ends while the mapping is held: its frame stays (a
 * zombie) until the mapper, seeing the granter gone (bad_domain), reads it
 * once more and unmaps it. A device-only mapping (GNTMAP_device_map, no
 * PTE) of a second frame returns the granter's mfn << 12 as dev_bus_addr
 * and keeps that frame a zombie too until its unmap (a wrong dev_bus_addr
 * first: bad_dev_addr). The audit after each teardown must be clean
 * and every frame returned.
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant tables between two domains, granter dies while mapped";

#define MARK 0x4d41505045443231UL       /* written by the mapper at offset 64 */

static int16_t copy_to_ref(domid_t dom, grant_ref_t ref, uint64_t mfn, uint16_t len)
{
    struct gnttab_copy op = { .len = len, .flags = GNTCOPY_dest_gref };

    op.dest.u.ref = ref;
    op.dest.domid = dom;
    op.source.u.gmfn = mfn;
    op.source.domid = DOMID_SELF;
    if (gt_op(GNTTABOP_copy, &op, 1))
        test_fail("copy: the call itself failed");
    return op.status;
}

static void granter(domid_t peer)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    volatile struct grant_entry_v1 *t;
    volatile uint64_t *own;
    uint64_t frame = 0, page, page2, l1, deadline;
    long rc;

    st.frame_list = (uint64_t)&frame;
    if (gt_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay) {
        test_fail("setup_table: status %d", st.status);
        return;
    }
    expect_rc(pt_map(10, frame, L1_FLAGS_RW), 0, "map the table frame");
    t = pt_slot_va(10);
    page = pt_free_mfn();
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the page to grant");
    own = pt_slot_va(11);
    for (unsigned int i = 0; i < 512; i++)
        own[i] = 0x1000 + i;
    l1 = pt_new_table(NULL, NULL, 0);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin an L1");
    page2 = pt_free_mfn();
    own[16] = page2;                        /* the mapper checks its device mapping's bus address */
    t[12] = (struct grant_entry_v1){ GTF_permit_access, peer, (uint32_t)page2 };

    t[9] = (struct grant_entry_v1){ GTF_permit_access | GTF_readonly, peer, (uint32_t)page };
    t[10] = (struct grant_entry_v1){ GTF_permit_access, 7, (uint32_t)page };
    t[11] = (struct grant_entry_v1){ GTF_permit_access, peer, (uint32_t)l1 };
    t[8].domid = peer;
    t[8].frame = (uint32_t)page;
    __asm__ __volatile__("" ::: "memory");
    t[8].flags = GTF_permit_access;         /* last: the mapper polls ref 8 */

    deadline = md_now() + MD_MS(20000);
    while (own[8] != MARK && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (own[8] != MARK) {
        test_fail("the mapper never wrote its mark");
        return;
    }
    if ((t[8].flags & (GTF_reading | GTF_writing)) != (GTF_reading | GTF_writing))
        test_fail("ref 8 mapped by the peer: flags %#x, want reading|writing", t[8].flags);
    rc = mmuext1(MMUEXT_PIN_L1_TABLE, page, 0);
    if (!rc)
        test_fail("the granted frame the peer maps writable was pinned as an L1");
    if ((t[12].flags & (GTF_reading | GTF_writing)) != (GTF_reading | GTF_writing))
        test_fail("ref 12 device-mapped by the peer: flags %#x, want reading|writing", t[12].flags);
    if (!mmuext1(MMUEXT_PIN_L1_TABLE, page2, 0))
        test_fail("the granted frame the peer device-maps writable was pinned as an L1");
    printk("granter: pin the peer-mapped frame as an L1: %ld (refused); ending while it is mapped\n", rc);
    /* Ends with the mapping held: the frame must outlive us. */
    test_success();
}

static void mapper(domid_t peer)
{
    volatile uint64_t *va = pt_slot_va(20), *ro = pt_slot_va(21);
    uint64_t mine = pt_free_mfn(), deadline, v;
    grant_handle_t h, h2, hd;
    struct gnttab_map_grant_ref dm = { .flags = GNTMAP_device_map, .ref = 12, .dom = peer };
    struct gnttab_unmap_grant_ref du = { 0 };
    int16_t st;

    pt_unmap(20);
    pt_unmap(21);
    deadline = md_now() + MD_MS(20000);
    while ((st = gt_map(8, peer, (void *)va, GNTMAP_host_map, &h)) != GNTST_okay && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (st != GNTST_okay) {
        test_fail("map the peer's ref 8: status %d", st);
        return;
    }
    if (va[0] != 0x1000 || va[511] != 0x1000 + 511)
        test_fail("the peer's page shows other contents");
    expect_rc(gt_map(9, peer, (void *)ro, GNTMAP_host_map, &h2), GNTST_general_error, "map the read-only grant writable");
    expect_rc(gt_map(9, peer, (void *)ro, GNTMAP_host_map | GNTMAP_readonly, &h2), GNTST_okay, "map it read-only");
    if (probe_write(ro, 1))
        test_fail("the read-only grant mapping took a write");
    expect_rc(gt_unmap((void *)ro, h2), GNTST_okay, "unmap the read-only mapping");
    expect_rc(gt_map(10, peer, (void *)ro, GNTMAP_host_map, &h2), GNTST_general_error, "map a grant to another domain");
    expect_rc(gt_map(11, peer, (void *)ro, GNTMAP_host_map, &h2), GNTST_general_error, "map a page table granted writable");
    expect_rc(gt_map(600, peer, (void *)ro, GNTMAP_host_map, &h2), GNTST_bad_gntref, "map a ref beyond the table");
    expect_rc(gt_copy_from_ref(peer, 9, mine, 64), GNTST_okay, "copy from the read-only grant");
    expect_rc(copy_to_ref(peer, 9, mine, 64), GNTST_general_error, "copy into the read-only grant");
    expect_rc(copy_to_ref(peer, 10, mine, 64), GNTST_general_error, "copy into a grant to another domain");
    expect_rc(copy_to_ref(peer, 11, mine, 64), GNTST_general_error, "copy into a page table granted writable");
    expect_rc(gt_unmap((void *)ro, h + 1), GNTST_bad_handle, "unmap a handle never given");
    /* A device-only mapping of ref 12 (no PTE): its bus address is the granter's frame. */
    if (gt_op(GNTTABOP_map_grant_ref, &dm, 1) || dm.status != GNTST_okay)
        test_fail("device_map the peer's ref 12: status %d", dm.status);
    hd = dm.handle;
    if (dm.dev_bus_addr != va[16] << 12)
        test_fail("device_map: dev_bus_addr %#lx, want the granter's mfn %#lx << 12",
                  (unsigned long)dm.dev_bus_addr, (unsigned long)va[16]);
    printk("mapper: device_map of ref 12: dev_bus_addr %#lx (granter's mfn %#lx)\n",
           (unsigned long)dm.dev_bus_addr, (unsigned long)va[16]);
    va[8] = MARK;

    /* The granter ends; its table goes with it: bad_domain from then on. */
    deadline = md_now() + MD_MS(20000);
    while ((st = gt_map(9, peer, (void *)ro, GNTMAP_host_map | GNTMAP_readonly, &h2)) != GNTST_bad_domain &&
           md_now() < deadline) {
        if (st == GNTST_okay)
            gt_unmap((void *)ro, h2);
        md_sleep_ns(MD_MS(1));
    }
    if (st != GNTST_bad_domain) {
        test_fail("the granter never went: status %d", st);
        return;
    }
    /* Let its stepwise teardown finish: the frame is then a zombie only our mapping holds. */
    md_sleep_ns(MD_MS(1000));
    if (!probe_read(va, &v) || v != 0x1000 || va[8] != MARK)
        test_fail("the dead granter's frame changed under our mapping");
    printk("mapper: granter gone, its frame still mapped and intact\n");
    expect_rc(gt_unmap((void *)va, h), GNTST_okay, "unmap the dead granter's frame");
    expect_rc(gt_unmap((void *)va, h), GNTST_bad_handle, "unmap it twice");
    du.handle = hd;
    du.dev_bus_addr = dm.dev_bus_addr ^ 0x1000;
    if (gt_op(GNTTABOP_unmap_grant_ref, &du, 1))
        test_fail("unmap_grant_ref: the call itself failed");
    expect_rc(du.status, GNTST_bad_dev_addr, "unmap the zombie's device mapping with a wrong bus address");
    du.dev_bus_addr = dm.dev_bus_addr;
    if (gt_op(GNTTABOP_unmap_grant_ref, &du, 1))
        test_fail("unmap_grant_ref: the call itself failed");
    expect_rc(du.status, GNTST_okay, "unmap the zombie's device mapping");
    if (probe_read(va, &v))
        test_fail("the unmapped view is still readable");
    test_success();
}

void test_main(void)
{
    domid_t peer = (domid_t)md_arg_ul("peer", 0);

    md_init();
    if (!pt_init())
        return;
    if (md_arg_is("role", "granter"))
        granter(peer);
    else
        mapper(peer);
}
