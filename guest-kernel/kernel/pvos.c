/*
 * The bundled guest kernel's side of pvdrivers/include/pvos.h, the one
 * interface split drivers reach their kernel through: pages from the page
 * allocator, event channels with a per-port handler and context, sleeping
 * threads woken from handlers, the console; grants through grant.c.
 */
#include "pvos.h"
#include "mm.h"
#include "grant.h"
#include <tandem/errno.h>
#include <tandem/event_channel.h>

#define PVOS_PORTS 1024                 /* ports a driver may handle */

static struct { pvos_event_fn fn; void *ctx; } handlers[PVOS_PORTS];

void *pvos_page_alloc(void)
{
    uint64_t pfn = alloc_page(PG_KERNEL);

    return pfn ? pfn_to_virt(pfn) : NULL;
}

void pvos_page_free(void *page)
{
    free_page(virt_to_pfn(page), PG_KERNEL);
}

uint64_t pvos_page_mfn(const void *page)
{
    return pfn_to_mfn(virt_to_pfn(page));
}

int pvos_grant_page(uint16_t domid, const void *page, bool readonly)
{
    kcounters.grants++;
    return gnttab_grant(domid, pvos_page_mfn(page), readonly);
}

int pvos_grant_end(int ref)
{
    kcounters.grant_ends++;
    return gnttab_end(ref);
}

void *pvos_grant_map(uint16_t domid, uint32_t ref, bool readonly, int *err)
{
    kcounters.grant_maps++;
    kcounters.hypercalls++;
    return gnttab_map(domid, ref, readonly, err);
}

int pvos_grant_map_dev(uint16_t domid, const uint32_t *refs, unsigned int n, bool readonly, void **handle,
                       uint64_t *bus)
{
    kcounters.grant_maps += n;
    kcounters.hypercalls++;             /* one map_grant_ref for all n */
    return gnttab_map_dev(domid, refs, n, readonly, handle, bus);
}

void pvos_grant_unmap_dev(void **handle, unsigned int n)
{
    kcounters.grant_unmaps += n;
    kcounters.hypercalls += (n + 31) / 32;     /* one unmap_grant_ref per batch of 32 (grant.c) */
    gnttab_unmap_dev(handle, n);
}

int pvos_grant_copy_in(uint16_t domid, uint32_t ref, uint32_t offset, void *dst, uint32_t len)
{
    kcounters.grant_copies++;
    kcounters.hypercalls++;
    return gnttab_copy_in(domid, ref, offset, dst, len);
}

void *pvos_grant_map_ring(uint16_t domid, const uint32_t *refs, unsigned int nr, int *err)
{
    return gnttab_map_ring(domid, refs, nr, err);
}

int pvos_grant_unmap(void *va)
{
    kcounters.grant_unmaps++;
    kcounters.hypercalls += 2;          /* unmap_grant_ref, then the page's own mapping back */
    return gnttab_unmap(va);
}

int pvos_evtchn_alloc_unbound(uint16_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    *port = a.port;
    return rc;
}

int pvos_evtchn_bind_interdomain(uint16_t remote, uint32_t remote_port, uint32_t *port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = remote_port };
    int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

    *port = b.local_port;
    return rc;
}

/* events.c's handler for every port a driver handles: the driver's, with its context. */
static void dispatch(uint32_t port)
{
    kcounters.evt_handled++;
    if (port < PVOS_PORTS && handlers[port].fn)
        handlers[port].fn(port, handlers[port].ctx);
}

int pvos_evtchn_handle(uint32_t port, pvos_event_fn fn, void *ctx)
{
    uint8_t m;

    if (port >= PVOS_PORTS || !fn)
        return -XEN_EINVAL;
    m = events_save();
    handlers[port].fn = fn;
    handlers[port].ctx = ctx;
    events_restore(m);
    bind_evtchn(port, dispatch);
    return 0;
}

int pvos_evtchn_notify(uint32_t port)
{
    struct evtchn_send s = { port };

    kcounters.evt_sent++;
    kcounters.hypercalls++;
    return (int)HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

void pvos_evtchn_close(uint32_t port)
{
    struct evtchn_close c = { port };
    uint8_t m = events_save();

    if (port < PVOS_PORTS)
        handlers[port].fn = NULL;
    /* Masked again before the number is free, as every port starts: whoever gets it next keeps
     * its first event pending until pvos_evtchn_handle, where it is delivered to the right
     * handler. (Masked after the close, a thread that ran in between and bound the number
     * would have had its port masked for good.) */
    mask_evtchn(port);
    events_restore(m);
    HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

bool pvos_wait_until(struct pvos_wait *w, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
    uint8_t m = events_save();
    bool ok;

    while (!(ok = cond(arg)) && (!deadline_ns || system_time_ns() < deadline_ns)) {
        w->waiter = current_thread;
        current_thread->wake_at = deadline_ns;      /* 0: no timeout, only pvos_wake */
        thread_block();
        w->waiter = NULL;
    }
    events_restore(m);
    return ok;
}

void pvos_wake(struct pvos_wait *w)
{
    uint8_t m = events_save();

    if (w->waiter)
        thread_wake(w->waiter);
    events_restore(m);
}

uint64_t pvos_now_ns(void)
{
    return system_time_ns();
}

void pvos_log(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("%s\n", buf);
}
