/*
 * Assembly macros for the timed loops (the same as bench/native/loops.S):
 *   r12 = iterations; TIMED_BEGIN; 1: <op>; dec %r12; jnz 1b; TIMED_END
 * leaves the TSC delta in %rax. Under QEMU -icount shift=0 it is a guest
 * instruction count, the hypervisor's instructions included.
 */
#ifndef BENCH_PV_TIMED_H
#define BENCH_PV_TIMED_H

/* Xen's numbers (tandem/xen.h is C only; bench.c checks these against it). */
#define HC_mmu_update           1
#define HC_xen_version          17
#define HC_iret                 23
#define HC_event_channel_op     32
#define EVTCHNOP_SEND           4
#define DOMID_SELF_NR           0x7ff0
#define VGCF_IN_SYSCALL_FLAG    0x100
#define USER_CS                 0xe033      /* FLAT_USER_CS: RPL 3 = to guest user mode */
#define USER_SS                 0xe02b
#define HYPERCALL_STUB(nr)      (hypercall_page + (nr) * 32)

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
/* uint64_t fn(uint64_t n, ...): callee-saved registers saved, r12 = n. */
.macro PROLOGUE
        push    %rbx
        push    %rbp
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
        pop     %rbp
        pop     %rbx
        ret
.endm

#endif
