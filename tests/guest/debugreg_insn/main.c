/*
 * debugreg_insn: `mov` to and from %dr0-%dr7 by the guest kernel, emulated
 * as Xen's x86emul_read_dr/x86emul_write_dr (xen/arch/x86/x86_emulate.c):
 * the values and checks of set_debugreg, refusals as #GP(0), DR8-15 as #UD,
 * DR4/DR5 as DR6/DR7, the mod field ignored as on hardware. Then the
 * guest's breakpoints fire in the guest as #DB bounces, and DR6 tells which
 * (Xen's x86_merge_dr6: B0-B3 replaced, BS accumulated). From guest user
 * mode the same instructions are #GP(0), as on hardware at CPL 3.
 */
#include "usermode.h"

const char test_title[] = "mov to/from debug registers and guest #DB with DR6";

#define DR6_RESET   0xffff0ff0UL
#define DR7_RESET   0x400UL
#define DR7_EN(n)   (1UL << (2 * (n)))                  /* Ln */
#define DR7_RW(n, rw, len) (((unsigned long)(rw) << (16 + 4 * (n))) | ((unsigned long)(len) << (18 + 4 * (n))))

/* Each returns the vector it raised, or -1 when it completed. */
#define MOV_TO_DR(n, val) ({                                                   \
    unsigned long _c = last_trap.count;                                     \
    __asm__ __volatile__("1: mov %0, %%dr" #n "\n2:\n" ASM_EXTABLE(1b, 2b)    \
                         :: "r"((uint64_t)(val)) : "memory");               \
    last_trap.count != _c ? (long)last_trap.vector : -1L; })
#define MOV_FROM_DR(n, out) ({                                                 \
    unsigned long _c = last_trap.count;                                     \
    uint64_t _v = 0xdeadUL;                                                 \
    __asm__ __volatile__("1: mov %%dr" #n ", %0\n2:\n" ASM_EXTABLE(1b, 2b)    \
                         : "+r"(_v) :: "memory");                           \
    (out) = _v;                                                             \
    last_trap.count != _c ? (long)last_trap.vector : -1L; })

static volatile uint64_t watched[4];

static uint64_t read_dr(unsigned int n)
{
    uint64_t v = 0;
    long r = -2;

    switch (n) {
    case 0: r = MOV_FROM_DR(0, v); break;
    case 1: r = MOV_FROM_DR(1, v); break;
    case 2: r = MOV_FROM_DR(2, v); break;
    case 3: r = MOV_FROM_DR(3, v); break;
    case 4: r = MOV_FROM_DR(4, v); break;
    case 5: r = MOV_FROM_DR(5, v); break;
    case 6: r = MOV_FROM_DR(6, v); break;
    case 7: r = MOV_FROM_DR(7, v); break;
    }
    if (r != -1)
        test_fail("mov %%dr%u, reg: vector %ld, want no fault", n, r);
    return v;
}

static void check_gp(long vec, const char *what)
{
    if (vec != TRAP_gp_fault || last_trap.err != 0)
        test_fail("%s: vector %ld error %#lx, want #GP(0)", what, vec, (unsigned long)last_trap.err);
}

