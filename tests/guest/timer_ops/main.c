/*
 * timer_ops: the vCPU timers of Xen 4.19 (common/domain.c common_vcpu_op,
 * common/sched/core.c do_set_timer_op), each firing VIRQ_TIMER:
 *   - set_singleshot_timer fires once at the deadline: the guest blocks
 *     until it arrives and the pvclock (version even) has passed the deadline;
 *   - a deadline in the past fires at once and returns 0, with or without
 *     VCPU_SSHOTTMR_future (Xen 4.18 stopped answering -ETIME: commit
 *     19c6cbd90965 "xen/vcpu: ignore VCPU_SSHOTTMR_future");
 *   - stop_singleshot_timer keeps it from firing;
 *   - set_periodic_timer: -EINVAL under 1 ms or above STIME_DELTA_MAX
 *     (2^62 - 1); 10 ms fires repeatedly while the vCPU runs;
 *     stop_periodic_timer returns 0 (the default 100 Hz tick, and that it
 *     never wakes a blocked vCPU: tests/guest/timer_default);
 *   - set_timer_op(deadline) fires, set_timer_op(0) cancels.
 * "Nothing arrives" is shown with SCHEDOP_poll on the timer port with a timeout.
 */
#include "upcall.h"

const char test_title[] = "singleshot, periodic and set_timer_op timers firing VIRQ_TIMER";

#define MS 1000000ULL

static uint32_t tport;

static long vcpu_op(unsigned int cmd, void *arg) { return HC3(vcpu_op, cmd, 0, arg); }

static long singleshot(uint64_t deadline, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = { .timeout_abs_ns = deadline, .flags = flags };
    return vcpu_op(VCPUOP_set_singleshot_timer, &s);
}

static long periodic(uint64_t period)
{
    struct vcpu_set_periodic_timer p = { .period_ns = period };
    return vcpu_op(VCPUOP_set_periodic_timer, &p);
}

