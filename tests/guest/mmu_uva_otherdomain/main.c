/*
 * mmu_uva_otherdomain (hostile): update_va_mapping_otherdomain from an
 * unprivileged domain. Xen (do_update_va_mapping_otherdomain,
 * get_pg_owner, xsm_update_va_mapping): DOMID_SELF is just
 * update_va_mapping; naming itself by number is -ESRCH ("cannot specify
 * itself as foreign domain"); an unknown domain is -ESRCH; an existing
 * foreign owner (DOMID_XEN, DOMID_IO here) is -EPERM without privilege.
 * Nothing gets mapped by a refused call.
 */
#include "pt.h"

const char test_title[] = "hostile: update_va_mapping_otherdomain from a domU";

static long uvmo(uint64_t va, uint64_t val, unsigned int domid)
{
    return HC5(update_va_mapping_otherdomain, va, val, UVMF_INVLPG, domid, 0);
}

void test_main(void)
{
    uint64_t own, unowned, v;
    uint64_t va;
    static const unsigned int unknown[] = { 0x1234, 0x7fe0, 0x7fef, 0x7ff3 /* DOMID_COW */, 0x7ff4, 0xffff };

    if (!pt_init())
        return;
    own = pt_free_mfn();
    unowned = pt_unowned_mfn(pt_max_page / 2);
    va = (uint64_t)pt_slot_va(3);

    expect_rc(uvmo(va, (own << 12) | L1_FLAGS_RW, DOMID_SELF), 0, "otherdomain(DOMID_SELF) = update_va_mapping");
    if (!probe_write((void *)va, 9) || !probe_read((void *)va, &v) || v != 9)
        test_fail("mapping made with DOMID_SELF not usable");
    expect_rc(uvmo(va, 0, DOMID_SELF), 0, "otherdomain(DOMID_SELF) unmap");

    expect_rc(uvmo(va, (own << 12) | L1_FLAGS_RW, 1), -XEN_ESRCH, "otherdomain(own domid 1)");
    for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++) {
        expect_rc(uvmo(va, (own << 12) | L1_FLAGS_RW, unknown[i]), -XEN_ESRCH, "otherdomain(unknown d%#x)",
                  unknown[i]);
        expect_rc(uvmo(va, (unowned << 12) | L1_FLAGS_RO, unknown[i]), -XEN_ESRCH,
                  "otherdomain(unknown d%#x, unowned frame)", unknown[i]);
    }
    expect_rc(uvmo(va, (own << 12) | L1_FLAGS_RW, DOMID_XEN), -XEN_EPERM, "otherdomain(DOMID_XEN)");
    expect_rc(uvmo(va, (unowned << 12) | L1_FLAGS_RO, DOMID_XEN), -XEN_EPERM, "otherdomain(DOMID_XEN, unowned)");
    expect_rc(uvmo(va, (0UL << 12) | L1_FLAGS_RO, DOMID_IO), -XEN_EPERM, "otherdomain(DOMID_IO, mfn 0)");
    if (probe_read((void *)va, &v))
        test_fail("a refused otherdomain call left a mapping");
    if (pt_read_entry(pt_scratch_l1, 3))
        test_fail("a refused otherdomain call changed the L1 entry");
    test_success();
}
