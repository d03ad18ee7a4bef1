/*
 * gnt_zombie_granter (hostile): a granted frame stays alive while mapped
 * after its granter gives it back and dies. d1 grants d2 a page (ref 8),
 * d2 maps it writable by VA and for a device (device_map), and cache_flush
 * of the granter's frame works for d2 because it maps it (Xen's
 * grant_map_exists), while another of the granter's frames is -EINVAL.
 * d1 then gives the page back (decrease_reservation) and ends. d2, seeing
 * its peer gone, still reads and writes the page through its mapping (the
 * frame is a zombie held by d2's PTE and device references, never handed
 * to anyone else), and unmaps both: the unmaps find no table to unpin in
 * and succeed, and the frame is freed at the last one ("every domain frame
 * returned", audit clean).
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: a granter gives back its frame and dies while the frame is mapped";

#define MARK 0x5a4f4d4249454d41UL

static long cflush(uint64_t addr, uint32_t op)
{
    struct gnttab_cache_flush c = { .offset = 0, .length = 64, .op = op };

    c.a.dev_bus_addr = addr;
    return gt_op(GNTTABOP_cache_flush, &c, 1);
}

static void granter(domid_t peer)
{
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    volatile struct grant_entry_v1 *t = gt_own_table(10);
    volatile uint64_t *own;
    uint64_t page = pt_free_mfn(), other = pt_free_mfn(), deadline;

    if (!t)
        return;
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the page to grant");
    own = pt_slot_va(11);
    own[0] = other;                 /* for the mapper's cache_flush of a frame it does not map */
    own[1] = 0;
    gt_grant(t, 8, peer, page, GTF_permit_access);
    deadline = md_now() + MD_MS(20000);
    while (own[1] != MARK && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (own[1] != MARK) {
        test_fail("the mapper never wrote its mark");
        return;
    }
    if ((t[8].flags & (GTF_reading | GTF_writing)) != (GTF_reading | GTF_writing))
        test_fail("mapped by the peer: flags %#x", t[8].flags);
    expect_rc(pt_unmap(11), 0, "unmap our own view");
    r.extent_start = (uint64_t)&page;
    expect_rc(memop(XENMEM_decrease_reservation, &r), 1, "give the granted page back while the peer maps it");
    printk("granter: page given back, ending while it is mapped\n");
    test_success();
}

static void mapper(domid_t peer)
{
    volatile uint64_t *va = pt_slot_va(20);
    uint64_t deadline = md_now() + MD_MS(20000), bus = 0, v, other;
    grant_handle_t h = 0, hd = 0, h2;
    int16_t st;

    pt_unmap(20);
    while ((st = gt_map(8, peer, (void *)va, GNTMAP_host_map, &h)) != GNTST_okay && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (st != GNTST_okay) {
        test_fail("map the peer's ref 8: status %d", st);
        return;
    }
    expect_rc(gt_map_dev(8, peer, NULL, GNTMAP_device_map, &hd, &bus), GNTST_okay, "device map it too");
    other = va[0];
    expect_rc(cflush(bus, GNTTAB_CACHE_CLEAN), 0, "cache_flush of the granted frame we map");
    expect_rc(cflush(other << 12, GNTTAB_CACHE_CLEAN), -XEN_EINVAL, "cache_flush of a granter's frame we do not map");
    va[1] = MARK;
    /* The granter is gone when a map of its grant says bad_domain (its teardown started). */
    deadline = md_now() + MD_MS(30000);
    pt_unmap(21);
    while ((st = gt_map(8, peer, pt_slot_va(21), GNTMAP_host_map | GNTMAP_readonly, &h2)) != GNTST_bad_domain &&
           md_now() < deadline) {
        if (st == GNTST_okay)
            gt_unmap(pt_slot_va(21), h2);
        md_sleep_ns(MD_MS(2));
    }
    expect_rc(st, GNTST_bad_domain, "map from the dead granter");
    if (!probe_read(va, &v) || v != other || !probe_write(va + 2, 0x600d) || va[2] != 0x600d)
        test_fail("the zombie frame is not mapped as before");
    else
        printk("mapper: granter gone, its frame still mapped and writable\n");
    expect_rc(cflush(bus, GNTTAB_CACHE_CLEAN), -XEN_EPERM, "cache_flush of the zombie (no live owner)");
    expect_rc(gt_unmap((void *)va, h), GNTST_okay, "unmap the host mapping");
    if (probe_read(va, &v))
        test_fail("still mapped after the unmap");
    expect_rc(gt_unmap_dev(NULL, bus, hd), GNTST_okay, "unmap the device mapping (the zombie's last reference)");
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
