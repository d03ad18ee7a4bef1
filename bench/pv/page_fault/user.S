/*
 * User program of pv.page_fault (uelf.h lays out the ELF image).
 *   pf     parameters: 0 = pages to fault in, 3 = scenario index. Rounds
 *          of up to 4096 pages: sbrk(+), touch each page once (timed: the
 *          faults), again (timed: the overhead, no faults), sbrk(-).
 */
#include "timed.h"
#include "uelf.h"

#define ROUND_PAGES 4096

UELF pf
pf_main:
        PARAM   0
        mov     %rax, %rbx              /* pages left */
        mov     %rax, %r13              /* pages in all */
        PARAM   3
        mov     %rax, %r9               /* scenario index (kept: only BENCH_SYS reads r9) */
        xor     %r15d, %r15d            /* total */
        xor     %ebp, %ebp              /* overhead */
1:      mov     $ROUND_PAGES, %r8d
        cmp     %r8, %rbx
        cmovb   %rbx, %r8               /* r8 = pages this round */
        mov     %r8, %rdi
        shl     $12, %rdi
        SYS     SYS_sbrk
        test    %rax, %rax
        js      9f
        mov     %rax, %rsi              /* round base */
        mov     %rsi, %rdi
        mov     %r8, %r12
        TIMED_BEGIN
2:      movb    $1, (%rdi)
        add     $4096, %rdi
        dec     %r12
        jnz     2b
        TIMED_END
        add     %rax, %r15
        mov     %rsi, %rdi
        mov     %r8, %r12
        TIMED_BEGIN
3:      movb    $1, (%rdi)
        add     $4096, %rdi
        dec     %r12
        jnz     3b
        TIMED_END
        add     %rax, %rbp
        mov     %r8, %rdi
        shl     $12, %rdi
        neg     %rdi
        SYS     SYS_sbrk
        sub     %r8, %rbx
        jnz     1b
        mov     %r9, %rsi
        mov     $BS_REPORT, %edi
        mov     %r15, %rdx
        mov     %rbp, %r10
        mov     %r13, %r8
        mov     %r13, %r9
        SYS     BENCH_SYS
        xor     %edi, %edi
        SYS     SYS_exit
9:      mov     $1, %edi                /* sbrk failed */
        SYS     SYS_exit
UELF_END pf

PROGRAMS_BEGIN
PROGRAM pf
PROGRAMS_END

        .section .note.GNU-stack, "", @progbits
