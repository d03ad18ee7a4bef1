/*
 * Event channels: ports and the EVTCHNOP calls; 2-level delivery here, the
 * FIFO ABI in evtchn_fifo.c (a domain is on FIFO from its first
 * init_control). 2-level delivery follows Xen's event_2l.c exactly:
 * set the pending bit; if newly pending and unmasked, set the selector bit
 * in the target vCPU's vcpu_info; if that bit was newly set, raise
 * upcall_pending and kick the vCPU. Pollers of the port wake either way.
 * Decode (validate, change nothing) comes before every state change.
 *
 * Locking (Xen's d->event_lock): a domain's event_lock guards its evtchn[]
 * array and its vCPUs' virq_to_port; an interdomain channel's two ends change
 * only with both domains' locks held, taken by double_evtchn_lock (lower
 * domain id first). Delivery (evtchn_set_pending and its callers) takes no
 * event lock: it sets bits in shared_info atomically and reads one word of
 * the port (notify_vcpu) or of the vCPU (virq_to_port), which a racing
 * rebind changes from one valid vCPU to another, as in Xen. Sending on an
 * interdomain port holds the sender's lock, which keeps the far end bound.
 */
#include "refuse.h"
#include "lib.h"
#include "trace.h"
#include "evtchn_private.h"
#include "mm.h"
#include "sched.h"
#include "guest_access.h"
#include "hypercall.h"
#include "irq.h"
#include <tandem/event_channel.h>
#include <tandem/errno.h>

static inline bool test_and_set(uint64_t *w, unsigned int bit)
{
    return __atomic_fetch_or(&w[bit / 64], 1ULL << (bit % 64), __ATOMIC_SEQ_CST) & (1ULL << (bit % 64));
}
static inline bool test_bit_(const uint64_t *w, unsigned int bit)
{
    return READ_ONCE(w[bit / 64]) & (1ULL << (bit % 64));
}
static inline bool test_and_clear(uint64_t *w, unsigned int bit)
{
    return __atomic_fetch_and(&w[bit / 64], ~(1ULL << (bit % 64)), __ATOMIC_SEQ_CST) & (1ULL << (bit % 64));
}
static inline void clear_bit_(uint64_t *w, unsigned int bit)
{
    __atomic_fetch_and(&w[bit / 64], ~(1ULL << (bit % 64)), __ATOMIC_SEQ_CST);
}

void double_evtchn_lock(struct domain *d1, struct domain *d2)
{
    if (d1 == d2) {
        spin_lock(&d1->event_lock);
    } else if (d1->domain_id < d2->domain_id) {
        spin_lock(&d1->event_lock);
        spin_lock(&d2->event_lock);
    } else {
        spin_lock(&d2->event_lock);
        spin_lock(&d1->event_lock);
    }
}

void double_evtchn_unlock(struct domain *d1, struct domain *d2)
{
    if (d1 != d2)
        spin_unlock(&d2->event_lock);
    spin_unlock(&d1->event_lock);
}

/* Under d->event_lock (or before d is visible): one more bucket of ports; false without memory. */
static bool add_bucket(struct domain *d)
{
    uint32_t b = d->valid_evtchns / EVTCHNS_PER_BUCKET;

    if (!(d->evtchn[b] = xzalloc_bytes(PAGE_SIZE)))
        return false;
    for (uint32_t i = 0; i < EVTCHNS_PER_BUCKET; i++)
        d->evtchn[b][i].priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
    __atomic_store_n(&d->valid_evtchns, d->valid_evtchns + EVTCHNS_PER_BUCKET, __ATOMIC_RELEASE);
    return true;
}

/* The 2-level ABI's ports all exist from the start, as they did in one array. */
int evtchn_domain_init(struct domain *d)
{
    if (!(d->evtchn = xzalloc_bytes(EVTCHN_MAX_BUCKETS * sizeof(*d->evtchn))))
        return -XEN_ENOMEM;
    while (d->valid_evtchns < EVTCHN_2L_NR_CHANNELS)
        if (!add_bucket(d))
            return -XEN_ENOMEM;     /* evtchn_domain_destroy frees what was taken */
    return 0;
}

uint32_t evtchn_max_ports(const struct domain *d)
{
    return evtchn_fifo_active(d) ? EVTCHN_FIFO_NR_CHANNELS : EVTCHN_2L_NR_CHANNELS;
}

unsigned long evtchn_heap_frames(const struct domain *d)
{
    if (!d->evtchn)
        return 0;
    return 1 + d->valid_evtchns / EVTCHNS_PER_BUCKET + (d->evtchn_fifo ? 1 : 0);
}

