/*
 * mmu_descriptor_bad (hostile): install descriptors that would give the
 * guest a way into ring 0 or into the hypervisor's segments, through
 * set_gdt (a frame containing one) and update_descriptor. Xen's
 * check_descriptor (pv/descriptor-tables.c), 64-bit PV:
 *  - TSS, LDT, interrupt, trap and task gates: refused -> -EINVAL;
 *  - call gates whose target is a hypervisor selector (not a guest GDT
 *    entry, not FLAT_KERNEL_CS, not the LDT), or with reserved bits set:
 *    refused -> -EINVAL;
 *  - a call gate to a guest selector is accepted but made harmless: DPL
 *    forced to 0 (any use faults into the hypervisor for emulation), the
 *    original DPL (raised to 3 first, as for every 64-bit PV descriptor)
 *    kept in the target selector's RPL;
 *  - ring-0 code and data descriptors are accepted with their DPL
 *    rewritten to 3 (a PV guest's kernel runs in ring 3): loading one with
 *    RPL 3 works.
 * Also: set_gdt of frames that are not ours, mapped RW, page tables, or too
 * many entries -> -EINVAL; update_descriptor into a page table, a frame not
 * ours, misaligned -> -EINVAL; a live GDT frame cannot be mapped RW.
 */
#include "pt.h"

const char test_title[] = "hostile: ring-0 descriptors, call gates, TSS/LDT/gates via set_gdt and update_descriptor";

#define D(a, b) (((uint64_t)(uint32_t)(b) << 32) | (uint32_t)(a))
#define HYPERVISOR_CS 0xe008

static uint64_t g;      /* the GDT frame */

static long set_gdt1(uint64_t frame, unsigned long entries)
{
    uint64_t frames[1] = { frame };

    return HC5(set_gdt, (unsigned long)frames, entries, 0, 0, 0);
}

/* set_gdt of a frame holding desc at index 5 (and desc2 at 6) must be refused; g stays ordinary. */
static void gdt_refused(uint64_t desc, uint64_t desc2, const char *what)
{
    unsigned int idx[2] = { 5, 6 };
    uint64_t ent[2] = { desc, desc2 };
    long rc;

    pt_fill(g, idx, ent, 2);
    rc = set_gdt1(g, 512);
    expect_rc(rc, -XEN_EINVAL, "set_gdt with %s", what);
    if (!rc)
        set_gdt1(g, 0);
    expect_rc(HC5(update_descriptor, pt_maddr(g, 5), desc, 0, 0, 0), -XEN_EINVAL,
              "update_descriptor of %s into an ordinary page", what);
}

static uint64_t read_desc(unsigned int i)
{
    return pt_read_entry(g, i);     /* a read-only mapping of a descriptor page is fine */
}

