/*
 * xenbus_ring.c: the blocking xenbus transport over the store ring
 * (pv_xenbus_ring.h). Every wait is for a condition on the shared indices,
 * re-checked after each wake-up; every byte count comes from xs_ring's
 * checked reads and writes.
 */
#include "pv_xenbus_ring.h"
#include "pv_xs_ring.h"
#include <tandem/errno.h>

#include <tandem/io/ring.h>         /* xen_mb, xen_rmb */

#define VREAD(f)      (*(volatile const uint32_t *)&(f))
#define VWRITE(f, v)  (*(volatile uint32_t *)&(f) = (v))

static bool req_space(void *arg)
{
    struct xenstore_domain_interface *i = arg;

    return VREAD(i->req_prod) - VREAD(i->req_cons) != XENSTORE_RING_SIZE;
}

static bool rsp_data(void *arg)
{
    struct xenstore_domain_interface *i = arg;

    return VREAD(i->rsp_prod) != VREAD(i->rsp_cons);
}

static uint64_t deadline(const struct xenbus_ring *r)
{
    return r->timeout_ns ? pvos_now_ns() + r->timeout_ns : 0;
}

/*
 * The stream is out of step after a ring error, or a timeout that leaves a
 * message half moved: `first` says a timeout before any byte of this piece
 * moved leaves it whole (the piece starts a message).
 */
static int broken(struct xenbus_ring *r, int rc, bool first, bool moved)
{
    if (rc == -XEN_EIO || (rc == -XEN_ETIMEDOUT && (!first || moved)))
        r->broken = true;
    return rc;
}

static int write_all(struct xenbus_ring *r, const void *data, uint32_t len, uint64_t dl, bool first)
{
    const unsigned char *p = data;
    bool moved = false;

    while (len) {
        int n = xs_ring_write(r->intf, p, len);

        if (n < 0)
            return broken(r, n, first, moved);
        if (n) {
            p += n;
            len -= (uint32_t)n;
            moved = true;
            continue;
        }
        pvos_evtchn_notify(r->port);        /* full: what we wrote must be read to make room */
        if (!pvos_wait_until(&r->wait, req_space, r->intf, dl))
            return broken(r, -XEN_ETIMEDOUT, first, moved);
    }
    return 0;
}

/* Read exactly len bytes (into data, or dropped if data is NULL); `first`: as write_all's. */
static int read_part(struct xenbus_ring *r, void *data, uint32_t len, uint64_t dl, bool first)
{
    unsigned char *p = data, scratch[64];
    bool moved = false;

    while (len) {
        uint32_t want = p ? len : (len < sizeof(scratch) ? len : (uint32_t)sizeof(scratch));
        bool was_full = VREAD(r->intf->rsp_prod) - VREAD(r->intf->rsp_cons) >= XENSTORE_RING_SIZE;
        int n = xs_ring_read(r->intf, p ? p : scratch, want);

        if (n < 0)
            return broken(r, n, first, moved);
        if (n) {
            if (was_full)
                pvos_evtchn_notify(r->port);    /* the store may be waiting for space (as Linux's xb_read) */
            if (p)
                p += n;
            len -= (uint32_t)n;
            moved = true;
        } else if (!pvos_wait_until(&r->wait, rsp_data, r->intf, dl)) {
            return broken(r, -XEN_ETIMEDOUT, first, moved);
        }
    }
    return 0;
}

/* A message's payload: any failure leaves the stream out of step. */
static int read_all(struct xenbus_ring *r, void *data, uint32_t len, uint64_t dl)
{
    return read_part(r, data, len, dl, false);
}

/* Read a watch event's payload into the queue, or drop it if it does not fit. */
static int queue_event(struct xenbus_ring *r, uint32_t len, uint64_t dl)
{
    unsigned char *slot = r->ev + r->ev_used;
    int rc;

    if (len + 4 > sizeof(r->ev) - r->ev_used) {
        r->events_dropped++;
        return read_all(r, NULL, len, dl);
    }
    rc = read_all(r, slot + 4, len, dl);
    if (rc)
        return rc;
    slot[0] = (unsigned char)len;
    slot[1] = (unsigned char)(len >> 8);
    slot[2] = (unsigned char)(len >> 16);
    slot[3] = (unsigned char)(len >> 24);
    r->ev_used += len + 4;
    return 0;
}

