/*
 * fail_step: every step of domain_create and pv_build_domain made to fail
 * once (hypervisor command line fail_step=..., one domain per failure
 * point: fail_step.cfg), with a healthy domain running beside them. The
 * hypervisor must refuse each (create: the domain never exists; build: it
 * is shut down as crashed and destroyed), carry on, and give back every
 * frame: the audit and the final frame report check that nothing leaked.
 * Roles on the command line: control (d0), spin (the healthy domain), victim.
 */
#include "multidom.h"

const char test_title[] = "each domain_create / pv_build_domain step failing leaks nothing";

#define FIRST_CREATE 1      /* d1-d5: create steps 1-5 (d5 has 2 vCPUs: its second fails) */
#define FIRST_BUILD  6      /* d6-d12: build steps 1-7 */
#define LAST_VICTIM  12
#define SPINNER      13

/* No store= in fail_step.cfg: nothing waits for a store (docs/xenstore.md). */
static void check_no_store(void)
{
    struct tandem_domctl_getstoreinfo si;

    if (start_info->store_evtchn != 0)
        test_fail("no store domain, yet start_info.store_evtchn is %u", start_info->store_evtchn);
    for (domid_t d = 0; d <= SPINNER; d += SPINNER) {
        CHECK_RC(md_storeinfo(d, &si), 0, "getstoreinfo");
        if (si.store_domid != DOMID_INVALID || si.store_port || si.flags)
            test_fail("no store domain, yet d%u has store_domid %u, store port %u, flags %#x",
                      d, si.store_domid, si.store_port, si.flags);
    }
}

static void control(void)
{
    struct tandem_domctl_getdomaininfo i;
    uint64_t before, deadline;
    long rc;

    check_no_store();
    for (domid_t d = FIRST_CREATE; d < FIRST_BUILD; d++)
        CHECK_RC(md_dominfo(d, &i), -XEN_ESRCH, "getdomaininfo of a domain whose creation failed");
    for (domid_t d = FIRST_BUILD; d <= LAST_VICTIM; d++) {
        for (deadline = md_now() + MD_MS(5000); ; md_sleep_ns(MD_MS(10))) {
            rc = md_dominfo(d, &i);
            if (rc == -XEN_ESRCH)
                break;          /* destroyed */
            if (rc) {
                test_fail("getdomaininfo(d%u): %ld", d, rc);
                break;
            }
            if (!(i.flags & TANDEM_DOMINF_shutdown) || i.shutdown_reason != SHUTDOWN_crash) {
                test_fail("d%u, whose build failed: flags %#x reason %u, want shut down with crash",
                          d, i.flags, i.shutdown_reason);
                break;
            }
            if (md_now() > deadline) {
                test_fail("d%u, whose build failed, not destroyed within 5 s", d);
                break;
            }
        }
    }
    printk("control: d%u-d%u never created, d%u-d%u refused by the builder and destroyed\n",
           FIRST_CREATE, FIRST_BUILD - 1, FIRST_BUILD, LAST_VICTIM);

    CHECK_RC(md_dominfo(SPINNER, &i), 0, "getdomaininfo(spinner)");
    if (i.flags & TANDEM_DOMINF_paused)
        test_fail("without a store domain, d%u was built paused", SPINNER);
    before = i.cpu_time_ns;
    for (deadline = md_now() + MD_MS(5000); md_now() < deadline; ) {
        md_sleep_ns(MD_MS(50));
        CHECK_RC(md_dominfo(SPINNER, &i), 0, "getdomaininfo(spinner) later");
        if (i.cpu_time_ns > before + MD_MS(20))
            break;
    }
    if (i.cpu_time_ns <= before + MD_MS(20))
        test_fail("the healthy domain did not run");
    printk("control: d%u runs: %lu ms of CPU\n", SPINNER, (unsigned long)(i.cpu_time_ns / 1000000));
}

void test_main(void)
{
    md_init();
    if (md_arg_is("role", "control"))
        control();
    else if (md_arg_is("role", "spin")) {
        for (;;)
            __asm__ __volatile__("pause");
    } else
        test_fail("this domain should never have run (role=victim)");
    test_success();
}
