/*
 * mmu_foreigndom (hostile): mmu_update and mmuext_op naming a foreign page
 * owner without privilege. Xen (do_mmu_update, do_mmuext_op, get_pg_owner,
 * xsm_mmu_update / xsm_mmuext_op with the dummy policy):
 *  - the domain's own id instead of DOMID_SELF: -ESRCH;
 *  - an unknown domain: -ESRCH, before any privilege check;
 *  - an existing foreign owner (DOMID_XEN; DOMID_IO for mmuext_op): -EPERM;
 *  - mmu_update's page-table owner (foreigndom >> 16, plus one) naming an
 *    unknown domain: -ESRCH; naming itself: allowed.
 * Requests that are refused change nothing; `done` stays 0.
 */
#include "pt.h"

const char test_title[] = "hostile: mmu_update / mmuext_op with a foreign domain, unprivileged";

void test_main(void)
{
    uint64_t own, slot_ptr, v;
    unsigned int done;
    static const unsigned int unknown[] = { 0x1234, 0x7fe0, 0x7fef, DOMID_COW, DOMID_INVALID, 0xffff };

    if (!pt_init())
        return;
    own = pt_free_mfn();
    slot_ptr = pt_maddr(pt_scratch_l1, 5);

    done = 99;
    expect_rc(mmu_update_fd(slot_ptr, (own << 12) | L1_FLAGS_RW, 1, &done), -XEN_ESRCH,
              "mmu_update foreigndom = own domid");
    expect_rc(mmuext_fd(MMUEXT_PIN_L1_TABLE, own, 0, 1, NULL), -XEN_ESRCH, "mmuext_op foreigndom = own domid");
    for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++) {
        expect_rc(mmu_update_fd(slot_ptr, (own << 12) | L1_FLAGS_RW, unknown[i], NULL), -XEN_ESRCH,
                  "mmu_update foreigndom unknown d%#x", unknown[i]);
        expect_rc(mmuext_fd(MMUEXT_TLB_FLUSH_LOCAL, 0, 0, unknown[i], NULL), -XEN_ESRCH,
                  "mmuext_op foreigndom unknown d%#x", unknown[i]);
    }
    done = 99;
    expect_rc(mmu_update_fd(slot_ptr, (own << 12) | L1_FLAGS_RW, DOMID_XEN, &done), -XEN_EPERM,
              "mmu_update foreigndom DOMID_XEN");
    expect_rc(done, 0, "done after mmu_update refused for DOMID_XEN");
    expect_rc(mmu_update_fd((own << 12) | MMU_MACHPHYS_UPDATE, 5, DOMID_XEN, NULL), -XEN_EPERM,
              "MACHPHYS_UPDATE with foreigndom DOMID_XEN");
    expect_rc(mmuext_fd(MMUEXT_PIN_L1_TABLE, own, 0, DOMID_XEN, NULL), -XEN_EPERM, "mmuext_op pin, DOMID_XEN");
    expect_rc(mmuext_fd(MMUEXT_NEW_BASEPTR, pt_l4, 0, DOMID_XEN, NULL), -XEN_EPERM,
              "mmuext_op NEW_BASEPTR, DOMID_XEN");
    expect_rc(mmuext_fd(MMUEXT_TLB_FLUSH_LOCAL, 0, 0, DOMID_IO, NULL), -XEN_EPERM, "mmuext_op DOMID_IO");

    /* Page-table owner in foreigndom[31:16] (domid + 1). */
    expect_rc(mmu_update_fd(slot_ptr, (own << 12) | L1_FLAGS_RW, (0x1235U << 16) | DOMID_SELF, NULL), -XEN_ESRCH,
              "mmu_update with page-table owner d0x1234 (unknown)");
    expect_rc(mmu_update_fd(slot_ptr, (own << 12) | L1_FLAGS_RW, (2U << 16) | DOMID_SELF, NULL), 0,
              "mmu_update with page-table owner = itself (d1 + 1)");
    mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)pt_slot_va(5), 0);
    if (!probe_write(pt_slot_va(5), 3) || !probe_read(pt_slot_va(5), &v) || v != 3)
        test_fail("mapping made with pt owner = itself not usable");
    expect_rc(mmu_update1(slot_ptr, 0), 0, "unmap");
    if (pt_read_entry(pt_scratch_l1, 5))
        test_fail("scratch entry not cleared");
    test_success();
}
