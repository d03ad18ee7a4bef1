/*
 * pv_evtchn.h: one event channel of a split device, over pvos.h. The front
 * end offers a port to the back end's domain and publishes its number; the
 * back end reads that number from the store and binds to it. Either side
 * then notifies and closes through the same object; close is idempotent so
 * a driver's disconnect path can call it whatever state setup reached.
 * Errors are negative Xen errno values (tandem/errno.h).
 */
#ifndef PV_EVTCHN_H
#define PV_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>
#include "pvos.h"
#include "pv_xenbus.h"

struct pv_evtchn {
    uint32_t port;              /* our end, valid while open */
    uint16_t remote;            /* the peer's domain */
    bool open;
};

/*
 * Front end: allocate a port for domain `remote` to bind and route its
 * events to fn(port, ctx). On failure nothing is left open.
 */
int pv_evtchn_offer(struct pv_evtchn *e, uint16_t remote, pvos_event_fn fn, void *ctx);

/*
 * pv_evtchn_offer, then write the port in decimal to `path` (e.g.
 * "device/vbd/768/event-channel") in transaction tx; closed again if the
 * write fails.
 */
int pv_evtchn_offer_publish(struct pv_evtchn *e, struct xenbus_client *c, uint32_t tx,
                            const char *path, uint16_t remote, pvos_event_fn fn, void *ctx);

/*
 * Back end: bind to `remote`'s port `remote_port` and route events to
 * fn(port, ctx). The number comes from the peer: the hypervisor refuses
 * a port that is not an unbound one offered to us.
 */
int pv_evtchn_connect(struct pv_evtchn *e, uint16_t remote, uint32_t remote_port,
                      pvos_event_fn fn, void *ctx);

/* Back end: read the peer's port from `path` (strict decimal, else -EINVAL), then connect. */
int pv_evtchn_connect_from_store(struct pv_evtchn *e, struct xenbus_client *c, uint32_t tx,
                                 const char *path, uint16_t remote, pvos_event_fn fn, void *ctx);

/* Raise the peer's event; -ENOTCONN when not open. */
int pv_evtchn_notify(const struct pv_evtchn *e);

/* Stop handling and close the port, if open. */
void pv_evtchn_close(struct pv_evtchn *e);

#endif
