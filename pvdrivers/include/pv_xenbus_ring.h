/*
 * pv_xenbus_ring.h: the xenbus client's transport over the store ring page
 * (pv_xs_ring.h) and its event channel, through pvos.h. Requests are sent
 * whole and the caller blocks (pvos_wait_until) until the reply with its
 * req_id has arrived; watch events read meanwhile are queued and handed
 * to the client by xenbus_ring_poll_events, outside the request. Replies
 * with another req_id (a request that timed out before anything of its
 * reply was read) are skipped. After -EIO, or -ETIMEDOUT in the middle of
 * a message, the byte stream is out of step: the next request (or pump)
 * first resets the ring (xenbus_ring_reset: the page's connection field,
 * XENSTORE_RECONNECT), or fails with -EIO if the store cannot reset. A
 * reset makes the store forget this client's watches and transactions
 * (xenstore-ring.txt): `resets` counts them so the caller can register
 * its watches again (xenbus_rewatch).
 *
 * Setup: fill in intf (the mapped store page), port (start_info's
 * store_evtchn) and timeout_ns (per request, 0: none), then route the
 * port's events to xenbus_ring_event (pvos_evtchn_handle(port,
 * xenbus_ring_event, r)), then xenbus_client_init(c, xenbus_ring_transport, r).
 * One request at a time (the client's caller serialises).
 */
#ifndef PV_XENBUS_RING_H
#define PV_XENBUS_RING_H

#include <stdint.h>
#include "pvos.h"
#include "pv_xenbus.h"

#define XENBUS_RING_EVENT_BYTES 4096    /* queued watch events, 4-byte length + payload each */

struct xenbus_ring {
    struct xenstore_domain_interface *intf;
    uint32_t port;
    uint64_t timeout_ns;
    struct pvos_wait wait;
    uint32_t events_dropped;    /* watch events lost because the queue was full */
    bool broken;                /* the stream is out of step: reset before the next request */
    uint32_t resets;            /* completed resets */
    uint32_t ev_used;
    unsigned char ev[XENBUS_RING_EVENT_BYTES];
    unsigned char cur[XENBUS_RING_EVENT_BYTES];   /* the event being delivered */
};

/* xenbus_transport_fn for a struct xenbus_ring (ctx). -ETIMEDOUT, -EIO (ring/protocol), -E2BIG. */
int xenbus_ring_transport(void *ctx, const struct xsd_sockmsg *req, const void *body,
                          struct xsd_sockmsg *rsp, void *rbody, uint32_t rcap);

/* pvos_event_fn for the store port: wakes the waiting request. */
void xenbus_ring_event(uint32_t port, void *ctx);

/*
 * Reset the connection (XENSTORE_RECONNECT; the store must advertise
 * XENSTORE_SERVER_FEATURE_RECONNECTION, else -ENOSYS): both rings emptied
 * by the store, our queued events dropped. 0, or -ETIMEDOUT.
 */
int xenbus_ring_reset(struct xenbus_ring *r);

/*
 * Between requests: read the messages already in rsp[] (watch events the
 * store sent while no request was in flight: queued; anything else:
 * dropped as stale). 0, or -ETIMEDOUT / -EIO as the transport's.
 */
int xenbus_ring_pump(struct xenbus_ring *r);

/*
 * Hand every queued watch event to c (xenbus_watch_event), oldest first;
 * the number handed. A watch function may make requests (which may queue
 * more events: they are delivered in the same call).
 */
int xenbus_ring_poll_events(struct xenbus_ring *r, struct xenbus_client *c);

#endif
