/*
 * mmu_l4_hv_slot (hostile): write the hypervisor's L4 slots 256-271 of the
 * domain's own L4 with mmu_update - pointing them at the domain's own L3,
 * at a fresh L3, clearing them - and smuggle entries in through a fresh
 * L4: junk in slots 256-271 of a table the guest then pins.
 * Xen: mod_l4_entry refuses any update of a Xen-private slot with -EINVAL
 * (!is_guest_l4_slot), present or not; promote_l4_table skips those slots
 * and init_xen_l4_slots overwrites them with Xen's own, so the pin
 * succeeds and the junk is gone. The live L4's slots must be unchanged and
 * the hypervisor keeps running (it lives behind them).
 */
#include "pt.h"

const char test_title[] = "hostile: mmu_update of the hypervisor slots 256-271 of the L4";

void test_main(void)
{
    uint64_t saved[16], fresh_l3, junk_l4, v;
    const volatile uint64_t *l4 = (const volatile uint64_t *)start_info->pt_base;
    unsigned int idx[20];
    uint64_t ent[20];
    volatile uint64_t *view;

    if (!pt_init())
        return;
    for (unsigned int s = 256; s < 272; s++)
        saved[s - 256] = l4[s];
    if (!(saved[0] & PTE_P))
        test_error("L4 slot 256 (M2P) not present at start");
    fresh_l3 = pt_free_mfn();

    for (unsigned int s = 256; s < 272; s++) {
        expect_rc(mmu_update1(pt_maddr(pt_l4, s), (pt_l3 << 12) | LX_FLAGS), -XEN_EINVAL,
                  "L4 slot %u := own L3", s);
        expect_rc(mmu_update1(pt_maddr(pt_l4, s), (fresh_l3 << 12) | LX_FLAGS), -XEN_EINVAL,
                  "L4 slot %u := fresh L3", s);
        expect_rc(mmu_update1(pt_maddr(pt_l4, s), 0), -XEN_EINVAL, "L4 slot %u := 0", s);
        expect_rc(mmu_update1(pt_maddr(pt_l4, s) | MMU_PT_UPDATE_PRESERVE_AD, saved[s - 256] | PTE_RW), -XEN_EINVAL,
                  "L4 slot %u := its own value | RW (PRESERVE_AD)", s);
    }
    for (unsigned int s = 256; s < 272; s++)
        if (l4[s] != saved[s - 256])
            test_fail("L4 slot %u changed: %#lx, was %#lx", s, (unsigned long)l4[s], (unsigned long)saved[s - 256]);
    /* Neighbours 255 and 272 are the guest's. */
    expect_rc(mmu_update1(pt_maddr(pt_l4, 255), (fresh_l3 << 12) | LX_FLAGS), 0, "L4 slot 255 (guest's)");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 255), 0), 0, "L4 slot 255 cleared");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 272), (fresh_l3 << 12) | LX_FLAGS), 0, "L4 slot 272 (guest's)");
    expect_rc(mmu_update1(pt_maddr(pt_l4, 272), 0), 0, "L4 slot 272 cleared");

    /* A fresh L4 with junk in the hypervisor slots: pinned, the junk replaced by the hypervisor's
     * own entries (slot 256, the M2P, as in the live L4; Xen has per-L4 slots too, so only the
     * absence of the junk is checked for the others). */
    for (unsigned int s = 256; s < 272; s++) {
        idx[s - 256] = s;
        ent[s - 256] = s == 256 ? (pt_l3 << 12) | LX_FLAGS : (0xdead0UL << 12) | LX_FLAGS | PTE_PSE;
    }
    idx[16] = 511;
    ent[16] = pt_read_entry(pt_l4, 511);        /* the boot L3: a real guest entry */
    junk_l4 = pt_new_table(idx, ent, 17);
    expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, junk_l4, 0), 0, "pin a fresh L4 with junk in slots 256-271");
    view = pt_map_ro(junk_l4);
    if (view) {
        if ((view[256] ^ saved[0]) & ~(PTE_A | PTE_D))    /* A: set by the walker in the live one */
            test_fail("pinned L4 slot 256 = %#lx, want the hypervisor's M2P entry %#lx", (unsigned long)view[256],
                      (unsigned long)saved[0]);
        for (unsigned int s = 256; s < 272; s++)
            if (view[s] == ent[s - 256])
                test_fail("pinned L4 slot %u kept the guest's junk %#lx", s, (unsigned long)view[s]);
        pt_unmap_va((void *)view);
    }
    expect_rc(mmu_update1(pt_maddr(junk_l4, 260), 0), -XEN_EINVAL, "slot 260 of the pinned fresh L4");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, junk_l4, 0), 0, "unpin the fresh L4");

    /* Still alive, M2P still readable through slot 256. */
    if (!probe_read((const void *)MACH2PHYS_VIRT_START, &v))
        test_fail("M2P unreadable after the attack");
    test_success();
}
