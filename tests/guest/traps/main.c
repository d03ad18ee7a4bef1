/*
 * traps: set_trap_table and Xen's bounce frame. Each exception reaches the
 * registered handler with rcx, r11, [error code], rip, cs (RPL 0 = kernel
 * context, saved upcall mask in bits 32-39), rflags, rsp, ss; `int n` obeys
 * the virtual DPL; int $0x80 without an entry is #GP(0x402) at the int.
 */
#include "traps.h"

const char test_title[] = "set_trap_table, exception delivery and the bounce frame";

/* Runs `setup` then `insn` with rcx/r11 preset; the handler resumes after insn. */
static uint64_t rcx_after, r11_after;
#define RUN(setup, insn, fault_va, sp) \
    __asm__ __volatile__("mov $0x1111, %%rcx; mov $0x2222, %%r11\n" setup \
                         "\nlea 1f(%%rip), %0; mov %%rsp, %1\n1: " insn "\n2:" ASM_EXTABLE(1b, 2b) \
                         "mov %%rcx, %2; mov %%r11, %3" \
                         : "=&r"(fault_va), "=&r"(sp), "=m"(rcx_after), "=m"(r11_after) \
                         :: "rax", "rdx", "rcx", "r11", "r8", "memory")

static void check(const char *what, unsigned long before, unsigned int vec, long err,
                  uint64_t rip, uint64_t sp)
{
    volatile struct trap_record *t = &last_trap;
    unsigned int words = 7 + (err >= 0);

    if (t->count != before + 1) {
        test_fail("%s: no exception delivered", what);
        return;
    }
    if (t->vector != vec)
        test_fail("%s: vector %u, want %u", what, t->vector, vec);
    if (err >= 0 && (!t->has_err || t->err != (uint64_t)err))
        test_fail("%s: error code %#lx, want %#lx", what, (unsigned long)t->err, err);
    if (t->rip != rip)
        test_fail("%s: frame rip %#lx, want %#lx", what, (unsigned long)t->rip, (unsigned long)rip);
    if (t->rcx != 0x1111 || t->r11 != 0x2222)
        test_fail("%s: rcx/r11 on top of the frame %#lx/%#lx", what,
                  (unsigned long)t->rcx, (unsigned long)t->r11);
    if (rcx_after != 0x1111 || r11_after != 0x2222)
        test_fail("%s: iret did not restore rcx/r11 (%#lx/%#lx)", what,
                  (unsigned long)rcx_after, (unsigned long)r11_after);
    if ((t->cs & 0xffff) != (FLAT_KERNEL_CS & ~3))
        test_fail("%s: frame cs %#lx, want %#x (RPL 0: kernel context)", what,
                  (unsigned long)t->cs, FLAT_KERNEL_CS & ~3);
    if (((t->cs >> 32) & 0xff) != !(t->rflags & X86_EFLAGS_IF))
        test_fail("%s: saved upcall mask %lu disagrees with rflags.IF", what,
                  (unsigned long)((t->cs >> 32) & 0xff));
    if (t->rsp != sp || t->ss != FLAT_KERNEL_SS)
        test_fail("%s: frame rsp/ss %#lx/%#lx, want %#lx/%#x", what, (unsigned long)t->rsp,
                  (unsigned long)t->ss, (unsigned long)sp, FLAT_KERNEL_SS);
    if ((t->frame + 8 * words) & 15)
        test_fail("%s: frame not built down from a 16-byte aligned base", what);
    if (t->handler_cs != FLAT_KERNEL_CS || t->handler_ss != FLAT_KERNEL_SS)
        test_fail("%s: handler ran with cs/ss %#x/%#x", what, t->handler_cs, t->handler_ss);
}

