/*
 * The shell's `pvostest`: a driver's-eye check of pvos.h, written against
 * nothing else of the kernel's (as a driver must be). A loopback event
 * channel (our own unbound port, bound by ourselves) carries three events
 * from one end to a handler on the other, which wakes the waiting thread;
 * a page comes and goes, granted (read-only, to domain 0) and the grant ended
 * twice (the second time refused).
 */
#include "pvos.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

void pvos_selftest(void);

struct loopback {
    volatile unsigned int events;
    unsigned int want;
    struct pvos_wait wait;
};

static void on_event(uint32_t port, void *ctx)
{
    struct loopback *l = ctx;

    (void)port;
    l->events++;
    pvos_wake(&l->wait);
}

static bool enough(void *ctx)
{
    struct loopback *l = ctx;

    return l->events >= l->want;
}

/* The bind leaves our new end pending (as Xen): one event, then three sent. */
static int loopback_events(struct loopback *l, uint32_t a, uint32_t b)
{
    int rc;

    if ((rc = pvos_evtchn_handle(b, on_event, l)))
        return rc;
    for (l->want = 1; l->want <= 4; l->want++) {
        if (l->want > 1 && (rc = pvos_evtchn_notify(a)))
            return rc;
        if (!pvos_wait_until(&l->wait, enough, l, pvos_now_ns() + 1000000000ULL))
            return -XEN_ETIMEDOUT;
    }
    return l->events == 4 ? 0 : -XEN_EINVAL;
}

void pvos_selftest(void)
{
    static struct loopback l;
    uint32_t a = 0, b = 0;
    uint8_t *page = pvos_page_alloc();
    int rc, grant, end1 = 0, end2 = 0;

    l = (struct loopback){ 0 };
    if (!page) {
        pvos_log("pvos: self-test FAILED: no page");
        return;
    }
    grant = pvos_grant_page(0, page, true);
    if (grant >= 0) {
        end1 = pvos_grant_end(grant);
        end2 = pvos_grant_end(grant);
    }
    if ((rc = pvos_evtchn_alloc_unbound(DOMID_SELF, &a)) ||
        (rc = pvos_evtchn_bind_interdomain(DOMID_SELF, a, &b)) ||
        (rc = loopback_events(&l, a, b)))
        pvos_log("pvos: self-test FAILED: event channel ports %u/%u, %u events: %d", a, b, l.events, rc);
    else if (page[0] || page[4095] || !pvos_page_mfn(page) || grant < 8 || end1 || end2 != -XEN_EINVAL)
        pvos_log("pvos: self-test FAILED: page %02x..%02x mfn %lx, grant %d, ends %d %d", page[0],
                 page[4095], (unsigned long)pvos_page_mfn(page), grant, end1, end2);
    else
        pvos_log("pvos: self-test OK: %u events through ports %u -> %u, page at mfn %lx, grant ref %d ended",
                 l.events, a, b, (unsigned long)pvos_page_mfn(page), grant);
    if (b)
        pvos_evtchn_close(b);
    if (a)
        pvos_evtchn_close(a);
    pvos_page_free(page);
}
