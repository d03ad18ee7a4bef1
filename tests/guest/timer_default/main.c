/*
 * timer_default: Xen's default periodic timer for a PV vCPU (Xen 4.19
 * arch/x86/pv/domain.c pv_vcpu_initialise: periodic_period = MILLISECS(10);
 * common/sched/core.c vcpu_periodic_timer_work, vcpu_set_periodic_timer,
 * do_set_timer_op):
 *   - a vCPU that set no timer gets VIRQ_TIMER repeatedly while it runs;
 *   - set_timer_op (one-shot) neither stops nor replaces it;
 *   - it never wakes a blocked vCPU (armed only while the vCPU runs); a
 *     period that passed while blocked gives one VIRQ_TIMER at switch-in;
 *   - VCPUOP_stop_periodic_timer stops it (as Linux does at boot);
 *   - VCPUOP_set_periodic_timer after a period has passed since the last
 *     tick fires at once, then every period; refusals for a vCPU that
 *     does not exist.
 * Everything is seen through the timer port's pending bit with events
 * masked; "nothing arrives" is a spin or a poll to a deadline.
 */
#include "upcall.h"
#include <tandem/vcpu.h>

const char test_title[] = "timer_default: the 100 Hz tick every PV vCPU starts with, and stopping it";

/* libguest's start stops the default tick on every vCPU unless a kernel keeps it. */
bool guest_keep_default_tick = true;

#define MS 1000000ULL

static uint32_t tport;

/* Runs (no hypercall, so the vCPU stays on the CPU) until the port is pending or `limit`. */
static bool spin_pending(uint64_t limit)
{
    while (!evt_pending(tport) && evt_now() < limit)
        __asm__ __volatile__("pause" ::: "memory");
    return evt_pending(tport);
}

static void clear(void)
{
    evt_clear_pending(tport);
    evt_vcpu->evtchn_upcall_pending = 0;
    __atomic_store_n(&evt_vcpu->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
}

static long periodic(unsigned int vcpu, uint64_t period)
{
    struct vcpu_set_periodic_timer p = { .period_ns = period };
    return HC3(vcpu_op, VCPUOP_set_periodic_timer, vcpu, &p);
}

/* Blocked in SCHEDOP_poll on the timer port until `deadline`: the tick must not wake it. */
static void check_not_woken_while_blocked(void)
{
    unsigned int early = 0;
    uint64_t deadline = evt_now() + 300 * MS;

    /* A tick sent in the instant before the vCPU leaves the CPU may end one poll early: retry. */
    for (int i = 0; i < 3 && evt_now() < deadline; i++) {
        clear();
        (void)evt_poll(&tport, 1, deadline);
        if (evt_now() < deadline)
            early++;
    }
    if (early >= 3)
        test_fail("the periodic tick woke a vCPU blocked in SCHEDOP_poll (%u early returns)", early);
    if (!evt_pending(tport))
        test_fail("no VIRQ_TIMER at switch-in after 300 ms blocked (a period passed)");
}

void test_main(void)
{
    uint64_t t;
    int got = 0;

    evt_map_shared_info();
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &tport), 0, "bind_virq(VIRQ_TIMER), no timer set");

    /* The default tick, while running. */
    for (int i = 0; i < 3; i++) {
        clear();
        got += spin_pending(evt_now() + 5000 * MS);
    }
    if (got != 3)
        test_fail("default tick: %d of 3 VIRQ_TIMERs arrived while running (Xen: every 10 ms)", got);

    /* set_timer_op is the one-shot timer: the tick goes on beside it, and after set_timer_op(0). */
    CHECK_RC(evt_set_timer(evt_now() + 60000 * MS), 0, "set_timer_op(now + 60 s)");
    clear();
    if (!spin_pending(evt_now() + 5000 * MS))
        test_fail("the default tick stopped after set_timer_op(now + 60 s)");
    CHECK_RC(evt_set_timer(0), 0, "set_timer_op(0): cancels the one-shot only");
    clear();
    if (!spin_pending(evt_now() + 5000 * MS))
        test_fail("the default tick stopped after set_timer_op(0)");

    check_not_woken_while_blocked();

    /* Stopped: nothing while running, nothing at the next switch-in. */
    CHECK_RC(HC3(vcpu_op, VCPUOP_stop_periodic_timer, 0, NULL), 0, "stop_periodic_timer (as Linux at boot)");
    clear();
    if (spin_pending(evt_now() + 200 * MS))
        test_fail("VIRQ_TIMER while running after stop_periodic_timer");
    clear();
    t = evt_now() + 100 * MS;
    while (evt_now() < t)
        (void)evt_poll(&tport, 1, t);
    if (evt_pending(tport))
        test_fail("VIRQ_TIMER after a poll with the periodic timer stopped");

    /* A new period: more than 50 ms since the last tick, so it is due at once (Xen), then repeats. */
    clear();
    CHECK_RC(periodic(0, 50 * MS), 0, "set_periodic_timer(50 ms), 300 ms after the last tick");
    if (!evt_pending(tport))
        test_fail("set_periodic_timer did not fire at once though a period had passed since the last tick");
    clear();
    if (!spin_pending(evt_now() + 5000 * MS))
        test_fail("set_periodic_timer(50 ms) fired once only");
    CHECK_RC(HC3(vcpu_op, VCPUOP_stop_periodic_timer, 0, NULL), 0, "stop_periodic_timer");
    clear();
    if (spin_pending(evt_now() + 150 * MS))
        test_fail("VIRQ_TIMER after the second stop_periodic_timer");

    /* Refusals. */
    CHECK_RC(HC3(vcpu_op, VCPUOP_stop_periodic_timer, 4095, NULL), -XEN_ENOENT,
             "stop_periodic_timer on vCPU 4095 (none)");
    CHECK_RC(periodic(4095, 10 * MS), -XEN_ENOENT, "set_periodic_timer on vCPU 4095 (none)");
    CHECK_RC(periodic(0, 999999), -XEN_EINVAL, "set_periodic_timer(999999 ns): under 1 ms");
    test_success();
}
