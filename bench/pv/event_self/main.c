/*
 * pv.event_self: an event sent to the domain itself and taken as an upcall.
 * One operation: EVTCHNOP_send on one end of a loopback interdomain channel,
 * the upcall Tandem delivers on the way out of that hypercall, the handler
 * clearing the event, and the iret hypercall back. Compared with
 * native.int_iret (the raw cost of entering a handler and returning).
 */
#include "bench.h"
#include <tandem/event_channel.h>

uint64_t loop_evt_send(uint64_t n, struct evtchn_send *send);

void kernel_main(struct start_info *si)
{
    uint64_t n = bench_init(), before;
    struct evtchn_send send;
    struct bench_result r = { .iters = n };

    if (!bench_want("pv.event_self")) {
        bench_done();
        return;
    }
    send.port = bench_event_loopback();
    bench_events_enable();

    /* One checked round trip: exactly one upcall per send. */
    if (HC2(event_channel_op, EVTCHNOP_send, &send) || bench_upcalls != 1)
        bench_error("send-to-self gave %lu upcalls, want 1", (unsigned long)bench_upcalls);
    loop_evt_send(bench_warmup(n), &send);
    before = bench_upcalls;
    r.total = loop_evt_send(n, &send);
    r.overhead = loop_null(n);
    if (bench_upcalls - before != n)
        bench_error("%lu sends gave %lu upcalls", (unsigned long)n,
                    (unsigned long)(bench_upcalls - before));
    r.ops = 1 + bench_warmup(n) + n;
    bench_report("pv.event_self", &r);
    bench_done();
}
