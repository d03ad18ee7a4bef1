/*
 * user_syscall: entering guest user mode and coming back.
 *   run_user(rip, rsp)  iret to user mode (CS RPL 3) at rip/rsp; returns
 *                       when a handler below gives up on user mode
 *   syscall_cb          CALLBACKTYPE_syscall: records the bounce frame and
 *                       rax (cb_record), then either resumes user mode
 *                       with rax = cb_record's result (iret, VGCF_in_syscall)
 *                       or returns from run_user (result 0)
 *   trap_6, trap_14     #UD and #PF: record the frame, return from run_user
 * Handlers run on the stack_switch stack, in guest kernel mode: they can
 * reach this kernel's code and data, which the user L4 does not map.
 */
#include <tandem/xen.h>

#define HYPERCALL_IRET (__HYPERVISOR_iret * HYPERCALL_STUB_SIZE)

        .bss
        .balign 8
saved_ksp:
        .quad   0

        .text
        .globl  run_user
run_user:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, saved_ksp(%rip)
        pushq   $FLAT_USER_SS           /* ss */
        push    %rsi                    /* rsp */
        pushq   $0x202                  /* rflags: IF, events on in user mode */
        pushq   $FLAT_USER_CS           /* cs: RPL 3 = guest user mode */
        push    %rdi                    /* rip */
        pushq   $0                      /* iret flags */
        jmp     hypercall_page + HYPERCALL_IRET

back_to_kernel:
        mov     saved_ksp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret

/* rsp -> rcx, r11, rip, cs, rflags, rsp, ss; rax = what user mode put there. */
        .globl  syscall_cb
syscall_cb:
        mov     %rsp, %rdi
        mov     %rax, %rsi
        mov     %rsp, %rbx
        and     $-16, %rsp
        call    cb_record
        mov     %rbx, %rsp
        test    %rax, %rax
        jz      back_to_kernel
        pop     %rcx
        pop     %r11
        pushq   $VGCF_in_syscall
        jmp     hypercall_page + HYPERCALL_IRET

/* trap_record(frame, vector, has_error_code) */
        .globl  trap_6
trap_6:
        mov     %rsp, %rdi
        mov     $6, %esi
        xor     %edx, %edx
        and     $-16, %rsp
        call    trap_record
        jmp     back_to_kernel

        .globl  trap_14
trap_14:
        mov     %rsp, %rdi
        mov     $14, %esi
        mov     $1, %edx
        and     $-16, %rsp
        call    trap_record
        jmp     back_to_kernel