static void values(void)
{
    uint64_t a, b;

    CHECK_RC(read_dr(6), DR6_RESET, "mov %dr6 at start");
    CHECK_RC(read_dr(7), DR7_RESET, "mov %dr7 at start");
    CHECK_RC(MOV_TO_DR(0, &watched[0]), -1, "mov to %dr0");
    CHECK_RC(MOV_TO_DR(1, &watched[1]), -1, "mov to %dr1");
    CHECK_RC(MOV_TO_DR(2, &watched[2]), -1, "mov to %dr2");
    CHECK_RC(MOV_TO_DR(3, 0x00007ffffffff000UL), -1, "mov to %dr3 (top of the lower half)");
    for (unsigned int n = 0; n < 3; n++) {
        CHECK_RC(read_dr(n), (long)&watched[n], "mov from %dr0-2 returns what was written");
        CHECK_RC(HC1(get_debugreg, n), (long)&watched[n], "get_debugreg sees the instruction's write");
    }
    CHECK_RC(read_dr(3), 0x00007ffffffff000L, "mov from %dr3");
    /* REX.B: mov %r9, %dr1; mov %dr1, %r10. */
    __asm__ __volatile__("mov %2, %%r9\n\t.byte 0x41, 0x0f, 0x23, 0xc9\n\t.byte 0x41, 0x0f, 0x21, 0xca\n\tmov %%r10, %0\n\tmov %%r9, %1"
                         : "=r"(a), "=r"(b) : "r"(0x1234000UL) : "r9", "r10", "memory");
    CHECK_RC(a, 0x1234000, "mov %r9, %dr1; mov %dr1, %r10");
    CHECK_RC(HC1(get_debugreg, 1), 0x1234000, "get_debugreg(1) after mov %r9, %dr1");
    /* ModRM mod != 3 (0f 21 00): still mov %dr0, %rax, as the CPU decodes it. */
    __asm__ __volatile__(".byte 0x0f, 0x21, 0x00" : "=a"(a) :: "memory");
    CHECK_RC(a, (long)&watched[0], "mov %dr0, %rax encoded with mod 0");

    CHECK_RC(MOV_TO_DR(6, 0), -1, "mov 0 to %dr6");
    CHECK_RC(read_dr(6), DR6_RESET, "DR6 reserved-one bits read as one");
    CHECK_RC(MOV_TO_DR(7, (1U << 12) | (1U << 14) | (1U << 15)), -1, "mov to %dr7 (reserved bits)");
    CHECK_RC(read_dr(7), DR7_RESET, "DR7 reserved bits cleared");
    CHECK_RC(MOV_TO_DR(4, 0x1), -1, "mov to %dr4 (DR6)");
    CHECK_RC(read_dr(6), DR6_RESET | 1, "DR6 after writing DR4");
    CHECK_RC(read_dr(4), DR6_RESET | 1, "mov from %dr4 (DR6)");
    CHECK_RC(MOV_TO_DR(5, 0x2), -1, "mov to %dr5 (DR7)");
    CHECK_RC(read_dr(7), DR7_RESET | 2, "DR7 after writing DR5");
    CHECK_RC(read_dr(5), DR7_RESET | 2, "mov from %dr5 (DR7)");
    CHECK_RC(MOV_TO_DR(7, 0), -1, "mov 0 to %dr7");
    CHECK_RC(MOV_TO_DR(6, DR6_RESET), -1, "mov to %dr6 (reset)");
}

static void refusals(void)
{
    uint64_t v;

    check_gp(MOV_TO_DR(0, HYPERVISOR_VIRT_START + 0x2d080200000UL), "mov hypervisor address to %dr0");
    check_gp(MOV_TO_DR(3, 0x0000800000000000UL), "mov non-canonical address to %dr3");
    CHECK_RC(read_dr(0), (long)&watched[0], "%dr0 unchanged by a refused write");
    check_gp(MOV_TO_DR(6, 1UL << 32), "mov to %dr6 with the upper half set");
    check_gp(MOV_TO_DR(7, 1UL << 32), "mov to %dr7 with the upper half set");
    check_gp(MOV_TO_DR(7, 1U << 13), "mov to %dr7 with GD");
    check_gp(MOV_TO_DR(7, DR7_EN(0) | DR7_RW(0, 2, 0)), "mov to %dr7: I/O breakpoint without CR4.DE");
    CHECK_RC(read_dr(7), DR7_RESET, "%dr7 unchanged by refused writes");
    CHECK_RC(read_dr(6), DR6_RESET, "%dr6 unchanged by refused writes");

    /* DR8: REX.R. mov %rax, %dr8 and mov %dr8, %rax are #UD (Xen: -ENODEV / read_dr default). */
    unsigned long c = last_trap.count;
    __asm__ __volatile__("1: .byte 0x44, 0x0f, 0x23, 0xc0\n2:\n" ASM_EXTABLE(1b, 2b) :: "a"(0UL) : "memory");
    if (last_trap.count == c || last_trap.vector != TRAP_invalid_op)
        test_fail("mov %%rax, %%dr8: want #UD, got %s %u", last_trap.count == c ? "nothing" : "vector",
                  last_trap.vector);
    c = last_trap.count;
    __asm__ __volatile__("1: .byte 0x44, 0x0f, 0x21, 0xc0\n2:\n" ASM_EXTABLE(1b, 2b) : "=a"(v) :: "memory");
    if (last_trap.count == c || last_trap.vector != TRAP_invalid_op)
        test_fail("mov %%dr8, %%rax: want #UD");
}

