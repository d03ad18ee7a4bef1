/*
 * mmu_linear_pt: linear (recursive) page tables as Xen allows them by
 * default (opt_pv_linear_pt), with the XSA-240 restrictions.
 * Xen's get_page_from_l{2,3,4}e: an entry whose frame is not a table of
 * the level below falls back to get_lN_linear_pagetable, which accepts a
 * read-only entry naming the table itself (no reference) or another
 * validated table of the same level (general + type reference), refuses a
 * writable one, and refuses a link that would make a chain (a table that
 * holds linear entries cannot be named by one, a table named by one cannot
 * hold any: page->linear_pt_count) -> -EINVAL.
 * Checked here:
 *  - an L4 entry naming the L4 itself read-only: accepted; the page tables
 *    read through it (the L4, an L1 entry); a write to an L1 entry through
 *    it is emulated (ptwr, as Xen's guest_get_eff_l1e walk); a write to the
 *    L4 through it is a #PF; the same entry writable, or the read-only one
 *    made writable: -EINVAL;
 *  - L4 -> L4, L3 -> L3, L2 -> L2 links to pinned tables, read through;
 *    unpinned while linked (still usable), unlinked (torn down: its frames
 *    are ordinary again);
 *  - hostile chains: linking a table that holds linear entries, a linear
 *    target linking another table, a cycle, wrong-level read-only entries;
 *  - links left in place when the domain exits (the teardown with linear
 *    references; the audit checks the counts after).
 */
#include "pt.h"

const char test_title[] = "linear page tables: self-maps, same-level links, XSA-240 refusals";

#define RO (PTE_P | PTE_US | PTE_A)

static uint64_t va4(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
    uint64_t v = ((uint64_t)a << 39) | ((uint64_t)b << 30) | ((uint64_t)c << 21) | ((uint64_t)d << 12);

    return (a & 256) ? v | 0xffff000000000000UL : v;
}

/* A free entry of a table, searching down from `from` (0 = none). */
static unsigned int free_slot(uint64_t table, unsigned int from)
{
    for (unsigned int i = from; i > 0; i--)
        if (!pt_read_entry(table, i))
            return i;
    test_error("no free entry below %u in table %#lx", from, (unsigned long)table);
    return 0;
}

static uint64_t rd(uint64_t va, const char *what)
{
    uint64_t v = 0;

    if (!probe_read((const void *)va, &v))
        test_fail("%s: reading %#lx faulted (vector %u)", what, (unsigned long)va, last_trap.vector);
    return v;
}

static void ordinary_again(uint64_t m, const char *what)
{
    void *va = pt_map_rw(m);

    if (!va)
        test_fail("%s: frame %#lx cannot be mapped RW", what, (unsigned long)m);
    else
        pt_unmap_va(va);
}

/* A pinned table of `level` with one entry (or none); 0 on failure. */
static uint64_t pinned(unsigned int level, unsigned int idx, uint64_t entry, const char *what)
{
    uint64_t m = pt_new_table(&idx, &entry, entry ? 1 : 0);

    if (!m || !expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE + level - 1, m, 0), 0, "pin %s", what))
        return 0;
    return m;
}

