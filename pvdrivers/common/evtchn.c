/*
 * evtchn.c: a split device's event channel (pv_evtchn.h): allocation or
 * binding, the handler, publishing or reading the port number in the
 * store, and teardown that undoes exactly what was set up.
 */
#include "pv_evtchn.h"
#include <tandem/errno.h>

/* Route the new port's events; close it again if that fails. */
static int attach(struct pv_evtchn *e, uint32_t port, uint16_t remote, pvos_event_fn fn, void *ctx)
{
    int rc = pvos_evtchn_handle(port, fn, ctx);

    if (rc) {
        pvos_evtchn_close(port);
        return rc;
    }
    e->port = port;
    e->remote = remote;
    e->open = true;
    return 0;
}

int pv_evtchn_offer(struct pv_evtchn *e, uint16_t remote, pvos_event_fn fn, void *ctx)
{
    uint32_t port;
    int rc;

    if (e->open || !fn)
        return -XEN_EINVAL;
    rc = pvos_evtchn_alloc_unbound(remote, &port);
    return rc ? rc : attach(e, port, remote, fn, ctx);
}

/* Decimal of v into buf (11 bytes). */
static void fmt_uint(char *buf, uint32_t v)
{
    char d[10];
    int k = 0;

    do
        d[k++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (k)
        *buf++ = d[--k];
    *buf = '\0';
}

int pv_evtchn_offer_publish(struct pv_evtchn *e, struct xenbus_client *c, uint32_t tx,
                            const char *path, uint16_t remote, pvos_event_fn fn, void *ctx)
{
    char num[11];
    int rc = pv_evtchn_offer(e, remote, fn, ctx);

    if (rc)
        return rc;
    fmt_uint(num, e->port);
    rc = xenbus_write(c, tx, path, num);
    if (rc)
        pv_evtchn_close(e);
    return rc;
}

int pv_evtchn_connect(struct pv_evtchn *e, uint16_t remote, uint32_t remote_port,
                      pvos_event_fn fn, void *ctx)
{
    uint32_t port;
    int rc;

    if (e->open || !fn)
        return -XEN_EINVAL;
    rc = pvos_evtchn_bind_interdomain(remote, remote_port, &port);
    return rc ? rc : attach(e, port, remote, fn, ctx);
}

int pv_evtchn_connect_from_store(struct pv_evtchn *e, struct xenbus_client *c, uint32_t tx,
                                 const char *path, uint16_t remote, pvos_event_fn fn, void *ctx)
{
    uint32_t remote_port;
    int rc = xenbus_read_uint(c, tx, path, &remote_port);

    return rc ? rc : pv_evtchn_connect(e, remote, remote_port, fn, ctx);
}

int pv_evtchn_notify(const struct pv_evtchn *e)
{
    return e->open ? pvos_evtchn_notify(e->port) : -XEN_ENOTCONN;
}

void pv_evtchn_close(struct pv_evtchn *e)
{
    if (!e->open)
        return;
    pvos_evtchn_close(e->port);
    e->open = false;
}
