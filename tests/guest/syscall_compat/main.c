/*
 * Hostile (security issue 9, item 2): SYSCALL and SYSENTER from a 32-bit
 * (compatibility-mode) code segment. The guest kernel maps a code page and a
 * stack page below 4 GiB, far-returns to FLAT_USER_CS32 (0xe023) and runs
 *   0x400000: syscall; ud2        0x400010: sysenter; ud2
 * SYSCALL from compat mode enters through MSR_CSTAR: with CSTAR unset the
 * CPU jumps to address 0 in ring 0. As Xen: it must bounce to the syscall32
 * callback, or deliver #UD at the SYSCALL when there is none. SYSENTER with
 * no sysenter callback must deliver #GP(0) (Xen's sysenter_entry).
 * The handlers here are bare stubs that note which one ran, with its bounce
 * frame, and jump back to 64-bit code on the saved kernel stack.
 */
#include "pt.h"
#include <tandem/callback.h>

const char test_title[] = "SYSCALL/SYSENTER from a 32-bit code segment reach the guest, not address 0";

#define CODE_VA     0x400000UL
#define STACK_TOP   0x402000UL
#define FLAT_USER_CS32 0xe023

enum { LAND_UD = 1, LAND_GP, LAND_SYSCALL32, LAND_SYSENTER };
volatile uint64_t land_frame, land_what, saved_rsp, resume_rip, compat_eip;
void land_ud(void), land_gp(void), land_syscall32(void), land_sysenter(void);

/* Each landing notes its kind and the guest frame address, then resumes 64-bit code. */
#define LANDING(name, n) \
    #name ":\n\tmov %rsp, land_frame(%rip)\n\tmovq $" #n ", land_what(%rip)\n\t" \
    "mov saved_rsp(%rip), %rsp\n\tjmp *resume_rip(%rip)\n"
__asm__(".pushsection .text\n"
        LANDING(land_ud, 1) LANDING(land_gp, 2) LANDING(land_syscall32, 3) LANDING(land_sysenter, 4)
        ".popsection");

/* Run 32-bit code at eip (CS 0xe023, stack below 4 GiB); returns which landing ran. */
static uint64_t run_compat(uint32_t eip)
{
    land_what = 0;
    compat_eip = eip;
    __asm__ __volatile__(
        "push %%rbp\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "mov %%rax, resume_rip(%%rip)\n\t"
        "mov %%rsp, saved_rsp(%%rip)\n\t"
        "mov %[stk], %%rsp\n\t"
        "pushq %[cs]\n\t"
        "pushq compat_eip(%%rip)\n\t"
        "lretq\n"
        "1:\tpop %%rbp\n\t"
        :: [cs] "i"(FLAT_USER_CS32), [stk] "i"(STACK_TOP)
        : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
          "r12", "r13", "r14", "r15", "memory", "cc");
    return land_what;
}

static bool map_low_pages(void)
{
    unsigned int idx[2] = { 0, 2 };
    uint64_t ent[2] = { 0x0b0f050fUL, 0x0b0f340fUL };    /* syscall; ud2 / sysenter; ud2 */
    uint64_t code = pt_free_mfn(), stack = pt_free_mfn(), l1, l2, l3;

    if (!code || !stack || !pt_fill(code, idx, ent, 2) || !pt_fill(stack, idx, ent, 0))
        return false;
    idx[0] = 0, ent[0] = (code << 12) | PTE_P | PTE_US | PTE_A;
    idx[1] = 1, ent[1] = (stack << 12) | L1_FLAGS_RW | PTE_US | PTE_NX;
    l1 = pt_new_table(idx, ent, 2);
    idx[0] = L2_IDX(CODE_VA), ent[0] = (l1 << 12) | LX_FLAGS;
    l2 = pt_new_table(idx, ent, 1);
    idx[0] = L3_IDX(CODE_VA), ent[0] = (l2 << 12) | LX_FLAGS;
    l3 = pt_new_table(idx, ent, 1);
    if (!l1 || !l2 || !l3)
        return false;
    return expect_rc(mmu_update1(pt_maddr(pt_l4, L4_IDX(CODE_VA)), (l3 << 12) | LX_FLAGS), 0,
                     "link the low L3 into L4 slot 0");
}

static long set_handlers(void)
{
    struct trap_info t[3] = {
        { .vector = TRAP_invalid_op, .cs = FLAT_KERNEL_CS, .address = (uint64_t)land_ud },
        { .vector = TRAP_gp_fault, .cs = FLAT_KERNEL_CS, .address = (uint64_t)land_gp },
        { 0 },
    };

    return HC1(set_trap_table, t);
}

static long set_callback(unsigned int type, void (*fn)(void))
{
    struct callback_register cb = { .type = type, .address = (uint64_t)fn };

    return HC2(callback_op, CALLBACKOP_register, &cb);
}

/* The bounce frame at land_frame: rcx, r11, [error], rip, cs, rflags, rsp, ss. */
static void check(const char *what, uint64_t got, uint64_t want, unsigned int err_words,
                  uint64_t want_rip)
{
    const volatile uint64_t *f = (const volatile uint64_t *)land_frame;

    if (got != want) {
        test_fail("%s: landing %lu, want %lu", what, (unsigned long)got, (unsigned long)want);
        return;
    }
    printk("%s: landing %lu, frame rcx %#lx rip %#lx cs %#lx%s%s\n", what, (unsigned long)got,
           (unsigned long)f[0], (unsigned long)f[2 + err_words], (unsigned long)f[3 + err_words],
           err_words ? " error " : "", err_words ? (f[2] ? "nonzero" : "0") : "");
    if (f[2 + err_words] != want_rip)
        test_fail("%s: frame rip %#lx, want %#lx", what, (unsigned long)f[2 + err_words],
                  (unsigned long)want_rip);
    if (err_words && f[2])
        test_fail("%s: error code %#lx, want 0", what, (unsigned long)f[2]);
}

void test_main(void)
{
    if (!pt_init() || !map_low_pages())
        return;
    CHECK_RC(set_handlers(), 0, "set_trap_table");

    /* No syscall32 callback: #UD pointing at the SYSCALL. */
    check("compat syscall, no callback", run_compat(CODE_VA), LAND_UD, 0, CODE_VA);
    /* With one: the callback, rcx = the instruction after SYSCALL. */
    CHECK_RC(set_callback(CALLBACKTYPE_syscall32, land_syscall32), 0, "register syscall32");
    check("compat syscall, callback", run_compat(CODE_VA), LAND_SYSCALL32, 0, CODE_VA + 2);
    if (land_what == LAND_SYSCALL32 && ((const volatile uint64_t *)land_frame)[0] != CODE_VA + 2)
        test_fail("syscall32 frame rcx %#lx, want %#lx",
                  (unsigned long)((const volatile uint64_t *)land_frame)[0], CODE_VA + 2);
    /* SYSENTER, no sysenter callback: #GP(0), as Xen. */
    {
        uint64_t got = run_compat(CODE_VA + 0x10);
        const volatile uint64_t *f = (const volatile uint64_t *)land_frame;
        if (got != LAND_GP || f[2] != 0)
            test_fail("compat sysenter, no callback: landing %lu error %#lx, want #GP(0)",
                      (unsigned long)got, got ? (unsigned long)f[2] : 0UL);
        else
            printk("compat sysenter, no callback: #GP(0), frame rip %#lx\n", (unsigned long)f[3]);
    }
    test_success();
}
