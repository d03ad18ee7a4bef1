/*
 * Guest user mode for the test kernels (see usermode.h). um_enter saves
 * the kernel's callee-saved registers and stack, then irets to user mode;
 * um_leave (from the syscall callback, or traps.c's hook for an exception
 * whose frame shows user mode) restores them: um_enter then returns.
 * Top-level asm in a .c file: tests/guest/build.mk links tests/lib C files.
 */
#include "usermode.h"
#include <tandem/callback.h>

#define PTE_P   1UL
#define PTE_RW  2UL
#define PTE_US  4UL
#define PTE_A   0x20UL
#define PTE_D   0x40UL
#define PTE_NX  (1UL << 63)

static uint8_t um_kstack[16384] __attribute__((aligned(16)));
static uint8_t *um_code_va;
static struct um_regs *um_out;
/* Callee-saved registers and rsp of um_enter's caller; user register image. */
uint64_t um_saved[7];
uint64_t um_user_regs[4];               /* rax, rbx, rcx, rdx in and out */

void um_enter(uint64_t rip, uint64_t rsp, uint64_t rflags);
__attribute__((noreturn)) void um_leave(void);
extern char um_syscall_cb[];
void um_record_syscall(const uint64_t *frame);

__asm__(
    ".pushsection .text, \"ax\"\n\t"
    ".globl um_enter\n"
    "um_enter:\n\t"
    "lea um_saved(%rip), %rax\n\t"
    "mov %rbx, 0(%rax)\n\tmov %rbp, 8(%rax)\n\tmov %r12, 16(%rax)\n\tmov %r13, 24(%rax)\n\t"
    "mov %r14, 32(%rax)\n\tmov %r15, 40(%rax)\n\tmov %rsp, 48(%rax)\n\t"
    "pushq $" HYPERCALL_ASM_STR(FLAT_USER_SS) "\n\t"
    "push %rsi\n\t"                     /* rsp */
    "push %rdx\n\t"                     /* rflags */
    "pushq $" HYPERCALL_ASM_STR(FLAT_USER_CS) "\n\t"
    "push %rdi\n\t"                     /* rip */
    "pushq $0\n\t"                      /* iret flags; the stub pushes rcx, r11, rax itself */
    "lea um_user_regs(%rip), %rax\n\t"
    "mov 8(%rax), %rbx\n\tmov 16(%rax), %rcx\n\tmov 24(%rax), %rdx\n\tmov 0(%rax), %rax\n\t"
    "jmp " HYPERCALL_STUB_ASM(iret) "\n\t"
    ".globl um_leave\n"
    "um_leave:\n\t"
    "lea um_saved(%rip), %rax\n\t"
    "mov 0(%rax), %rbx\n\tmov 8(%rax), %rbp\n\tmov 16(%rax), %r12\n\tmov 24(%rax), %r13\n\t"
    "mov 32(%rax), %r14\n\tmov 40(%rax), %r15\n\tmov 48(%rax), %rsp\n\t"
    "ret\n\t"
    /* Syscall callback: rsp -> rcx, r11, rip, cs, rflags, rsp, ss; user rax, rbx, rdx live. */
    ".globl um_syscall_cb\n"
    "um_syscall_cb:\n\t"
    "push %rax\n\t"
    "lea um_user_regs(%rip), %rax\n\t"
    "mov %rbx, 8(%rax)\n\tmov %rdx, 24(%rax)\n\t"
    "pop %rbx\n\t"
    "mov %rbx, 0(%rax)\n\t"
    "mov (%rsp), %rbx\n\t"
    "mov %rbx, 16(%rax)\n\t"
    "mov %rsp, %rdi\n\t"
    "and $-16, %rsp\n\t"
    "call um_record_syscall\n\t"
    "jmp um_leave\n\t"
    ".popsection");

void um_record_syscall(const uint64_t *frame)
{
    um_out->vector = UM_SYSCALL;
    um_out->err = 0;
    um_out->rip = frame[2];
    um_out->cs = frame[3];
    um_out->rflags = frame[4];
}

