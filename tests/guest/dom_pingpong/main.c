/*
 * dom_pingpong: two domains bounce an interdomain event n times (default
 * 10,000), each answering from its event upcall. role=ping (domain 1)
 * offers a port to peer=2 with alloc_unbound and waits for it to be bound;
 * role=pong finds the offered port by trying bind_interdomain on each,
 * then sends one "ready" event: the ping's first ping waits for it, since
 * a ping sent earlier would merge with the pending bit the bind sets on
 * the pong's port (which the pong clears) and be lost.
 * Every ping must get exactly one pong: a lost or extra event fails.
 * n=0 bounces until the peer disappears (dom_destroy uses that): the ping
 * side then sees its port unbound and carries on alone.
 * Reports the round trip (send, upcall in the peer, send back) in TSC
 * ticks (guest instructions under tandem-run --icount) and ns, beside a
 * null hypercall.
 */
#include "multidom.h"

const char test_title[] = "interdomain event ping-pong";

static volatile unsigned long events;
static uint32_t port;

static void on_reply(uint32_t p)
{
    (void)p;
    events++;
}

static void on_ping(uint32_t p)
{
    events++;
    md_send(p);
}

static bool wait_bound(domid_t peer)
{
    uint64_t deadline = md_now() + MD_MS(10000);
    domid_t fd;
    uint32_t fp;

    while (md_status(DOMID_SELF, port, &fd, &fp) != EVTCHNSTAT_interdomain) {
        if (md_now() > deadline)
            return false;
        md_sleep_ns(MD_MS(1));
    }
    if (fd != peer)
        test_fail("port %u bound by d%u, want d%u", port, fd, peer);
    printk("ping: port %u bound by d%u port %u\n", port, fd, fp);
    return true;
}

static void report_costs(unsigned long n, uint64_t ticks, uint64_t ns)
{
    uint64_t t0 = md_rdtsc();

    for (int i = 0; i < 10000; i++)
        HC2(xen_version, 0, 0);
    printk("ping: %lu round trips, %lu TSC ticks and %lu ns each; null hypercall %lu ticks\n",
           n, (unsigned long)(ticks / n), (unsigned long)(ns / n),
           (unsigned long)((md_rdtsc() - t0) / 10000));
    /* The same figure for make bench (pv.interdomain_rtt). */
    printk("BENCH scenario=pv.interdomain_rtt iters=%lu total=%lu per_op=%lu unit=tsc\n",
           n, (unsigned long)ticks, (unsigned long)(ticks / n));
    printk("BENCH done\n");
}

/* n == 0: until the peer goes away; then its end of our port reads unbound. */
static void ping(domid_t peer, unsigned long n)
{
    domid_t fd;
    uint32_t fp;
    uint64_t t0, ns0;
    unsigned long i;
    long st;

    struct tandem_domctl op;

    CHECK_RC(md_domctl(TANDEM_DOMCTL_getdomaininfo, 0, &op), -XEN_EPERM, "tandem_domctl (unprivileged)");
    CHECK_RC(md_alloc_unbound(peer, &port), 0, "alloc_unbound for the peer");
    /* The peer may bind it at once (it keeps trying), so interdomain with d<peer> is right too. */
    st = md_status(DOMID_SELF, port, &fd, &fp);
    if ((st != EVTCHNSTAT_unbound && st != EVTCHNSTAT_interdomain) || fd != peer)
        test_fail("new port %u: status %ld, far end d%u; want unbound for (or bound by) d%u", port, st, fd, peer);
    md_bind(port, on_reply);
    md_events_on();
    if (!wait_bound(peer)) {
        test_fail("d%u never bound port %u", peer, port);
        return;
    }
    if (!md_block_until(&events, 1, md_now() + MD_MS(10000))) {
        test_fail("d%u bound port %u but never said ready", peer, port);
        return;
    }
    events = 0;                 /* the ready event; nothing more comes until we ping */
    t0 = md_rdtsc();
    ns0 = md_now();
    for (i = 1; n == 0 || i <= n; i++) {
        CHECK_RC(md_send(port), 0, "send");
        if (md_block_until(&events, i, md_now() + MD_MS(n ? 5000 : 200)))
            continue;
        if (n) {
            test_fail("round trip %lu: no answer (%lu events)", i, events);
            return;
        }
        /* Until the peer goes: a paused peer answers late, never twice. */
        while (md_status(DOMID_SELF, port, &fd, &fp) == EVTCHNSTAT_interdomain &&
               !md_block_until(&events, i, md_now() + MD_MS(200)))
            ;
        if (events >= i)
            continue;
        printk("ping: peer d%u gone after %lu round trips; port %u now unbound for d%u\n",
               peer, i - 1, port, fd);
        if (fd != peer)
            test_fail("port %u unbound for d%u, want d%u", port, fd, peer);
        CHECK_RC(md_send(port), 0, "send on the unbound port (dropped)");
        md_sleep_ns(MD_MS(50));
        printk("ping: still running alone\n");
        return;
    }
    n = i - 1;
    report_costs(n, md_rdtsc() - t0, md_now() - ns0);
    md_sleep_ns(MD_MS(20));     /* a stray extra event would arrive now */
    if (events != n)
        test_fail("%lu answers to %lu pings", events, n);
}

static void pong(domid_t peer, unsigned long n)
{
    uint64_t deadline = md_now() + MD_MS(10000);
    domid_t fd;
    uint32_t fp, p;
    long rc = -1;

    while (rc) {
        for (p = 1; p < 64 && (rc = md_bind_interdomain(peer, p, &port)); p++)
            if (rc != -XEN_EINVAL)
                test_fail("bind_interdomain(d%u, %u): %ld, want 0 or -EINVAL", peer, p, rc);
        if (rc && md_now() > deadline) {
            test_fail("d%u offered no port", peer);
            return;
        }
        if (rc)
            md_sleep_ns(MD_MS(1));
    }
    /* As Xen, the new local port starts pending (no notification sent earlier is lost). */
    if (!md_pending(port))
        test_fail("port %u not pending after bind_interdomain", port);
    md_clear_pending(port);
    if (md_status(DOMID_SELF, port, &fd, &fp) != EVTCHNSTAT_interdomain || fd != peer || fp != p)
        test_fail("port %u: far end d%u:%u, want d%u:%u", port, fd, fp, peer, p);
    md_bind(port, on_ping);
    md_events_on();
    CHECK_RC(md_send(port), 0, "send ready");
    md_block_until(&events, n ? n : ~0UL, md_now() + MD_MS(n ? 120000 : 600000));
    printk("pong: answered %lu pings\n", events);
    md_sleep_ns(MD_MS(20));
    if (n && events != n)
        test_fail("%lu pings received, want %lu", events, n);
}

void test_main(void)
{
    unsigned long n = md_arg_ul("n", 10000);

    md_init();
    if (md_arg_is("role", "ping"))
        ping((domid_t)md_arg_ul("peer", 2), n);
    else if (md_arg_is("role", "pong"))
        pong((domid_t)md_arg_ul("peer", 1), n);
    else
        test_error("role=ping or role=pong expected (boot with pingpong.cfg)");
    test_success();
}
