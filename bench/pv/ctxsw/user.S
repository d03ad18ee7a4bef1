/*
 * User program of pv.ctxsw (uelf.h lays out the ELF image).
 *   pp     parameters: 0 = n, 3 = scenario index. fork(); both processes
 *          yield n times (a warm-up of n/10 first); the parent times its
 *          loop, then the null loop, waits for the child and reports
 *          iters = 2n switches.
 */
#include "timed.h"
#include "uelf.h"

UELF pp
pp_main:
        PARAM   0
        mov     %rax, %rbx              /* n */
        PARAM   3
        mov     %rax, %r15              /* scenario index */
        mov     %rbx, %rax
        xor     %edx, %edx
        mov     $10, %ecx
        div     %rcx
        lea     1(%rax), %rbp           /* warm-up yields */
        SYS     SYS_fork
        test    %eax, %eax
        js      9f
        jz      child
        mov     %rbp, %r12
1:      SYS     SYS_yield
        dec     %r12
        jnz     1b
        mov     %rbx, %r12
        TIMED_BEGIN
2:      SYS     SYS_yield
        dec     %r12
        jnz     2b
        TIMED_END
        mov     %rax, %r13              /* total */
        mov     %rbx, %r12
        TIMED_BEGIN
3:      dec     %r12
        jnz     3b
        TIMED_END
        mov     %rax, %r10              /* overhead */
        mov     $-1, %rdi
        xor     %esi, %esi
        SYS     SYS_wait
        mov     $BS_REPORT, %edi
        mov     %r15, %rsi
        mov     %r13, %rdx
        lea     (%rbx, %rbx), %r8       /* iters: 2n switches */
        lea     (%rbx, %rbp), %r9
        add     %r9, %r9                /* ops: every switch, warm-up included */
        SYS     BENCH_SYS
        xor     %edi, %edi
        SYS     SYS_exit
child:
        lea     (%rbx, %rbp), %r12
4:      SYS     SYS_yield
        dec     %r12
        jnz     4b
        xor     %edi, %edi
        SYS     SYS_exit
9:      mov     $1, %edi
        SYS     SYS_exit
UELF_END pp

PROGRAMS_BEGIN
PROGRAM pp
PROGRAMS_END

        .section .note.GNU-stack, "", @progbits
