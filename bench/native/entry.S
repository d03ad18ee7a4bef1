/*
 * Trap and transition entry points of the native benchmark kernel. The
 * benchmark paths (#PF in the bench region, SYSCALL, int VEC_NULL_INT) are
 * deliberately minimal: they measure the raw hardware transition, not a
 * kernel's bookkeeping. Anything unexpected goes to trap_fatal().
 */
#include "layout.h"

        .text

/* Exceptions 0-31: push a dummy error code where the CPU pushes none. */
.macro EXC_NOERR vec
exc_\vec:
        pushq   $0
        pushq   $\vec
        jmp     exc_common
.endm
.macro EXC_ERR vec
exc_\vec:
        pushq   $\vec
        jmp     exc_common
.endm

.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
        EXC_NOERR \v
.endr
.irp v, 8,10,11,12,13,14,17,21,29,30
        EXC_ERR \v
.endr

/* Frame layout: struct trap_frame in native.h. */
exc_common:
        push    %rax
        push    %rbx
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %rbp
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, %rdi
        and     $-16, %rsp
        call    trap_fatal              /* does not return */
1:      hlt
        jmp     1b

        .section .rodata
        .align  8
        .globl  exc_table
exc_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad   exc_\v
.endr
        .text

/*
 * #PF: a fault inside the bench region maps the page to fault_frame and
 * retries the access; any other fault is fatal.
 */
        .globl  pf_entry
pf_entry:
        push    %rax
        push    %rdx
        mov     %cr2, %rax
        sub     $BENCH_VA, %rax
        shr     $12, %rax
        cmp     $FAULT_PAGES, %rax      /* unsigned: below BENCH_VA wraps high */
        jae     1f
        mov     fault_pte(%rip), %rdx
        mov     %rdx, bench_l1(, %rax, 8)
        pop     %rdx
        pop     %rax
        add     $8, %rsp                /* error code */
        iretq
1:      pop     %rdx
        pop     %rax
        jmp     exc_14

/* SYSCALL from the ring-3 loop: return at once (RCX/R11 hold RIP/RFLAGS). */
        .globl  syscall_entry
syscall_entry:
        sysretq

/* int VEC_NULL_INT from ring 3: the CPU switched to TSS.RSP0; go straight back. */
        .globl  null_int_entry
null_int_entry:
        iretq

/*
 * void enter_user(void (*fn)(void), uint64_t n, uint64_t *result)
 * Runs fn in ring 3 with r12 = n and r13 = result, IF clear. fn leaves with
 * int VEC_USER_EXIT, which resumes here as if enter_user had returned.
 */
        .globl  enter_user
enter_user:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, kernel_resume_rsp(%rip)
        mov     %rsi, %r12
        mov     %rdx, %r13
        pushq   $SEL_UDATA
        lea     user_stack_top(%rip), %rax
        push    %rax
        pushq   $0x2                    /* RFLAGS: IF clear */
        pushq   $SEL_UCODE
        push    %rdi
        iretq

        .globl  user_exit_entry
user_exit_entry:
        mov     kernel_resume_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret

/*
 * void ctx_switch(struct ctx *from, struct ctx *to)
 * Saves the callee-saved registers and RSP in from, loads to's CR3 and RSP.
 */
        .globl  ctx_switch
ctx_switch:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, 0(%rdi)
        mov     8(%rsi), %rax
        mov     %rax, %cr3
        mov     0(%rsi), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret

        .data
        .align  8
kernel_resume_rsp:
        .quad   0

        .bss
        .align  16
        .skip   16384
user_stack_top:
