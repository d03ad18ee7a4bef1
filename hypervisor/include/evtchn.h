/*
 * Event channels: ports, delivery under the 2-level ABI (into shared_info)
 * or the FIFO one (common/evtchn_fifo.c, once the domain asks for it), the
 * EVTCHNOP hypercall.
 */
#ifndef TANDEM_EVTCHN_H
#define TANDEM_EVTCHN_H

#include "types.h"
#include "config.h"
#include <tandem/event_channel.h>

struct domain;
struct vcpu;

#define NR_EVTCHN_PORTS EVTCHN_2L_NR_CHANNELS   /* 64 x 64 bits, 2-level on x86_64 */

/*
 * Who consumes a port's notifications when the hypervisor is an end:
 * CONSOLE for the console port (its far end is DOMID_XEN); from
 * XEN_CONSUMER_FIRST_FN on, a function registered with
 * evtchn_alloc_unbound_xen_port (a port bound to another domain whose
 * sends the hypervisor takes, as Xen's alloc_unbound_xen_event_channel).
 */
enum evtchn_xen_consumer { XEN_CONSUMER_NONE, XEN_CONSUMER_CONSOLE, XEN_CONSUMER_FIRST_FN };
/* Called (no lock of v's domain held) when the far end sends on v's domain's port. */
typedef void (*evtchn_xen_notify_fn)(struct vcpu *v, uint32_t port);

struct evtchn {
    uint8_t  state;             /* EVTCHNSTAT_* */
    uint8_t  xen_consumer;      /* enum evtchn_xen_consumer */
    uint8_t  notify_vcpu;
    uint8_t  priority;          /* FIFO: the queue its next event joins (EVTCHN_FIFO_PRIORITY_*) */
    uint16_t remote_domid;      /* unbound: who may bind; interdomain: peer */
    uint8_t  fifo_lastq;        /* FIFO: queue it was last linked on, vCPU << 4 | priority; kept across close */
    uint8_t  fifo_pending;      /* FIFO: raised while its event word had no page (Xen's evtchn->pending) */
    uint32_t remote_port;       /* interdomain */
    union {
        uint32_t virq;          /* virq */
        uint32_t pirq;          /* pirq (arch/x86/irq.c keeps the pirq's side) */
    };
};
/* Ports live in one-page buckets (common/evtchn_private.h); the FIFO ABI's 131072 take 512. */
#define EVTCHNS_PER_BUCKET  (PAGE_SIZE / sizeof(struct evtchn))
#define EVTCHN_MAX_BUCKETS  (EVTCHN_FIFO_NR_CHANNELS / EVTCHNS_PER_BUCKET)
_Static_assert(sizeof(struct evtchn) == 16 && MAX_VCPUS <= 256, "four-word port entries, 8-bit vCPU ids");

int evtchn_domain_init(struct domain *d);
/*
 * Take (release) the event locks of two domains, in the global order: the
 * lower domain id first (one lock when d1 == d2). Every operation that
 * changes both ends of an interdomain channel holds both; the grant and
 * mapping operations between two domains will use the same pair.
 */
void double_evtchn_lock(struct domain *d1, struct domain *d2);
void double_evtchn_unlock(struct domain *d1, struct domain *d2);
void evtchn_domain_destroy(struct domain *d);
/* Allocate a port of d whose other end is the hypervisor (e.g. the console backend). */
int evtchn_alloc_xen_port(struct domain *d, enum evtchn_xen_consumer c);
/*
 * Allocate an unbound port of d that domain `remote` may bind
 * (EVTCHNOP_alloc_unbound without its checks: the builder's, as Xen's
 * toolstack allocates a domain's store port). remote need not exist yet.
 * Returns the port or -XEN_ENOSPC.
 */
int evtchn_alloc_unbound_port(struct domain *d, domid_t remote);
/*
 * Xen's alloc_unbound_xen_event_channel: an unbound port of d, notified on
 * d's vCPU `vcpu`, that domain `remote` binds with
 * EVTCHNOP_bind_interdomain(d, port). The hypervisor is d's end: a send
 * from remote calls fn(d->vcpu[vcpu], port) and never raises the port in
 * d (whose shared_info is not used: d may be an HVM domain); d's sends
 * go through evtchn_notify_xen_port. The port stays d's until
 * evtchn_free_xen_port (or d's teardown); remote closing its end makes it
 * unbound again. Returns the port or -XEN_ENOSPC / -XEN_ENOMEM.
 */
int evtchn_alloc_unbound_xen_port(struct domain *d, unsigned int vcpu, domid_t remote,
                                  evtchn_xen_notify_fn fn);
void evtchn_free_xen_port(struct domain *d, uint32_t port);
/* Xen's notify_via_xen_event_channel: raise the far end of d's port, if bound (else nothing). */
void evtchn_notify_xen_port(struct domain *d, uint32_t port);
/* Raise a port: Xen's 2-level set-pending rule, or the FIFO one. */
void evtchn_set_pending(struct vcpu *v, uint32_t port);
void evtchn_raise(struct domain *d, uint32_t port);
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
void send_guest_global_virq(struct domain *d, unsigned int virq);
void evtchn_notify_dom_exc(struct domain *d);
/* A device interrupt for d's pirq bound to port (from the interrupt handler: no lock taken). */
void send_guest_pirq(struct domain *d, uint32_t port);
/* EVTCHNOP_unmask's effect (PHYSDEVOP_eoi after pirq_eoi_gmfn_v1 does it too). */
long evtchn_unmask_port(struct domain *d, uint32_t port);
bool evtchn_port_pending(struct domain *d, uint32_t port);
bool evtchn_port_masked(struct domain *d, uint32_t port);
/* Ports d may use: EVTCHN_2L_NR_CHANNELS, or EVTCHN_FIFO_NR_CHANNELS once on FIFO (SCHEDOP_poll's bound). */
uint32_t evtchn_max_ports(const struct domain *d);
/* Hypervisor heap frames d's ports and FIFO state take (the 'm' key). */
unsigned long evtchn_heap_frames(const struct domain *d);
/* Each guest frame the FIFO ABI holds a writable-type reference on (the audit's). */
void evtchn_fifo_frames(struct domain *d, void (*fn)(void *ctx, mfn_t m), void *ctx);
/* True when the vCPU has an event to take: upcall pending and not masked. */
bool local_events_need_delivery(struct vcpu *v);

void evtchn_dump(struct domain *d);     /* the 'e' debug key */

/* Console backend served by the hypervisor (console.c). */
void console_ring_kick(struct domain *d);
void console_service_input(void);

#endif
