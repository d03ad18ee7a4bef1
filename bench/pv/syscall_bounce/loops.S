/*
 * Guest user mode for the SYSCALL bounce: user_run() enters user mode with
 * the iret hypercall, the user loop ends with `int $0x81`, whose handler
 * drops the bounce frame and returns to user_run's caller with the loop's
 * TSC delta.
 */
#include "timed.h"

        .text

/* uint64_t user_run(uint64_t n, void (*fn)(void)): fn runs in guest user mode with r12 = n. */
        .globl  user_run
user_run:
        PROLOGUE
        mov     %rsp, user_run_sp(%rip)
        pushq   $FLAT_USER_SS
        lea     user_stack_top(%rip), %rax
        push    %rax
        pushq   $0x2                    /* rflags: IF clear = events stay masked */
        pushq   $FLAT_USER_CS
        push    %rsi
        pushq   $0                      /* iret flags */
        jmp     HYPERCALL_STUB(iret)

/* int $0x81 from user mode (trap DPL 3): back in guest kernel mode, rax = the delta. */
        .globl  user_exit_entry
user_exit_entry:
        mov     user_run_sp(%rip), %rsp
        EPILOGUE

/*
 * The syscall callback: Xen's frame rcx, r11, rip, cs, rflags, rsp, ss on the
 * kernel stack (stack_switch). A system call that does nothing: return to
 * user mode as Linux's sysret path does, iret with VGCF_in_syscall. 4
 * instructions plus the iret stub's 5.
 */
        .globl  syscall_entry
syscall_entry:
        pop     %rcx
        pop     %r11
        pushq   $VGCF_in_syscall
        jmp     HYPERCALL_STUB(iret)

/* User-mode loops: r12 = n; end with int $0x81 and the TSC delta in rax. */
        .globl  user_syscall
user_syscall:
        TIMED_BEGIN
1:      syscall
        dec     %r12
        jnz     1b
        TIMED_END
        int     $0x81
        ud2

        .globl  user_null
user_null:
        TIMED_BEGIN
1:      dec     %r12
        jnz     1b
        TIMED_END
        int     $0x81
        ud2

        .bss
        .balign 8
user_run_sp:
        .skip   8
        .balign 16
user_stack:
        .skip   4096
user_stack_top:
