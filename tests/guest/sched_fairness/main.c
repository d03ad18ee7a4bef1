/*
 * sched_fairness: a domain that spins forever (role=hog) cannot starve
 * another (role=victim) of equal weight. The victim works (spins too) and
 * measures, in guest-visible time, the share of the CPU it got: its
 * running time from the runstate area of vCPU 0 over secs= seconds of
 * pvclock system time. It must be 50% within tol= percentage points.
 * The hog stops on its own once system time passes stop= seconds.
 */
#include "multidom.h"
#include <tandem/vcpu.h>

const char test_title[] = "scheduler: a spinning domain cannot starve another";

static struct vcpu_runstate_info runstate;

static void victim(void)
{
    unsigned long secs = md_arg_ul("secs", 2), tol = md_arg_ul("tol", 15), share;
    struct vcpu_register_runstate_memory_area area = { .addr.v = (uint64_t)&runstate };
    uint64_t t0, r0, t1, r1, loops = 0;

    CHECK_RC(HC3(vcpu_op, VCPUOP_register_runstate_memory_area, 0, &area), 0,
             "register the runstate area");
    md_sleep_ns(MD_MS(100));                /* the hog is spinning by now */
    /* Running time so far: the area was written when we were last scheduled in. */
    t0 = md_now();
    r0 = runstate.time[RUNSTATE_running] + (t0 - runstate.state_entry_time);
    while (md_now() - t0 < secs * 1000000000ULL)
        loops++;
    t1 = md_now();
    r1 = runstate.time[RUNSTATE_running] + (t1 - runstate.state_entry_time);
    share = (unsigned long)((r1 - r0) * 1000 / (t1 - t0));
    printk("victim: ran %lu ms of %lu ms (%lu.%lu%%; runnable %lu ms), %lu loops, beside a hog of equal weight\n",
           (unsigned long)((r1 - r0) / 1000000), (unsigned long)((t1 - t0) / 1000000), share / 10, share % 10,
           (unsigned long)(runstate.time[RUNSTATE_runnable] / 1000000), (unsigned long)loops);
    if (share < 500 - tol * 10 || share > 500 + tol * 10)
        test_fail("victim got %lu.%lu%% of the CPU, want 50 +- %lu%%", share / 10, share % 10, tol);
}

void test_main(void)
{
    md_init();
    md_events_on();
    if (md_arg_is("role", "victim"))
        victim();
    else if (md_arg_is("role", "hog")) {
        uint64_t stop = md_arg_ul("stop", 4) * 1000000000ULL;
        while (md_now() < stop)
            __asm__ __volatile__("pause");
        printk("hog: stopping at %lu s of system time\n", (unsigned long)(stop / 1000000000ULL));
    } else
        test_error("role=victim or hog expected (boot with fairness.cfg)");
    test_success();
}