/* With events masked: true if the timer port became pending before deadline. Clears it. */
static bool fired_by(uint64_t deadline)
{
    bool r = evt_wait_port(tport, deadline);
    evt_clear_pending(tport);
    evt_vcpu->evtchn_upcall_pending = 0;
    __atomic_store_n(&evt_vcpu->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    return r;
}

/* Block (events enabled by SCHEDOP_block) until `hits` timer upcalls arrived or `limit` passed. */
static void block_until(unsigned long hits, uint64_t limit)
{
    while (upcalls.port_hits[tport] < hits && evt_now() < limit) {
        evt_events_off();
        if (upcalls.port_hits[tport] >= hits)
            break;
        evt_block();
    }
    evt_events_off();
}

/*
 * Run (events on, no blocking) until `hits` timer upcalls arrived or `limit`
 * passed: Xen's periodic timer runs only while its vCPU runs, so blocking
 * would wait for ever (common/sched/core.c stops it at switch-out).
 */
static void spin_until(unsigned long hits, uint64_t limit)
{
    evt_events_on();
    while (__atomic_load_n(&upcalls.port_hits[tport], __ATOMIC_SEQ_CST) < hits && evt_now() < limit)
        __asm__ __volatile__("pause" ::: "memory");
    evt_events_off();
}

void test_main(void)
{
    const volatile struct vcpu_time_info *ti;
    uint64_t now, deadline, t;
    unsigned long n;
    uint32_t ver;

    evt_map_shared_info();
    ti = &evt_vcpu->time;
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &tport), 0, "bind_virq(VIRQ_TIMER)");
    if (tport >= EVT_TRACKED_PORTS) {
        test_error("timer port %u not tracked", tport);
        return;
    }
    CHECK_RC(evt_unmask(tport), 0, "unmask the timer port");

    ver = ti->version;
    if (ver == 0 || (ver & 1))
        test_fail("pvclock version %u: want even and non-zero", ver);
    if (!ti->tsc_to_system_mul)
        test_fail("pvclock tsc_to_system_mul is 0");

    /* Singleshot: block until VIRQ_TIMER; the clock has passed the deadline. */
    now = evt_now();
    deadline = now + 20 * MS;
    n = upcalls.port_hits[tport];
    CHECK_RC(singleshot(deadline, 0), 0, "set_singleshot_timer(now + 20 ms)");
    block_until(n + 1, now + 2000 * MS);
    t = evt_now();
    if (upcalls.port_hits[tport] != n + 1)
        test_fail("singleshot: %lu VIRQ_TIMER upcalls, want 1", upcalls.port_hits[tport] - n);
    else if (t < deadline)
        test_fail("singleshot fired %lu ns before its deadline", (unsigned long)(deadline - t));
    ver = ti->version;
    if (ver & 1)
        test_fail("pvclock version %u is odd outside an update", ver);
    if (fired_by(evt_now() + 30 * MS))
        test_fail("singleshot fired a second time");

    /* A deadline in the past fires at once; VCPU_SSHOTTMR_future is ignored since Xen 4.18. */
    CHECK_RC(singleshot(evt_now() - 1 * MS, 0), 0, "set_singleshot_timer(past deadline)");
    if (!fired_by(evt_now() + 100 * MS))
        test_fail("singleshot with a past deadline did not fire");
    CHECK_RC(singleshot(evt_now() - 1 * MS, VCPU_SSHOTTMR_future), 0,
             "set_singleshot_timer(past deadline, VCPU_SSHOTTMR_future): Xen 4.19 ignores the flag");
    if (!fired_by(evt_now() + 100 * MS))
        test_fail("singleshot with VCPU_SSHOTTMR_future and a past deadline did not fire");
    CHECK_RC(singleshot(evt_now() + 10 * MS, VCPU_SSHOTTMR_future), 0,
             "set_singleshot_timer(future deadline, VCPU_SSHOTTMR_future)");
    if (!fired_by(evt_now() + 500 * MS))
        test_fail("singleshot with VCPU_SSHOTTMR_future and a future deadline did not fire");

    /* stop_singleshot_timer: nothing arrives (poll with a timeout on the timer port). */
    CHECK_RC(singleshot(evt_now() + 10 * MS, 0), 0, "set_singleshot_timer(now + 10 ms)");
    CHECK_RC(vcpu_op(VCPUOP_stop_singleshot_timer, NULL), 0, "stop_singleshot_timer");
    if (fired_by(evt_now() + 40 * MS))
        test_fail("the singleshot timer fired after stop_singleshot_timer");
    CHECK_RC(vcpu_op(VCPUOP_stop_singleshot_timer, NULL), 0, "stop_singleshot_timer with none armed");
    CHECK_RC(HC3(vcpu_op, VCPUOP_set_singleshot_timer, 1, NULL), -XEN_ENOENT,
             "set_singleshot_timer on vCPU 1 (none)");
    CHECK_RC(vcpu_op(VCPUOP_set_singleshot_timer, (void *)0x1000), -XEN_EFAULT,
             "set_singleshot_timer from an unmapped address");

    /* Periodic timer. */
    CHECK_RC(periodic(999999), -XEN_EINVAL, "set_periodic_timer(999999 ns): under 1 ms");
    CHECK_RC(periodic(0), -XEN_EINVAL, "set_periodic_timer(0)");
    CHECK_RC(periodic(1ULL << 62), -XEN_EINVAL, "set_periodic_timer(2^62): above STIME_DELTA_MAX");
    CHECK_RC(periodic(~0ULL), -XEN_EINVAL, "set_periodic_timer(2^64 - 1): above STIME_DELTA_MAX");
    CHECK_RC(vcpu_op(VCPUOP_set_periodic_timer, (void *)0x1000), -XEN_EFAULT,
             "set_periodic_timer from an unmapped address");
    n = upcalls.port_hits[tport];
    now = evt_now();
    CHECK_RC(periodic(10 * MS), 0, "set_periodic_timer(10 ms)");
    spin_until(n + 3, now + 5000 * MS);
    if (upcalls.port_hits[tport] - n < 3)
        test_fail("periodic 10 ms: %lu VIRQ_TIMER upcalls in 5 s of running, want >= 3",
                  upcalls.port_hits[tport] - n);
    CHECK_RC(vcpu_op(VCPUOP_stop_periodic_timer, NULL), 0, "stop_periodic_timer (Linux relies on 0)");
    evt_clear_pending(tport);
    if (fired_by(evt_now() + 40 * MS))
        test_fail("the periodic timer fired after stop_periodic_timer");
    CHECK_RC(vcpu_op(VCPUOP_stop_periodic_timer, NULL), 0, "stop_periodic_timer with none running");

    /* set_timer_op: shares the singleshot deadline; 0 cancels. */
    deadline = evt_now() + 10 * MS;
    CHECK_RC(evt_set_timer(deadline), 0, "set_timer_op(now + 10 ms)");
    if (!fired_by(evt_now() + 500 * MS))
        test_fail("set_timer_op(now + 10 ms) did not fire");
    else if (evt_now() < deadline)
        test_fail("set_timer_op fired before its deadline");
    CHECK_RC(evt_set_timer(evt_now() + 10 * MS), 0, "set_timer_op(now + 10 ms)");
    CHECK_RC(evt_set_timer(0), 0, "set_timer_op(0)");
    if (fired_by(evt_now() + 40 * MS))
        test_fail("the timer fired after set_timer_op(0)");
    CHECK_RC(singleshot(evt_now() + 10 * MS, 0), 0, "set_singleshot_timer(now + 10 ms)");
    CHECK_RC(evt_set_timer(0), 0, "set_timer_op(0) on a vcpu_op singleshot");
    if (fired_by(evt_now() + 40 * MS))
        test_fail("set_timer_op(0) did not cancel the VCPUOP singleshot (they are one timer)");
    CHECK_RC(evt_set_timer(evt_now() - 1 * MS), 0, "set_timer_op(past deadline)");
    if (!fired_by(evt_now() + 100 * MS))
        test_fail("set_timer_op with a past deadline did not fire");
    test_success();
}
