/*
 * mmu_reservation: balloon operations within the domain's limit (Xen's
 * common/memory.c). Give back 4 unused frames (decrease_reservation ->
 * 4, current_reservation drops, they are no longer ours: M2P invalid,
 * MACHPHYS_UPDATE refused), ask for 8 (increase_reservation -> only 4:
 * the maximum), again (-> 0), return 2 and populate_physmap 2 pfns (-> 2,
 * M2P set to those pfns). Frames not ours in decrease -> not done. Odd
 * arguments (unreadable struct, unknown domain, DOMID_XEN, a list in the
 * hypervisor) -> 0 extents, never an error code: Xen returns start_extent.
 */
#include "pt.h"

const char test_title[] = "memory_op: decrease/increase_reservation and populate_physmap within the limit";

static long resv(unsigned int cmd, uint64_t *list, uint64_t n, domid_t dom)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)list, .nr_extents = n, .domid = dom };

    return memop(cmd, &r);
}

void test_main(void)
{
    const volatile uint64_t *m2p = (const volatile uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t *p2m = (uint64_t *)start_info->mfn_list;
    uint64_t pfns[8], list[8], v;
    domid_t self = DOMID_SELF;
    long cur0, max, cur;
    int slot;

    if (!pt_init())
        return;
    cur0 = memop(XENMEM_current_reservation, &self);
    max = memop(XENMEM_maximum_reservation, &self);
    if (cur0 != max)
        test_error("test assumes the domain starts at its maximum (%ld of %ld)", cur0, max);

    for (unsigned int i = 0; i < 4; i++)
        list[i] = pfn_to_mfn(pfns[i] = pt_free_pfn());
    expect_rc(resv(XENMEM_decrease_reservation, list, 4, DOMID_SELF), 4, "decrease_reservation of 4 unused frames");
    cur = memop(XENMEM_current_reservation, &self);
    expect_rc(cur, cur0 - 4, "current_reservation after giving 4 back");
    for (unsigned int i = 0; i < 4; i++) {
        if (m2p[list[i]] != INVALID_M2P_ENTRY)
            test_fail("M2P of a returned frame: %#lx", (unsigned long)m2p[list[i]]);
        expect_rc(mmu_update1((list[i] << 12) | MMU_MACHPHYS_UPDATE, pfns[i]), -XEN_EINVAL,
                  "MACHPHYS_UPDATE of a returned frame");
        p2m[pfns[i]] = INVALID_M2P_ENTRY;
    }
    expect_rc(resv(XENMEM_decrease_reservation, list, 1, DOMID_SELF), 0, "decrease a frame given back already");

    /* Back up to the limit: 8 asked, 4 given. */
    memset(list, 0, sizeof(list));
    expect_rc(resv(XENMEM_increase_reservation, list, 8, DOMID_SELF), 4, "increase_reservation of 8 at max - 4");
    expect_rc(memop(XENMEM_current_reservation, &self), cur0, "current_reservation back at the maximum");
    for (unsigned int i = 0; i < 4; i++) {
        if (!list[i] || list[i] >= pt_max_page)
            test_fail("increase_reservation returned mfn %#lx", (unsigned long)list[i]);
        expect_rc(mmu_update1((list[i] << 12) | MMU_MACHPHYS_UPDATE, pfns[i]), 0, "MACHPHYS_UPDATE of a new frame");
        p2m[pfns[i]] = list[i];
    }
    if (list[4] || list[5])
        test_fail("extents beyond the 4 done were written");
    slot = pt_alloc_slot();
    expect_rc(pt_map(slot, list[0], L1_FLAGS_RW), 0, "map a new frame");
    if (!probe_write(pt_slot_va(slot), 1) || !probe_read(pt_slot_va(slot), &v) || v != 1)
        test_fail("new frame not usable");
    expect_rc(pt_unmap(slot), 0, "unmap it");
    expect_rc(resv(XENMEM_increase_reservation, list + 4, 1, DOMID_SELF), 0, "increase_reservation at the maximum");
    expect_rc(resv(XENMEM_populate_physmap, pfns, 1, DOMID_SELF), 0, "populate_physmap at the maximum");

    /* populate_physmap: return 2, populate their pfns. */
    list[0] = pfn_to_mfn(pfns[0]);
    list[1] = pfn_to_mfn(pfns[1]);
    expect_rc(resv(XENMEM_decrease_reservation, list, 2, DOMID_SELF), 2, "decrease 2");
    list[0] = pfns[0];
    list[1] = pfns[1];
    expect_rc(resv(XENMEM_populate_physmap, list, 2, DOMID_SELF), 2, "populate_physmap 2 pfns");
    for (unsigned int i = 0; i < 2; i++) {
        if (list[i] >= pt_max_page || m2p[list[i]] != pfns[i])
            test_fail("populated pfn %#lx: mfn %#lx, M2P %#lx", (unsigned long)pfns[i], (unsigned long)list[i],
                      list[i] < pt_max_page ? (unsigned long)m2p[list[i]] : 0UL);
        p2m[pfns[i]] = list[i];
    }
    expect_rc(memop(XENMEM_current_reservation, &self), cur0, "current_reservation after populate");

    /* Frames that are not ours: not done. */
    list[0] = pt_unowned_mfn(pt_max_page / 2);
    list[1] = pt_max_page + 5;
    list[2] = ~0UL;
    list[3] = 0;
    for (unsigned int i = 0; i < 4; i++)
        expect_rc(resv(XENMEM_decrease_reservation, &list[i], 1, DOMID_SELF), 0, "decrease mfn %#lx (not ours)",
                  (unsigned long)list[i]);
    /* Odd arguments: 0 extents, no error code. */
    expect_rc(memop(XENMEM_increase_reservation, (void *)0xffff830000000000UL), 0,
              "increase_reservation, struct unreadable");
    expect_rc(resv(XENMEM_increase_reservation, list, 1, 0x1234), 0, "increase_reservation for unknown d0x1234");
    expect_rc(resv(XENMEM_decrease_reservation, list, 1, DOMID_XEN), 0, "decrease_reservation for DOMID_XEN");
    expect_rc(resv(XENMEM_populate_physmap, (uint64_t *)0xffff830000000000UL, 1, DOMID_SELF), 0,
              "populate_physmap, list in the hypervisor");
    expect_rc(memop(XENMEM_current_reservation, &self), cur0, "current_reservation at the end");
    test_success();
}
