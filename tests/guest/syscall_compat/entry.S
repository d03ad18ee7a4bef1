/*
 * syscall_compat: entering guest user mode in 32-bit code and coming back.
 *   run_user32(rip, rsp)  iret to user mode with CS 0xe023 (32-bit code, RPL 3)
 *   syscall32_cb          CALLBACKTYPE_syscall32 (and _syscall): records the
 *                         bounce frame (cb_record), returns from run_user32
 *   trap_6, trap_13, trap_14  record the frame, return from run_user32
 * Handlers run on the stack_switch stack, in guest kernel mode.
 */
#define HYPERCALL_IRET (23 * 32)

        .bss
        .balign 8
saved_ksp:
        .quad   0

        .text
        .globl  run_user32
run_user32:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, saved_ksp(%rip)
        pushq   $0xe02b                 /* ss */
        push    %rsi                    /* rsp */
        pushq   $0x202                  /* rflags */
        pushq   $0xe023                 /* cs: 32-bit user code */
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

/* rsp -> rcx, r11, rip, cs, rflags, rsp, ss. */
        .globl  syscall32_cb
syscall32_cb:
        mov     %rsp, %rdi
        mov     $0x100, %esi
        xor     %edx, %edx
        and     $-16, %rsp
        call    trap_record
        jmp     back_to_kernel

.macro TRAP vec, err
        .globl  trap_\vec
trap_\vec:
        mov     %rsp, %rdi
        mov     $\vec, %esi
        mov     $\err, %edx
        and     $-16, %rsp
        call    trap_record
        jmp     back_to_kernel
.endm
        TRAP    6, 0
        TRAP    13, 1
        TRAP    14, 1
