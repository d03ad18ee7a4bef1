/*
 * gnt_unmap_wrong_domain (hostile): a handle names a mapping only in the
 * maptrack of the domain that made it. d2 maps d1's ref 8 and writes its
 * handle and VA into the shared page. d1, which holds a mapping of its own
 * under the same handle number (a self-grant), unmaps with d2's handle and
 * VA: its own mapping is at another address, so general_error and nothing
 * changes; with d2's handle + 1 (free in d1's maptrack): bad_handle. d2's
 * mapping stays (GTF_writing still set, d1 cannot revoke), d2 then unmaps
 * it itself and d1 revokes.
 */
#include "multidom.h"
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: unmap of another domain's grant mapping";

#define MARK 0x57524f4e47444f4dUL
#define ACK  0x41434bUL

static bool wait_word(volatile uint64_t *p, uint64_t want)
{
    uint64_t deadline = md_now() + MD_MS(20000);

    while (*p != want && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    return *p == want;
}

static void granter(domid_t peer)
{
    volatile struct grant_entry_v1 *t = gt_own_table(10);
    volatile uint64_t *own;
    uint64_t page = pt_free_mfn(), mine = pt_free_mfn(), deadline, v;
    grant_handle_t hs, theirs;
    domid_t self;
    const uint16_t rw = GTF_reading | GTF_writing;

    if (!t)
        return;
    expect_rc(pt_map(11, page, L1_FLAGS_RW), 0, "map the page to grant");
    own = pt_slot_va(11);
    own[0] = own[1] = own[2] = 0;
    pt_unmap(9);
    if (!gt_find_self(t, mine, pt_slot_va(9), &self)) {
        test_fail("no domain id maps our own grant");
        return;
    }
    gt_grant(t, 8, peer, page, GTF_permit_access);
    if (!wait_word(&own[2], MARK)) {
        test_fail("the mapper never published its handle");
        return;
    }
    theirs = (grant_handle_t)own[0];
    /* A mapping of our own under the same handle number. */
    gt_grant(t, 20, self, mine, GTF_permit_access);
    pt_unmap(12);
    expect_rc(gt_map(20, self, pt_slot_va(12), GNTMAP_host_map, &hs), GNTST_okay, "map our own grant");
    if (hs != theirs)
        printk("granter: our handle %u, the peer's %u\n", hs, theirs);
    expect_rc(gt_unmap((void *)own[1], theirs), hs == theirs ? GNTST_general_error : GNTST_bad_handle,
              "unmap with the peer's handle and VA");
    expect_rc(gt_unmap((void *)own[1], theirs + 1), GNTST_bad_handle, "unmap with the peer's handle + 1");
    if ((t[8].flags & rw) != rw)
        test_fail("the peer's mapping was touched: flags %#x", t[8].flags);
    if (!probe_read(pt_slot_va(12), &v))
        test_fail("our own mapping went");
    if (__sync_bool_compare_and_swap(&t[8].flags, GTF_permit_access, 0))
        test_fail("revoked an entry the peer still maps");
    printk("granter: the peer's handle is not ours to unmap\n");
    expect_rc(gt_unmap(pt_slot_va(12), hs), GNTST_okay, "unmap our own mapping");
    own[2] = ACK;
    deadline = md_now() + MD_MS(20000);
    while ((t[8].flags & rw) && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (!__sync_bool_compare_and_swap(&t[8].flags, GTF_permit_access, 0))
        test_fail("cannot revoke after the peer's unmap: flags %#x", t[8].flags);
    t[20].flags = 0;
    test_success();
}

static void mapper(domid_t peer)
{
    volatile uint64_t *va = pt_slot_va(20);
    uint64_t deadline = md_now() + MD_MS(20000), v;
    grant_handle_t h = 0;
    int16_t st;

    pt_unmap(20);
    while ((st = gt_map(8, peer, (void *)va, GNTMAP_host_map, &h)) != GNTST_okay && md_now() < deadline)
        md_sleep_ns(MD_MS(1));
    if (st != GNTST_okay) {
        test_fail("map the peer's ref 8: status %d", st);
        return;
    }
    va[0] = h;
    va[1] = (uint64_t)va;
    va[2] = MARK;
    if (!wait_word(&va[2], ACK)) {
        test_fail("the granter never answered");
        return;
    }
    if (!probe_read(va, &v) || v != h)
        test_fail("our mapping changed under the granter's unmaps");
    expect_rc(gt_unmap((void *)va, h), GNTST_okay, "unmap our mapping ourselves");
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
