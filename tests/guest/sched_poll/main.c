/*
 * sched_poll: SCHEDOP_poll as Xen 4.19's do_poll (common/sched/core.c):
 *   nr_ports > 128 -> -EINVAL; ports array not guest memory -> -EFAULT;
 *   an event ready for delivery (upcall pending, events enabled) -> 0 at once;
 *   then each port in order: unreadable -> -EFAULT, not a valid port
 *   (port_is_valid: 4096 is beyond the 2-level limit; port 0 is reserved
 *   but valid) -> -EINVAL, pending -> 0 at once;
 *   otherwise block until a listed port is raised (even a masked one),
 *   an event is marked pending on the vCPU, or the timeout passes.
 * Modern Xen does not require events to be masked (Xen 3.0's -EINVAL for
 * evtchn_upcall_mask == 0 is long gone): with events enabled the call
 * simply polls.
 */
#include "upcall.h"

const char test_title[] = "SCHEDOP_poll: refusals, immediate returns, timeouts and wake-ups";

#define MS 1000000ULL

static long poll_struct(void *p) { return HC2(sched_op, SCHEDOP_poll, p); }

void test_main(void)
{
    static uint32_t ports[200];
    uint32_t ipi, tmr, other;
    uint64_t t0, t1;
    unsigned long n;

    evt_map_shared_info();
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(evt_bind_ipi(&ipi), 0, "bind_ipi");
    CHECK_RC(evt_bind_ipi(&other), 0, "bind_ipi (a second port)");
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &tmr), 0, "bind_virq(TIMER)");
    CHECK_RC(evt_unmask(ipi), 0, "unmask the IPI port");
    CHECK_RC(evt_unmask(tmr), 0, "unmask the timer port");

    /* Refusals (events masked). */
    for (unsigned int i = 0; i < 200; i++)
        ports[i] = ipi;
    CHECK_RC(evt_poll(ports, 129, 0), -XEN_EINVAL, "poll 129 ports");
    CHECK_RC(evt_poll(ports, 0xffffffff, 0), -XEN_EINVAL, "poll 2^32-1 ports");
    CHECK_RC(poll_struct((void *)0x1000), -XEN_EFAULT, "poll with an unmapped sched_poll");
    CHECK_RC(evt_poll((uint32_t *)0x1000, 1, 0), -XEN_EFAULT, "poll with an unmapped port array");
    CHECK_RC(evt_poll((uint32_t *)HYPERVISOR_VIRT_START, 1, 0), -XEN_EFAULT,
             "poll with a port array in the hypervisor range");
    ports[0] = 4096;
    CHECK_RC(evt_poll(ports, 1, 0), -XEN_EINVAL, "poll port 4096");
    ports[0] = ~0U;
    CHECK_RC(evt_poll(ports, 1, 0), -XEN_EINVAL, "poll port 0xffffffff");
    ports[0] = other; ports[1] = 4096;
    CHECK_RC(evt_poll(ports, 2, 0), -XEN_EINVAL, "poll {idle port, 4096}: ports are checked in order");

    /* Immediate returns. */
    CHECK_RC(evt_send(ipi), 0, "send on the IPI port (events masked)");
    ports[0] = ipi;
    CHECK_RC(evt_poll(ports, 1, 0), 0, "poll a pending port, no timeout");
    ports[0] = other; ports[1] = ipi;
    CHECK_RC(evt_poll(ports, 2, 0), 0, "poll {idle port, pending port}");
    ports[0] = ipi; ports[1] = 4096;
    CHECK_RC(evt_poll(ports, 2, 0), 0, "poll {pending port, 4096}: the pending port is found first");
    evt_clear_pending(ipi);
    evt_vcpu->evtchn_upcall_pending = 0;
    __atomic_store_n(&evt_vcpu->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    ports[0] = other;
    t0 = evt_now();
    CHECK_RC(evt_poll(ports, 1, t0 - 1 * MS), 0, "poll with a timeout in the past");
    CHECK_RC(evt_poll(ports, 1, 1), 0, "poll with timeout 1 ns after boot");

    /* Timeout: nothing arrives. */
    t0 = evt_now();
    CHECK_RC(evt_poll(ports, 1, t0 + 20 * MS), 0, "poll an idle port with a 20 ms timeout");
    t1 = evt_now();
    if (t1 < t0 + 20 * MS)
        test_fail("poll returned %lu us before its timeout", (unsigned long)((t0 + 20 * MS - t1) / 1000));
    /* Port 0 is reserved but valid for Xen (bucket 0 exists): polled like any idle port. */
    ports[0] = 0;
    t0 = evt_now();
    CHECK_RC(evt_poll(ports, 1, t0 + 10 * MS), 0, "poll port 0 with a 10 ms timeout");
    CHECK_RC(evt_poll(ports, 0, t0 + 10 * MS), 0, "poll no ports with a timeout");

    /* Woken by the polled port, also when that port is masked. */
    evt_mask(tmr);
    ports[0] = tmr;
    t0 = evt_now();
    CHECK_RC(evt_set_timer(t0 + 20 * MS), 0, "set_timer_op(now + 20 ms)");
    CHECK_RC(evt_poll(ports, 1, t0 + 2000 * MS), 0, "poll the masked timer port");
    t1 = evt_now();
    if (!evt_pending(tmr))
        test_fail("poll on a masked port returned before it was raised (after %lu ms)",
                  (unsigned long)((t1 - t0) / MS));
    else if (t1 >= t0 + 1000 * MS)
        test_fail("poll on a masked port was not woken by it (%lu ms)", (unsigned long)((t1 - t0) / MS));
    if (evt_vcpu->evtchn_upcall_pending)
        test_fail("a masked port raised evtchn_upcall_pending");
    evt_clear_pending(tmr);
    CHECK_RC(evt_unmask(tmr), 0, "unmask the timer port");

    /* Events enabled: no -EINVAL; a plain poll with a timeout. */
    evt_events_on();
    ports[0] = other;
    t0 = evt_now();
    CHECK_RC(evt_poll(ports, 1, t0 + 10 * MS), 0, "poll with events enabled (upcall mask 0)");
    t1 = evt_now();
    if (t1 < t0 + 10 * MS)
        test_fail("poll with events enabled returned %lu us early", (unsigned long)((t0 + 10 * MS - t1) / 1000));
    /* Events enabled and one ready for delivery: returns at once, the upcall follows. */
    evt_events_off();
    CHECK_RC(evt_send(ipi), 0, "send on the IPI port (events masked)");
    n = upcalls.port_hits[ipi];
    t0 = evt_now();
    evt_vcpu->evtchn_upcall_mask = 0;
    barrier();
    CHECK_RC(evt_poll(ports, 1, t0 + 2000 * MS), 0, "poll with an event ready for delivery");
    t1 = evt_now();
    if (t1 - t0 >= 1000 * MS)
        test_fail("poll with an event ready for delivery slept %lu ms", (unsigned long)((t1 - t0) / MS));
    if (upcalls.port_hits[ipi] != n + 1)
        test_fail("the pending event was not delivered after the poll (%lu)", upcalls.port_hits[ipi] - n);
    /* Any event for the vCPU ends the poll, not only the listed ports. */
    evt_events_off();
    t0 = evt_now();
    CHECK_RC(evt_set_timer(t0 + 20 * MS), 0, "set_timer_op(now + 20 ms)");
    CHECK_RC(evt_poll(ports, 1, t0 + 2000 * MS), 0, "poll an idle port while the timer is armed");
    t1 = evt_now();
    if (t1 >= t0 + 1000 * MS)
        test_fail("an unmasked event on another port did not end the poll (%lu ms)",
                  (unsigned long)((t1 - t0) / MS));
    if (!evt_pending(tmr))
        test_fail("poll on another port returned before the timer fired");
    test_success();
}
