/*
 * Hostile (security issue 9, item 2): SYSCALL and SYSENTER from a 32-bit
 * (compatibility-mode) code segment. The guest kernel maps a code page and a
 * stack page below 4 GiB, far-returns to FLAT_RING3_CS32 (0xe023) and runs
 *   0x400000: syscall; ud2        0x400010: sysenter; ud2
 *   0x400020: pushfd; orl $TF, (%esp); popfd; sysenter; ud2
 first from guest kernel mode (ljmp), then from guest user mode (iret to
 * 0xe023 with a user L4 that maps the same pages).
 * SYSCALL from compat mode enters through MSR_CSTAR: with CSTAR unset the
 * CPU jumps to address 0 in ring 0. As Xen: it must bounce to the syscall32
 * callback, or deliver #UD at the SYSCALL when there is none. SYSENTER must
 * bounce to the sysenter callback with Xen's null rip, or deliver #GP(0)
 * when there is none (Xen's sysenter_entry); from user mode only, since
 * SYSENTER keeps no stack pointer (from kernel mode Xen kills the domain).
 * The handlers here are bare stubs that note which one ran, with its bounce
 * frame, and jump back to 64-bit code on the saved kernel stack.
 */
#include "pt.h"
#include <tandem/callback.h>

const char test_title[] = "SYSCALL/SYSENTER from a 32-bit code segment reach the guest, not address 0";

#define CODE_VA     0x400000UL
#define STACK_TOP   0x402000UL

enum { LAND_UD = 1, LAND_GP, LAND_SYSCALL32, LAND_SYSENTER };
volatile uint64_t land_frame, land_what, saved_rsp, resume_rip;
/* m16:32 far pointer for ljmpl. (Not lretq: QEMU 7.2's TCG pops a CPL-3 far return's
 * stack with supervisor accesses, which SMAP refuses on our user pages.) */
volatile struct __attribute__((packed)) { uint32_t eip; uint16_t cs; } compat_far;
volatile uint64_t user_eip;
static uint8_t kstack[8192] __attribute__((aligned(16)));
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
    compat_far.eip = eip;
    compat_far.cs = FLAT_RING3_CS32;
    __asm__ __volatile__(
        "push %%rbp\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "mov %%rax, resume_rip(%%rip)\n\t"
        "mov %%rsp, saved_rsp(%%rip)\n\t"
        "mov %[stk], %%rsp\n\t"
        "ljmpl *compat_far(%%rip)\n"
        "1:\tpop %%rbp\n\t"
        :: [stk] "i"(STACK_TOP)
        : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
          "r12", "r13", "r14", "r15", "memory", "cc");
    return land_what;
}

/* The same from guest user mode: the iret hypercall to 0xe023:eip. */
static uint64_t run_compat_user(uint32_t eip)
{
    land_what = 0;
    user_eip = eip;
    __asm__ __volatile__(
        "push %%rbp\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "mov %%rax, resume_rip(%%rip)\n\t"
        "mov %%rsp, saved_rsp(%%rip)\n\t"
        "pushq $" HYPERCALL_ASM_STR(FLAT_USER_SS) "\n\tpushq %[stk]\n\tpushq $0x202\n\tpushq %[cs]\n\t"
        "pushq user_eip(%%rip)\n\tpushq $0\n\t"
        "jmp " HYPERCALL_STUB_ASM(iret) "\n"
        "1:\tpop %%rbp\n\t"
        :: [stk] "i"(STACK_TOP), [cs] "i"(FLAT_RING3_CS32)
        : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
          "r12", "r13", "r14", "r15", "memory", "cc");
    return land_what;
}

static uint64_t low_l3;

static bool map_low_pages(void)
{
    unsigned int idx[4] = { 0, 2, 4, 5 };
    uint64_t ent[4] = { 0x0b0f050fUL, 0x0b0f340fUL,         /* syscall; ud2 / sysenter; ud2 */
                        0x00000100240c819cUL, 0x0000000b0f340f9dUL };  /* TF, then sysenter */
    uint64_t code = pt_free_mfn(), stack = pt_free_mfn(), l1, l2, l3;

    if (!code || !stack || !pt_fill(code, idx, ent, 4) || !pt_fill(stack, idx, ent, 0))
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
    low_l3 = l3;
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

/* A user L4 mapping the low pages, and a kernel stack for bounces from user mode. */
static bool setup_user_mode(void)
{
    unsigned int idx = L4_IDX(CODE_VA);
    uint64_t ent = (low_l3 << 12) | LX_FLAGS, l4 = pt_new_table(&idx, &ent, 1);

    return l4 && expect_rc(mmuext1(MMUEXT_PIN_L4_TABLE, l4, 0), 0, "pin the user L4") &&
           expect_rc(mmuext1(MMUEXT_NEW_USER_BASEPTR, l4, 0), 0, "new user baseptr") &&
           expect_rc(HC2(stack_switch, FLAT_KERNEL_SS, (uint64_t)kstack + sizeof(kstack)), 0,
                     "stack_switch");
}

static const volatile uint64_t *frame(void) { return (const volatile uint64_t *)land_frame; }

static void user_mode_checks(void)
{
    uint64_t got;

    if (!setup_user_mode())
        return;
    check("user compat syscall, callback", run_compat_user(CODE_VA), LAND_SYSCALL32, 0, CODE_VA + 2);
    got = run_compat_user(CODE_VA + 0x10);
    if (got != LAND_GP || frame()[2] != 0)
        test_fail("user compat sysenter, no callback: landing %lu, want #GP(0)", (unsigned long)got);
    else
        printk("user compat sysenter, no callback: #GP(0), frame rip %#lx cs %#lx\n",
               (unsigned long)frame()[3], (unsigned long)frame()[4]);
    CHECK_RC(set_callback(CALLBACKTYPE_sysenter, land_sysenter), 0, "register sysenter");
    got = run_compat_user(CODE_VA + 0x10);
    if (got != LAND_SYSENTER)
        test_fail("user compat sysenter, callback: landing %lu, want %u", (unsigned long)got,
                  LAND_SYSENTER);
    else
        printk("user compat sysenter, callback: landing %lu, frame rip %#lx cs %#lx rsp %#lx\n",
               (unsigned long)got, (unsigned long)frame()[2], (unsigned long)frame()[3],
               (unsigned long)frame()[5]);
    /* SYSENTER keeps TF: the hypervisor single-steps its own entry, then the guest gets its flags. */
    got = run_compat_user(CODE_VA + 0x20);
    if (got != LAND_SYSENTER || !(frame()[4] & 0x100))
        test_fail("user compat sysenter with TF: landing %lu, rflags %#lx, want %u with TF",
                  (unsigned long)got, got ? (unsigned long)frame()[4] : 0UL, LAND_SYSENTER);
    else
        printk("user compat sysenter with TF: landing %lu, frame rflags %#lx\n",
               (unsigned long)got, (unsigned long)frame()[4]);
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
    user_mode_checks();
    test_success();
}
