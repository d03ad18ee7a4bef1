/*
 * ldt_ops: guest LDTs as Xen's MMUEXT_SET_LDT (pv/mm.c, pv/descriptor-tables.c,
 * pv_map_ldt_shadow_page, handle_ldt_mapping_fault):
 *  - SET_LDT records base and size; the page is checked (check_descriptor,
 *    as a GDT page) and typed when first used: ds/es loaded with TI=1
 *    selectors from a real LDT (a ring-0 data segment comes out DPL 3);
 *    not present -> #NP(sel), beyond the limit or a call gate -> #GP(sel),
 *    no LDT -> #GP(sel);
 *  - the live LDT page cannot be mapped writable or pinned; update_descriptor
 *    into it is checked; unmapping its VA drops it (it faults back in);
 *  - a page that cannot be an LDT page (a TSS descriptor, a call gate to the
 *    hypervisor's CS, a writable mapping, nothing mapped) is the guest's
 *    fault: #PF with cr2 = base + offset; beyond the canonical range #GP
 *    (offset | TI); the page stays an ordinary page;
 *  - iret to an LDT code segment (the emulator then fetches through it: an
 *    emulated mov from %cr3 works) and with an LDT stack segment; iret to a
 *    data segment, a selector beyond the limit, a not-present code segment,
 *    the call gate, a bad SS, a code segment in a bad LDT page: the fault of
 *    the return is delivered to the guest (#GP/#NP/#PF, the frame's rip and
 *    cs), as Xen's restore_all_guest exception fixup;
 *  - the domain exits with an LDT mapped (audit after).
 */
#include "pt.h"
#include "upcall.h"

const char test_title[] = "guest LDTs: SET_LDT, lazy checked pages, LDT selectors, bad pages, iret to LDT segments";

#define D(a, b)     (((uint64_t)(uint32_t)(b) << 32) | (uint32_t)(a))
#define DATA3       0x00cff2000000ffffULL
#define DATA0       0x00cf92000000ffffULL
#define CODE64      0x00affa000000ffffULL
#define DATA_NP     0x00cf72000000ffffULL
#define CODE64_NP   0x00af7a000000ffffULL
#define SEL(i)      (((i) << 3) | 7)        /* LDT, RPL 3 */
#define KSEL(i)     (((i) << 3) | 4)        /* LDT, RPL 0: iret to guest kernel mode */

static uint64_t base;       /* the good LDT's VA (scratch slot 20) */

static long set_ldt(uint64_t b, unsigned int ents)
{
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT };

    op.arg1.linear_addr = b;
    op.arg2.nr_ents = ents;
    return HC5(mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0);
}

/* Load ds (es) with sel: 0 if it loaded, else the vector (last_trap has the rest). */
static unsigned int load_ds(uint16_t sel)
{
    unsigned long n = last_trap.count;

    __asm__ __volatile__("1: mov %0, %%ds\n2:" ASM_EXTABLE(1b, 2b) :: "r"((uint32_t)sel) : "memory");
    return last_trap.count == n ? 0 : last_trap.vector + 100;
}

static uint16_t get_ds(void)
{
    uint16_t s;

    __asm__ __volatile__("mov %%ds, %0" : "=r"(s));
    return s;
}

static void want_fault(unsigned int got, unsigned int vec, uint64_t err, const char *what)
{
    if (got != vec + 100)
        test_fail("%s: %s, want vector %u", what, got ? "another vector" : "no fault", vec);
    else if (last_trap.err != err)
        test_fail("%s: error code %#lx, want %#lx", what, (unsigned long)last_trap.err, (unsigned long)err);
}

static void want_pf(unsigned int got, uint64_t cr2, const char *what)
{
    if (got != TRAP_page_fault + 100)
        test_fail("%s: %s, want #PF", what, got ? "another vector" : "no fault");
    else if (evt_vcpu->arch.cr2 != cr2)
        test_fail("%s: cr2 %#lx, want %#lx", what, (unsigned long)evt_vcpu->arch.cr2, (unsigned long)cr2);
}

