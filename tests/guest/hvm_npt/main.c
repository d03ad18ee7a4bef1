/*
 * hvm_npt: the PV control domain (d0) beside an HVM domain d1 (SVM with
 * nested paging, tests/hvm/guest.S). d0 keeps running and waits for d1 to
 * end with the shutdown reason its command line names (want=poweroff:
 * the guest's checks passed and it powered off by VMMCALL; want=crash:
 * the hypervisor killed it, for a nested page fault or a triple fault).
 * The hypervisor log checks (expect) show why and that every frame came
 * back. want=destroy: d1 spins for ever; once it has had 100 ms of CPU
 * (the credit scheduler runs it beside d0), d0 destroys it (domctl) and
 * waits for it to go. Used by hvm_npt, hvm_npt_oob, hvm_npt_triple,
 * hvm_npt_spin and hvm_nosvm.
 */
#include "multidom.h"
#include <tandem/sched.h>

const char test_title[] = "an HVM (SVM, NPT) domain beside a PV domain";

static void destroy_spinner(void)
{
    struct tandem_domctl_getdomaininfo i;
    struct tandem_domctl op;
    uint64_t t0 = md_now();

    for (uint64_t deadline = t0 + MD_MS(30000); md_now() < deadline; md_sleep_ns(MD_MS(20))) {
        CHECK_RC(md_dominfo(1, &i), 0, "getdomaininfo(d1)");
        if (i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)) {
            test_fail("d1 stopped by itself (flags %#x reason %u)", i.flags, i.shutdown_reason);
            return;
        }
        if (i.cpu_time_ns >= MD_MS(100))
            break;
    }
    if (i.cpu_time_ns < MD_MS(100)) {
        test_fail("d1 got only %lu us of CPU in 30 s", (unsigned long)(i.cpu_time_ns / 1000));
        return;
    }
    printk("control: d1 spun for %lu ms of CPU while d0 ran; destroying it\n",
           (unsigned long)(i.cpu_time_ns / 1000000));
    memset(&op, 0, sizeof(op));
    CHECK_RC(md_domctl(TANDEM_DOMCTL_destroy, 1, &op), 0, "destroy d1");
    for (uint64_t deadline = md_now() + MD_MS(10000); md_now() < deadline; md_sleep_ns(MD_MS(20)))
        if (md_dominfo(1, &i) == -XEN_ESRCH || (i.flags & TANDEM_DOMINF_dying)) {
            printk("control: d1 destroyed\n");
            test_success();
            return;
        }
    test_fail("d1 still there 10 s after destroy");
}

void test_main(void)
{
    struct tandem_domctl_getdomaininfo i;
    bool want_crash = md_arg_is("want", "crash"), ran = false;
    unsigned int reason = want_crash ? SHUTDOWN_crash : SHUTDOWN_poweroff;
    long rc;

    md_init();
    md_events_on();
    if (md_arg_is("want", "destroy")) {
        destroy_spinner();
        return;
    }
    for (uint64_t deadline = md_now() + MD_MS(30000); md_now() < deadline; md_sleep_ns(MD_MS(20))) {
        rc = md_dominfo(1, &i);
        if (rc == -XEN_ESRCH) {
            printk("control: d1 already gone\n");
            test_success();
            return;
        }
        if (rc) {
            test_fail("getdomaininfo(d1): %ld", rc);
            return;
        }
        ran |= i.cpu_time_ns > 0;
        if (!(i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)))
            continue;
        if ((i.flags & TANDEM_DOMINF_shutdown) && i.shutdown_reason != reason) {
            test_fail("d1 shut down with reason %u, want %u", i.shutdown_reason, reason);
            return;
        }
        printk("control: d1 ended (reason %u) after %lu us of CPU; d0 ran beside it\n",
               i.shutdown_reason, (unsigned long)(i.cpu_time_ns / 1000));
        if (!ran && i.cpu_time_ns == 0)
            test_fail("d1 never ran");
        test_success();
        return;
    }
    test_fail("d1 still running after 30 s");
}
