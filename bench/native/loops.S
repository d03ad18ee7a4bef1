/*
 * The timed loops. Every loop has the same shape, so the null loop's cost
 * is exactly the bookkeeping every other loop pays:
 *   r12 = iterations (> 0); TIMED_BEGIN; 1: <operation>; dec %r12; jnz 1b; TIMED_END
 * and the TSC delta ends up in %rax. Under QEMU -icount shift=0 the delta is
 * a guest instruction count. Written in assembly so the count does not depend
 * on the compiler.
 */
#include "layout.h"

.macro TIMED_BEGIN
        lfence
        rdtsc
        lfence
        shl     $32, %rdx
        or      %rdx, %rax
        mov     %rax, %r14
.endm
.macro TIMED_END
        lfence
        rdtsc
        lfence
        shl     $32, %rdx
        or      %rdx, %rax
        sub     %r14, %rax
.endm
.macro PROLOGUE
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rdi, %r12
.endm
.macro EPILOGUE
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        ret
.endm

        .text

/* uint64_t loop_null(uint64_t n) */
        .globl  loop_null
loop_null:
        PROLOGUE
        TIMED_BEGIN
1:      dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t loop_cr3(uint64_t n, uint64_t cr3): reload CR3 (flushes the TLB). */
        .globl  loop_cr3
loop_cr3:
        PROLOGUE
        mov     %rsi, %r13
        TIMED_BEGIN
1:      mov     %r13, %cr3
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t loop_ptwrite(uint64_t n, uint64_t *pte, uint64_t va, uint64_t val) */
        .globl  loop_ptwrite
loop_ptwrite:
        PROLOGUE
        mov     %rsi, %r13
        mov     %rdx, %rbx
        mov     %rcx, %r15
        TIMED_BEGIN
1:      mov     %r15, (%r13)
        invlpg  (%rbx)
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t loop_fault(uint64_t n, uint64_t va): read one fresh page per iteration. */
        .globl  loop_fault
loop_fault:
        PROLOGUE
        mov     %rsi, %r13
        TIMED_BEGIN
1:      mov     (%r13), %rax
        add     $4096, %r13
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t loop_ctxsw(uint64_t n): n round trips thread A -> B -> A. */
        .globl  loop_ctxsw
loop_ctxsw:
        PROLOGUE
        TIMED_BEGIN
1:      lea     ctx_a(%rip), %rdi
        lea     ctx_b(%rip), %rsi
        call    ctx_switch
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* Thread B: switch straight back to A, forever. */
        .globl  thread_b_loop
thread_b_loop:
        lea     ctx_b(%rip), %rdi
        lea     ctx_a(%rip), %rsi
        call    ctx_switch
        jmp     thread_b_loop

/*
 * Ring-3 loops, entered by enter_user() with r12 = n, r13 = result pointer.
 * They store the TSC delta and leave with int VEC_USER_EXIT.
 */
.macro USER_DONE
        mov     %rax, (%r13)
        int     $VEC_USER_EXIT
.endm

        .globl  user_null
user_null:
        TIMED_BEGIN
1:      dec     %r12
        jnz     1b
        TIMED_END
        USER_DONE

        .globl  user_syscall
user_syscall:
        TIMED_BEGIN
1:      syscall
        dec     %r12
        jnz     1b
        TIMED_END
        USER_DONE

        .globl  user_int
user_int:
        TIMED_BEGIN
1:      int     $VEC_NULL_INT
        dec     %r12
        jnz     1b
        TIMED_END
        USER_DONE
