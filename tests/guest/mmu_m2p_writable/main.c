/*
 * mmu_m2p_writable (hostile): make the read-only M2P writable, so the
 * guest could forge frame ownership for everyone who trusts it.
 *  - by VA: update_va_mapping at M2P addresses (slot 256, the hypervisor
 *    range) -> Xen map_guest_l1e finds no guest L1 -> -EINVAL;
 *  - by MFN: map the M2P's frames (XENMEM_machphys_mfn_list) RW or RO ->
 *    they are the hypervisor's -> get_page_from_l1e -EBUSY;
 *  - write into them with mmu_update (ptr in an M2P frame), CLEAR_PAGE,
 *    COPY_PAGE onto them -> not the guest's frames -> -EINVAL;
 *  - a direct store to the M2P -> #PF, delivered to the guest.
 * The M2P must read the same afterwards.
 */
#include "pt.h"

const char test_title[] = "hostile: map the M2P writable";

void test_main(void)
{
    volatile uint64_t *m2p = (volatile uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t frames[8], own = 0, mine, before, v;
    unsigned int n;

    if (!pt_init())
        return;
    mine = pfn_to_mfn(0);
    before = m2p[mine];
    n = pt_m2p_frames(frames, 8);
    if (!n)
        return;
    printk("M2P: %u frame(s) listed, first %#lx\n", n, (unsigned long)frames[0]);
    own = pt_free_mfn();

    /* By VA. */
    expect_rc(uvm(MACH2PHYS_VIRT_START, (own << 12) | L1_FLAGS_RW, UVMF_INVLPG), -XEN_EINVAL,
              "update_va_mapping at the M2P's start");
    expect_rc(uvm((uint64_t)&m2p[mine] & ~0xfffUL, (frames[0] << 12) | L1_FLAGS_RW, UVMF_INVLPG), -XEN_EINVAL,
              "update_va_mapping at the M2P page holding our entries, to an M2P frame RW");
    expect_rc(uvm(MACH2PHYS_VIRT_END - 4096, 0, UVMF_INVLPG), -XEN_EINVAL,
              "update_va_mapping unmapping the M2P's last page");
    /* By MFN. */
    for (unsigned int i = 0; i < n && i < 2; i++) {
        expect_rc(pt_map(0, frames[i], L1_FLAGS_RW), -XEN_EBUSY, "map M2P frame %#lx RW", (unsigned long)frames[i]);
        expect_rc(pt_map(0, frames[i] + 1, L1_FLAGS_RW), -XEN_EBUSY, "map M2P frame %#lx RW",
                  (unsigned long)frames[i] + 1);
        expect_rc(pt_map(0, frames[i], L1_FLAGS_RO), -XEN_EBUSY, "map M2P frame %#lx read-only",
                  (unsigned long)frames[i]);
        expect_rc(mmu_update1(pt_maddr(frames[i], 0), 0), -XEN_EINVAL, "mmu_update writing into M2P frame %#lx",
                  (unsigned long)frames[i]);
        expect_rc(mmuext1(MMUEXT_CLEAR_PAGE, frames[i], 0), -XEN_EINVAL, "CLEAR_PAGE of M2P frame");
        expect_rc(mmuext1(MMUEXT_COPY_PAGE, frames[i], own), -XEN_EINVAL, "COPY_PAGE onto M2P frame");
        expect_rc(mmu_update1(pt_maddr(pt_l2, pt_scratch_l2_slot + 1), (frames[i] << 12) | LX_FLAGS), -XEN_EINVAL,
                  "link M2P frame as an L1");
    }
    /* Direct stores. */
    if (probe_write(&m2p[mine], 0x41414141))
        test_fail("direct store to the M2P succeeded");
    else if (last_trap.vector != TRAP_page_fault)
        test_fail("direct store to the M2P: vector %u, want #PF", last_trap.vector);
    if (probe_write(&m2p[0], 0))
        test_fail("direct store to M2P[0] succeeded");
    if (!probe_read(&m2p[mine], &v) || v != before)
        test_fail("M2P[%#lx] = %#lx, was %#lx", (unsigned long)mine, (unsigned long)v, (unsigned long)before);
    if (pt_read_entry(pt_scratch_l1, 0))
        test_fail("scratch slot 0 was mapped by a refused request");
    test_success();
}
