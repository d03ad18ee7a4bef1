/*
 * mmu_overflow_counts (hostile): huge counts with a small valid buffer
 * followed by unmapped memory, in mmu_update, mmuext_op and multicall.
 * Xen checks only the start of the list up front (guest_handle_okay ->
 * __addr_ok), then copies entry by entry: the first entry that cannot be
 * read ends the call with -EFAULT, and `done` (mmu_update / mmuext_op)
 * reports the entries done - plus, when bit 31 (MMU_UPDATE_PREEMPTED) is
 * set in the count, the value *pdone held on entry (the continuation
 * protocol). A list starting in the hypervisor range is -EFAULT at once
 * (*pdone untouched); a bad pdone is ignored (the updates are done).
 * Multicall results of the entries done are written.
 */
#include "pt.h"

const char test_title[] = "hostile: overflowing counts in mmu_update, mmuext_op and multicall";

#define PAGES 4

void test_main(void)
{
    int slots[PAGES + 1];
    uint8_t *buf, *end;
    struct mmu_update *req;
    struct mmuext_op *ops;
    struct multicall_entry *mc;
    unsigned int done, n;
    uint64_t data;

    if (!pt_init())
        return;
    /* PAGES mapped pages in a row, then an unmapped one: slots 100..104. */
    for (unsigned int i = 0; i <= PAGES; i++)
        slots[i] = 100 + i;
    for (unsigned int i = 0; i < PAGES; i++)
        expect_rc(pt_map(slots[i], pt_free_mfn(), L1_FLAGS_RW), 0, "map buffer page %u", i);
    buf = pt_slot_va(slots[0]);
    end = pt_slot_va(slots[PAGES]);
    data = pt_free_mfn();

    /* mmu_update: 3 valid requests right before the hole. */
    req = (struct mmu_update *)end - 3;
    for (unsigned int i = 0; i < 3; i++)
        req[i] = (struct mmu_update){ pt_maddr(pt_scratch_l1, 10 + i), (data << 12) | L1_FLAGS_RO };
    done = 1000;
    expect_rc(HC5(mmu_update, (unsigned long)req, 0x7fffffff, (unsigned long)&done, DOMID_SELF, 0),
              -XEN_EFAULT, "mmu_update count 0x7fffffff, 3 valid");
    expect_rc(done, 3, "done, count 0x7fffffff");
    for (unsigned int i = 0; i < 3; i++)
        if (PTE_MFN(pt_read_entry(pt_scratch_l1, 10 + i)) != data)
            test_fail("request %u before the hole not applied", i);
    done = 1000;
    expect_rc(HC5(mmu_update, (unsigned long)req, 0xffffffff, (unsigned long)&done, DOMID_SELF, 0),
              -XEN_EFAULT, "mmu_update count 0xffffffff, 3 valid");
    expect_rc(done, 1003, "done, count 0xffffffff (bit 31: continuation, *pdone added)");
    done = 500;
    expect_rc(HC5(mmu_update, (unsigned long)req, 0x80000003, (unsigned long)&done, DOMID_SELF, 0), 0,
              "mmu_update count 0x80000003, 3 valid");
    expect_rc(done, 503, "done, count 0x80000003");
    done = 7;
    expect_rc(HC5(mmu_update, (unsigned long)req, 3, (unsigned long)&done, DOMID_SELF, 0), 0,
              "mmu_update count 3");
    expect_rc(done, 3, "done, count 3 (no bit 31: *pdone ignored)");
    /* Counts above 32 bits are truncated (unsigned int count): 1 << 32 | 3 is 3. */
    expect_rc(HC5(mmu_update, (unsigned long)req, (1UL << 32) | 3, (unsigned long)&done, DOMID_SELF, 0), 0,
              "mmu_update count (1 << 32) | 3");
    expect_rc(done, 3, "done, count (1 << 32) | 3");
    /* The list itself in the hypervisor range: -EFAULT before anything, *pdone untouched. */
    done = 77;
    expect_rc(HC5(mmu_update, 0xffff830000000000UL, 1, (unsigned long)&done, DOMID_SELF, 0), -XEN_EFAULT,
              "mmu_update list in the direct map");
    expect_rc(done, 77, "*pdone after a list in the hypervisor range");
    expect_rc(HC5(mmu_update, 0xfffffffffffffff0UL, 2, 0, DOMID_SELF, 0), -XEN_EFAULT,
              "mmu_update list at the top of the address space");
    /* pdone pointing at hypervisor memory: ignored, the work is done. */
    req[0].val = 0;
    expect_rc(HC5(mmu_update, (unsigned long)req, 1, 0xffff82d080200000UL, DOMID_SELF, 0), 0,
              "mmu_update with pdone in the hypervisor image");
    if (pt_read_entry(pt_scratch_l1, 10))
        test_fail("the update with a bad pdone was not done");

    /* mmuext_op: 3 valid ops before the hole. */
    ops = (struct mmuext_op *)end - 3;
    for (unsigned int i = 0; i < 3; i++)
        ops[i] = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    done = 1000;
    expect_rc(HC5(mmuext_op, (unsigned long)ops, 0x7fffffff, (unsigned long)&done, DOMID_SELF, 0),
              -XEN_EFAULT, "mmuext_op count 0x7fffffff, 3 valid");
    expect_rc(done, 3, "mmuext done, count 0x7fffffff");
    done = 1000;
    expect_rc(HC5(mmuext_op, (unsigned long)ops, 0xffffffff, (unsigned long)&done, DOMID_SELF, 0),
              -XEN_EFAULT, "mmuext_op count 0xffffffff, 3 valid");
    expect_rc(done, 1003, "mmuext done, count 0xffffffff");
    done = 20;
    expect_rc(HC5(mmuext_op, (unsigned long)ops, 0x80000003, (unsigned long)&done, DOMID_SELF, 0), 0,
              "mmuext_op count 0x80000003");
    expect_rc(done, 23, "mmuext done, count 0x80000003");
    done = 77;
    expect_rc(HC5(mmuext_op, 0xffff800000000000UL, 1, (unsigned long)&done, DOMID_SELF, 0), -XEN_EFAULT,
              "mmuext_op list in the M2P");
    expect_rc(done, 77, "mmuext *pdone after a list in the hypervisor range");
    expect_rc(HC5(mmuext_op, (unsigned long)ops, 1, 0xffff830000000000UL, DOMID_SELF, 0), 0,
              "mmuext_op with pdone in the direct map");

    /* multicall: 2 valid entries, then 200 (past any internal chunking), then the hole. */
    for (unsigned int round = 0; round < 2; round++) {
        n = round ? 200 : 2;
        mc = (struct multicall_entry *)end - n;
        if ((uint8_t *)mc < buf) {
            test_error("multicall buffer too small");
            break;
        }
        for (unsigned int i = 0; i < n; i++)
            mc[i] = (struct multicall_entry){ .op = __HYPERVISOR_xen_version, .result = 0x5a5a, .args = { 0 } };
        expect_rc(HC5(multicall, (unsigned long)mc, 0xffffffff, 0, 0, 0), -XEN_EFAULT,
                  "multicall nr 0xffffffff, %u valid", n);
        for (unsigned int i = 0; i < n; i++)
            if (mc[i].result != (4 << 16 | 19)) {
                test_fail("multicall entry %u of %u: result %#lx, want xen_version 4.19", i, n,
                          (unsigned long)mc[i].result);
                break;
            }
    }
    expect_rc(HC5(multicall, 0xffff830000001000UL, 1, 0, 0, 0), -XEN_EFAULT, "multicall list in the direct map");
    expect_rc(HC5(multicall, (unsigned long)end, 1, 0, 0, 0), -XEN_EFAULT, "multicall list unmapped");
    /* A count of 0 does nothing, whatever the pointer. */
    expect_rc(HC5(multicall, (unsigned long)end, 0, 0, 0, 0), 0, "multicall nr 0");
    expect_rc(HC5(mmu_update, (unsigned long)end, 0, 0, DOMID_SELF, 0), 0, "mmu_update count 0, unmapped list");
    for (unsigned int i = 0; i < PAGES; i++)
        pt_unmap(slots[i]);
    test_success();
}