/* Data breakpoints: a write to a watched word is a trap after the store, B<n> in DR6. */
static void data_breakpoints(void)
{
    unsigned long c = last_trap.count;

    CHECK_RC(MOV_TO_DR(0, &watched[0]), -1, "dr0 = &watched[0]");
    CHECK_RC(MOV_TO_DR(1, &watched[1]), -1, "dr1 = &watched[1]");
    CHECK_RC(MOV_TO_DR(7, DR7_EN(0) | DR7_EN(1) | DR7_RW(0, 1, 3) | DR7_RW(1, 1, 3)), -1,
             "dr7: L0, L1, write, 8 bytes");
    __asm__ __volatile__("movq $1, %0\n1:\n" ASM_EXTABLE(1b, 1b) : "=m"(watched[0]) :: "memory");
    if (last_trap.count != c + 1 || last_trap.vector != 1)
        test_fail("write to watched[0]: %lu traps, vector %u, want one #DB", last_trap.count - c,
                  last_trap.vector);
    CHECK_RC(read_dr(6), DR6_RESET | 1, "DR6 after breakpoint 0 (B0)");
    CHECK_RC(HC1(get_debugreg, 6), DR6_RESET | 1, "get_debugreg(6) after breakpoint 0");
    /* B0-B3 are replaced by the next hit, not accumulated. */
    __asm__ __volatile__("movq $2, %0\n1:\n" ASM_EXTABLE(1b, 1b) : "=m"(watched[1]) :: "memory");
    CHECK_RC(last_trap.count, c + 2, "write to watched[1] raised a second #DB");
    CHECK_RC(read_dr(6), DR6_RESET | 2, "DR6 after breakpoint 1 (B1 only)");
    /* A read does not match a write breakpoint. */
    (void)watched[0];
    CHECK_RC(last_trap.count, c + 2, "read of a write-watched word: no #DB");
    CHECK_RC(MOV_TO_DR(7, 0), -1, "clear dr7");
    watched[0] = 3;
    CHECK_RC(last_trap.count, c + 2, "write after clearing dr7: no #DB");
    CHECK_RC(MOV_TO_DR(6, DR6_RESET), -1, "clear dr6");
    printk("debugreg_insn: data breakpoints B0 and B1 reported\n");
}

/* An instruction breakpoint is a fault at the instruction; the fixup skips it. */
static void insn_breakpoint(void)
{
    extern char bp_target[];
    unsigned long c = last_trap.count;

    CHECK_RC(MOV_TO_DR(2, bp_target), -1, "dr2 = instruction address");
    CHECK_RC(MOV_TO_DR(7, DR7_EN(2) | DR7_RW(2, 0, 0)), -1, "dr7: L2, execute");
    __asm__ __volatile__("bp_target: nop\n2:\n" ASM_EXTABLE(bp_target, 2b) ::: "memory");
    CHECK_RC(MOV_TO_DR(7, 0), -1, "clear dr7");
    if (last_trap.count != c + 1 || last_trap.vector != 1 || last_trap.rip != (uint64_t)bp_target)
        test_fail("instruction breakpoint: %lu traps, vector %u at %#lx, want #DB at %p", last_trap.count - c,
                  last_trap.vector, (unsigned long)last_trap.rip, bp_target);
    CHECK_RC(read_dr(6), DR6_RESET | 4, "DR6 after breakpoint 2 (B2)");
    CHECK_RC(MOV_TO_DR(6, DR6_RESET), -1, "clear dr6");
}