/* traps.c: an exception from user mode ends the run. */
static void um_trap(unsigned int vec, bool has_err, const uint64_t *frame)
{
    const uint64_t *iret = frame + 2 + (has_err ? 1 : 0);

    um_out->vector = vec;
    um_out->err = has_err ? frame[2] : 0;
    um_out->rip = iret[0];
    um_out->cs = iret[1];
    um_out->rflags = iret[2];
    um_leave();
}

static uint64_t um_first_free_pfn(void)
{
    return (start_info->pt_base - 0xffffffff80000000UL) / PAGE_SIZE + start_info->nr_pt_frames + 1;
}

static void *pfn_va(uint64_t pfn) { return (void *)(0xffffffff80000000UL + pfn * PAGE_SIZE); }
static uint64_t pfn_ma(uint64_t pfn) { return pfn_to_mfn(pfn) * PAGE_SIZE; }

bool um_init(void)
{
    uint64_t p = um_first_free_pfn();
    uint64_t l4 = p, l3 = p + 1, l2 = p + 2, l1 = p + 3, code = p + 4, stack = p + 5;
    struct mmuext_op op;
    struct callback_register cb = { .type = CALLBACKTYPE_syscall, .flags = CALLBACKF_mask_events,
                                    .address = (uint64_t)um_syscall_cb };
    uint64_t *t;

    for (uint64_t i = l4; i <= stack; i++)
        memset(pfn_va(i), 0, PAGE_SIZE);
    ((uint64_t *)pfn_va(l4))[0] = pfn_ma(l3) | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
    ((uint64_t *)pfn_va(l3))[0] = pfn_ma(l2) | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
    ((uint64_t *)pfn_va(l2))[UM_CODE >> 21] = pfn_ma(l1) | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
    t = pfn_va(l1);
    t[(UM_CODE >> 12) & 511] = pfn_ma(code) | PTE_P | PTE_US | PTE_A;
    t[((UM_STACK_TOP - PAGE_SIZE) >> 12) & 511] = pfn_ma(stack) | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_NX;
    for (uint64_t i = l4; i <= l1; i++)
        if (HC3(update_va_mapping, pfn_va(i), pfn_ma(i) | PTE_P | PTE_US | PTE_A, UVMF_INVLPG)) {
            test_error("usermode: cannot map a table page read-only");
            return false;
        }
    op = (struct mmuext_op){ .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = pfn_to_mfn(l4) };
    if (HC4(mmuext_op, &op, 1, NULL, DOMID_SELF)) {
        test_error("usermode: cannot pin the user L4");
        return false;
    }
    op = (struct mmuext_op){ .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = pfn_to_mfn(l4) };
    if (HC4(mmuext_op, &op, 1, NULL, DOMID_SELF) ||
        HC2(stack_switch, FLAT_KERNEL_SS, um_kstack + sizeof(um_kstack)) ||
        HC2(callback_op, CALLBACKOP_register, &cb)) {
        test_error("usermode: NEW_USER_BASEPTR, stack_switch or the syscall callback refused");
        return false;
    }
    um_code_va = pfn_va(code);
    traps_user_hook = um_trap;
    return true;
}

void um_run(const void *code, size_t len, uint64_t rflags, struct um_regs *r)
{
    if (!um_code_va || len > PAGE_SIZE) {
        test_error("usermode: um_run without um_init, or code too long");
        r->vector = ~0U;
        return;
    }
    memcpy(um_code_va, code, len);
    um_out = r;
    um_user_regs[0] = r->rax;
    um_user_regs[1] = r->rbx;
    um_user_regs[2] = r->rcx;
    um_user_regs[3] = r->rdx;
    um_enter(UM_CODE, UM_STACK_TOP, rflags | X86_EFLAGS_IF);
    r->rax = um_user_regs[0];
    r->rbx = um_user_regs[1];
    r->rcx = um_user_regs[2];
    r->rdx = um_user_regs[3];
}
