/*
 * Timed loops of the page-table update scenarios. Both walk one request
 * array of 1024 mmu_update requests: entries 0-511 of the benchmark L1 set
 * to frame X, then the same entries set to frame Y, so every request changes
 * a live entry (X <-> Y: one reference taken, one dropped; never the
 * same-value fast path). Return values are OR-ed into pt_loop_rc.
 */
#include "timed.h"

        .text

/*
 * uint64_t loop_pt_single(uint64_t n, struct mmu_update *reqs, uint64_t *cursor):
 * one request per mmu_update, resuming at index *cursor (of 1024). Guest
 * instructions per op: 4 argument loads, call, stub (7), or, add, cmp, cmove.
 */
        .globl  loop_pt_single
loop_pt_single:
        PROLOGUE
        mov     %rsi, %r15              /* reqs */
        lea     1024*16(%rsi), %rbx     /* end */
        mov     (%rdx), %r13
        shl     $4, %r13
        add     %rsi, %r13              /* current request */
        push    %rdx
        xor     %ebp, %ebp
        TIMED_BEGIN
1:      mov     %r13, %rdi
        mov     $1, %esi
        xor     %edx, %edx
        mov     $DOMID_SELF, %r10d
        call    HYPERCALL_STUB(mmu_update)
        or      %rax, %rbp
        add     $16, %r13
        cmp     %rbx, %r13
        cmove   %r15, %r13
        dec     %r12
        jnz     1b
        TIMED_END
        pop     %rdx
        sub     %r15, %r13
        shr     $4, %r13
        mov     %r13, (%rdx)
        or      %rbp, pt_loop_rc(%rip)
        EPILOGUE

/*
 * uint64_t loop_pt_batched(uint64_t n, struct mmu_update *reqs): n mmu_update
 * calls of 512 requests each, alternating between the X half and the Y half.
 * Guest instructions per call: 4 argument loads, call, stub (7), or, xor.
 */
        .globl  loop_pt_batched
loop_pt_batched:
        PROLOGUE
        mov     %rsi, %r13              /* the X half */
        lea     512*16(%rsi), %r15
        xor     %rsi, %r15              /* X ^ Y: toggles r13 between the halves */
        xor     %ebp, %ebp
        TIMED_BEGIN
1:      mov     %r13, %rdi
        mov     $512, %esi
        xor     %edx, %edx
        mov     $DOMID_SELF, %r10d
        call    HYPERCALL_STUB(mmu_update)
        or      %rax, %rbp
        xor     %r15, %r13
        dec     %r12
        jnz     1b
        TIMED_END
        or      %rbp, pt_loop_rc(%rip)
        EPILOGUE