void test_main(void)
{
    uint64_t g2, cg_lo, cg_hi, d;
    unsigned int idx[3] = { 5, 6, 7 };
    uint64_t ent[3];
    uint16_t sel;

    if (!pt_init())
        return;
    g = pt_free_mfn();
    g2 = pt_free_mfn();

    gdt_refused(D(0x00000067, 0x0000e900), 0, "an available 64-bit TSS");
    gdt_refused(D(0x00000067, 0x0000eb00), 0, "a busy TSS");
    gdt_refused(D(0x0000ffff, 0x0000e200), 0, "an LDT descriptor");
    gdt_refused(D(HYPERVISOR_CS << 16, 0x0000ee00), 0, "an interrupt gate");
    gdt_refused(D(FLAT_KERNEL_CS << 16, 0x0000ef00), 0, "a trap gate");
    gdt_refused(D(0x00280000, 0x0000e500), 0, "a task gate");
    gdt_refused(D(HYPERVISOR_CS << 16 | 0x1000, 0x0000ec00), 0, "a call gate to the hypervisor's CS 0xe008");
    gdt_refused(D(0xe010 << 16 | 0x1000, 0x0000ec00), 0, "a call gate to the hypervisor's DS 0xe010");
    gdt_refused(D(0xe040 << 16 | 0x1000, 0x0000ec00), 0, "a call gate to the hypervisor's TSS selector");
    gdt_refused(D(FLAT_KERNEL_CS << 16 | 0x1000, 0x0000ec01), 0, "a call gate with reserved bits set");
    gdt_refused(D(FLAT_KERNEL_CS << 16 | 0x1000, 0x0000ec00 | 0x80), 0, "a call gate with reserved bit 7 set");

    /* Frames that cannot be descriptor pages, counts too big. */
    {
        void *va = pt_map_rw(g);
        expect_rc(set_gdt1(g, 16), -XEN_EINVAL, "set_gdt of a frame mapped RW");
        pt_unmap_va(va);
    }
    expect_rc(set_gdt1(pt_scratch_l1, 16), -XEN_EINVAL, "set_gdt of a page table (the scratch L1)");
    expect_rc(set_gdt1(pt_l4, 16), -XEN_EINVAL, "set_gdt of the L4");
    expect_rc(set_gdt1(pt_unowned_mfn(pt_max_page / 2), 16), -XEN_EINVAL, "set_gdt of a frame not ours");
    expect_rc(set_gdt1(pt_max_page - 1, 16), -XEN_EINVAL, "set_gdt of a hypervisor frame");
    expect_rc(set_gdt1(g, FIRST_RESERVED_GDT_ENTRY + 1), -XEN_EINVAL, "set_gdt of 7169 entries");
    expect_rc(HC5(set_gdt, 0xffff830000000000UL, 16, 0, 0, 0), -XEN_EFAULT, "set_gdt frame list in the hypervisor");

    /* A ring-0 data segment and a ring-0 code segment: accepted with DPL 3. */
    ent[0] = D(0x0000ffff, 0x00cf9200);          /* data, DPL 0 */
    ent[1] = D(0x0000ffff, 0x00af9a00);          /* 64-bit code, DPL 0 */
    ent[2] = 0;
    pt_fill(g, idx, ent, 3);
    expect_rc(set_gdt1(g, 512), 0, "set_gdt with ring-0 code and data descriptors");
    if (((read_desc(5) >> 45) & 3) != 3 || ((read_desc(6) >> 45) & 3) != 3)
        test_fail("ring-0 descriptors stored as %#lx / %#lx: DPL not rewritten to 3", (unsigned long)read_desc(5),
                  (unsigned long)read_desc(6));
    sel = 5 << 3 | 3;
    {
        unsigned long n = last_trap.count;
        __asm__ __volatile__("1: mov %0, %%ds\n2:" ASM_EXTABLE(1b, 2b) "mov %1, %%ds" :: "r"(sel), "r"(0) : "memory");
        if (last_trap.count != n)
            test_fail("loading the (rewritten) data segment with RPL 3 faulted: vector %u", last_trap.vector);
    }
    /* The live GDT frame: no RW mapping, no page-table use, update_descriptor checks too. */
    if (!pt_map(40, g, L1_FLAGS_RW)) {
        test_fail("the live GDT frame could be mapped RW");
        pt_unmap(40);
    }
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, g, 0), -XEN_EINVAL, "pin the live GDT frame as an L1");
    expect_rc(HC5(update_descriptor, pt_maddr(g, 9), D(0x67, 0x0000e900), 0, 0, 0), -XEN_EINVAL,
              "update_descriptor of a TSS into the live GDT");
    expect_rc(HC5(update_descriptor, pt_maddr(g, 9), D(HYPERVISOR_CS << 16, 0x0000ec00), 0, 0, 0), -XEN_EINVAL,
              "update_descriptor of a call gate to 0xe008 into the live GDT");
    if (read_desc(9))
        test_fail("refused update_descriptor wrote %#lx", (unsigned long)read_desc(9));
    expect_rc(HC5(update_descriptor, pt_maddr(g, 9), D(0x0000ffff, 0x00cf9200), 0, 0, 0), 0,
              "update_descriptor of a ring-0 data segment into the live GDT");
    if (((read_desc(9) >> 45) & 3) != 3)
        test_fail("update_descriptor stored %#lx: DPL not rewritten to 3", (unsigned long)read_desc(9));
    expect_rc(HC5(update_descriptor, pt_maddr(g, 9) + 4, 0, 0, 0, 0), -XEN_EINVAL,
              "update_descriptor misaligned");

    /* A call gate to the guest kernel's CS: accepted, DPL forced to 0, old DPL in the selector RPL. */
    cg_lo = D(FLAT_KERNEL_CS << 16 | 0x5678, 0x1234ec00);
    cg_hi = 0xffffffffUL;
    expect_rc(HC5(update_descriptor, pt_maddr(g, 10), cg_lo, 0, 0, 0), 0,
              "update_descriptor of a call gate to FLAT_KERNEL_CS (DPL 3)");
    expect_rc(HC5(update_descriptor, pt_maddr(g, 11), cg_hi, 0, 0, 0), 0, "its upper half (type 0)");
    d = read_desc(10);
    if (((d >> 45) & 3) != 0 || ((d >> 16) & 0xffff) != FLAT_KERNEL_CS)
        test_fail("call gate stored as %#lx: want DPL 0 and selector %#x (RPL = old DPL 3)", (unsigned long)d,
                  FLAT_KERNEL_CS);
    expect_rc(HC5(update_descriptor, pt_maddr(g, 12), D(0x10 << 16, 0x0000ac00), 0, 0, 0), 0,
              "update_descriptor of a DPL-1 call gate to guest selector 0x10");
    /* A 64-bit PV guest's DPL is first raised to 3 (__fixup_guest_selector), then kept in the RPL. */
    d = read_desc(12);
    if (((d >> 45) & 3) != 0 || ((d >> 16) & 0xffff) != 0x13)
        test_fail("call gate stored as %#lx: want DPL 0 and selector 0x13", (unsigned long)d);
    expect_rc(set_gdt1(g, 0), 0, "set_gdt with no entries (drop the GDT)");

    /* update_descriptor anywhere else. */
    expect_rc(HC5(update_descriptor, pt_maddr(pt_scratch_l1, 100), 0, 0, 0, 0), -XEN_EINVAL,
              "update_descriptor into the scratch L1");
    expect_rc(HC5(update_descriptor, pt_maddr(pt_l4, 0), 0, 0, 0, 0), -XEN_EINVAL, "update_descriptor into the L4");
    expect_rc(HC5(update_descriptor, pt_maddr(pt_unowned_mfn(pt_max_page / 2), 0), 0, 0, 0, 0), -XEN_EINVAL,
              "update_descriptor into a frame not ours");
    expect_rc(HC5(update_descriptor, pt_maddr(pt_max_page - 1, 0), 0, 0, 0, 0), -XEN_EINVAL,
              "update_descriptor into hypervisor memory");
    expect_rc(HC5(update_descriptor, pt_maddr(g2, 3), D(0x0000ffff, 0x00cf9200), 0, 0, 0), 0,
              "update_descriptor into an ordinary own page");
    /* g is an ordinary page again. */
    expect_rc(pt_map(40, g, L1_FLAGS_RW), 0, "the dropped GDT frame maps RW again");
    pt_unmap(40);
    test_success();
}
