/*
 * sched_remote_shutdown: SCHEDOP_remote_shutdown as Xen's. role=control
 * (d0, privileged): the refusals (-EFAULT unreadable argument, -ESRCH no
 * such domain or DOMID_SELF, -EINVAL a reason beyond SHUTDOWN_MAX, leaving
 * the target running), waits for d2's own checks, then powers d1 off and
 * reports a crash for d3 from outside; each must show as shut down with
 * that reason, and a second call on a shut-down domain changes nothing.
 * role=intruder (d2, not privileged): -EPERM for every existing domain,
 * -ESRCH for none, and nobody is shut down by it.
 */
#include "multidom.h"

const char test_title[] = "SCHEDOP_remote_shutdown: privileged success, refusals";

static long remote(domid_t id, uint32_t reason)
{
    struct sched_remote_shutdown rs = { .domain_id = id, .reason = reason };

    return HC2(sched_op, SCHEDOP_remote_shutdown, &rs);
}

static bool running(domid_t id)
{
    struct tandem_domctl_getdomaininfo i;

    return md_dominfo(id, &i) == 0 && !(i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying));
}

/* d's shutdown reason once it shows as shut down, or GONE once it has been torn down (its
 * reason is then the final report's: expect), within 5 s; else -1. */
#define GONE 1000
static long shut_reason(domid_t id)
{
    struct tandem_domctl_getdomaininfo i;
    long rc;

    for (uint64_t deadline = md_now() + MD_MS(5000); md_now() < deadline; md_sleep_ns(MD_MS(10))) {
        if ((rc = md_dominfo(id, &i)) == -XEN_ESRCH)
            return GONE;
        if (rc == 0 && (i.flags & TANDEM_DOMINF_shutdown))
            return i.shutdown_reason;
    }
    return -1;
}

static bool ended_with(domid_t id, long reason)
{
    long r = shut_reason(id);

    return r == reason || r == GONE;
}

static void intruder(void)
{
    for (domid_t id = 0; id <= 3; id++)
        if (id != 2)
            CHECK_RC(remote(id, SHUTDOWN_poweroff), -XEN_EPERM, "unprivileged remote_shutdown");
    CHECK_RC(remote(2, SHUTDOWN_poweroff), -XEN_EPERM, "unprivileged remote_shutdown of itself");
    CHECK_RC(remote(77, SHUTDOWN_poweroff), -XEN_ESRCH, "unprivileged remote_shutdown of d77 (none)");
    printk("intruder: every remote_shutdown refused\n");
    test_success();
}

void test_main(void)
{
    struct sched_remote_shutdown *bad = (struct sched_remote_shutdown *)0x1000;
    long rc;

    md_init();
    if (md_arg_is("role", "intruder")) {
        intruder();
        return;
    }
    md_events_on();
    md_sleep_ns(MD_MS(100));
    CHECK_RC(HC2(sched_op, SCHEDOP_remote_shutdown, bad), -XEN_EFAULT, "unreadable argument");
    CHECK_RC(remote(77, SHUTDOWN_poweroff), -XEN_ESRCH, "remote_shutdown of d77 (none)");
    CHECK_RC(remote(DOMID_SELF, SHUTDOWN_poweroff), -XEN_ESRCH, "DOMID_SELF (not an id here)");
    CHECK_RC(remote(1, SHUTDOWN_MAX + 1), -XEN_EINVAL, "reason SHUTDOWN_MAX + 1");
    CHECK_RC(remote(1, 0x100), -XEN_EINVAL, "reason 0x100");
    if (!running(1))
        test_fail("d1 not running after the refused calls");

    /* d2 checks its refusals and powers off by itself. */
    if (!ended_with(2, SHUTDOWN_poweroff))
        test_fail("d2 did not power off by itself");
    if (!running(1) || !running(3))
        test_fail("d1 or d3 stopped by d2's calls");

    CHECK_RC(remote(1, SHUTDOWN_poweroff), 0, "remote_shutdown d1 poweroff");
    /* Shut down, not yet torn down: 0 and nothing changes (the final report says poweroff); gone: -ESRCH. */
    rc = remote(1, SHUTDOWN_reboot);
    if (rc != 0 && rc != -XEN_ESRCH)
        test_fail("remote_shutdown of d1 again: got %ld, want 0 or -ESRCH", rc);
    if (!ended_with(1, SHUTDOWN_poweroff))
        test_fail("d1 not shut down with poweroff");
    CHECK_RC(remote(3, SHUTDOWN_crash), 0, "remote_shutdown d3 crash");
    if (!ended_with(3, SHUTDOWN_crash))
        test_fail("d3 not shut down with crash");
    test_success();
}
