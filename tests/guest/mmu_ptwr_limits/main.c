/*
 * mmu_ptwr_limits (hostile): the ptwr emulator's edges.
 *   - Instruction length: x86 instructions are at most 15 bytes. A write
 *     into an L1 by a 15-byte instruction (12 redundant DS prefixes on a
 *     MOV) is emulated; a 16-byte one never executes (the CPU raises #GP
 *     itself) and the entry stays as it was. The decoder reads no more
 *     than 15 bytes whatever the guest's code holds.
 *   - Page end: a 3-byte MOV in the last bytes of a code page whose next
 *     page is unmapped is emulated (15 bytes cannot be read there, the 3
 *     that can are enough); the guest then faults fetching the next page.
 *   - Flags: a write the emulation refuses (the guest gets its #PF, as
 *     Xen's ptwr gives X86EMUL_UNHANDLEABLE) leaves RFLAGS as the
 *     instruction found them: OR (ZF), BTS (CF) and CMPXCHG (ZF) each
 *     with a bad new entry; the #PF frame's RFLAGS must be unchanged.
 */
#include "pt.h"

const char test_title[] = "hostile: ptwr instruction length limit, flags kept on refusal";

#define EFLAGS_CF (1UL << 0)
#define EFLAGS_ZF (1UL << 6)

/* movq %rax, (%rdi) with n DS prefixes in front (3 + n bytes). */
#define PREFIXED_MOV(n) ".rept " #n "\n\t.byte 0x3e\n\t.endr\n\t.byte 0x48, 0x89, 0x07\n\t"

/* Two exception-table entries filled in at run time (the code runs in a scratch page). */
__asm__(".pushsection ex_table, \"a\"\n\t.balign 8\n"
        ".globl edge_extable\nedge_extable: .quad 0, 0, 0, 0\n\t.popsection");
extern uint64_t edge_extable[4];
extern const char edge_refused[], edge_emulated[];

/* 1: the write was refused (#PF at the MOV), 2: emulated (#PF fetching the next page). */
static unsigned int page_end_mov(volatile uint64_t *pte, uint64_t e)
{
    int code_slot = pt_alloc_slot(), next_slot = pt_alloc_slot();
    uint64_t code_mfn = pt_free_mfn();
    uint8_t *code;
    unsigned int outcome = 0;

    if (code_slot < 0 || next_slot != code_slot - 1 || !code_mfn) {
        test_error("no scratch slots or frame for the page-end code");
        return 0;
    }
    /* Slots are handed out downwards: code_slot - 1 is below; use code at next_slot, unmapped above. */
    code = pt_slot_va((unsigned int)next_slot);
    if (pt_map((unsigned int)next_slot, code_mfn, L1_FLAGS_RW) || pt_unmap((unsigned int)code_slot)) {
        test_error("cannot map the code page");
        return 0;
    }
    memset(code, 0x90, 4096);
    code[4093] = 0x48; code[4094] = 0x89; code[4095] = 0x07;   /* movq %rax, (%rdi) */
    edge_extable[0] = (uint64_t)&code[4093];
    edge_extable[1] = (uint64_t)edge_refused;
    edge_extable[2] = (uint64_t)&code[4096];
    edge_extable[3] = (uint64_t)edge_emulated;
    __asm__ __volatile__("jmp *%1\n"
                         ".globl edge_refused\nedge_refused: movl $1, %0\n\tjmp 3f\n"
                         ".globl edge_emulated\nedge_emulated: movl $2, %0\n"
                         "3:"
                         : "+m"(outcome) : "r"(&code[4093]), "D"(pte), "a"(e) : "memory");
    edge_extable[0] = edge_extable[2] = 0;
    pt_unmap_va(code);
    pt_free_slot((unsigned int)code_slot);
    return outcome;
}

static void flags_kept(const char *what, uint64_t before, uint64_t flag, unsigned long n)
{
    if (last_trap.count == n || last_trap.vector != TRAP_page_fault)
        test_fail("%s: not refused with #PF (vector %u)", what, last_trap.vector);
    else if ((last_trap.rflags & flag) != (before & flag))
        test_fail("%s: refused, but RFLAGS %#lx in the #PF frame, had %#lx before", what,
                  (unsigned long)last_trap.rflags, (unsigned long)before);
}

