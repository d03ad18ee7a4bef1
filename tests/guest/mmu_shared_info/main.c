/*
 * mmu_shared_info (hostile): shared_info is hypervisor memory the domain
 * may map writable (Xen: share_xen_page_with_guest(SHARE_rw), a permanent
 * PGT_writable_page reference). Mapping it RW, twice, remapping and
 * unmapping it are allowed. Reaching another domain's shared_info is not:
 * the frames around ours (where the next domain's shared_info and the
 * hypervisor heap are allocated) are not ours -> -EBUSY. And since the
 * hypervisor writes shared_info behind the guest's back, it can never
 * become a page table: pin as L1-L4, link as an L1, NEW_BASEPTR -> -EINVAL
 * (its type count never drops to 0 in Xen). The attempts are repeated
 * across reschedules, when the hypervisor rewrites the time fields.
 */
#include "pt.h"
#include <stddef.h>

const char test_title[] = "hostile: unmap or remap shared_info to reach another domain";

void test_main(void)
{
    uint64_t si, own, v;
    volatile struct shared_info *a, *b;
    unsigned int neighbours = 0;
    int sa = 20, sb = 21;

    if (!pt_init())
        return;
    si = start_info->shared_info >> 12;
    own = pt_free_mfn();
    a = pt_slot_va(sa);
    b = pt_slot_va(sb);

    /* Allowed: map it RW (twice), use it, remap the slot, unmap. */
    expect_rc(pt_map(sa, si, L1_FLAGS_RW), 0, "map shared_info RW");
    expect_rc(pt_map(sb, si, L1_FLAGS_RO), 0, "map shared_info again read-only");
    if (a->wc_version & 1 || a->vcpu_info[0].evtchn_upcall_mask != 1)
        test_fail("shared_info contents unexpected: wc_version %u, upcall mask %u", a->wc_version,
                  a->vcpu_info[0].evtchn_upcall_mask);
    a->arch.p2m_generation = 0x5151;
    if (b->arch.p2m_generation != 0x5151)
        test_fail("the two mappings of shared_info disagree");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, si, 0), -XEN_EINVAL, "pin the mapped shared_info as an L1");
    expect_rc(pt_map(sa, own, L1_FLAGS_RW), 0, "remap the slot to an own frame");
    expect_rc(pt_map(sa, si, L1_FLAGS_RW), 0, "and back to shared_info");
    expect_rc(pt_unmap(sa), 0, "unmap shared_info (RW view)");
    expect_rc(pt_unmap(sb), 0, "unmap shared_info (read-only view)");

    /* The neighbourhood: other domains' shared_info pages, the hypervisor heap. */
    for (long d = -8; d <= 8; d++) {
        uint64_t m = si + d;
        if (!d || m >= pt_max_page || ((const uint64_t *)MACH2PHYS_VIRT_START)[m] != INVALID_M2P_ENTRY)
            continue;
        neighbours++;
        expect_rc(pt_map(sa, m, L1_FLAGS_RW), -XEN_EBUSY, "map shared_info + (%ld) (mfn %#lx) RW", d, (unsigned long)m);
        expect_rc(pt_map(sa, m, L1_FLAGS_RO), -XEN_EBUSY, "map shared_info + (%ld) (mfn %#lx) RO", d, (unsigned long)m);
    }
    if (!neighbours)
        test_error("no frame near shared_info that is not ours");
    if (probe_read((void *)a, &v))
        test_fail("slot readable after refused mappings");

    /* Never a page table, not even when unmapped; try across reschedules. */
    for (unsigned int round = 0; round < 8; round++) {
        for (unsigned int c = MMUEXT_PIN_L1_TABLE; c <= MMUEXT_PIN_L4_TABLE; c++) {
            long rc = mmuext1(c, si, 0);
            if (!expect_rc(rc, -XEN_EINVAL, "round %u: pin shared_info as an L%u", round, c + 1) && !rc)
                mmuext1(MMUEXT_UNPIN_TABLE, si, 0);
        }
        {
            long rc = mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (si << 12) | LX_FLAGS);
            if (!expect_rc(rc, -XEN_EINVAL, "round %u: link shared_info as an L1", round) && !rc)
                mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), 0);
        }
        expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, si, 0), -XEN_EINVAL, "round %u: NEW_BASEPTR shared_info", round);
        HC5(sched_op, SCHEDOP_yield, 0, 0, 0, 0);
    }
    /* Still the live shared_info. */
    expect_rc(pt_map(sa, si, L1_FLAGS_RW), 0, "map shared_info RW at the end");
    if (a->arch.p2m_generation != 0x5151 || a->wc_version & 1)
        test_fail("shared_info lost its contents");
    expect_rc(pt_unmap(sa), 0, "unmap shared_info");
    test_success();
}