/* Port 0 is reserved, never used; above the ABI's capacity or any bucket is out of range. */
static bool port_valid(struct domain *d, uint32_t port)
{
    bool ok = port > 0 && port < evtchn_valid_ports(d) && port < evtchn_max_ports(d);

    if (!ok)
        REFUSE_WHY("port %u of d%u does not exist (port 0 is reserved; %u ports allocated)", port,
                   d->domain_id, MIN(evtchn_valid_ports(d), evtchn_max_ports(d)));
    return ok;
}

/* As Xen's evtchn_allocate_port: a closed port still LINKED in a FIFO queue is not reused yet. */
static int get_free_port(struct domain *d)
{
    uint32_t max = evtchn_max_ports(d);

    ASSERT(spin_is_mine(&d->event_lock));
    for (uint32_t p = 1; p < max; p++) {
        if (p >= d->valid_evtchns && !add_bucket(d))
            return -XEN_ENOMEM;
        if (evtchn_from_port(d, p)->state == EVTCHNSTAT_closed &&
            !(evtchn_fifo_active(d) && evtchn_fifo_busy(d, p)))
            return p;
    }
    return -XEN_ENOSPC;
}

/* A fresh port's entry: the default priority (Xen's evtchn_port_init), its FIFO history kept. */
static void port_set(struct domain *d, uint32_t port, struct evtchn n)
{
    struct evtchn *c = evtchn_from_port(d, port);

    n.priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
    n.fifo_lastq = c->fifo_lastq;
    *c = n;
}

__pv_fast bool local_events_need_delivery(struct vcpu *v)
{
    return READ_ONCE(v->vcpu_info->evtchn_upcall_pending) && !READ_ONCE(v->vcpu_info->evtchn_upcall_mask);
}

void evtchn_vcpu_mark_pending(struct vcpu *v)
{
    if (__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        return;
    vcpu_wake(v);       /* a blocked or polling vCPU re-checks */
}

/* Wake any vCPU of d polling this port, masked or not. */
void evtchn_check_pollers(struct domain *d, uint32_t port)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *p = d->vcpu[i];
        if (p && p->polling && (port < NR_EVTCHN_PORTS ? test_bit_(p->poll_mask, port) : p->poll_high))
            vcpu_wake(p);
    }
}

void evtchn_set_pending(struct vcpu *v, uint32_t port)
{
    struct domain *d = v->domain;
    struct shared_info *s = d->shared_info;

    TRACE(EVTCHN, EV_PENDING, d->domain_id, v->vcpu_id, port, 0);
    if (evtchn_fifo_active(d) && evtchn_fifo_set_pending(v, port))
        return;
    /* A FIFO port beyond 2-level's range, raised while the domain went back to 2-level: gone with it. */
    if (!s || port >= EVTCHN_2L_NR_CHANNELS || test_and_set(s->evtchn_pending, port))
        return;
    if (!test_bit_(s->evtchn_mask, port) &&
        !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64))
        evtchn_vcpu_mark_pending(v);
    evtchn_check_pollers(d, port);
}

void evtchn_raise(struct domain *d, uint32_t port)
{
    if (d->state == DOM_RUNNING && port_valid(d, port))
        evtchn_set_pending(d->vcpu[evtchn_from_port(d, port)->notify_vcpu], port);
}

static bool port_word_test(struct domain *d, uint32_t port, unsigned int fifo_bit, const uint64_t *bits_2l)
{
    bool known, r = false;

    if (evtchn_fifo_active(d))
        r = evtchn_fifo_word_test(d, port, fifo_bit, &known);
    else
        known = false;
    return known ? r : port < EVTCHN_2L_NR_CHANNELS && test_bit_(bits_2l, port);
}

bool evtchn_port_pending(struct domain *d, uint32_t port)
{
    return port_valid(d, port) && port_word_test(d, port, EVTCHN_FIFO_PENDING, d->shared_info->evtchn_pending);
}

bool evtchn_port_masked(struct domain *d, uint32_t port)
{
    return !port_valid(d, port) || port_word_test(d, port, EVTCHN_FIFO_MASKED, d->shared_info->evtchn_mask);
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    uint32_t port = v->virq_to_port[virq];

    if (port)
        evtchn_set_pending(v, port);
}

