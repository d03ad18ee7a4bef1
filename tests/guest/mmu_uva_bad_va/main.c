/*
 * mmu_uva_bad_va (hostile): update_va_mapping at addresses that are not
 * the guest's: non-canonical ones, the hypervisor's reserved range
 * 0xFFFF800000000000-0xFFFF87FFFFFFFFFF (M2P, image, direct map, the last
 * page), and canonical guest addresses with no L1 behind them. Xen:
 * map_guest_l1e() finds no L1 (`!__addr_ok(va)` or no present L2 entry)
 * -> -EINVAL, whatever the new entry, and no flush is attempted.
 * Finally the same with a valid own frame: still -EINVAL, nothing mapped.
 */
#include "pt.h"

const char test_title[] = "hostile: update_va_mapping at non-canonical, hypervisor and unmapped addresses";

static const struct { uint64_t va; const char *what; } bad[] = {
    { 0x0000800000000000UL, "first non-canonical address" },
    { 0x00007ffffffff000UL, "last lower-half page (no L1 there)" },
    { 0x8000000000000000UL, "non-canonical 0x8000..." },
    { 0xffff7ffffffff000UL, "last non-canonical page" },
    { 0xffff800000000000UL, "the M2P (slot 256)" },
    { 0xffff804000000000UL, "slot 256 end" },
    { 0xffff82c000000000UL, "the ioremap area" },
    { 0xffff82d080200000UL, "the core image" },
    { 0xffff830000000000UL, "the direct map" },
    { 0xffff87fffffff000UL, "the last hypervisor page" },
    { 0xffff880000000000UL, "first guest upper-half address (no L1 there)" },
    { 0x0000000000000000UL, "address 0 (no L1 there)" },
    { 0xffffffffc0000000UL, "L3 slot 511 (no L2 there)" },
};

void test_main(void)
{
    uint64_t own, v;

    if (!pt_init())
        return;
    own = pt_free_mfn();
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        uint64_t va = bad[i].va;
        expect_rc(uvm(va, (own << 12) | L1_FLAGS_RW, UVMF_INVLPG), -XEN_EINVAL,
                  "update_va_mapping(%#lx: %s, own frame RW, INVLPG)", (unsigned long)va, bad[i].what);
        expect_rc(uvm(va, (own << 12) | L1_FLAGS_RO, UVMF_TLB_FLUSH | UVMF_ALL), -XEN_EINVAL,
                  "update_va_mapping(%#lx: %s, own frame RO, FLUSH ALL)", (unsigned long)va, bad[i].what);
        expect_rc(uvm(va, 0, UVMF_NONE), -XEN_EINVAL, "update_va_mapping(%#lx: %s, 0)", (unsigned long)va,
                  bad[i].what);
        expect_rc(HC5(update_va_mapping_otherdomain, va, (own << 12) | L1_FLAGS_RW, UVMF_INVLPG,
                                                           DOMID_SELF, 0),
                  -XEN_EINVAL, "update_va_mapping_otherdomain(%#lx: %s, DOMID_SELF)", (unsigned long)va,
                  bad[i].what);
    }
    /* Unaligned VA inside a mapped scratch page: the page is what counts (Xen uses va's L1 slot). */
    expect_rc(uvm(pt_scratch_base() + 0x123, (own << 12) | L1_FLAGS_RW, UVMF_INVLPG), 0,
              "update_va_mapping of an unaligned scratch VA");
    if (!probe_write(pt_slot_va(0), 7) || !probe_read(pt_slot_va(0), &v) || v != 7)
        test_fail("the guest cannot use its own mapping after the refusals");
    expect_rc(uvm(pt_scratch_base(), 0, UVMF_INVLPG), 0, "unmap");
    test_success();
}
