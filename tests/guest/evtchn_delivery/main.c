/*
 * evtchn_delivery: the 2-level event rules of Xen's event_2l.c as a guest
 * sees them through shared_info and the event callback:
 *   - send sets the port's pending bit, its selector bit and
 *     evtchn_upcall_pending; close clears only the pending bit;
 *   - a masked port made pending is not signalled; EVTCHNOP_unmask then
 *     raises it and the upcall arrives exactly once;
 *   - an event made pending while evtchn_upcall_mask = 1 is delivered on
 *     the return of the first hypercall after the guest clears the mask;
 *   - SCHEDOP_block with an event already pending returns at once, with
 *     events enabled (upcall mask 0).
 */
#include "upcall.h"

const char test_title[] = "event delivery: pending, selector, unmask, mask, block";

static void want_status(uint32_t port, uint32_t want, const char *what)
{
    uint32_t vcpu = ~0U, got = evt_status(port, &vcpu);

    if (got != want)
        test_fail("%s: port %u status %u, want %u", what, port, got, want);
    else if (want != EVTCHNSTAT_closed && vcpu != 0)
        test_fail("%s: port %u notifies vCPU %u, want 0", what, port, vcpu);
}

static void want_upcalls(unsigned long want, const char *what)
{
    if (upcalls.count != want)
        test_fail("%s: %lu upcalls, want %lu", what, upcalls.count, want);
}

