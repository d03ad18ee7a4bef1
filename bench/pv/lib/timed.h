/*
 * Assembly macros for the timed loops (the same as bench/native/loops.S):
 *   r12 = iterations; TIMED_BEGIN; 1: <op>; dec %r12; jnz 1b; TIMED_END
 * leaves the TSC delta in %rax. Under QEMU -icount shift=0 it is a guest
 * instruction count, the hypervisor's instructions included.
 */
#ifndef BENCH_PV_TIMED_H
#define BENCH_PV_TIMED_H

/* The ABI numbers and selectors come from the public headers (usable from .S). */
#include <tandem/xen.h>
#include <tandem/event_channel.h>

/* The hypercall page stub of a call: HYPERCALL_STUB(xen_version). */
#define HYPERCALL_STUB(name)    (hypercall_page + __HYPERVISOR_##name * HYPERCALL_STUB_SIZE)

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