static void self_map(void)
{
    unsigned int r = free_slot(pt_l4, 500), r2 = free_slot(pt_l4, r - 1);
    uint64_t sv = (uint64_t)pt_slot_va(5), pte_va, g = pt_free_mfn(), k = pt_free_mfn(), v;

    expect_rc(mmu_update1(pt_maddr(pt_l4, r), (pt_l4 << 12) | RO), 0, "L4[%u] -> the L4 itself, read-only", r);
    /* The L4 read through the recursive slot four times over. */
    v = rd(va4(r, r, r, r) + 511 * 8, "L4[511] through the self-map");
    if (PTE_MFN(v) != PTE_MFN(pt_read_entry(pt_l4, 511)))
        test_fail("L4[511] through the self-map is %#lx, want mfn %#lx", (unsigned long)v,
                  (unsigned long)PTE_MFN(pt_read_entry(pt_l4, 511)));
    if (PTE_MFN(rd(va4(r, r, r, r) + r * 8, "L4[r] through the self-map")) != pt_l4)
        test_fail("L4[%u] through the self-map does not name the L4", r);
    /* An L1 entry: scratch slot 5 maps k; its PTE is at (r, l4i, l3i, l2i) + l1i. */
    expect_rc(pt_map(5, k, L1_FLAGS_RO), 0, "map a frame at scratch slot 5");
    pte_va = va4(r, L4_IDX(sv), L3_IDX(sv), L2_IDX(sv)) + L1_IDX(sv) * 8;
    if (PTE_MFN(rd(pte_va, "scratch PTE through the self-map")) != k)
        test_fail("scratch slot 5's PTE through the self-map does not name the frame mapped there");
    /* A write to an L1 entry through it: emulated (ptwr) and validated. */
    if (!probe_write((void *)(pte_va + 8), (g << 12) | L1_FLAGS_RW))
        test_fail("PTE write through the self-map not emulated (vector %u)", last_trap.vector);
    if (PTE_MFN(pt_read_entry(pt_scratch_l1, L1_IDX(sv) + 1)) != g)
        test_fail("the PTE written through the self-map is not in the scratch L1");
    else if (!probe_write(pt_slot_va(6), 0x1234) || rd((uint64_t)pt_slot_va(6), "slot 6") != 0x1234)
        test_fail("the mapping written through the self-map does not work");
    /* ... a forged one is refused as any PTE write (a hypervisor frame). */
    if (probe_write((void *)(pte_va + 16), ((pt_max_page - 1) << 12) | L1_FLAGS_RW))
        test_fail("a PTE for a hypervisor frame written through the self-map");
    pt_unmap(6);
    pt_unmap(5);
    /* A write to the L4 through it is no L1 write: #PF. */
    if (probe_write((void *)(va4(r, r, r, r) + 8 * 3), (k << 12) | RO))
        test_fail("a write to the L4 through the read-only self-map succeeded");
    else if (last_trap.vector != TRAP_page_fault)
        test_fail("write to the L4 through the self-map: vector %u, want #PF", last_trap.vector);
    if (pt_read_entry(pt_l4, 3))
        test_fail("L4[3] changed by a faulting write");
    /* Writable self-maps. */
    expect_rc(mmu_update1(pt_maddr(pt_l4, r2), (pt_l4 << 12) | LX_FLAGS), -XEN_EINVAL,
              "L4[%u] -> the L4 itself, writable", r2);
    expect_rc(mmu_update1(pt_maddr(pt_l4, r), (pt_l4 << 12) | LX_FLAGS), -XEN_EINVAL,
              "the read-only self-map made writable");
    if (pt_read_entry(pt_l4, r) & PTE_RW || pt_read_entry(pt_l4, r2))
        test_fail("a refused self-map changed the L4");
    /* Kept: the domain exits with it (teardown of an L4 naming itself). */
}

static void l4_link(void)
{
    unsigned int r = free_slot(pt_l4, 450);
    uint64_t q = pinned(4, 0, 0, "a fresh L4"), p, i0 = 0;

    if (!q)
        return;
    expect_rc(mmu_update1(pt_maddr(pt_l4, r), (q << 12) | RO), 0, "boot L4 -> a pinned L4, read-only");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, q, 0), 0, "unpin the linked L4");
    /* Q is a linear target: it cannot hold linear entries of its own. */
    expect_rc(mmu_update1(pt_maddr(q, 7), (pt_l4 << 12) | RO), -XEN_EINVAL, "linked L4 -> the boot L4 (a chain)");
    expect_rc(mmu_update1(pt_maddr(q, 8), (q << 12) | RO), 0, "linked L4 -> itself (a self-map is no link)");
    /* The boot L4 holds linear entries: nothing may name it. */
    p = pinned(4, 0, 0, "another fresh L4");
    if (p) {
        expect_rc(mmu_update1(pt_maddr(p, 1), (pt_l4 << 12) | RO), -XEN_EINVAL,
                  "a fresh L4 -> the boot L4, which holds linear entries");
        expect_rc(mmu_update1(pt_maddr(p, 1), (q << 12) | RO), 0, "a fresh L4 -> the linked L4 (a second use)");
        expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, p, 0), 0, "unpin it (drops its link)");
    }
    i0 = (pt_l4 << 12) | RO;
    p = pt_free_mfn();
    if (pt_fill(p, (unsigned int[]){ 2 }, &i0, 1))
        expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, p, 0), -XEN_EINVAL, "pin an L4 naming the boot L4 read-only");
    expect_rc(mmu_update1(pt_maddr(pt_l4, r), 0), 0, "unlink the L4 (its last reference)");
    ordinary_again(q, "the unlinked L4");
}

