/*
 * The kernel's xenstore (kernel/xenstored.c, kernel/xenbus.c): as the
 * store domain it holds the store (pvdrivers/xenstored) and serves every
 * other domain's ring from the `xenstored` thread; in any domain it is a
 * store client (pvdrivers/common's xenbus client) over the store ring, or,
 * in the store domain, straight into the store. docs/guest-kernel.md.
 */
#ifndef GUEST_STORE_H
#define GUEST_STORE_H

#include "kernel.h"
#include "xenstored.h"
#include "pv_xenbus.h"

/* ---- xenstored.c: the store domain ---- */
/*
 * Boot: if getstoreinfo(DOMID_SELF) names us as the store domain, create
 * the store with our own standard nodes and start the `xenstored` thread
 * (which introduces and unpauses the waiting domains). True if we are it.
 */
bool store_domain_start(void);
/* True once store_domain_start made us the store domain. */
bool store_is_local(void);
/*
 * One request from ourselves to the local store (our own domid): the reply
 * into *reply. 0, or -EIO if the store refused the message outright.
 */
int store_local_request(const struct xsd_sockmsg *req, const void *body, struct xsd_msg *reply);
/* The oldest watch event queued for ourselves, into *ev; false if none. */
bool store_local_event(struct xsd_msg *ev);

/* ---- xenbus.c: this kernel as a store client ---- */
/* Boot, after store_domain_start: the client over the ring (store_evtchn != 0) or in-process. */
void xenbus_kernel_init(void);
/* The kernel's client; NULL if this domain has no store. One thread at a time. */
struct xenbus_client *xenbus_kernel(void);
/* Hand the watch events that have arrived to their watches; how many. */
int xenbus_kernel_poll(void);
/* How the client reaches the store: "in-process", "ring", or "none". */
const char *xenbus_kernel_transport(void);

#endif