/* Single steps set BS (bit 14), which stays until the guest clears it. */
static void single_step(void)
{
    unsigned long c = last_trap.count;

    __asm__ __volatile__(
        "pushf\n\torq $0x100, (%%rsp)\n\tpopf\n"
        "11:\tnop\n"
        "12:\tpushf\n"
        "13:\tandq $~0x100, (%%rsp)\n"
        "14:\tpopf\n"
        "15:\n"
        ASM_EXTABLE(12b, 12b) ASM_EXTABLE(13b, 13b) ASM_EXTABLE(14b, 14b) ASM_EXTABLE(15b, 15b)
        ::: "memory", "cc");
    if (last_trap.count - c < 3 || last_trap.vector != 1)
        test_fail("single steps: %lu traps, want at least 3 #DB", last_trap.count - c);
    CHECK_RC(read_dr(6), DR6_RESET | (1UL << 14), "DR6 after single steps (BS)");
    CHECK_RC(MOV_TO_DR(6, DR6_RESET), -1, "clear dr6");

    /* An emulated instruction is stepped too: #DB right after it (4 traps, not 3). */
    c = last_trap.count;
    __asm__ __volatile__(
        "pushf\n\torq $0x100, (%%rsp)\n\tpopf\n"
        "21:\tmov %%dr7, %%rax\n"
        "22:\tpushf\n"
        "23:\tandq $~0x100, (%%rsp)\n"
        "24:\tpopf\n"
        "25:\n"
        ASM_EXTABLE(22b, 22b) ASM_EXTABLE(23b, 23b) ASM_EXTABLE(24b, 24b) ASM_EXTABLE(25b, 25b)
        ::: "rax", "memory", "cc");
    CHECK_RC(last_trap.count - c, 4, "single steps over an emulated mov %dr7 (one right after it)");
    CHECK_RC(read_dr(6), DR6_RESET | (1UL << 14), "DR6 after stepping an emulated instruction (BS)");
    CHECK_RC(MOV_TO_DR(6, DR6_RESET), -1, "clear dr6");
    CHECK_RC(HC1(get_debugreg, 6), DR6_RESET, "get_debugreg(6) after clearing by mov");
}

/* Guest user mode is CPL 3: mov to or from a debug register is #GP(0), nothing changes. */
static void user_mode(void)
{
    static const uint8_t u_read[] = { 0x0f, 0x21, 0xc0, 0x0f, 0x05 };      /* mov %dr0, %rax; syscall */
    static const uint8_t u_write[] = { 0x0f, 0x23, 0xf8, 0x0f, 0x05 };     /* mov %rax, %dr7; syscall */
    struct um_regs r;

    if (!um_init())
        return;
    memset(&r, 0, sizeof(r));
    um_run(u_read, sizeof(u_read), 0, &r);
    if (r.vector != TRAP_gp_fault || r.err != 0 || r.rip != UM_CODE)
        test_fail("user mov %%dr0, %%rax: vector %#x err %#lx at %#lx, want #GP(0)", r.vector,
                  (unsigned long)r.err, (unsigned long)r.rip);
    memset(&r, 0, sizeof(r));
    r.rax = DR7_EN(0) | DR7_RW(0, 1, 3);
    um_run(u_write, sizeof(u_write), 0, &r);
    if (r.vector != TRAP_gp_fault || r.err != 0)
        test_fail("user mov %%rax, %%dr7: vector %#x err %#lx, want #GP(0)", r.vector, (unsigned long)r.err);
    CHECK_RC(read_dr(7), DR7_RESET, "%dr7 unchanged by user mode's attempt");
}

void test_main(void)
{
    CHECK_RC(traps_set_exceptions(), 0, "install exception handlers");
    values();
    refusals();
    data_breakpoints();
    insn_breakpoint();
    single_step();
    user_mode();
    test_success();
}