void send_guest_pirq(struct domain *d, uint32_t port)
{
    if (d->evtchn && port_valid(d, port) && evtchn_from_port(d, port)->state == EVTCHNSTAT_pirq)
        evtchn_set_pending(d->vcpu[READ_ONCE(evtchn_from_port(d, port)->notify_vcpu)], port);
}

void send_guest_global_virq(struct domain *d, unsigned int virq)
{
    struct vcpu *v0 = d->vcpu[0];
    uint32_t port;

    if (!v0 || d->state != DOM_RUNNING || !(port = v0->virq_to_port[virq]))
        return;
    evtchn_set_pending(d->vcpu[evtchn_from_port(d, port)->notify_vcpu], port);
}

void evtchn_notify_dom_exc(struct domain *dead)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d != dead && d->is_privileged)
            send_guest_global_virq(d, VIRQ_DOM_EXC);
}

int evtchn_alloc_xen_port(struct domain *d, enum evtchn_xen_consumer c)
{
    int port;

    spin_lock(&d->event_lock);
    if ((port = get_free_port(d)) >= 0)
        port_set(d, port, (struct evtchn){ .state = EVTCHNSTAT_interdomain, .xen_consumer = c,
                                           .remote_domid = DOMID_XEN });
    spin_unlock(&d->event_lock);
    return port;
}

static bool virq_is_global(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

/*
 * Closes d's port; an interdomain peer falls back to unbound (waiting for d).
 * The caller holds d's event lock, and the peer's for an interdomain port.
 */
static void close_port(struct domain *d, uint32_t port)
{
    struct evtchn *c = evtchn_from_port(d, port);
    uint8_t lastq = c->fifo_lastq;

    ASSERT(spin_is_mine(&d->event_lock));

    switch (c->state) {
    case EVTCHNSTAT_virq:
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            if (d->vcpu[i] && d->vcpu[i]->virq_to_port[c->virq] == port)
                d->vcpu[i]->virq_to_port[c->virq] = 0;
        break;
    case EVTCHNSTAT_pirq:
        pirq_guest_unbind(d, c->pirq);
        break;
    case EVTCHNSTAT_interdomain:
        if (c->remote_domid != DOMID_XEN) {
            struct domain *rd = get_domain_by_id(c->remote_domid);
            ASSERT(!rd || spin_is_mine(&rd->event_lock));
            if (rd && rd->evtchn) {
                struct evtchn *rc = evtchn_from_port(rd, c->remote_port);
                rc->state = EVTCHNSTAT_unbound;
                rc->remote_domid = d->domain_id;
            }
        }
        break;
    }
    /* Xen's free_evtchn: the pending event goes (FIFO: PENDING only, a linked port stays linked). */
    *c = (struct evtchn){ .priority = EVTCHN_FIFO_PRIORITY_DEFAULT, .fifo_lastq = lastq };
    if (!(evtchn_fifo_active(d) && evtchn_fifo_clear_pending(d, port)) && port < EVTCHN_2L_NR_CHANNELS &&
        d->shared_info)
        clear_bit_(d->shared_info->evtchn_pending, port);
}

/* The other domain of d's interdomain port, or NULL (not interdomain, Xen's end, peer gone). */
static struct domain *port_peer(struct domain *d, uint32_t port)
{
    const struct evtchn *c = evtchn_from_port(d, port);

    if (c->state != EVTCHNSTAT_interdomain || c->remote_domid == DOMID_XEN)
        return NULL;
    return get_domain_by_id(c->remote_domid);
}

/*
 * Close d's port with the locks it needs: d's, and the peer's for an
 * interdomain port (both in the global order, so d's is dropped and both
 * retaken; the port may have changed meanwhile, so look again, as Xen's
 * evtchn_close). keep_xen leaves ports whose far end is the hypervisor.
 */
static long evtchn_close(struct domain *d, uint32_t port, bool keep_xen)
{
    struct domain *rd;
    long rc = 0;

    if (!port_valid(d, port))
        return -XEN_EINVAL;
    for (;;) {
        spin_lock(&d->event_lock);
        rd = port_peer(d, port);
        if (!rd || rd == d)
            break;
        spin_unlock(&d->event_lock);
        double_evtchn_lock(d, rd);
        if (port_peer(d, port) == rd)
            break;
        double_evtchn_unlock(d, rd);
    }
    if (evtchn_from_port(d, port)->state == EVTCHNSTAT_closed)
        rc = -XEN_EINVAL;
    else if (!keep_xen || !evtchn_from_port(d, port)->xen_consumer)
        close_port(d, port);
    if (rd)
        double_evtchn_unlock(d, rd);
    else
        spin_unlock(&d->event_lock);
    return rc;
}

/* Also the undo of a failed evtchn_domain_init (some buckets, nothing open). */
void evtchn_domain_destroy(struct domain *d)
{
    struct evtchn **e;
    uint32_t n = d->valid_evtchns;

    if (!d->evtchn)
        return;
    for (uint32_t p = 1; p < n; p++)
        evtchn_close(d, p, false);
    spin_lock(&d->event_lock);
    evtchn_fifo_destroy(d);     /* its frames' references go before its memory does */
    e = d->evtchn;
    d->evtchn = NULL;           /* peers closing their end now find no far end */
    spin_unlock(&d->event_lock);
    for (uint32_t b = 0; b < n / EVTCHNS_PER_BUCKET; b++)
        xfree(e[b]);
    xfree(e);
    xfree(d->evtchn_fifo);
    d->evtchn_fifo = NULL;
}

static domid_t resolve(domid_t id, struct domain *self)
{
    return id == DOMID_SELF ? self->domain_id : id;
}

int evtchn_alloc_unbound_port(struct domain *d, domid_t remote)
{
    int port;

    spin_lock(&d->event_lock);
    if ((port = get_free_port(d)) >= 0)
        port_set(d, port, (struct evtchn){ .state = EVTCHNSTAT_unbound, .remote_domid = remote });
    spin_unlock(&d->event_lock);
    return port;
}

static long evtchn_alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *a)
{
    struct domain *td;
    int port;

    /* IN fields stay as given (Xen copies the struct back with DOMID_SELF unresolved). */
    if (!(td = get_domain_by_id(resolve(a->dom, d))))
        return -XEN_ESRCH;              /* as Xen: lookup before the permission check */
    if (td != d && !d->is_privileged)
        return -XEN_EPERM;
    port = evtchn_alloc_unbound_port(td, resolve(a->remote_dom, d));
    if (port < 0)
        return port;
    a->port = port;
    return 0;
}

/* Both ends change together: called with both domains' event locks (double_evtchn_lock). */
static long bind_interdomain_locked(struct domain *d, struct domain *rd, struct evtchn_bind_interdomain *b)
{
    struct evtchn *rc;
    int lport;

    if (!rd->evtchn || !port_valid(rd, b->remote_port))
        return -XEN_EINVAL;
    rc = evtchn_from_port(rd, b->remote_port);
    if (rc->state != EVTCHNSTAT_unbound || rc->remote_domid != d->domain_id) {
        REFUSE_WHY("remote port %u of d%u is not an unbound port offered to d%u (state %u, for d%u)",
                   b->remote_port, rd->domain_id, d->domain_id, rc->state, rc->remote_domid);
        return -XEN_EINVAL;
    }
    if ((lport = get_free_port(d)) < 0)
        return lport;
    if (rd == d && (uint32_t)lport == b->remote_port)
        return -XEN_EINVAL;
    port_set(d, lport, (struct evtchn){ .state = EVTCHNSTAT_interdomain,
                                        .remote_domid = rd->domain_id, .remote_port = b->remote_port });
    rc->state = EVTCHNSTAT_interdomain;
    rc->remote_domid = d->domain_id;
    rc->remote_port = lport;
    b->local_port = lport;
    /* As Xen: the new local port starts pending so no early notification is lost. */
    evtchn_set_pending(d->vcpu[0], lport);
    return 0;
}

static long evtchn_bind_interdomain(struct domain *d, struct evtchn_bind_interdomain *b)
{
    struct domain *rd = get_domain_by_id(resolve(b->remote_dom, d));
    long rc;

    if (!rd)
        return -XEN_ESRCH;
    double_evtchn_lock(d, rd);
    rc = bind_interdomain_locked(d, rd, b);
    double_evtchn_unlock(d, rd);
    return rc;
}

static long evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    struct vcpu *v;
    int port;

    if (b->virq >= NR_VIRQS) {
        REFUSE_WHY("virq %u: there are %u", b->virq, NR_VIRQS);
        return -XEN_EINVAL;
    }
    if (virq_is_global(b->virq) && b->vcpu != 0)
        return -XEN_EINVAL;
    if (b->vcpu >= d->max_vcpus || !(v = d->vcpu[b->vcpu]))
        return -XEN_ENOENT;
    spin_lock(&d->event_lock);
    if (v->virq_to_port[b->virq])
        port = -XEN_EEXIST;
    else if ((port = get_free_port(d)) >= 0) {
        port_set(d, port, (struct evtchn){ .state = EVTCHNSTAT_virq, .virq = b->virq,
                                           .notify_vcpu = b->vcpu });
        v->virq_to_port[b->virq] = port;
    }
    spin_unlock(&d->event_lock);
    if (port < 0)
        return port;
    b->port = port;
    return 0;
}

/* Xen's evtchn_bind_pirq: notified on vCPU 0; the irq side (pirq_guest_bind) unmasks the source. */
static long evtchn_bind_pirq(struct domain *d, struct evtchn_bind_pirq *b)
{
    int port, rc;

    spin_lock(&d->event_lock);
    if ((rc = pirq_bind_check(d, b->pirq)) || (rc = port = get_free_port(d)) < 0)
        goto out;
    /* The port first: an interrupt right after the unmask finds it bound. */
    port_set(d, port, (struct evtchn){ .state = EVTCHNSTAT_pirq, .pirq = b->pirq });
    if ((rc = pirq_guest_bind(d, b->pirq, port)))
        port_set(d, port, (struct evtchn){ 0 });
    else
        b->port = port;
out:
    spin_unlock(&d->event_lock);
    return rc;
}

static long evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    int port;

    if (b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu])
        return -XEN_ENOENT;
    spin_lock(&d->event_lock);
    if ((port = get_free_port(d)) >= 0)
        port_set(d, port, (struct evtchn){ .state = EVTCHNSTAT_ipi, .notify_vcpu = b->vcpu });
    spin_unlock(&d->event_lock);
    if (port < 0)
        return port;
    b->port = port;
    return 0;
}

/* Consumers registered by evtchn_alloc_unbound_xen_port (index + XEN_CONSUMER_FIRST_FN). */
static evtchn_xen_notify_fn xen_consumers[4];
static spinlock_t xen_consumers_lock = SPIN_LOCK_UNLOCKED;

static int xen_consumer_index(evtchn_xen_notify_fn fn)
{
    int r = -XEN_ENOSPC;

    spin_lock(&xen_consumers_lock);
    for (unsigned int i = 0; i < ARRAY_SIZE(xen_consumers); i++)
        if (xen_consumers[i] == fn || !xen_consumers[i]) {
            xen_consumers[i] = fn;
            r = (int)i + XEN_CONSUMER_FIRST_FN;
            break;
        }
    spin_unlock(&xen_consumers_lock);
    return r;
}

int evtchn_alloc_unbound_xen_port(struct domain *d, unsigned int vcpu, domid_t remote,
                                  evtchn_xen_notify_fn fn)
{
    int c = xen_consumer_index(fn), port;

    if (c < 0)
        return c;
    spin_lock(&d->event_lock);
    if ((port = get_free_port(d)) >= 0)
        port_set(d, port, (struct evtchn){ .state = EVTCHNSTAT_unbound, .xen_consumer = (uint8_t)c,
                                           .notify_vcpu = (uint8_t)vcpu, .remote_domid = remote });
    spin_unlock(&d->event_lock);
    return port;
}

void evtchn_free_xen_port(struct domain *d, uint32_t port)
{
    if (d->evtchn)
        evtchn_close(d, port, false);
}

void evtchn_notify_xen_port(struct domain *d, uint32_t port)
{
    struct evtchn *c;
    struct domain *rd;

    if (!d->evtchn || !port_valid(d, port))
        return;
    spin_lock(&d->event_lock);
    c = evtchn_from_port(d, port);
    if (c->state == EVTCHNSTAT_interdomain && c->xen_consumer >= XEN_CONSUMER_FIRST_FN &&
        (rd = get_domain_by_id(c->remote_domid)))
        evtchn_raise(rd, c->remote_port);
    spin_unlock(&d->event_lock);
}

/*
 * A send reaching rd's port: the hypervisor's consumer if rd's end is one
 * (nothing is raised in rd), else the port is raised. The sender's event
 * lock keeps rd's end bound to it meanwhile.
 */
static void send_to_peer(struct domain *rd, uint32_t rport)
{
    const struct evtchn *rc;
    unsigned int c;

    if (rd->state != DOM_RUNNING || !port_valid(rd, rport))
        return;
    rc = evtchn_from_port(rd, rport);
    c = READ_ONCE(rc->xen_consumer);
    if (c >= XEN_CONSUMER_FIRST_FN && c - XEN_CONSUMER_FIRST_FN < ARRAY_SIZE(xen_consumers)) {
        xen_consumers[c - XEN_CONSUMER_FIRST_FN](rd->vcpu[READ_ONCE(rc->notify_vcpu)], rport);
        return;
    }
    evtchn_raise(rd, rport);
}

/* Holds d's event lock: the far end of an interdomain port stays bound to it meanwhile. */
static long evtchn_send(struct domain *d, uint32_t port)
{
    struct evtchn *c;
    struct domain *rd;
    bool kick = false;
    long rc = 0;

    if (!port_valid(d, port))
        return -XEN_EINVAL;
    spin_lock(&d->event_lock);
    c = evtchn_from_port(d, port);
    TRACE(EVTCHN, EV_SEND, port, c->state == EVTCHNSTAT_interdomain ? c->remote_domid : d->domain_id,
          c->state == EVTCHNSTAT_interdomain ? c->remote_port : port, 0);
    switch (c->state) {
    case EVTCHNSTAT_interdomain:
        if (c->xen_consumer == XEN_CONSUMER_CONSOLE) {
            kick = true;        /* after the lock: the console backend takes its own */
            break;
        }
        rd = get_domain_by_id(c->remote_domid);
        if (rd)
            send_to_peer(rd, c->remote_port);
        break;
    case EVTCHNSTAT_ipi:
        evtchn_set_pending(d->vcpu[c->notify_vcpu], port);
        break;
    case EVTCHNSTAT_unbound:
        break;          /* silently dropped, as Xen */
    default:
        REFUSE_WHY("port %u is %s: only interdomain, IPI and unbound ports can be sent on", port,
                   c->state == EVTCHNSTAT_closed ? "closed" : c->state == EVTCHNSTAT_virq ? "a VIRQ" : "a PIRQ");
        rc = -XEN_EINVAL;
    }
    spin_unlock(&d->event_lock);
    if (kick)
        console_ring_kick(d);
    return rc;
}

static long evtchn_status(struct domain *d, struct evtchn_status *st)
{
    struct domain *td;
    struct evtchn *c;

    if (!(td = get_domain_by_id(resolve(st->dom, d))))
        return -XEN_ESRCH;              /* as Xen: lookup before the permission check */
    if (td != d && !d->is_privileged)
        return -XEN_EPERM;
    /* port 0 is valid here: reserved, reads closed */
    if (st->port >= evtchn_valid_ports(td) || st->port >= evtchn_max_ports(td))
        return -XEN_EINVAL;
    spin_lock(&td->event_lock);
    c = evtchn_from_port(td, st->port);
    st->status = c->state;
    st->vcpu = c->notify_vcpu;
    memset(&st->u, 0, sizeof(st->u));
    if (c->state == EVTCHNSTAT_unbound)
        st->u.unbound.dom = c->remote_domid;
    else if (c->state == EVTCHNSTAT_interdomain) {
        st->u.interdomain.dom = c->remote_domid;
        st->u.interdomain.port = c->remote_port;
    } else if (c->state == EVTCHNSTAT_virq)
        st->u.virq = c->virq;
    else if (c->state == EVTCHNSTAT_pirq)
        st->u.pirq = c->pirq;
    spin_unlock(&td->event_lock);
    return 0;
}

long evtchn_unmask_port(struct domain *d, uint32_t port)
{
    struct shared_info *s = d->shared_info;
    struct evtchn *c;
    struct vcpu *v;

    if (!port_valid(d, port))
        return -XEN_EINVAL;
    c = evtchn_from_port(d, port);
    /*
     * FIFO: as Xen's evtchn_port_unmask, only for a port in use. (Xen also
     * skips its own ends; Tandem's console port is the guest's end, which
     * the guest masks and unmasks like any other.)
     */
    if (evtchn_fifo_active(d) && (c->state == EVTCHNSTAT_closed || evtchn_fifo_unmask(d, port)))
        return 0;
    if (port >= EVTCHN_2L_NR_CHANNELS)
        return 0;
    v = d->vcpu[READ_ONCE(c->notify_vcpu)];    /* a delivery read, as evtchn_raise's */
    /* As Xen's evtchn_2l_unmask: only a port that was masked is re-raised. */
    if (!test_and_clear(s->evtchn_mask, port))
        return 0;
    if (test_bit_(s->evtchn_pending, port) &&
        !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / 64))
        evtchn_vcpu_mark_pending(v);
    return 0;
}

static long evtchn_bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *b)
{
    struct evtchn *c;

    if (!port_valid(d, b->port) || b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu])
        return -XEN_ENOENT;
    spin_lock(&d->event_lock);
    c = evtchn_from_port(d, b->port);
    if (c->state == EVTCHNSTAT_ipi || c->state == EVTCHNSTAT_closed ||
        (c->state == EVTCHNSTAT_virq && !virq_is_global(c->virq))) {
        spin_unlock(&d->event_lock);
        return -XEN_EINVAL;
    }
    WRITE_ONCE(c->notify_vcpu, b->vcpu);
    spin_unlock(&d->event_lock);
    return 0;
}

static long evtchn_reset(struct domain *d, domid_t dom)
{
    struct domain *td;
    long rc = 0;

    dom = resolve(dom, d);
    if (!(td = get_domain_by_id(dom)))
        return -XEN_ESRCH;
    if (td != d && !d->is_privileged)
        return -XEN_EPERM;
    for (uint32_t p = 1; p < evtchn_valid_ports(td); p++)
        evtchn_close(td, p, true);
    /*
     * As Xen: a FIFO domain goes back to 2-level (its hypervisor ends are
     * below 4096 and stay open), unless a port beyond 2-level's range was
     * bound meanwhile (-EAGAIN, Xen's answer when ports remain).
     */
    spin_lock(&td->event_lock);
    for (uint32_t p = EVTCHN_2L_NR_CHANNELS; p < td->valid_evtchns && !rc; p++)
        if (evtchn_from_port(td, p)->state != EVTCHNSTAT_closed)
            rc = -XEN_EAGAIN;
    if (!rc)
        evtchn_fifo_destroy(td);
    spin_unlock(&td->event_lock);
    return rc;
}

/* Xen's evtchn_set_priority and evtchn_port_set_priority, in their order. */
static long evtchn_set_priority(struct domain *d, const struct evtchn_set_priority *sp)
{
    struct evtchn *c;
    long rc = 0;

    spin_lock(&d->event_lock);
    if (sp->port >= evtchn_valid_ports(d) || sp->port >= evtchn_max_ports(d))
        rc = -XEN_EINVAL;
    else if (!evtchn_fifo_active(d))
        rc = -XEN_ENOSYS;               /* 2-level has no priorities */
    else if ((c = evtchn_from_port(d, sp->port))->state == EVTCHNSTAT_closed)
        rc = -XEN_EACCES;               /* port 0 included: Xen's ECS_RESERVED */
    else if (sp->priority > EVTCHN_FIFO_PRIORITY_MIN)
        rc = -XEN_EINVAL;
    else
        c->priority = sp->priority;     /* future events; a linked one stays where it is */
    spin_unlock(&d->event_lock);
    return rc;
}

/* One struct per op, copied in, handled, copied back out when it has OUT fields. */
long do_event_channel_op(uint64_t cmd, guest_va_t arg)
{
    struct domain *d = current->domain;
    union {
        struct evtchn_alloc_unbound alloc;
        struct evtchn_bind_interdomain inter;
        struct evtchn_bind_virq virq;
        struct evtchn_bind_ipi ipi;
        struct evtchn_bind_pirq pirq;
        struct evtchn_close close;
        struct evtchn_send send;
        struct evtchn_status status;
        struct evtchn_unmask unmask;
        struct evtchn_bind_vcpu bvcpu;
        struct evtchn_reset reset;
        struct evtchn_init_control init;
        struct evtchn_expand_array expand;
        struct evtchn_set_priority prio;
    } u;
    static const uint8_t size[] = {
        [EVTCHNOP_bind_interdomain] = sizeof(u.inter), [EVTCHNOP_bind_virq] = sizeof(u.virq),
        [EVTCHNOP_close] = sizeof(u.close), [EVTCHNOP_send] = sizeof(u.send),
        [EVTCHNOP_status] = sizeof(u.status), [EVTCHNOP_alloc_unbound] = sizeof(u.alloc),
        [EVTCHNOP_bind_ipi] = sizeof(u.ipi), [EVTCHNOP_bind_vcpu] = sizeof(u.bvcpu),
        [EVTCHNOP_unmask] = sizeof(u.unmask), [EVTCHNOP_reset] = sizeof(u.reset),
        [EVTCHNOP_bind_pirq] = sizeof(u.pirq), [EVTCHNOP_init_control] = sizeof(u.init),
        [EVTCHNOP_expand_array] = sizeof(u.expand), [EVTCHNOP_set_priority] = sizeof(u.prio),
    };
    bool copy_out = false;
    long rc;

    if (cmd >= ARRAY_SIZE(size) || !size[cmd])
        return -XEN_ENOSYS;
    if (copy_from_guest(&u, arg, size[cmd]))
        return -XEN_EFAULT;

    switch (cmd) {
    case EVTCHNOP_alloc_unbound:    rc = evtchn_alloc_unbound(d, &u.alloc); copy_out = true; break;
    case EVTCHNOP_bind_interdomain: rc = evtchn_bind_interdomain(d, &u.inter); copy_out = true; break;
    case EVTCHNOP_bind_virq:        rc = evtchn_bind_virq(d, &u.virq); copy_out = true; break;
    case EVTCHNOP_bind_ipi:         rc = evtchn_bind_ipi(d, &u.ipi); copy_out = true; break;
    case EVTCHNOP_status:           rc = evtchn_status(d, &u.status); copy_out = true; break;
    case EVTCHNOP_close:            rc = evtchn_close(d, u.close.port, false); break;
    case EVTCHNOP_send:             rc = evtchn_send(d, u.send.port); break;
    case EVTCHNOP_unmask:           rc = evtchn_unmask_port(d, u.unmask.port); break;
    case EVTCHNOP_bind_pirq:        rc = evtchn_bind_pirq(d, &u.pirq); copy_out = true; break;
    case EVTCHNOP_bind_vcpu:        rc = evtchn_bind_vcpu(d, &u.bvcpu); break;
    case EVTCHNOP_init_control:     rc = evtchn_fifo_init_control(d, &u.init); copy_out = true; break;
    case EVTCHNOP_expand_array:     rc = evtchn_fifo_expand_array(d, u.expand.array_gfn); break;
    case EVTCHNOP_set_priority:     rc = evtchn_set_priority(d, &u.prio); break;
    default:                        rc = evtchn_reset(d, u.reset.dom); break;
    }
    if (!rc && copy_out && copy_to_guest(arg, &u, size[cmd]))
        rc = -XEN_EFAULT;
    return rc;
}

