/*
 * Every way into the hypervisor: exceptions and interrupts (IDT stubs), and
 * SYSCALL from guest mode. Each builds a struct cpu_user_regs and calls C.
 * Hypervisor code runs with interrupts off except in the idle loop.
 * All returns to a guest go through return_to_guest, which handles pending
 * work (scheduling, event upcalls) before restoring the frame.
 */
#include "config.h"

#define REGS_ENTRY_OFF  120
#define REGS_RIP_OFF    128
#define REGS_CS_OFF     136
#define ENTRY_SYSCALL   0x100

.macro SAVE_ALL
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
.endm

.macro RESTORE_ALL
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
.endm

        .section .text.entry, "ax"

/* IDT stubs: 16 bytes apart, vector i at idt_stubs + 16 * i. */
        .align 16
        .globl idt_stubs
idt_stubs:
vec = 0
.rept 256
        .align 16
.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        movl    $vec, 4(%rsp)
.else
        pushq   $0
        movl    $vec, 4(%rsp)
.endif
        jmp     common_entry
vec = vec + 1
.endr

common_entry:
        cld
        SAVE_ALL
        mov     %rsp, %rbx
        mov     %rsp, %rdi
        and     $~15, %rsp
        call    do_trap
        mov     %rbx, %rsp
        testb   $3, REGS_CS_OFF(%rsp)
        jnz     return_to_guest
        RESTORE_ALL
        add     $8, %rsp
        iretq

/*
 * SYSCALL from guest mode. 64-bit code lands here through MSR_LSTAR (kernel:
 * hypercall; user: bounced system call); 32-bit (compatibility-mode) code
 * through MSR_CSTAR, on AMD only (Intel raises #UD): the frame's CS 0xe023
 * tells do_syscall, which never takes that for a hypercall.
 */
.macro SYSCALL_FRAME cs
        swapgs
        mov     %rsp, %gs:8
        mov     %gs:0, %rsp
        pushq   $0xe02b
        pushq   %gs:8
        swapgs
        push    %r11
        pushq   $\cs
.endm
        .globl cstar_entry
cstar_entry:
        SYSCALL_FRAME 0xe023
        jmp     syscall_common

        .globl syscall_entry
syscall_entry:
        SYSCALL_FRAME 0xe033
syscall_common:
        push    %rcx
        pushq   $0
        movl    $ENTRY_SYSCALL, 4(%rsp)
        cld
        SAVE_ALL
        mov     %rsp, %rbx
        mov     %rsp, %rdi
        and     $~15, %rsp
        call    do_syscall
        mov     %rbx, %rsp
        /* fall through */

/* rsp = this CPU's guest frame. */
        .globl return_to_guest
return_to_guest:
        cli
        mov     %rsp, %rbx
        and     $~15, %rsp
        call    prepare_to_return_guest
        mov     %rbx, %rsp
        RESTORE_ALL
        add     $8, %rsp
        .globl iret_to_guest
iret_to_guest:
        iretq

/* resume_guest(frame): abandon the current stack and return to the guest. */
        .globl resume_guest
resume_guest:
        mov     %rdi, %rsp
        jmp     return_to_guest

/*
 * size_t raw_copy_guest(void *dst, const void *src, size_t n): bytes NOT copied.
 * A fault inside rep movsb is fixed up (see .ex_table) to return the remainder.
 */
        .text
        .globl raw_copy_guest
raw_copy_guest:
        mov     %rdx, %rcx
1:      rep movsb
        xor     %eax, %eax
        ret
2:      mov     %rcx, %rax
        ret
        .section .ex_table, "a"
        .quad   1b, 2b
        .previous

        .globl raw_cmpxchg_guest
/* int raw_cmpxchg_guest(uint64_t *ptr, uint64_t old, uint64_t new, uint64_t *seen) */
raw_cmpxchg_guest:
        mov     %rsi, %rax
3:      lock cmpxchg %rdx, (%rdi)
        mov     %rax, (%rcx)
        xor     %eax, %eax
        ret
4:      mov     $-1, %eax
        ret
        .section .ex_table, "a"
        .quad   3b, 4b
        .previous
