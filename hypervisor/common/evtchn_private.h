/*
 * Event channels inside common/: the port table shared by evtchn.c (ports,
 * the 2-level ABI, the EVTCHNOP calls) and evtchn_fifo.c (the FIFO ABI).
 */
#ifndef TANDEM_EVTCHN_PRIVATE_H
#define TANDEM_EVTCHN_PRIVATE_H

#include "evtchn.h"
#include "domain.h"

/*
 * d's port p is evtchn_from_port(d, p), in one-page buckets allocated as
 * ports are (a 2-level domain has all EVTCHN_2L_NR_CHANNELS from its
 * creation). Buckets are written once, before d->valid_evtchns grows past
 * them (a release store), and freed only with the domain: a reader that saw
 * port < valid_evtchns (an acquire load) may use the entry without a lock.
 */
static inline uint32_t evtchn_valid_ports(const struct domain *d)
{
    return __atomic_load_n(&d->valid_evtchns, __ATOMIC_ACQUIRE);
}
static inline struct evtchn *evtchn_from_port(const struct domain *d, uint32_t port)
{
    return &d->evtchn[port / EVTCHNS_PER_BUCKET][port % EVTCHNS_PER_BUCKET];
}

/* Wake d's vCPUs polling port (SCHEDOP_poll), whatever its mask. */
void evtchn_check_pollers(struct domain *d, uint32_t port);
/* Raise upcall_pending on v and kick it (both ABIs' last step). */
void evtchn_vcpu_mark_pending(struct vcpu *v);

/*
 * The FIFO ABI (evtchn_fifo.c, Xen's event_fifo.c). Each call that may
 * find the domain back on 2-level returns false then (the caller does the
 * 2-level step instead). Lock order: d->event_lock, then the FIFO lock
 * (taken with interrupts off: pirq delivery comes from interrupt handlers);
 * nothing is taken inside the FIFO lock.
 */
static inline bool evtchn_fifo_active(const struct domain *d)
{
    return __atomic_load_n(&d->evtchn_fifo_on, __ATOMIC_ACQUIRE);
}
/* Caller holds d->event_lock. The hypercalls (their errors in <tandem/event_channel.h>). */
long evtchn_fifo_init_control(struct domain *d, struct evtchn_init_control *ic);
long evtchn_fifo_expand_array(struct domain *d, uint64_t gfn);
/* Back to 2-level, every frame given back (EVTCHNOP_reset; domain teardown). */
void evtchn_fifo_destroy(struct domain *d);
bool evtchn_fifo_set_pending(struct vcpu *v, uint32_t port);
bool evtchn_fifo_clear_pending(struct domain *d, uint32_t port);
bool evtchn_fifo_unmask(struct domain *d, uint32_t port);
/* The word's bits; *known false when the domain is on 2-level. */
bool evtchn_fifo_word_test(struct domain *d, uint32_t port, unsigned int bit, bool *known);
/* A port still LINKED in a queue is not reused (Xen's evtchn_is_busy). */
bool evtchn_fifo_busy(struct domain *d, uint32_t port);
/* " P <prio> [L -> link]" for the 'e' key into buf. */
void evtchn_fifo_describe(struct domain *d, uint32_t port, char *buf, size_t len);

#endif
