/* Timed loop of the event send-to-self scenario. */
#include "timed.h"

        .text

/*
 * uint64_t loop_evt_send(uint64_t n, struct evtchn_send *send): one
 * operation is EVTCHNOP_send through the hypercall page on the loopback
 * port; Tandem marks the other end pending and, on the way out of that
 * hypercall, bounces to bench_upcall (loops.S of the library), which clears
 * the event and returns with the iret hypercall to the stub's next
 * instruction. Guest instructions per op: 2 argument loads, call, stub (7),
 * bench_upcall (12), iret stub (5).
 */
        .globl  loop_evt_send
loop_evt_send:
        PROLOGUE
        mov     %rsi, %r13
        TIMED_BEGIN
1:      mov     $EVTCHNOP_send, %edi
        mov     %r13, %rsi
        call    HYPERCALL_STUB(event_channel_op)
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE
