/*
 * evtchn_interdomain: three domains check the interdomain operations and
 * their permission rules, following each other through the ports' states.
 *   role=a (d1): offers a port to d2, one to d3 and a second to d2; sees
 *                d2's first bound, pending, unbound when d2 closes, bound
 *                again; closes it first; waits for both all-done events.
 *   role=b (d2): binds it, sends, closes, binds again, sees it unbound
 *                when d1 closes, cannot bind the closed port.
 *   role=c (d3): can bind the port offered to it and no other, may not
 *                allocate or read the status of d1's ports (unprivileged).
 */
#include "multidom.h"

const char test_title[] = "interdomain event channels: binding, status, close from either side, permissions";

#define A 1
#define B 2
#define C 3

/* Wait (up to 10 s) until our port reaches state `want`; its far end goes to fd and fp. */
static bool wait_state(uint32_t port, long want, domid_t *fd, uint32_t *fp, const char *what)
{
    uint64_t deadline = md_now() + MD_MS(10000);
    long st;

    while ((st = md_status(DOMID_SELF, port, fd, fp)) != want) {
        if (md_now() > deadline) {
            test_fail("%s: port %u stayed in state %ld, want %ld", what, port, st, want);
            return false;
        }
        md_sleep_ns(MD_MS(1));
    }
    return true;
}

static bool wait_pending(uint32_t port, const char *what)
{
    uint64_t deadline = md_now() + MD_MS(10000);

    while (!md_pending(port)) {
        if (md_now() > deadline) {
            test_fail("%s: port %u never became pending", what, port);
            return false;
        }
        md_sleep_ns(MD_MS(1));
    }
    md_clear_pending(port);
    return true;
}

static void role_a(void)
{
    uint32_t pa, pc, pbd, fp, fp2;
    domid_t fd;
    long st;

    CHECK_RC(md_alloc_unbound(B, &pa), 0, "a: alloc_unbound for d2");
    CHECK_RC(md_alloc_unbound(C, &pc), 0, "a: alloc_unbound for d3");
    CHECK_RC(md_alloc_unbound(B, &pbd), 0, "a: a second alloc_unbound for d2");
    /* d2 may already have bound it (it scans for our offer): unbound for d2, or bound by d2. */
    st = md_status(DOMID_SELF, pa, &fd, &fp);
    if ((st != EVTCHNSTAT_unbound && st != EVTCHNSTAT_interdomain) || fd != B)
        test_fail("a: port %u neither unbound for nor bound by d2 (state %ld, d%u)", pa, st, fd);
    printk("a: offered port %u to d2\n", pa);
    if (!wait_state(pa, EVTCHNSTAT_interdomain, &fd, &fp, "a: d2 binds"))
        return;
    if (fd != B)
        test_fail("a: port %u bound by d%u, want d2", pa, fd);
    printk("a: port %u bound by d2 port %u\n", pa, fp);
    if (!wait_pending(pa, "a: d2 sends"))
        return;
    CHECK_RC(md_send(pa), 0, "a: send to d2");
    if (!wait_state(pa, EVTCHNSTAT_unbound, &fd, &fp2, "a: d2 closes"))
        return;
    if (fd != B)
        test_fail("a: after d2 closed, port %u unbound for d%u, want d2", pa, fd);
    printk("a: d2 closed its end; port %u is unbound for d2 again\n", pa);
    CHECK_RC(md_send(pa), 0, "a: send on the unbound port (dropped)");
    if (!wait_state(pa, EVTCHNSTAT_interdomain, &fd, &fp2, "a: d2 binds again"))
        return;
    printk("a: bound again by d2 port %u; closing our end first\n", fp2);
    CHECK_RC(md_close(pa), 0, "a: close");
    CHECK_RC(md_status(DOMID_SELF, pa, &fd, &fp), EVTCHNSTAT_closed, "a: status after close");
    if (wait_pending(pc, "a: d3 is done") && wait_pending(pbd, "a: d2 is done"))
        printk("a: d2 and d3 are done\n");
}

static void role_b(void)
{
    uint64_t deadline = md_now() + MD_MS(10000);
    uint32_t pa = 0, pd, pb, pb2, done = 0, fp, dummy;
    domid_t fd;
    long rc = -1;

    while (rc) {        /* find what d1 offered us: the first is the one to test */
        for (pa = 1; pa < 64 && (rc = md_bind_interdomain(A, pa, &pb)); pa++)
            ;
        if (rc && md_now() > deadline) {
            test_fail("b: d1 offered no port");
            return;
        }
        if (rc)
            md_sleep_ns(MD_MS(1));
    }
    md_clear_pending(pb);
    while (!done && md_now() < deadline) {      /* the second, for "done" */
        for (pd = pa + 1; pd < 64 && !done; pd++)
            if (md_bind_interdomain(A, pd, &done) != 0)
                done = 0;
        if (!done)
            md_sleep_ns(MD_MS(1));
    }
    if (md_status(DOMID_SELF, pb, &fd, &fp) != EVTCHNSTAT_interdomain || fd != A || fp != pa)
        test_fail("b: port %u far end d%u:%u, want d1:%u", pb, fd, fp, pa);
    printk("b: bound d1 port %u as port %u\n", pa, pb);
    CHECK_RC(md_bind_interdomain(A, pa, &dummy), -XEN_EINVAL, "b: bind the same port twice");
    CHECK_RC(md_send(pb), 0, "b: send to d1");
    if (!wait_pending(pb, "b: d1 answers"))
        return;
    CHECK_RC(md_close(pb), 0, "b: close our end");
    CHECK_RC(md_status(DOMID_SELF, pb, &fd, &fp), EVTCHNSTAT_closed, "b: status after close");
    CHECK_RC(md_send(pb), -XEN_EINVAL, "b: send on a closed port");
    md_sleep_ns(MD_MS(20));     /* d1 sends into its unbound port meanwhile */
    CHECK_RC(md_bind_interdomain(A, pa, &pb2), 0, "b: bind again after closing");
    md_clear_pending(pb2);
    if (!wait_state(pb2, EVTCHNSTAT_unbound, &fd, &fp, "b: d1 closes"))
        return;
    if (fd != A)
        test_fail("b: after d1 closed, port %u unbound for d%u, want d1", pb2, fd);
    printk("b: d1 closed its end; port %u is unbound for d1\n", pb2);
    CHECK_RC(md_bind_interdomain(A, pa, &dummy), -XEN_EINVAL, "b: bind d1's closed port");
    CHECK_RC(md_close(pb2), 0, "b: close the unbound port");
    CHECK_RC(md_send(done), 0, "b: tell d1 we are done");
}

static void role_c(void)
{
    struct evtchn_alloc_unbound al = { .dom = A, .remote_dom = DOMID_SELF };
    struct evtchn_status st = { .dom = A, .port = 1 };
    uint64_t deadline = md_now() + MD_MS(10000);
    uint32_t p, p2, mine = 0, local = 0, dummy;
    domid_t fd;

    while (!mine) {     /* d1 offers ours after d2's: once ours is there, d2's is too */
        for (p = 1; p < 64 && !mine; p++)
            if (md_bind_interdomain(A, p, &local) == 0)
                mine = p;
        if (!mine && md_now() > deadline) {
            test_fail("c: d1 offered no port to d3");
            return;
        }
        if (!mine)
            md_sleep_ns(MD_MS(1));
    }
    md_clear_pending(local);
    printk("c: bound d1 port %u, the one offered to d3\n", mine);
    for (p = 1; p < 64; p++)
        if (md_bind_interdomain(A, p, &p2) != -XEN_EINVAL)
            test_fail("c: bind_interdomain(d1, %u) not refused with -EINVAL", p);
    CHECK_RC(HC2(event_channel_op, EVTCHNOP_alloc_unbound, &al), -XEN_EPERM,
             "c: alloc_unbound in d1 (unprivileged)");
    CHECK_RC(HC2(event_channel_op, EVTCHNOP_status, &st), -XEN_EPERM,
             "c: status of d1's port (unprivileged)");
    CHECK_RC(md_bind_interdomain(77, 1, &dummy), -XEN_ESRCH, "c: bind to a domain that does not exist");
    CHECK_RC(md_status(77, 1, &fd, &p), -XEN_ESRCH, "c: status in a domain that does not exist");
    /* Xen allows an offer to a domain that does not exist (yet): nobody can bind it. */
    CHECK_RC(md_alloc_unbound(77, &p), 0, "c: alloc_unbound for d77");
    printk("c: refused as it should be\n");
    CHECK_RC(md_send(local), 0, "c: tell d1 we are done");
}

void test_main(void)
{
    md_init();
    md_events_on();
    if (md_arg_is("role", "a"))
        role_a();
    else if (md_arg_is("role", "b"))
        role_b();
    else if (md_arg_is("role", "c"))
        role_c();
    else
        test_error("role=a, b or c expected (boot with interdomain.cfg)");
    test_success();
}