static void l3_link(void)
{
    unsigned int s = free_slot(pt_l3, 400), s2 = free_slot(pt_l3, s - 1);
    uint64_t k = pt_free_mfn(), f = pinned(1, 0, (k << 12) | L1_FLAGS_RO, "an L1 mapping k");
    uint64_t y = pinned(2, 0, (f << 12) | LX_FLAGS, "an L2 -> that L1");
    uint64_t t = pinned(3, 0, (y << 12) | LX_FLAGS, "an L3 -> that L2"), u;

    if (!t)
        return;
    expect_rc(mmu_update1(pt_maddr(pt_l3, s), (t << 12) | RO), 0, "boot L3 -> a pinned L3, read-only");
    /* Through it: boot L4[511] -> boot L3, [s] -> T as a directory, T[0] -> Y as a table, Y[0] -> F as data. */
    if (PTE_MFN(rd(va4(511, s, 0, 0), "the L1 through the L3 link")) != k)
        test_fail("the L1 read through the L3 link does not map k");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, t, 0), 0, "unpin the linked L3");
    if (PTE_MFN(rd(va4(511, s, 0, 0), "the L1 through the L3 link, unpinned")) != k)
        test_fail("the L1 read through the unpinned L3's link does not map k");
    expect_rc(mmu_update1(pt_maddr(t, 7), (pt_l3 << 12) | RO), -XEN_EINVAL, "linked L3 -> the boot L3 (a cycle)");
    expect_rc(mmu_update1(pt_maddr(pt_l3, s2), (t << 12) | LX_FLAGS), -XEN_EINVAL, "boot L3 -> the L3, writable");
    expect_rc(mmu_update1(pt_maddr(pt_l3, s2), (pt_l4 << 12) | RO), -XEN_EINVAL, "boot L3 -> the L4, read-only");
    /* U holds a link to T (T may have many uses); then nothing may name U. */
    u = pinned(3, 0, 0, "another L3");
    if (u) {
        expect_rc(mmu_update1(pt_maddr(u, 0), (t << 12) | RO), 0, "another L3 -> the linked L3");
        expect_rc(mmu_update1(pt_maddr(u, 1), (pt_l3 << 12) | RO), -XEN_EINVAL,
                  "another L3 -> the boot L3, which holds linear entries");
        expect_rc(mmu_update1(pt_maddr(pt_l3, s2), (u << 12) | RO), -XEN_EINVAL,
                  "boot L3 -> an L3 holding a link (a chain)");
    }
    if (pt_read_entry(pt_l3, s2) || pt_read_entry(t, 7))
        test_fail("a refused L3 link changed a table");
    /* Kept: T linked from the boot L3 and from U (pinned) when the domain exits. */
}