/*
 * iret (the hypercall) to guest kernel mode at cs:1f with ss; there record
 * cs and ss, run an emulated mov from %cr3, iret back to the flat
 * selectors. A fault of the return resumes at probe_recover (trap_recover_rip).
 */
uint64_t probe_rsp, probe_cr3;
uint16_t probe_cs, probe_ss;
void probe_recover(void);
void iret_probe(uint64_t cs, uint64_t ss);
__asm__(".pushsection .text\n"
        "iret_probe:\n\t"
        "push %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
        "mov %rsp, probe_rsp(%rip)\n\t"
        "movw $0, probe_cs(%rip)\n\t"
        "movq $0, probe_cr3(%rip)\n\t"
        "mov %rsp, %r8\n\t"
        "lea 1f(%rip), %r9\n\t"
        "push %rsi\n\tpush %r8\n\tpushq $2\n\tpush %rdi\n\tpush %r9\n\tpushq $0\n\t"
        "jmp " HYPERCALL_STUB_ASM(iret) "\n"
        "1:\n\t"
        "mov %cs, probe_cs(%rip)\n\t"
        "mov %ss, probe_ss(%rip)\n\t"
        "xor %eax, %eax\n"
        "3:\tmov %cr3, %rax\n"
        "4:\tmov %rax, probe_cr3(%rip)\n\t"
        "mov %rsp, %r8\n\t"
        "lea probe_recover(%rip), %r9\n\t"
        "pushq $" HYPERCALL_ASM_STR(FLAT_KERNEL_SS) "\n\tpush %r8\n\tpushq $2\n\t"
        "pushq $" HYPERCALL_ASM_STR(FLAT_KERNEL_CS) " & ~3\n\tpush %r9\n\tpushq $0\n\t"
        "jmp " HYPERCALL_STUB_ASM(iret) "\n"
        ".globl probe_recover\n"
        "probe_recover:\n\t"
        "mov probe_rsp(%rip), %rsp\n\t"
        "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
        "ret\n"
        ASM_EXTABLE(3b, 4b)
        ".popsection");

/* An iret whose return must fault with vec/err, delivered at the frame's rip with its cs. */
static void iret_refused(uint64_t cs, uint64_t ss, unsigned int vec, uint64_t err, const char *what)
{
    unsigned long n = last_trap.count;

    iret_probe(cs, ss);
    if (last_trap.count == n || probe_cs) {
        test_fail("iret to %s: returned without a fault (cs %#x)", what, probe_cs);
        return;
    }
    if (last_trap.vector != vec || last_trap.err != err)
        test_fail("iret to %s: vector %u error %#lx, want %u / %#lx", what, last_trap.vector,
                  (unsigned long)last_trap.err, vec, (unsigned long)err);
    if ((last_trap.cs & 0xfffc) != (cs & 0xfffc) || (last_trap.ss & 0xffff) != (ss | 3))
        test_fail("iret to %s: the fault's frame shows %#lx:%#lx, want the iret frame's %#lx:%#lx", what,
                  (unsigned long)last_trap.cs, (unsigned long)last_trap.ss, (unsigned long)cs,
                  (unsigned long)(ss | 3));
}

/* A page holding descriptor `bad` at index 5 (and good ones at 1, 2), mapped read-only at slot; its VA. */
static uint64_t bad_page(unsigned int slot, uint64_t bad, uint64_t bad_hi, uint64_t *mfn)
{
    unsigned int idx[4] = { 1, 2, 5, 6 };
    uint64_t ent[4] = { DATA3, CODE64, bad, bad_hi };

    *mfn = pt_free_mfn();
    pt_fill(*mfn, idx, ent, 4);
    expect_rc(pt_map(slot, *mfn, L1_FLAGS_RO), 0, "map a page read-only");
    return (uint64_t)pt_slot_va(slot);
}