void test_main(void)
{
    struct vcpu_info *vi;
    uint32_t p, q, t;
    unsigned long n;
    uint64_t t0, t1;

    evt_map_shared_info();
    vi = evt_vcpu;
    if (vi->evtchn_upcall_mask != 1)
        test_fail("start of day: evtchn_upcall_mask %u, want 1 (events masked)", vi->evtchn_upcall_mask);
    CHECK_RC(evt_register_callback(), 0, "register the event callback");

    /* 1. send on an unmasked IPI port while events are masked. */
    CHECK_RC(evt_bind_ipi(&p), 0, "bind_ipi");
    want_status(p, EVTCHNSTAT_ipi, "IPI port after bind");
    CHECK_RC(evt_unmask(p), 0, "unmask the IPI port (nothing pending)");
    if (vi->evtchn_upcall_pending || vi->evtchn_pending_sel)
        test_fail("unmask of a port with nothing pending raised upcall_pending %u / sel %#lx",
                  vi->evtchn_upcall_pending, (unsigned long)vi->evtchn_pending_sel);
    n = upcalls.count;
    CHECK_RC(evt_send(p), 0, "send on the IPI port");
    if (!evt_pending(p))
        test_fail("send: the port's pending bit is clear");
    if (!evt_sel(p))
        test_fail("send: selector bit %u clear (pending_sel %#lx)", p / 64,
                  (unsigned long)vi->evtchn_pending_sel);
    if (vi->evtchn_upcall_pending != 1)
        test_fail("send: evtchn_upcall_pending %u, want 1", vi->evtchn_upcall_pending);
    want_upcalls(n, "send with events masked");
    want_status(p, EVTCHNSTAT_ipi, "IPI port after send");

    /* close clears the pending bit only (Xen's evtchn_2l_clear_pending). */
    CHECK_RC(evt_close(p), 0, "close the pending IPI port");
    if (evt_pending(p))
        test_fail("close: the port is still pending");
    if (!evt_sel(p) || vi->evtchn_upcall_pending != 1)
        test_fail("close: selector %d / upcall_pending %u changed (Xen leaves them)",
                  evt_sel(p), vi->evtchn_upcall_pending);
    want_status(p, EVTCHNSTAT_closed, "IPI port after close");
    /* Enabling events now gives one upcall that finds nothing to handle. */
    n = upcalls.count;
    evt_events_on();
    want_upcalls(n + 1, "events enabled with only a stale selector");
    if (upcalls.port_hits[p] != 0)
        test_fail("the closed port was delivered");
    if (upcalls.mask_on_entry != 1)
        test_fail("event callback entered with upcall mask %u, want 1", upcalls.mask_on_entry);
    if ((upcalls.cs & 0xffff) != (FLAT_KERNEL_CS & ~3) || ((upcalls.cs >> 32) & 0xff) != 0 ||
        !(upcalls.rflags & (1UL << 9)))
        test_fail("upcall frame: cs %#lx rflags %#lx (want RPL 0, saved mask 0, IF 1)",
                  (unsigned long)upcalls.cs, (unsigned long)upcalls.rflags);
    if (vi->evtchn_upcall_mask != 0)
        test_fail("after the upcall's iret: upcall mask %u, want 0", vi->evtchn_upcall_mask);

    /* 2. A masked port made pending, then EVTCHNOP_unmask: delivered exactly once. */
    CHECK_RC(evt_bind_ipi(&q), 0, "bind_ipi (second port)");
    evt_mask(q);
    n = upcalls.count;
    CHECK_RC(evt_send(q), 0, "send on the masked port (events enabled)");
    if (!evt_pending(q))
        test_fail("send on a masked port: pending bit clear");
    if (evt_sel(q) || vi->evtchn_upcall_pending)
        test_fail("send on a masked port raised selector %d / upcall_pending %u",
                  evt_sel(q), vi->evtchn_upcall_pending);
    want_upcalls(n, "send on a masked port");
    CHECK_RC(evt_unmask(q), 0, "unmask the pending port");
    want_upcalls(n + 1, "unmask of a pending port");
    if (upcalls.port_hits[q] != 1)
        test_fail("unmask of a pending port: delivered %lu times, want 1", upcalls.port_hits[q]);
    if (evt_pending(q) || evt_masked(q))
        test_fail("after delivery: pending %d masked %d, want 0 0", evt_pending(q), evt_masked(q));
    CHECK_RC(HC2(xen_version, 0, 0), 0x00040013, "xen_version after delivery");
    CHECK_RC(evt_unmask(q), 0, "unmask again");
    want_upcalls(n + 1, "another hypercall and a second unmask");
    if (upcalls.port_hits[q] != 1)
        test_fail("the port was delivered %lu times, want exactly 1", upcalls.port_hits[q]);
    evt_events_off();

    /* 3. Pending while upcall_mask = 1; clear the mask; the next hypercall delivers it. */
    n = upcalls.count;
    CHECK_RC(evt_send(q), 0, "send with events masked");
    if (vi->evtchn_upcall_pending != 1 || !evt_sel(q))
        test_fail("send with events masked: upcall_pending %u selector %d",
                  vi->evtchn_upcall_pending, evt_sel(q));
    want_upcalls(n, "pending with events masked");
    vi->evtchn_upcall_mask = 0;
    barrier();
    CHECK_RC(HC2(xen_version, 0, 0), 0x00040013, "xen_version after unmasking events");
    want_upcalls(n + 1, "first hypercall after clearing the upcall mask");
    if (upcalls.port_hits[q] != 2)
        test_fail("port delivered %lu times in all, want 2", upcalls.port_hits[q]);
    if (((upcalls.cs >> 32) & 0xff) != 0 || !(upcalls.rflags & (1UL << 9)))
        test_fail("upcall frame: saved mask %lu, rflags %#lx: want mask 0 and IF set",
                  (unsigned long)((upcalls.cs >> 32) & 0xff), (unsigned long)upcalls.rflags);

    /* 4. SCHEDOP_block with an event already pending returns at once, events enabled. */
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &t), 0, "bind VIRQ_TIMER (safety net)");
    CHECK_RC(evt_unmask(t), 0, "unmask the timer port");
    evt_events_off();
    CHECK_RC(evt_send(q), 0, "send with events masked");
    n = upcalls.count;
    t0 = evt_now();
    CHECK_RC(evt_set_timer(t0 + 2000000000ULL), 0, "set_timer_op(now + 2 s) as a safety net");
    CHECK_RC(evt_block(), 0, "SCHEDOP_block with an event pending");
    t1 = evt_now();
    CHECK_RC(evt_set_timer(0), 0, "cancel the safety timer");
    if (t1 - t0 >= 1000000000ULL)
        test_fail("SCHEDOP_block with an event pending slept %lu ms", (unsigned long)((t1 - t0) / 1000000));
    if (upcalls.count < n + 1 || upcalls.port_hits[q] != 3)
        test_fail("SCHEDOP_block: %lu upcalls, port delivered %lu times in all (want >= %lu, 3)",
                  upcalls.count, upcalls.port_hits[q], n + 1);
    if (upcalls.port_hits[t] != 0)
        test_fail("the safety timer fired: SCHEDOP_block slept");
    if (vi->evtchn_upcall_mask != 0)
        test_fail("after SCHEDOP_block: evtchn_upcall_mask %u, want 0", vi->evtchn_upcall_mask);
    want_status(q, EVTCHNSTAT_ipi, "IPI port at the end");
    CHECK_RC(evt_close(q), 0, "close the IPI port");
    want_status(q, EVTCHNSTAT_closed, "IPI port after close");
    test_success();
}