void test_main(void)
{
    volatile uint64_t *sv;
    uint64_t own, unowned, e, rf;
    unsigned int k = 60;
    unsigned long n;

    if (!pt_init())
        return;
    CHECK_RC(traps_set(TRAP_gp_fault, 0), 0, "install a #GP handler");
    own = pt_free_mfn();
    unowned = pt_unowned_mfn(pt_max_page / 2);
    sv = pt_map_ro(pt_scratch_l1);
    if (!sv)
        return;

    /* 15 bytes: emulated. */
    e = (own << 12) | L1_FLAGS_RW;
    n = last_trap.count;
    __asm__ __volatile__("1: " PREFIXED_MOV(12) "2:" ASM_EXTABLE(1b, 2b)
                         :: "D"(&sv[k]), "a"(e) : "memory");
    if (last_trap.count != n)
        test_fail("15-byte MOV into the L1: vector %u, want it emulated", last_trap.vector);
    else if (PTE_MFN(sv[k]) != own)
        test_fail("15-byte MOV: entry %#lx, want mfn %#lx", (unsigned long)sv[k], (unsigned long)own);

    /* 16 bytes: #GP from the CPU, the entry unchanged. */
    n = last_trap.count;
    __asm__ __volatile__("1: " PREFIXED_MOV(13) "2:" ASM_EXTABLE(1b, 2b)
                         :: "D"(&sv[k]), "a"(0UL) : "memory");
    if (last_trap.count == n || last_trap.vector != TRAP_gp_fault)
        test_fail("16-byte MOV into the L1: vector %u (count %lu), want #GP", last_trap.vector,
                  last_trap.count - n);
    if (PTE_MFN(sv[k]) != own)
        test_fail("16-byte MOV changed the entry to %#lx", (unsigned long)sv[k]);
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, k), 0), 0, "clear the entry");

    /* A MOV in the last 3 bytes of a page, nothing mapped after it: emulated. */
    {
        unsigned int how = page_end_mov(&sv[k], e);
        if (how != 2)
            test_fail("MOV ending at a page end before an unmapped page: %s",
                      how == 1 ? "refused (#PF at the MOV), want it emulated" : "neither fault seen");
        else if (PTE_MFN(sv[k]) != own)
            test_fail("page-end MOV: entry %#lx, want mfn %#lx", (unsigned long)sv[k], (unsigned long)own);
        expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, k), 0), 0, "clear the entry");
    }

    /* OR refused: ZF set before (cmp equal), OR would clear it. */
    e = (unowned << 12) | L1_FLAGS_RW;
    n = last_trap.count;
    __asm__ __volatile__("cmp %%rax, %%rax\n\tpushfq\n\tpopq %0\n"
                         "1: lock orq %2, (%1)\n2:" ASM_EXTABLE(1b, 2b)
                         : "=&r"(rf) : "r"(&sv[k]), "r"(e) : "rax", "cc", "memory");
    flags_kept("OR of an unowned frame, ZF set", rf, EFLAGS_ZF, n);

    /* BTS refused: CF set before (stc), the old bit 0 is clear so BTS would clear CF. */
    n = last_trap.count;
    __asm__ __volatile__("stc\n\tpushfq\n\tpopq %0\n"
                         "1: lock btsq $0, (%1)\n2:" ASM_EXTABLE(1b, 2b)
                         : "=&r"(rf) : "r"(&sv[k]) : "cc", "memory");
    flags_kept("BTS making a present entry for mfn 0, CF set", rf, EFLAGS_CF, n);

    /* CMPXCHG refused: ZF clear before, the compare matches (0) so CMPXCHG would set it. */
    n = last_trap.count;
    {
        uint64_t expect = 0;
        __asm__ __volatile__("test %%rsp, %%rsp\n\tpushfq\n\tpopq %0\n"
                             "1: lock cmpxchgq %3, (%2)\n2:" ASM_EXTABLE(1b, 2b)
                             : "=&r"(rf), "+a"(expect) : "r"(&sv[k]), "r"(e) : "cc", "memory");
    }
    flags_kept("CMPXCHG installing an unowned frame, ZF clear", rf, EFLAGS_ZF, n);
    if (sv[k] != 0)
        test_fail("a refused write changed the entry to %#lx", (unsigned long)sv[k]);
    pt_unmap_va((void *)sv);
    test_success();
}