static void bad_pages(void)
{
    uint64_t m, b;

    b = bad_page(22, D(0x00000067, 0x0000e900), 0, &m);
    expect_rc(set_ldt(b, 16), 0, "SET_LDT of a page holding a TSS descriptor (checked when used)");
    want_pf(load_ds(SEL(1)), b + 8, "ds from an LDT page holding a TSS descriptor");
    iret_refused(KSEL(2), FLAT_KERNEL_SS, TRAP_page_fault, 0, "a code segment in that page");
    if (evt_vcpu->arch.cr2 != b + 16)
        test_fail("iret into the bad LDT page: cr2 %#lx, want %#lx", (unsigned long)evt_vcpu->arch.cr2,
                  (unsigned long)(b + 16));
    pt_unmap(22);
    expect_rc(pt_map(22, m, L1_FLAGS_RW), 0, "the refused LDT page maps RW (an ordinary page)");
    pt_unmap(22);

    b = bad_page(22, D(0xe008 << 16 | 0x1000, 0x0000ec00), 0xffffffffUL, &m);
    expect_rc(set_ldt(b, 16), 0, "SET_LDT of a page holding a call gate to the hypervisor's CS");
    want_pf(load_ds(SEL(1)), b + 8, "ds from that page");
    pt_unmap(22);

    b = bad_page(22, DATA3, 0, &m);
    pt_unmap(22);
    expect_rc(pt_map(22, m, L1_FLAGS_RW), 0, "map the good page writable");
    expect_rc(set_ldt(b, 16), 0, "SET_LDT of a page mapped writable");
    want_pf(load_ds(SEL(1)), b + 8, "ds from an LDT page mapped writable");
    pt_unmap(22);
    want_pf(load_ds(SEL(2)), b + 16, "ds from an LDT whose page is not mapped");

    /* The last page below the canonical hole: entries of the next page are beyond it. */
    expect_rc(set_ldt(0x00007ffffffff000UL, 8192), 0, "SET_LDT at the top of the lower half");
    want_pf(load_ds(SEL(1)), 0x00007ffffffff008UL, "ds from an unmapped LDT page");
    want_fault(load_ds(SEL(512)), TRAP_gp_fault, (512 << 3) | 4, "ds from beyond the canonical range");

    expect_rc(set_ldt(0, 0), 0, "SET_LDT with no entries");
    want_fault(load_ds(SEL(1)), TRAP_gp_fault, SEL(1) & ~3, "ds with an LDT selector and no LDT");
}