static void l2_link(void)
{
    unsigned int s = free_slot(pt_l2, 500), s2 = free_slot(pt_l2, s - 1);
    uint64_t k = pt_free_mfn(), g = pt_free_mfn(), l3i = L3_IDX(VIRT_BASE);
    uint64_t f = pinned(1, 0, (k << 12) | L1_FLAGS_RO, "an L1 mapping k");
    uint64_t x = pinned(2, 0, (f << 12) | LX_FLAGS, "an L2 -> that L1"), a, b, c;

    if (!x)
        return;
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, f, 0), 0, "unpin the L1 (X holds it)");
    expect_rc(mmu_update1(pt_maddr(pt_l2, s), (x << 12) | RO), 0, "boot L2 -> a pinned L2, read-only");
    if (PTE_MFN(rd(va4(511, l3i, s, 0), "the L1 through the L2 link")) != k)
        test_fail("the L1 read through the L2 link does not map k");
    /* ptwr through a one-hop link: the L1 is written as an L1 (read-only mapping of it). */
    if (!probe_write((void *)(va4(511, l3i, s, 0) + 8), (g << 12) | L1_FLAGS_RO))
        test_fail("PTE write through the L2 link not emulated (vector %u)", last_trap.vector);
    else if (PTE_MFN(pt_read_entry(f, 1)) != g)
        test_fail("PTE written through the L2 link not in the L1");
    expect_rc(mmu_update1(pt_maddr(pt_l2, s2), (x << 12) | LX_FLAGS), -XEN_EINVAL, "boot L2 -> the L2, writable");
    expect_rc(mmu_update1(pt_maddr(pt_l2, s2), (pt_l3 << 12) | RO), -XEN_EINVAL, "boot L2 -> the L3, read-only");
    expect_rc(mmu_update1(pt_maddr(x, 9), (pt_l2 << 12) | RO), -XEN_EINVAL, "linked L2 -> the boot L2 (a cycle)");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, x, 0), 0, "unpin the linked L2");
    if (PTE_MFN(rd(va4(511, l3i, s, 0), "the L1 through the unpinned L2's link")) != k)
        test_fail("the L1 read through the unpinned L2's link does not map k");
    expect_rc(mmu_update1(pt_maddr(pt_l2, s), 0), 0, "unlink the L2 (its last reference: torn down)");
    ordinary_again(x, "the unlinked L2");
    ordinary_again(f, "the L1 below the unlinked L2");

    /* A chain A -> B -> C of L2s: only one link of it can exist. */
    a = pinned(2, 0, 0, "L2 A");
    b = pinned(2, 0, 0, "L2 B");
    c = pinned(2, 0, 0, "L2 C");
    if (!c)
        return;
    expect_rc(mmu_update1(pt_maddr(b, 1), (c << 12) | RO), 0, "B -> C");
    expect_rc(mmu_update1(pt_maddr(a, 1), (b << 12) | RO), -XEN_EINVAL, "A -> B (B holds a link: a chain)");
    expect_rc(mmu_update1(pt_maddr(c, 1), (a << 12) | RO), -XEN_EINVAL, "C -> A (C is named by a link)");
    expect_rc(mmu_update1(pt_maddr(c, 1), (b << 12) | RO), -XEN_EINVAL, "C -> B (a cycle)");
    expect_rc(mmu_update1(pt_maddr(b, 2), (b << 12) | RO), 0, "B -> B itself, read-only");
    expect_rc(mmu_update1(pt_maddr(b, 3), (b << 12) | LX_FLAGS), -XEN_EINVAL, "B -> B itself, writable");
    expect_rc(mmu_update1(pt_maddr(a, 1), (c << 12) | RO), 0, "A -> C (C's second use)");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, c, 0), 0, "unpin C (still named by A and B)");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, b, 0), 0, "unpin B (torn down: drops its link to C)");
    expect_rc(mmu_update1(pt_maddr(pt_l2, s2), (c << 12) | RO), 0, "boot L2 -> C (C named by A and the boot L2)");
    expect_rc(mmu_update1(pt_maddr(pt_l2, s2), 0), 0, "unlink C from the boot L2");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, a, 0), 0, "unpin A (C's last reference goes with it)");
    ordinary_again(b, "B after its unpin");
    ordinary_again(c, "C after its last link went");
    /* B's self-reference held nothing; B is ordinary again. */
}

void test_main(void)
{
    if (!pt_init())
        return;
    self_map();
    l4_link();
    l3_link();
    l2_link();
    test_success();
}
