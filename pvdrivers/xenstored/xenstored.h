/*
 * xenstored.h: the core of Tandem's xenstore-compatible store (tree,
 * permissions, transactions, watches, quotas, message decoding), as a
 * library with no kernel dependence. Ring I/O and the store domain that
 * links it are separate (docs/xenstore.md).
 *
 * Not thread-safe: the caller serialises every call on one store.
 */
#ifndef XENSTORED_H
#define XENSTORED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tandem/io/xs_wire.h>

/* Memory for the store: alloc returns NULL when none is left (the request then gets ENOMEM). */
struct xsd_alloc {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr);
    void *ctx;
};

/* Per-domain limits; privileged domains (domain 0) are not limited. */
struct xsd_quota {
    uint32_t nodes;             /* nodes a domain owns (Xen: quota-nb-entry-per-domain) */
    uint32_t entry_size;        /* value + children names + permissions of one node, bytes */
    uint32_t watches;           /* watches a domain holds */
    uint32_t transactions;      /* transactions a domain has open */
    uint32_t perms;             /* permission entries of one node */
    uint32_t events;            /* undelivered watch events queued for a domain */
    uint32_t tx_nodes;          /* nodes one transaction may access (Xen: transaction-nodes) */
    uint32_t tx_memory;         /* bytes one transaction may hold (its view, notes, requests) */
};
#define XSD_QUOTA_DEFAULT { .nodes = 1000, .entry_size = 2048, .watches = 128, \
                            .transactions = 10, .perms = 5, .events = 1024, \
                            .tx_nodes = 1024, .tx_memory = 256 * 1024 }

/* One message: header plus payload, as it goes on the ring. */
struct xsd_msg {
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX];
};

struct xsd_store;

/* A store holding "/" (owner dom0, "n0") and nothing else; NULL if out of memory. */
struct xsd_store *xsd_store_create(const struct xsd_alloc *alloc, const struct xsd_quota *quota);
/* Free every node, watch, transaction and queued event. */
void xsd_store_destroy(struct xsd_store *s);

/*
 * Handle one request from domain `domid`: `hdr` and hdr->len bytes at
 * `payload`. Fills `reply` (a reply or XS_ERROR with Xen's error name).
 * Returns 0, or -1 when the client broke the protocol so badly that Xen
 * drops the connection (hdr->len > XENSTORE_PAYLOAD_MAX): no reply then.
 * Never trusts hdr or payload.
 */
int xsd_process(struct xsd_store *s, uint16_t domid, const struct xsd_sockmsg *hdr,
                const void *payload, struct xsd_msg *reply);

/* Take the oldest queued XS_WATCH_EVENT for `domid` into `ev`; false if none. */
bool xsd_next_event(struct xsd_store *s, uint16_t domid, struct xsd_msg *ev);
/* Events dropped for `domid` because its queue was full. */
uint32_t xsd_events_dropped(struct xsd_store *s, uint16_t domid);

/* The library's side of XS_INTRODUCE / XS_RELEASE (fire @introduceDomain / @releaseDomain). */
int xsd_introduce(struct xsd_store *s, uint16_t domid);
int xsd_release(struct xsd_store *s, uint16_t domid);

/*
 * ---- Serving a client's store ring (the store domain's side of
 * struct xenstore_domain_interface). To be implemented (xs_conn.c). ----
 *
 * A connection of domain `domid` whose ring page the caller has mapped at
 * `intf`. The store never trusts the page: indices claiming more than a
 * ring's worth, a header with len > XENSTORE_PAYLOAD_MAX, are the client
 * breaking the protocol (Xen drops the connection: XSD_SERVE_DEAD).
 */
struct xsd_conn;
struct xsd_conn *xsd_conn_create(struct xsd_store *s, uint16_t domid,
                                 struct xenstore_domain_interface *intf);
/* Forget the connection (not the domain: xsd_release does that). */
void xsd_conn_destroy(struct xsd_conn *c);

#define XSD_SERVE_NOTIFY  (1U << 0)  /* req[] consumed or rsp[] produced: raise the client's event */
#define XSD_SERVE_MORE    (1U << 1)  /* work left (budget used up, or output waiting for rsp[] space) */
#define XSD_SERVE_DEAD    (1U << 2)  /* protocol broken: stop serving, release the connection */
/*
 * Serve c: take whole requests from req[] (a partial message waits for the
 * rest), process them, put replies and c's queued watch events into rsp[]
 * (holding what does not fit until the next call). At most `budget`
 * requests per call, so a client flooding its ring only slows itself.
 * XSD_SERVE_* bits.
 */
unsigned int xsd_conn_serve(struct xsd_conn *c, unsigned int budget);
/* Output is waiting for c (a reply or watch events): serve it again. */
bool xsd_conn_pending(const struct xsd_conn *c);

/*
 * Optional hooks for XS_INTRODUCE / XS_RELEASE sent by a privileged client
 * over the wire (the store domain introduces the domains it finds itself
 * without them): introduce must map the ring and bind the port, then
 * create the connection; 0 or a positive errno for the client's XS_ERROR.
 */
struct xsd_hooks {
    int (*introduce)(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port);
    int (*release)(void *ctx, uint16_t domid);
    void *ctx;
};
void xsd_set_hooks(struct xsd_store *s, const struct xsd_hooks *hooks);

/* Xen's errno name for a positive errno value (XSD_ERRORS), "EINVAL" if unknown (as Xen). */
const char *xsd_errname(int err);

#endif
