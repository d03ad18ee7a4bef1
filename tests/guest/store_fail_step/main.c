/*
 * store_fail_step: the domain builder's store steps (the store port, grant
 * refs 0 and 1: fail_step=build:8..10) made to fail once each, one domain
 * per step (store_fail_step.cfg). Each such domain is refused (shut down as
 * crashed, then destroyed) and gives back everything: the audit and the
 * final frame report check it. role=control (d0, the store domain) checks;
 * role=waiter (d4) is built waiting and runs once d0 unpauses it.
 */
#include "multidom.h"

const char test_title[] = "each store step of pv_build_domain failing leaks nothing";

#define FIRST_VICTIM 1
#define LAST_VICTIM  3
#define WAITER       4

/* Wait until d is destroyed (-ESRCH), checking it stays shut down as crashed meanwhile. */
static void wait_destroyed(domid_t d)
{
    struct tandem_domctl_getdomaininfo i;
    uint64_t deadline = md_now() + MD_MS(5000);
    long rc;

    for (;; md_sleep_ns(MD_MS(10))) {
        if ((rc = md_dominfo(d, &i)) == -XEN_ESRCH)
            return;
        if (rc || !(i.flags & TANDEM_DOMINF_shutdown) || i.shutdown_reason != SHUTDOWN_crash) {
            test_fail("d%u, whose build failed: rc %ld flags %#x reason %u", d, rc, i.flags,
                      i.shutdown_reason);
            return;
        }
        if (md_now() > deadline) {
            test_fail("d%u, whose build failed, not destroyed within 5 s", d);
            return;
        }
    }
}

static void control(void)
{
    struct tandem_domctl_getdomaininfo i;
    struct tandem_domctl op;
    uint64_t deadline;

    for (domid_t d = FIRST_VICTIM; d <= LAST_VICTIM; d++)
        wait_destroyed(d);
    CHECK_RC(md_dominfo(WAITER, &i), 0, "getdomaininfo(waiter)");
    if (!(i.flags & TANDEM_DOMINF_paused) || i.cpu_time_ns)
        test_fail("d%u before its unpause: flags %#x, %lu ns of CPU, want paused, never run", WAITER,
                  i.flags, (unsigned long)i.cpu_time_ns);
    CHECK_RC(md_domctl(TANDEM_DOMCTL_unpause, WAITER, &op), 0, "unpause the waiter");
    for (deadline = md_now() + MD_MS(20000); md_now() < deadline; md_sleep_ns(MD_MS(5)))
        if (md_dominfo(WAITER, &i) || (i.flags & TANDEM_DOMINF_shutdown))
            break;
    if (!md_dominfo(WAITER, &i) && !(i.flags & TANDEM_DOMINF_shutdown))
        test_fail("the waiter did not finish once unpaused");
    printk("control: d%u-d%u refused by the builder and destroyed, d%u ran once unpaused\n",
           FIRST_VICTIM, LAST_VICTIM, WAITER);
}

void test_main(void)
{
    md_init();
    if (md_arg_is("role", "control"))
        control();
    else if (!md_arg_is("role", "waiter"))
        test_fail("this domain should never have run (role=victim)");
    test_success();
}