void test_main(void)
{
    unsigned int idx[7] = { 1, 2, 3, 4, 5, 6, 7 };
    uint64_t ent[7] = { DATA3, CODE64, DATA0, DATA_NP, CODE64_NP,
                        D(FLAT_KERNEL_CS << 16 | 0x5678, 0x1234ec00), 0xffffffffUL };
    uint64_t l, cr3;
    uint16_t ds0 = get_ds(), s;

    if (!pt_init())
        return;
    CHECK_RC(traps_set_exceptions(), 0, "trap table");
    evt_map_shared_info();
    trap_recover_rip = (uint64_t)probe_recover;
    cr3 = pt_read_cr3();

    /* Argument checks (the rest of them are in mmu_clear_copy_page). */
    expect_rc(set_ldt(0xffff830000000000UL, 1), -XEN_EINVAL, "SET_LDT in the hypervisor range");
    expect_rc(set_ldt(0x0000800000000000UL, 1), -XEN_EINVAL, "SET_LDT non-canonical");
    expect_rc(set_ldt(0x1000, 8193), -XEN_EINVAL, "SET_LDT 8193 entries");

    l = pt_free_mfn();
    pt_fill(l, idx, ent, 7);
    expect_rc(pt_map(20, l, L1_FLAGS_RO), 0, "map the LDT page read-only");
    base = (uint64_t)pt_slot_va(20);
    expect_rc(set_ldt(base, 8), 0, "SET_LDT 8 entries");

    if (load_ds(SEL(1)) || get_ds() != SEL(1))
        test_fail("loading ds with LDT data segment %#x: vector %u, ds %#x", SEL(1), last_trap.vector, get_ds());
    if (load_ds(SEL(3)))
        test_fail("loading ds with the ring-0 LDT data segment (RPL 3): vector %u", last_trap.vector);
    if (((pt_read_entry(l, 3) >> 45) & 3) != 3)
        test_fail("the LDT's ring-0 data segment was not given DPL 3: %#lx", (unsigned long)pt_read_entry(l, 3));
    if (((pt_read_entry(l, 6) >> 45) & 3) != 0)
        test_fail("the LDT's call gate was not given DPL 0: %#lx", (unsigned long)pt_read_entry(l, 6));
    __asm__ __volatile__("mov %1, %%es; mov %%es, %0" : "=r"(s) : "r"((uint32_t)SEL(1)));
    if (s != SEL(1))
        test_fail("es is %#x after loading %#x", s, SEL(1));
    want_fault(load_ds(SEL(4)), 11, SEL(4) & ~3, "ds with a not-present LDT data segment");
    want_fault(load_ds(SEL(8)), TRAP_gp_fault, SEL(8) & ~3, "ds beyond the LDT's limit (8 entries)");
    want_fault(load_ds(SEL(6)), TRAP_gp_fault, SEL(6) & ~3, "ds with the LDT's call gate");

    /* The live LDT page. */
    expect_rc(pt_map(21, l, L1_FLAGS_RW), -XEN_EBUSY, "map the live LDT page writable");
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l, 0), -XEN_EINVAL, "pin the live LDT page as an L1");
    expect_rc(HC5(update_descriptor, pt_maddr(l, 4), D(0x00000067, 0x0000e900), 0, 0, 0), -XEN_EINVAL,
              "update_descriptor of a TSS into the live LDT");
    expect_rc(HC5(update_descriptor, pt_maddr(l, 4), DATA3, 0, 0, 0), 0,
              "update_descriptor of a data segment into the live LDT");
    if (load_ds(SEL(4)))
        test_fail("ds with the updated LDT entry 4: vector %u", last_trap.vector);
    expect_rc(pt_unmap(20), 0, "unmap the live LDT's VA");
    want_pf(load_ds(SEL(1)), base + 8, "ds once the LDT's VA is unmapped");
    expect_rc(pt_map(20, l, L1_FLAGS_RO), 0, "map the LDT page again");
    if (load_ds(SEL(1)))
        test_fail("ds from the LDT mapped again: vector %u", last_trap.vector);

    /* iret to LDT segments. */
    iret_probe(KSEL(2), FLAT_KERNEL_SS);
    if (probe_cs != SEL(2))
        test_fail("iret to LDT code segment %#x: cs %#x (vector %u)", KSEL(2), probe_cs, last_trap.vector);
    else if (probe_cr3 != cr3)
        test_fail("mov from %%cr3 on the LDT code segment: %#lx, want %#lx (not emulated?)",
                  (unsigned long)probe_cr3, (unsigned long)cr3);
    iret_probe(FLAT_KERNEL_CS & ~3UL, SEL(1) & ~3);
    if (probe_ss != SEL(1))
        test_fail("iret with LDT stack segment %#x: ss %#x (vector %u)", SEL(1), probe_ss, last_trap.vector);
    iret_refused(KSEL(1), FLAT_KERNEL_SS, TRAP_gp_fault, KSEL(1), "an LDT data segment as cs");
    iret_refused(KSEL(8), FLAT_KERNEL_SS, TRAP_gp_fault, KSEL(8), "cs beyond the LDT's limit");
    iret_refused(KSEL(5), FLAT_KERNEL_SS, 11, KSEL(5), "a not-present LDT code segment");
    iret_refused(KSEL(6), FLAT_KERNEL_SS, TRAP_gp_fault, KSEL(6), "the LDT's call gate as cs");
    iret_refused(FLAT_KERNEL_CS & ~3UL, SEL(2) & ~3, TRAP_gp_fault, SEL(2) & ~3, "an LDT code segment as ss");
    iret_refused(FLAT_KERNEL_CS & ~3UL, SEL(9) & ~3, TRAP_gp_fault, SEL(9) & ~3, "ss beyond the LDT's limit");

    bad_pages();

    /* Exit with the good LDT loaded and mapped. */
    expect_rc(set_ldt(base, 8), 0, "SET_LDT the good LDT again");
    if (load_ds(SEL(1)))
        test_fail("ds from the good LDT at the end: vector %u", last_trap.vector);
    load_ds(ds0);
    test_success();
}
