/*
 * mmu_pin_roundtrip: build a complete new L4 -> L3 -> L2 -> L1 tree in
 * free frames (copies of the boot tables' guest entries, so the kernel
 * stays mapped, plus one extra L1 mapping a tagged page at a VA the boot
 * tables leave empty), pin it bottom-up (L1s, L2, L3, L4) as Linux does,
 * MMUEXT_NEW_BASEPTR to it, run on it (call, stack, data, the extra page;
 * mov %cr3 shows the new L4), switch back, unpin top-down, and check the
 * frames are ordinary pages again. Also NEW_USER_BASEPTR set and cleared.
 */
#include "pt.h"

const char test_title[] = "mmuext: pin/unpin L1-L4 round trip, NEW_BASEPTR to a new tree and back";

static volatile uint64_t data_word = 0x1111;

static __attribute__((noinline)) uint64_t work(uint64_t x)
{
    volatile uint64_t stack_word = x;

    data_word += stack_word;
    return data_word;
}

void test_main(void)
{
    uint64_t n4, n3, n2, n1[3], extra, tag = 0x7461676765642121UL, v;
    uint64_t ent[512];
    unsigned int idx[512], n, l2s;
    const volatile uint64_t *b2;
    volatile uint64_t *extra_va;

    if (!pt_init())
        return;
    l2s = pt_scratch_l2_slot + 1;
    extra_va = (volatile uint64_t *)(VIRT_BASE + ((uint64_t)l2s << 21));
    extra = pt_free_mfn();
    if (!pt_fill(extra, idx, ent, 0))
        return;
    {
        volatile uint64_t *p = pt_map_rw(extra);
        p[0] = tag;
        pt_unmap_va((void *)p);
    }

    /* L1s: copies of the boot L1s (the boot region), and one mapping the tagged page. */
    b2 = pt_boot_va(pt_l2);
    for (unsigned int s = 0; s < 2 && (b2[s] & PTE_P); s++) {
        const volatile uint64_t *b1 = pt_boot_va(PTE_MFN(b2[s]));
        for (unsigned int i = 0; i < 512; i++)
            idx[i] = i, ent[i] = b1[i];
        n1[s] = pt_new_table(idx, ent, 512);
    }
    if (b2[2] & PTE_P && pt_scratch_l2_slot != 2) {
        test_error("boot region larger than 4 MiB: adapt the test");
        return;
    }
    idx[0] = 0;
    ent[0] = (extra << 12) | L1_FLAGS_RW;
    n1[2] = pt_new_table(idx, ent, 1);
    /* L2: the boot L1 slots (copies), the extra L1; L3: the L2 at 510; L4: the L3 at 511. */
    n = 0;
    for (unsigned int s = 0; s < 2; s++)
        idx[n] = s, ent[n++] = (n1[s] << 12) | LX_FLAGS;
    idx[n] = l2s, ent[n++] = (n1[2] << 12) | LX_FLAGS;
    n2 = pt_new_table(idx, ent, n);
    idx[0] = L3_IDX(VIRT_BASE), ent[0] = (n2 << 12) | LX_FLAGS;
    n3 = pt_new_table(idx, ent, 1);
    idx[0] = L4_IDX(VIRT_BASE), ent[0] = (n3 << 12) | LX_FLAGS;
    n4 = pt_new_table(idx, ent, 1);

    for (unsigned int i = 0; i < 3; i++)
        expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, n1[i], 0), 0, "pin new L1 #%u", i);
    expect_rc(mmuext1(MMUEXT_PIN_L2_TABLE, n2, 0), 0, "pin new L2");
    expect_rc(mmuext1(MMUEXT_PIN_L3_TABLE, n3, 0), 0, "pin new L3");
    expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, n4, 0), 0, "pin new L4");

    /* The extra page is not mapped in the boot tables. */
    if (probe_read(extra_va, &v))
        test_fail("extra VA mapped before the switch");
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, n4, 0), 0, "NEW_BASEPTR to the new L4");
    if (pt_read_cr3() != n4 << 12)
        test_fail("cr3 %#lx, want %#lx", (unsigned long)pt_read_cr3(), (unsigned long)(n4 << 12));
    if (work(5) != 0x1116)
        test_fail("running on the new tree: data/stack wrong");
    if (!probe_read(extra_va, &v) || v != tag)
        test_fail("extra page through the new tree: %#lx", (unsigned long)v);
    printk("running on the new tree, cr3 %#lx\n", (unsigned long)pt_read_cr3());
    /* The user base pointer: set to the boot L4 and to the new one, then cleared. */
    expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, pt_l4, 0), 0, "NEW_USER_BASEPTR boot L4");
    expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, n4, 0), 0, "NEW_USER_BASEPTR new L4");
    expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0, "NEW_USER_BASEPTR 0 (clear)");
    expect_rc(mmuext1(MMUEXT_NEW_BASEPTR, pt_l4, 0), 0, "NEW_BASEPTR back to the boot L4");
    if (pt_read_cr3() != pt_l4 << 12)
        test_fail("cr3 %#lx after switching back", (unsigned long)pt_read_cr3());
    if (work(1) != 0x1117)
        test_fail("running on the boot tree again: data wrong");
    mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    if (probe_read(extra_va, &v))
        test_fail("extra VA still mapped after switching back");

    /* Unpin top-down; the new L4 is then unreferenced and devalidated, and the rest follows. */
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, n4, 0), 0, "unpin new L4");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, n3, 0), 0, "unpin new L3");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, n2, 0), 0, "unpin new L2");
    for (unsigned int i = 0; i < 3; i++)
        expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, n1[i], 0), 0, "unpin new L1 #%u", i);
    /* All ordinary pages again. */
    {
        uint64_t all[6] = { n4, n3, n2, n1[0], n1[1], n1[2] };
        for (unsigned int i = 0; i < 6; i++) {
            void *p = pt_map_rw(all[i]);
            if (p)
                pt_unmap_va(p);
            else
                test_fail("table %u not an ordinary page after unpinning", i);
        }
    }
    test_success();
}
