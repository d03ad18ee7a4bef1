/*
 * Guest kernel entry points for Xen's bounce frames. On entry the stack holds
 *   rcx, r11, [error code], rip, cs, rflags, rsp, ss
 * (lowest first). We restore rcx/r11, save every register, call C, and
 * return with the iret hypercall (push flags=0, jump to the iret stub).
 */
#include <tandem/xen.h>

#define HYPERCALL_IRET (__HYPERVISOR_iret * HYPERCALL_STUB_SIZE)

.macro SAVE_GPRS
        push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp
        push %r8;  push %r9;  push %r10; push %r11; push %r12; push %r13; push %r14; push %r15
.endm
.macro RESTORE_GPRS
        pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9
        pop %r8;  pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax
.endm

.macro EXC vec, has_err
        .globl exc_\vec
exc_\vec:
        pop     %rcx
        pop     %r11
.if \has_err == 0
        pushq   $0
.endif
        pushq   $\vec
        jmp     exc_common
.endm

        .text
EXC 0, 0
EXC 1, 0
EXC 3, 0
EXC 4, 0
EXC 5, 0
EXC 6, 0
EXC 7, 0
EXC 8, 1
EXC 10, 1
EXC 11, 1
EXC 12, 1
EXC 13, 1
EXC 14, 1
EXC 16, 0
EXC 17, 1
EXC 19, 0

/* stack: vector, error, rip, cs, rflags, rsp, ss */
exc_common:
        SAVE_GPRS
        mov     %rsp, %rdi              /* struct trap_frame * */
        call    do_exception
        RESTORE_GPRS
        add     $16, %rsp               /* vector, error */
        pushq   $0                      /* iret flags */
        jmp     hypercall_page + HYPERCALL_IRET

/* Event upcall: stack rcx, r11, rip, cs, rflags, rsp, ss. Events are masked. */
        .globl hypervisor_callback
hypervisor_callback:
        pop     %rcx
        pop     %r11
        pushq   $0
        pushq   $-1
        SAVE_GPRS
        mov     %rsp, %rdi
        call    do_upcall
        RESTORE_GPRS
        add     $16, %rsp
        pushq   $0
        jmp     hypercall_page + HYPERCALL_IRET

/*
 * SYSCALL from guest user mode (CALLBACKTYPE_syscall, registered with
 * CALLBACKF_mask_events): the hypervisor switched to kernel mode and wrote
 * rcx, r11, rip, cs, rflags, rsp, ss on the stack_switch stack, the top of
 * the process's kernel stack. rax = system call number. The trap frame is
 * the same as an exception's, vector 0x100.
 */
        .globl syscall_callback
syscall_callback:
        pop     %rcx
        pop     %r11
        pushq   $0
        pushq   $0x100
        SAVE_GPRS
        mov     %rsp, %rdi
        call    do_syscall
        RESTORE_GPRS
        add     $16, %rsp
        pushq   $0                      /* iret flags: rcx and r11 from the frame too */
        jmp     hypercall_page + HYPERCALL_IRET

/* enter_user(struct trap_frame *f): load f (a user frame at the kernel stack top) and iret to it. */
        .globl enter_user
enter_user:
        mov     %rdi, %rsp
        RESTORE_GPRS
        add     $16, %rsp
        pushq   $0
        jmp     hypercall_page + HYPERCALL_IRET

        .globl failsafe_callback
failsafe_callback:
        pop     %rcx
        pop     %r11
        call    do_failsafe
        ud2

/* switch_stack(&prev_sp, next_sp): callee-saved registers stay on each stack. */
        .globl switch_stack
switch_stack:
        push    %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15
        mov     %rsp, (%rdi)
        mov     %rsi, %rsp
        pop     %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp
        ret

/* First run of a thread: rbx = entry function. */
        .globl thread_trampoline
thread_trampoline:
        call    thread_start
        ud2