int xenbus_ring_transport(void *ctx, const struct xsd_sockmsg *req, const void *body,
                          struct xsd_sockmsg *rsp, void *rbody, uint32_t rcap)
{
    struct xenbus_ring *r = ctx;
    uint64_t dl = deadline(r);
    int rc = 0;

    if (r->broken && xenbus_ring_reset(r))
        return -XEN_EIO;
    rc = write_all(r, req, sizeof(*req), dl, true);
    if (!rc)
        rc = write_all(r, body, req->len, dl, false);
    if (!rc)
        pvos_evtchn_notify(r->port);        /* one event for the whole request */
    while (!rc) {
        rc = read_part(r, rsp, sizeof(*rsp), dl, true);
        if (rc)
            break;
        if (rsp->len > XENSTORE_PAYLOAD_MAX)
            return broken(r, -XEN_EIO, false, true);    /* the stream cannot be resynchronised */
        if (rsp->type == XS_WATCH_EVENT) {
            rc = queue_event(r, rsp->len, dl);
            continue;
        }
        if (rsp->req_id != req->req_id) {
            rc = read_all(r, NULL, rsp->len, dl);   /* a stale reply */
            continue;
        }
        if (rsp->len > rcap) {
            rc = read_all(r, NULL, rsp->len, dl);
            return rc ? rc : -XEN_E2BIG;
        }
        return read_all(r, rbody, rsp->len, dl);
    }
    return rc;
}

void xenbus_ring_event(uint32_t port, void *ctx)
{
    struct xenbus_ring *r = ctx;

    (void)port;
    pvos_wake(&r->wait);
}

int xenbus_ring_poll_events(struct xenbus_ring *r, struct xenbus_client *c)
{
    uint32_t len, i;
    int n = 0;

    /* Take the first event out of the queue before calling out, so requests made by the
     * watch function can queue more behind it. */
    while (r->ev_used >= 4) {
        len = r->ev[0] | (uint32_t)r->ev[1] << 8 | (uint32_t)r->ev[2] << 16 |
              (uint32_t)r->ev[3] << 24;
        for (i = 0; i < len; i++)
            r->cur[i] = r->ev[4 + i];
        r->ev_used -= 4 + len;
        for (i = 0; i < r->ev_used; i++)
            r->ev[i] = r->ev[4 + len + i];
        xenbus_watch_event(c, r->cur, len);
        n++;
    }
    return n;
}

int xenbus_ring_pump(struct xenbus_ring *r)
{
    struct xsd_sockmsg h;
    uint64_t dl = deadline(r);
    int rc = 0;

    /* No request is in flight: whatever is in rsp[] is a watch event or a stale reply. */
    if (r->broken && xenbus_ring_reset(r))
        return -XEN_EIO;
    while (!rc && rsp_data(r->intf)) {
        rc = read_part(r, &h, sizeof(h), dl, true);
        if (rc)
            break;
        if (h.len > XENSTORE_PAYLOAD_MAX)
            return broken(r, -XEN_EIO, false, true);
        rc = h.type == XS_WATCH_EVENT ? queue_event(r, h.len, dl) : read_all(r, NULL, h.len, dl);
    }
    return rc;
}

static bool reconnected(void *arg)
{
    struct xenstore_domain_interface *i = arg;

    return VREAD(i->connection) == XENSTORE_CONNECTED;
}

int xenbus_ring_reset(struct xenbus_ring *r)
{
    if (!(VREAD(r->intf->server_features) & XENSTORE_SERVER_FEATURE_RECONNECTION))
        return -XEN_ENOSYS;
    /* xenstore-ring.txt: ask, raise the port, wait for the store to have emptied both rings. */
    VWRITE(r->intf->connection, XENSTORE_RECONNECT);
    xen_mb();   /* the request visible before the event that makes the store look */
    pvos_evtchn_notify(r->port);
    if (!pvos_wait_until(&r->wait, reconnected, r->intf, deadline(r)))
        return -XEN_ETIMEDOUT;
    xen_rmb();  /* connection read before the emptied indices */
    r->ev_used = 0;
    r->broken = false;
    r->resets++;
    return 0;
}