/* The 'e' debug key: d's ports in use, with their far ends and delivery bits. */
void evtchn_dump(struct domain *d)
{
    static const char *const states[] = { "closed", "unbound", "interdomain", "pirq", "virq", "ipi" };
    uint32_t n = MIN(evtchn_valid_ports(d), evtchn_max_ports(d));
    bool fifo = evtchn_fifo_active(d);
    unsigned int used = 0;

    for (uint32_t p = 1; p < n; p++)
        used += evtchn_from_port(d, p)->state != EVTCHNSTAT_closed;
    printk("Event channels of d%u (%s, %s ABI): %u ports in use, upcall pending %u mask %u\n",
           d->domain_id, d->name, fifo ? "FIFO" : "2-level", used,
           d->vcpu[0]->vcpu_info->evtchn_upcall_pending, d->vcpu[0]->vcpu_info->evtchn_upcall_mask);
    for (uint32_t p = 1; p < n; p++) {
        const struct evtchn *c = evtchn_from_port(d, p);
        char far[48] = "", fifo_state[48] = "";

        if (c->state == EVTCHNSTAT_closed)
            continue;
        if (c->state == EVTCHNSTAT_unbound)
            snprintf(far, sizeof(far), " for d%u", c->remote_domid);
        else if (c->state == EVTCHNSTAT_interdomain && c->remote_domid == DOMID_XEN)
            snprintf(far, sizeof(far), " -> Xen (console)");
        else if (c->state == EVTCHNSTAT_interdomain && c->xen_consumer)
            snprintf(far, sizeof(far), " -> d%u port %u (Xen's end)", c->remote_domid, c->remote_port);
        else if (c->state == EVTCHNSTAT_interdomain)
            snprintf(far, sizeof(far), " -> d%u port %u", c->remote_domid, c->remote_port);
        else if (c->state == EVTCHNSTAT_pirq)
            snprintf(far, sizeof(far), " %u", c->pirq);
        else if (c->state == EVTCHNSTAT_virq)
            snprintf(far, sizeof(far), " %u (%s)", c->virq, c->virq == VIRQ_TIMER ? "timer" :
                     c->virq == VIRQ_DOM_EXC ? "dom_exc" : c->virq == VIRQ_CONSOLE ? "console" : "other");
        if (fifo)
            evtchn_fifo_describe(d, p, fifo_state, sizeof(fifo_state));
        printk("  port %4u: %s%s, vcpu %u%s%s%s\n", p,
               c->state < ARRAY_SIZE(states) ? states[c->state] : "?", far, c->notify_vcpu,
               evtchn_port_pending(d, p) ? ", pending" : "", evtchn_port_masked(d, p) ? ", masked" : "",
               fifo_state);
    }
}
