/*
 * mmu_reservation_order: extent_order > 0 for increase_reservation,
 * populate_physmap and decrease_reservation as Xen 4.19's common/memory.c
 * (max_order: 9 for a domU): an extent is 2^order contiguous frames, its
 * first mfn aligned and written back; populate_physmap sets the M2P of all
 * of them to gpfn + j; decrease gives back x ... x + 2^order - 1 and counts
 * the extent only if every frame went (the ones before a bad frame stay
 * given back). An order above the limit is 0 extents done, nothing changed.
 */
#include "pt.h"

const char test_title[] = "memory_op reservations with extent_order 1..9, order 10 refused";

#define ROOM 1100                       /* frames given back first: room for 2 x 512 and spare */

static domid_t self = DOMID_SELF;

static long resv(unsigned int cmd, uint64_t *list, uint64_t n, unsigned int order)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)list, .nr_extents = n,
                                        .extent_order = order, .domid = DOMID_SELF };

    return memop(cmd, &r);
}

static long cur(void)
{
    return memop(XENMEM_current_reservation, &self);
}

/* Give back ROOM unused frames, one at a time (order 0), so that larger extents fit. */
static bool make_room(void)
{
    uint64_t *p2m = (uint64_t *)start_info->mfn_list;
    uint64_t list[1];

    for (unsigned int i = 0; i < ROOM; i++) {
        uint64_t pfn = pt_free_pfn();
        if (!pfn)
            return false;
        list[0] = pfn_to_mfn(pfn);
        if (resv(XENMEM_decrease_reservation, list, 1, 0) != 1) {
            test_error("cannot give back frame %#lx", (unsigned long)list[0]);
            return false;
        }
        p2m[pfn] = INVALID_M2P_ENTRY;
    }
    return true;
}

static void check_block(uint64_t mfn, unsigned int order, const char *what)
{
    if (!mfn || mfn >= pt_max_page || (mfn & ((1UL << order) - 1)))
        test_fail("%s: mfn %#lx not an aligned frame", what, (unsigned long)mfn);
}

/* Give back an order-9 block piece by piece, with a refused order-1 extent in the middle. */
static void decrease_pieces(uint64_t m, long base)
{
    uint64_t l[1];

    l[0] = m + 511;
    expect_rc(resv(XENMEM_decrease_reservation, l, 1, 0), 1, "decrease frame 511 of the block");
    l[0] = m + 510;
    expect_rc(resv(XENMEM_decrease_reservation, l, 1, 1), 0, "decrease order 1 over frames 510, 511 (511 gone)");
    expect_rc(cur(), base + 510, "frame 510 went back although its extent failed (as Xen)");
    for (unsigned int order = 8, off = 0; order >= 1; off += 1U << order, order--) {
        l[0] = m + off;
        expect_rc(resv(XENMEM_decrease_reservation, l, 1, order), 1, "decrease order %u at +%u", order, off);
    }
    expect_rc(cur(), base, "the whole block given back");
}

static void increase(long base)
{
    uint64_t l[2] = { 0, 0 };

    expect_rc(resv(XENMEM_increase_reservation, l, 2, 9), 2, "increase_reservation: 2 extents of order 9");
    check_block(l[0], 9, "increase order 9, extent 0");
    check_block(l[1], 9, "increase order 9, extent 1");
    expect_rc(cur(), base + 1024, "current_reservation after 2 x 512");
    expect_rc(resv(XENMEM_decrease_reservation, &l[1], 1, 9), 1, "decrease extent 1 (order 9)");
    expect_rc(cur(), base + 512, "current_reservation after giving 512 back");
    decrease_pieces(l[0], base);

    /* Beyond the limit: only what fits is done. */
    l[0] = l[1] = 0;
    expect_rc(resv(XENMEM_increase_reservation, l, 2, 10), 0, "increase_reservation order 10 (domU limit 9)");
    expect_rc(resv(XENMEM_increase_reservation, l, 1, 255), 0, "increase_reservation order 255");
    expect_rc(resv(XENMEM_increase_reservation, l, 3, 9), 2, "increase 3 x 512 with room for 2");
    expect_rc(resv(XENMEM_decrease_reservation, &l[0], 1, 10), 0, "decrease order 10 refused");
    expect_rc(cur(), base + 1024, "refused orders changed nothing");
    expect_rc(resv(XENMEM_decrease_reservation, &l[0], 2, 9), 2, "decrease both order-9 extents");
    expect_rc(cur(), base, "back at the base");
}

static void populate(long base)
{
    const volatile uint64_t *m2p = (const volatile uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t l[1];

    for (unsigned int order = 1; order <= 9; order++) {
        uint64_t gpfn = 0x200000UL + (order << 12), mfn;
        l[0] = gpfn;
        expect_rc(resv(XENMEM_populate_physmap, l, 1, order), 1, "populate_physmap order %u", order);
        mfn = l[0];
        check_block(mfn, order, "populate_physmap");
        for (uint64_t j = 0; j < (1UL << order); j++)
            if (m2p[mfn + j] != gpfn + j) {
                test_fail("populate order %u: M2P[%#lx] = %#lx, want %#lx", order, (unsigned long)(mfn + j),
                          (unsigned long)m2p[mfn + j], (unsigned long)(gpfn + j));
                break;
            }
        expect_rc(cur(), base + (1L << order), "current_reservation after populate order %u", order);
        expect_rc(resv(XENMEM_decrease_reservation, l, 1, order), 1, "decrease it again (order %u)", order);
        if (m2p[mfn] != INVALID_M2P_ENTRY)
            test_fail("M2P of a returned frame: %#lx", (unsigned long)m2p[mfn]);
    }
    l[0] = 0x300000;
    expect_rc(resv(XENMEM_populate_physmap, l, 1, 10), 0, "populate_physmap order 10 (domU limit 9)");
    l[0] = (1UL << 40) - 256;
    expect_rc(resv(XENMEM_populate_physmap, l, 1, 9), 0, "populate_physmap past pfn 2^40");
    expect_rc(cur(), base, "refused populates changed nothing");
}

void test_main(void)
{
    long cur0, base;

    if (!pt_init())
        return;
    cur0 = cur();
    if (cur0 != memop(XENMEM_maximum_reservation, &self))
        test_error("test assumes the domain starts at its maximum (%ld)", cur0);
    if (!make_room())
        return;
    base = cur();
    expect_rc(base, cur0 - ROOM, "current_reservation after giving %u back", ROOM);
    increase(base);
    populate(base);
    /* A NULL list is allowed for increase_reservation (Xen writes nothing back). */
    expect_rc(resv(XENMEM_increase_reservation, NULL, 1, 3), 1, "increase_reservation order 3, no list");
    expect_rc(cur(), base + 8, "current_reservation after an unlisted order-3 extent");
    printk("mmu_reservation_order: orders 1..9 done, order 10 refused\n");
    test_success();
}
