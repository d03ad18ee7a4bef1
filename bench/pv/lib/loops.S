/*
 * The null loop every scenario subtracts, and the event upcall handler of
 * the event scenarios. Assembly so the counts do not depend on the compiler.
 */
#include "timed.h"

/* shared_info offsets (events.c checks them): vcpu_info[0] then the pending bitmap. */
#define SI_UPCALL_PENDING   0
#define SI_PENDING_SEL      8
#define SI_EVTCHN_PENDING   2048

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

/*
 * Event callback. Xen's bounce frame is on the stack: rcx, r11, rip, cs,
 * rflags, rsp, ss; events are masked. Every other register is the
 * interrupted code's. Does the minimum a 2-level guest must: clear
 * upcall_pending, take the selector, clear the port's pending bit; counts
 * the upcall and returns with the iret hypercall, which unmasks events
 * again (the saved rflags has IF set). 12 instructions plus the iret stub's 5.
 */
        .globl  bench_upcall
bench_upcall:
        pop     %rcx
        pop     %r11
        push    %rax
        movb    $0, bench_shared_info + SI_UPCALL_PENDING(%rip)
        xor     %eax, %eax
        xchg    %rax, bench_shared_info + SI_PENDING_SEL(%rip)
        mov     bench_rx_port(%rip), %eax
        lock btr %rax, bench_shared_info + SI_EVTCHN_PENDING(%rip)
        incq    bench_upcalls(%rip)
        pop     %rax
        pushq   $0                      /* iret flags: not VGCF_in_syscall */
        jmp     HYPERCALL_STUB(iret)
