/*
 * User programs of pv.fork_exec_exit (uelf.h lays out the ELF images).
 *   fee    parameters: 0 = n, 1 = 1 to exec `true` in the child (else the
 *          child exits at once), 3 = scenario index. Warm-up of n/10
 *          (at least 1) iterations, then n timed, then the null loop n
 *          times; reports with BENCH_SYS.
 *   true   exit(0)
 */
#include "timed.h"
#include "uelf.h"

UELF fee
fee_main:
        PARAM   0
        mov     %rax, %rbx              /* n */
        PARAM   1
        mov     %rax, %r13              /* exec in the child? */
        PARAM   3
        mov     %rax, %r15              /* scenario index */
        mov     %rbx, %rax
        xor     %edx, %edx
        mov     $10, %ecx
        div     %rcx
        test    %rax, %rax
        jnz     1f
        mov     $1, %eax
1:      mov     %rax, %rbp              /* warm-up iterations */
        mov     %rax, %r12
        call    fee_loop
        mov     %rbx, %r12
        TIMED_BEGIN
        call    fee_loop
        TIMED_END
        push    %rax                    /* total */
        mov     %rbx, %r12
        TIMED_BEGIN
2:      dec     %r12
        jnz     2b
        TIMED_END
        mov     %rax, %r10              /* overhead: the null loop */
        pop     %rdx
        mov     $BS_REPORT, %edi
        mov     %r15, %rsi
        mov     %rbx, %r8
        lea     (%rbx, %rbp), %r9       /* ops: timed + warm-up */
        SYS     BENCH_SYS
        xor     %edi, %edi
        SYS     SYS_exit

/* r12 iterations of fork; child: exec true or exit; parent: wait. */
fee_loop:
1:      SYS     SYS_fork
        test    %eax, %eax
        jz      fee_child
        mov     $-1, %rdi
        xor     %esi, %esi
        SYS     SYS_wait
        dec     %r12
        jnz     1b
        ret

fee_child:
        test    %r13, %r13
        jz      1f
        lea     true_name(%rip), %rdi
        lea     true_argv(%rip), %rsi
        SYS     SYS_exec
        mov     $99, %edi               /* exec failed */
        SYS     SYS_exit
1:      xor     %edi, %edi
        SYS     SYS_exit

true_name:
        .asciz  "true"
        .balign 8
true_argv:
        .quad   UVA(fee, true_name), 0
UELF_END fee

UELF true
true_main:
        xor     %edi, %edi
        SYS     SYS_exit
UELF_END true

/* The kernel's program table (struct program: name, image, size). */
PROGRAMS_BEGIN
PROGRAM fee
PROGRAM true
PROGRAMS_END

        .section .note.GNU-stack, "", @progbits
