/*
 * mmu_hv_written_pages (hostile): pages the hypervisor writes into on the
 * guest's behalf through its own mapping - the console ring it serves and
 * a vcpu_info moved with VCPUOP_register_vcpu_info (upcall flags, cr2 on
 * every #PF, the pvclock fields) - must never become page tables: the
 * hypervisor's next write would be an unvalidated PTE (cr2 is even guest
 * chosen). In Xen both hold a PGT_writable_page type reference for as long
 * as they are in use (the console backend's mapping; map_vcpu_info's
 * get_page_type), so pinning them, linking them as an L1 or loading them as
 * an L4 fails with -EINVAL even after the guest dropped its own mappings.
 * The attempts are repeated across reschedules (time fields change).
 */
#include "pt.h"
#include <tandem/vcpu.h>

const char test_title[] = "hostile: make a hypervisor-written page (console ring, vcpu_info) a page table";

static void never_a_table(uint64_t m, const char *what)
{
    for (unsigned int round = 0; round < 8; round++) {
        bool l4_ok = false;
        long rc;
        for (unsigned int c = MMUEXT_PIN_L1_TABLE; c <= MMUEXT_PIN_L4_TABLE; c++) {
            rc = mmuext1(c, m, 0);
            if (!expect_rc(rc, -XEN_EINVAL, "round %u: pin the %s as an L%u", round, what, c + 1) && !rc) {
                mmuext1(MMUEXT_UNPIN_TABLE, m, 0);
                l4_ok |= c == MMUEXT_PIN_L4_TABLE;
            }
        }
        rc = mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (m << 12) | LX_FLAGS);
        if (!expect_rc(rc, -XEN_EINVAL, "round %u: link the %s as an L1", round, what) && !rc)
            mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), 0);
        /* Loading it as the L4 would succeed too if it validated as one: we would lose our
         * address space before reporting. Only try when the L4 pin was refused. */
        if (!l4_ok) {
            rc = mmuext1(MMUEXT_NEW_BASEPTR, m, 0);
            expect_rc(rc, -XEN_EINVAL, "round %u: NEW_BASEPTR to the %s", round, what);
        } else if (round == 0) {
            test_fail("NEW_BASEPTR to the %s not tried: it validates as an L4 and would become CR3", what);
        }
        HC5(sched_op, SCHEDOP_yield, 0, 0, 0, 0);
    }
}

void test_main(void)
{
    uint64_t con = start_info->console.domU.mfn, f, v;
    void *con_va;
    volatile struct vcpu_info *vi;
    struct vcpu_register_vcpu_info r;
    int slot;

    if (!pt_init())
        return;
    /* The console ring: drop the guest's own (boot-region) mapping first. */
    con_va = pt_boot_va(con);
    if (!con_va) {
        test_error("console page not in the boot region");
        return;
    }
    expect_rc(uvm((uint64_t)con_va, 0, UVMF_INVLPG), 0, "unmap the console ring");
    never_a_table(con, "console ring");
    expect_rc(uvm((uint64_t)con_va, (con << 12) | L1_FLAGS_RW, UVMF_INVLPG), 0, "map the console ring back");
    if (!probe_read(con_va, &v))
        test_fail("console ring not readable again");

    /* vcpu_info in a fresh frame of ours. */
    f = pt_free_mfn();
    slot = pt_alloc_slot();
    expect_rc(pt_map(slot, f, L1_FLAGS_RW), 0, "map the future vcpu_info frame");
    r = (struct vcpu_register_vcpu_info){ .mfn = f, .offset = 128 };
    expect_rc(HC5(vcpu_op, VCPUOP_register_vcpu_info, 0, (unsigned long)&r, 0, 0), 0,
              "register_vcpu_info at mfn %#lx + 128", (unsigned long)f);
    vi = (volatile struct vcpu_info *)((char *)pt_slot_va(slot) + 128);
    vi->evtchn_upcall_pending = 0;      /* a guest that has looked at its events */
    vi->evtchn_pending_sel = 0;
    expect_rc(pt_unmap(slot), 0, "unmap the vcpu_info frame");
    never_a_table(f, "registered vcpu_info frame");
    expect_rc(pt_map(slot, f, L1_FLAGS_RW), 0, "map the vcpu_info frame again");
    if (vi->evtchn_upcall_mask != 1)
        test_fail("vcpu_info upcall mask %u, want 1 (still the live vcpu_info?)", vi->evtchn_upcall_mask);
    test_success();
}