void test_main(void)
{
    uint64_t va, sp;
    unsigned long n;
    struct trap_info bad[2] = { { .vector = 0x81, .flags = 3, .cs = FLAT_KERNEL_CS,
                                  .address = 0x0000800000000000UL }, { 0 } };

    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");
    CHECK_RC(traps_set(0x81, 3), 0, "set_trap_table(0x81, DPL 3)");
    CHECK_RC(traps_set(0x82, 0), 0, "set_trap_table(0x82, DPL 0)");

    n = last_trap.count;
    RUN("xor %%edx, %%edx; mov $1, %%eax; xor %%r8d, %%r8d", "div %%r8d", va, sp);
    check("#DE (div by 0)", n, TRAP_divide_error, -1, va, sp);

    n = last_trap.count;
    RUN("", "ud2", va, sp);
    check("#UD (ud2)", n, TRAP_invalid_op, -1, va, sp);

    n = last_trap.count;
    RUN("movabs $0x8000000000000000, %%rax", "mov (%%rax), %%rax", va, sp);
    check("#GP (non-canonical load)", n, TRAP_gp_fault, 0, va, sp);

    n = last_trap.count;
    RUN("mov $0x1000, %%eax", "mov (%%rax), %%rax", va, sp);
    check("#PF (read of unmapped 0x1000)", n, TRAP_page_fault, 0, va, sp);

    n = last_trap.count;
    RUN("mov $0x1000, %%eax", "movq $0, (%%rax)", va, sp);
    check("#PF (write to unmapped 0x1000)", n, TRAP_page_fault, PFEC_write, va, sp);

    n = last_trap.count;
    RUN("", "int3", va, sp);
    check("#BP (int3): rip after the instruction", n, TRAP_int3, -1, va + 1, sp);

    n = last_trap.count;
    RUN("", "int $0x81", va, sp);
    check("int $0x81 (DPL 3): rip after the instruction", n, 0x81, -1, va + 2, sp);

    n = last_trap.count;
    RUN("", "int $0x82", va, sp);
    check("int $0x82 (DPL 0): #GP((0x82<<3)|2) at the int", n, TRAP_gp_fault, (0x82 << 3) | 2, va, sp);

    n = last_trap.count;
    RUN("", "int $0x83", va, sp);
    check("int $0x83 (no entry): #GP((0x83<<3)|2) at the int", n, TRAP_gp_fault, (0x83 << 3) | 2, va, sp);

    n = last_trap.count;
    RUN("", "int $0x80", va, sp);
    check("int $0x80 (no entry): #GP(0x402) at the int", n, TRAP_gp_fault, 0x402, va, sp);

    CHECK_RC(traps_set(0x80, 3), 0, "set_trap_table(0x80, DPL 3)");
    n = last_trap.count;
    RUN("", "int $0x80", va, sp);
    check("int $0x80 (DPL 3 entry): delivered directly", n, 0x80, -1, va + 2, sp);

    /* NULL clears every entry; then only #GP is back, so int $0x81 (now DPL 0) is #GP. */
    CHECK_RC(HC1(set_trap_table, NULL), 0, "set_trap_table(NULL)");
    CHECK_RC(traps_set(TRAP_gp_fault, 0), 0, "set_trap_table(#GP) after clearing");
    n = last_trap.count;
    RUN("", "int $0x81", va, sp);
    check("int $0x81 after set_trap_table(NULL)", n, TRAP_gp_fault, (0x81 << 3) | 2, va, sp);

    CHECK_RC(HC1(set_trap_table, bad), -XEN_EINVAL, "set_trap_table with a non-canonical handler");
    CHECK_RC(HC1(set_trap_table, 0x1000), -XEN_EFAULT, "set_trap_table from an unmapped table");
    CHECK_RC(HC1(set_trap_table, HYPERVISOR_VIRT_START), -XEN_EFAULT,
             "set_trap_table from the hypervisor range");

    /* set_trap_table only overwrites the entries it is given: #GP is still ours. */
    CHECK_RC(traps_set(TRAP_invalid_op, 0), 0, "set_trap_table(#UD)");
    n = last_trap.count;
    RUN("", "int $0x84", va, sp);
    check("#GP handler kept across a later set_trap_table", n, TRAP_gp_fault, (0x84 << 3) | 2, va, sp);
    test_success();
}
