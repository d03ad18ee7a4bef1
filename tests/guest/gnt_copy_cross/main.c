/*
 * gnt_copy_cross (hostile): a grant copy never crosses a page: source or
 * destination offset + len beyond 4096 (by one byte, by a len of 65535,
 * offset 4095 + 2, offset 65535) is bad_copy_arg, checked before anything
 * is pinned (flags untouched) and before any byte moves (the frames
 * around are unchanged); exactly up to the end of the page works, and a
 * zero-length copy at offset 4096 is allowed (Xen's check is offset + len
 * > 4096).
 */
#include "pt.h"
#include "gnttab.h"

const char test_title[] = "hostile: grant copy across a page boundary";

void test_main(void)
{
    volatile struct grant_entry_v1 *t;
    uint64_t a, b;
    volatile uint8_t *pa, *pb;
    domid_t self;
    static const struct { uint16_t soff, doff, len; } bad[] = {
        { 4000, 0, 97 }, { 0, 4000, 97 }, { 0, 0, 4097 }, { 0, 0, 65535 }, { 4095, 0, 2 },
        { 0, 4095, 2 }, { 65535, 0, 1 }, { 0, 65535, 1 }, { 4096, 0, 1 }, { 2048, 2048, 2049 },
    };
    const uint16_t kinds[] = { GNTCOPY_source_gref, GNTCOPY_dest_gref, GNTCOPY_source_gref | GNTCOPY_dest_gref, 0 };

    if (!gt_self_init(&t, &self))
        return;
    a = pt_free_mfn();
    b = pt_free_mfn();
    expect_rc(pt_map(11, a, L1_FLAGS_RW), 0, "map a");
    expect_rc(pt_map(13, b, L1_FLAGS_RW), 0, "map b");
    pa = pt_slot_va(11);
    pb = pt_slot_va(13);
    for (unsigned int i = 0; i < 4096; i++) {
        pa[i] = (uint8_t)i;
        pb[i] = 0xee;
    }
    gt_grant(t, 8, self, a, GTF_permit_access);
    gt_grant(t, 9, self, b, GTF_permit_access);
    for (unsigned int k = 0; k < 4; k++)
        for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            uint16_t f = kinds[k];
            expect_rc(gt_copy(f & GNTCOPY_source_gref ? self : DOMID_SELF, f & GNTCOPY_source_gref ? 8 : a,
                              bad[i].soff, f & GNTCOPY_dest_gref ? self : DOMID_SELF, f & GNTCOPY_dest_gref ? 9 : b,
                              bad[i].doff, bad[i].len, f),
                      GNTST_bad_copy_arg, "copy flags %u soff %u doff %u len %u", f, bad[i].soff, bad[i].doff,
                      bad[i].len);
        }
    for (unsigned int i = 0; i < 4096; i++)
        if (pb[i] != 0xee)
            test_fail("a refused copy wrote byte %u of the destination", i);
    if (t[8].flags != GTF_permit_access || t[9].flags != GTF_permit_access)
        test_fail("refused copies left flags %#x %#x", t[8].flags, t[9].flags);
    expect_rc(gt_copy(self, 8, 4000, self, 9, 0, 96, GNTCOPY_source_gref | GNTCOPY_dest_gref), GNTST_okay,
              "copy up to the source page's end");
    expect_rc(gt_copy(self, 8, 0, self, 9, 4000, 96, GNTCOPY_source_gref | GNTCOPY_dest_gref), GNTST_okay,
              "copy up to the destination page's end");
    expect_rc(gt_copy(self, 8, 0, DOMID_SELF, b, 0, 4096, GNTCOPY_source_gref), GNTST_okay, "copy a whole page");
    expect_rc(gt_copy(self, 8, 4096, DOMID_SELF, b, 4096, 0, GNTCOPY_source_gref), GNTST_okay,
              "zero bytes at offset 4096");
    for (unsigned int i = 0; i < 4096; i++)
        if (pb[i] != (uint8_t)i)
            test_fail("the whole-page copy differs at byte %u", i);
    t[8].flags = 0;
    t[9].flags = 0;
    pt_unmap(11);
    pt_unmap(13);
    test_success();
}
