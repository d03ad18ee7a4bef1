/*
 * dom_destroy: domain 0 (privileged) uses tandem_domctl on a running
 * ping-pong (dom_pingpong.elf as d1 ping and d2 pong, bouncing until the
 * peer goes): lists the domains, checks the call's refusals, pauses and
 * unpauses d2, then destroys it mid-ping-pong. VIRQ_DOM_EXC must come, d2
 * must disappear, and d1 must notice its peer gone and finish on its own.
 * The final report must show every frame returned.
 */
#include "multidom.h"

const char test_title[] = "tandem_domctl: list, pause, unpause, destroy a domain mid-ping-pong";

static volatile unsigned long dom_exc;

static void on_dom_exc(uint32_t port)
{
    (void)port;
    dom_exc++;
}

/* CPU time in ns: any run at all moves it (whole ms would not, for a mostly blocked domain). */
static uint64_t cpu_ns(domid_t id)
{
    struct tandem_domctl_getdomaininfo i;

    return md_dominfo(id, &i) ? ~0ULL : i.cpu_time_ns;
}

static void check_refusals(void)
{
    struct tandem_domctl op;

    CHECK_RC(md_domctl(TANDEM_DOMCTL_pause, 0, &op), -XEN_EINVAL, "pause ourselves");
    CHECK_RC(md_domctl(TANDEM_DOMCTL_destroy, DOMID_SELF, &op), -XEN_EINVAL, "destroy DOMID_SELF");
    CHECK_RC(md_domctl(TANDEM_DOMCTL_unpause, 1, &op), -XEN_EINVAL, "unpause d1 (not paused)");
    CHECK_RC(md_domctl(TANDEM_DOMCTL_pause, 77, &op), -XEN_ESRCH, "pause d77 (none)");
    CHECK_RC(md_domctl(TANDEM_DOMCTL_getdomaininfo, 3, &op), -XEN_ESRCH, "getdomaininfo from d3 (none)");
    CHECK_RC(md_domctl(9, 1, &op), -XEN_ENOSYS, "unknown command 9");
    op = (struct tandem_domctl){ .cmd = TANDEM_DOMCTL_pause, .interface_version = 0, .domid = 1 };
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EACCES, "wrong interface version");
    op = (struct tandem_domctl){ .cmd = TANDEM_DOMCTL_pause, .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                 .domid = 1, .pad = { 0, 1, 0 } };
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "non-zero pad");
    op.pad[1] = 0;
    op.u.raw[5] = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "non-zero union for pause");
    CHECK_RC(HC1(tandem_domctl, (void *)0x1000), -XEN_EFAULT, "unmapped argument");
}

static void list_domains(void)
{
    struct tandem_domctl op;
    unsigned int id = 0, n = 0;

    while (md_domctl(TANDEM_DOMCTL_getdomaininfo, (domid_t)id, &op) == 0) {
        const struct tandem_domctl_getdomaininfo *i = &op.u.getdomaininfo;
        printk("control: d%u %s flags %#x, %lu pages, %lu ms\n", i->domid, i->name, i->flags,
               (unsigned long)i->tot_pages, (unsigned long)(i->cpu_time_ns / 1000000));
        if (i->domid == 0 && !(i->flags & TANDEM_DOMINF_privileged))
            test_fail("d0 is not flagged privileged");
        if (i->flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying))
            test_fail("d%u is not running (flags %#x)", i->domid, i->flags);
        id = i->domid + 1u;
        n++;
    }
    if (n != 3)
        test_fail("listed %u domains, want 3", n);
}

/* True once d's CPU time passes `than` (ns), within 5 s of system time. */
static bool runs_again(domid_t d, uint64_t than)
{
    for (uint64_t deadline = md_now() + MD_MS(5000); md_now() < deadline; md_sleep_ns(MD_MS(10)))
        if (cpu_ns(d) > than && cpu_ns(d) != ~0ULL)
            return true;
    return false;
}

/* Pausing the pong stops it (no CPU time); unpausing lets the ping-pong go on. */
static void pause_unpause(void)
{
    struct tandem_domctl_getdomaininfo i;
    struct tandem_domctl op;
    uint64_t t;

    CHECK_RC(md_domctl(TANDEM_DOMCTL_pause, 2, &op), 0, "pause d2");
    CHECK_RC(md_domctl(TANDEM_DOMCTL_pause, 2, &op), 0, "pause d2 again (not nested)");
    if (md_dominfo(2, &i) || !(i.flags & TANDEM_DOMINF_paused))
        test_fail("d2 not flagged paused");
    t = cpu_ns(2);
    md_sleep_ns(MD_MS(100));
    if (cpu_ns(2) != t)
        test_fail("paused d2 ran: %lu ns then %lu ns", (unsigned long)t, (unsigned long)cpu_ns(2));
    CHECK_RC(md_domctl(TANDEM_DOMCTL_unpause, 2, &op), 0, "unpause d2");
    if (!runs_again(2, t))
        test_fail("d2 did not run after unpause");
}

void test_main(void)
{
    struct tandem_domctl_getdomaininfo i;
    struct tandem_domctl op;
    uint64_t deadline;
    uint32_t port;
    long rc;

    md_init();
    CHECK_RC(md_bind_virq(VIRQ_DOM_EXC, &port), 0, "bind VIRQ_DOM_EXC");
    md_bind(port, on_dom_exc);
    md_events_on();
    md_sleep_ns(MD_MS(200));                /* the ping-pong gets going */
    list_domains();
    check_refusals();
    pause_unpause();

    CHECK_RC(md_domctl(TANDEM_DOMCTL_destroy, 2, &op), 0, "destroy d2 mid-ping-pong");
    /* Dying (its teardown runs in steps): 0; gone already: -ESRCH (checked after: it only goes). */
    if ((rc = md_domctl(TANDEM_DOMCTL_destroy, 2, &op)) && (rc != -XEN_ESRCH || md_dominfo(2, &i) != -XEN_ESRCH))
        test_fail("destroy d2 again (dying: 0, gone: -ESRCH): got %ld", rc);
    if (!md_block_until(&dom_exc, 1, md_now() + MD_MS(2000)))
        test_fail("no VIRQ_DOM_EXC after destroying d2");
    for (deadline = md_now() + MD_MS(2000); md_dominfo(2, &i) == 0 && md_now() < deadline; )
        md_sleep_ns(MD_MS(5));
    CHECK_RC(md_dominfo(2, &i), -XEN_ESRCH, "d2 gone after destroy");
    printk("control: d2 destroyed, %lu VIRQ_DOM_EXC; waiting for d1 to finish by itself\n", dom_exc);

    for (deadline = md_now() + MD_MS(10000); md_now() < deadline; md_sleep_ns(MD_MS(10)))
        if (md_dominfo(1, &i) || (i.flags & TANDEM_DOMINF_shutdown))
            break;
    if (md_dominfo(1, &i) == 0 && !(i.flags & TANDEM_DOMINF_shutdown))
        test_fail("d1 did not finish after losing its peer");
    else if (md_dominfo(1, &i) == 0 && i.shutdown_reason != SHUTDOWN_poweroff)
        test_fail("d1 shut down with reason %u", i.shutdown_reason);
    test_success();
}
