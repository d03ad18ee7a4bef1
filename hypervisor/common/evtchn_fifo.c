/*
 * The FIFO event channel ABI, as Xen's event_fifo.c: per-vCPU control
 * blocks and an event array in guest frames the hypervisor holds a
 * writable-type reference on (so they never become page tables or
 * descriptor pages while it writes them), and 16 priority queues per vCPU
 * linked through the guest's event words. The protocol as the guest sees
 * it: <tandem/event_channel.h>.
 *
 * One lock per domain (f->lock, interrupts off) covers what Xen's
 * per-queue locks do: the queues' tails, linking, the control block and
 * array pointers, and the switch back to 2-level. Every access to a guest
 * frame through f happens under it, so once evtchn_fifo_destroy has
 * dropped it no CPU writes a frame the guest may since have retyped. The
 * guest may change its words at any time: the hypervisor only sets and
 * clears bits atomically, writes LINK fields and heads with ports that
 * have words, never walks a queue, and gives up linking after a bounded
 * number of tries (Xen's), so a hostile guest can only confuse itself.
 */
#include "lib.h"
#include "evtchn_private.h"
#include "mm.h"
#include <tandem/errno.h>

struct evtchn_fifo_vcpu {
    struct evtchn_fifo_control_block *cb;   /* NULL until its init_control */
    mfn_t cb_mfn;
    uint32_t tail[EVTCHN_FIFO_MAX_QUEUES];  /* last port linked in each queue; 0 = none */
};

struct evtchn_fifo_domain {
    spinlock_t lock;
    uint32_t num_evtchns;                   /* ports with an event word: pages x 1024 */
    event_word_t *array[EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES];
    mfn_t array_mfn[EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES];
    struct evtchn_fifo_vcpu vcpu[MAX_VCPUS];
};

#define WORD_BIT(b) ((event_word_t)1 << (b))
_Static_assert(MAX_VCPUS <= 16 && EVTCHN_FIFO_MAX_QUEUES == 16, "fifo_lastq packs vCPU << 4 | priority");
_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72, "control block layout");

static inline bool word_test_and_set(event_word_t *w, unsigned int b)
{
    return __atomic_fetch_or(w, WORD_BIT(b), __ATOMIC_SEQ_CST) & WORD_BIT(b);
}
static inline void word_clear(event_word_t *w, unsigned int b)
{
    __atomic_fetch_and(w, ~WORD_BIT(b), __ATOMIC_SEQ_CST);
}

/* Under f->lock: port's word, or NULL while its array page is missing. */
static event_word_t *fifo_word(const struct evtchn_fifo_domain *f, uint32_t port)
{
    if (port >= f->num_evtchns)
        return NULL;
    return f->array[port / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE] + port % EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;
}

/* Xen's map_guest_page: the caller's own RAM, typed writable for as long as the hypervisor holds it. */
static long fifo_get_frame(struct domain *d, uint64_t gfn)
{
    if (!mfn_valid(gfn) || get_page_and_type(gfn, d, PGT_writable_page))
        return -XEN_EINVAL;         /* direct paging: the guest names machine frames */
    return 0;
}

/*
 * Xen's try_set_link/evtchn_fifo_set_link: point the LINKED word w at link;
 * false if w is no longer LINKED (the guest consumed it: the queue is
 * empty). BUSY keeps the guest from unmasking it meanwhile; a guest
 * changing the word under us gets 4 more tries, then the link counts as
 * made (Xen's choice: the guest broke its own queue).
 */
static int fifo_try_link(event_word_t *w, event_word_t *old, uint32_t link)
{
    if (!(*old & WORD_BIT(EVTCHN_FIFO_LINKED)))
        return 0;
    return __atomic_compare_exchange_n(w, old, (*old & ~(WORD_BIT(EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) | link,
                                       false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ? 1 : -1;
}

static bool fifo_set_link(event_word_t *w, uint32_t link)
{
    event_word_t old = READ_ONCE(*w);
    int r = fifo_try_link(w, &old, link);

    if (r >= 0)
        return r;
    word_test_and_set(w, EVTCHN_FIFO_BUSY);
    old = READ_ONCE(*w);
    for (unsigned int i = 0; i < 4; i++) {
        r = fifo_try_link(w, &old, link);
        if (r > 0)
            return true;            /* the new word has BUSY clear */
        if (r == 0)
            break;
    }
    word_clear(w, EVTCHN_FIFO_BUSY);
    return r != 0;
}

/*
 * Under f->lock, port just made LINKED: append it to queue (vcpu,
 * priority). If it was the tail of the queue it was last on, that queue is
 * empty now and must forget it (else a later link there would join the two
 * queues). True when the queue was empty and its ready bit newly set: the
 * vCPU must be told.
 */
static bool fifo_link(struct evtchn_fifo_domain *f, struct evtchn *c, unsigned int vcpu, uint32_t port)
{
    struct evtchn_fifo_vcpu *fv = &f->vcpu[vcpu];
    unsigned int prio = c->priority;
    uint32_t *old_tail = &f->vcpu[c->fifo_lastq >> 4].tail[c->fifo_lastq & 15];
    bool linked = false;

    if (*old_tail == port)
        *old_tail = 0;
    c->fifo_lastq = (uint8_t)(vcpu << 4 | prio);
    if (fv->tail[prio])
        linked = fifo_set_link(fifo_word(f, fv->tail[prio]), port);
    if (!linked)
        __atomic_store_n(&fv->cb->head[prio], port, __ATOMIC_SEQ_CST);
    fv->tail[prio] = port;
    return !linked && !(__atomic_fetch_or(&fv->cb->ready, 1U << prio, __ATOMIC_SEQ_CST) & (1U << prio));
}

/* Xen's evtchn_fifo_set_pending. A port whose word has no page yet is remembered (fifo_pending). */
bool evtchn_fifo_set_pending(struct vcpu *v, uint32_t port)
{
    struct domain *d = v->domain;
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    struct evtchn *c = evtchn_from_port(d, port);
    bool was_pending = true, mark = false;
    unsigned long flags;
    event_word_t *w;

    flags = spin_lock_irqsave(&f->lock);
    if (!d->evtchn_fifo_on) {
        spin_unlock_irqrestore(&f->lock, flags);
        return false;
    }
    if (!(w = fifo_word(f, port)))
        WRITE_ONCE(c->fifo_pending, 1);
    else {
        was_pending = word_test_and_set(w, EVTCHN_FIFO_PENDING);
        /* No control block yet: it stays pending, unlinked (the guest may not unmask before init_control). */
        if (f->vcpu[v->vcpu_id].cb && !(READ_ONCE(*w) & WORD_BIT(EVTCHN_FIFO_MASKED)) &&
            !word_test_and_set(w, EVTCHN_FIFO_LINKED))
            mark = fifo_link(f, c, v->vcpu_id, port);
    }
    spin_unlock_irqrestore(&f->lock, flags);
    if (mark)
        evtchn_vcpu_mark_pending(v);
    if (!was_pending)
        evtchn_check_pollers(d, port);
    return true;
}

/* At close: PENDING only; the guest unlinks and skips events not pending (Xen's). */
bool evtchn_fifo_clear_pending(struct domain *d, uint32_t port)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    unsigned long flags;
    event_word_t *w;
    bool on;

    if (!f)
        return false;
    flags = spin_lock_irqsave(&f->lock);
    if ((on = d->evtchn_fifo_on) && (w = fifo_word(f, port)))
        word_clear(w, EVTCHN_FIFO_PENDING);
    spin_unlock_irqrestore(&f->lock, flags);
    return on;
}

/* Xen's evtchn_fifo_unmask: clear MASKED; a pending port is linked now. */
bool evtchn_fifo_unmask(struct domain *d, uint32_t port)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    bool on, pending = false;
    unsigned long flags;
    event_word_t *w;

    flags = spin_lock_irqsave(&f->lock);
    if ((on = d->evtchn_fifo_on) && (w = fifo_word(f, port))) {
        word_clear(w, EVTCHN_FIFO_MASKED);
        pending = READ_ONCE(*w) & WORD_BIT(EVTCHN_FIFO_PENDING);
    }
    spin_unlock_irqrestore(&f->lock, flags);
    if (pending)
        evtchn_fifo_set_pending(d->vcpu[READ_ONCE(evtchn_from_port(d, port)->notify_vcpu)], port);
    return on;
}

bool evtchn_fifo_word_test(struct domain *d, uint32_t port, unsigned int bit, bool *known)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    unsigned long flags;
    event_word_t *w, val = WORD_BIT(EVTCHN_FIFO_MASKED);   /* no word: masked, nothing else */

    *known = false;
    if (!f)
        return false;
    flags = spin_lock_irqsave(&f->lock);
    if ((*known = d->evtchn_fifo_on) && (w = fifo_word(f, port)))
        val = READ_ONCE(*w);
    spin_unlock_irqrestore(&f->lock, flags);
    return val & WORD_BIT(bit);
}

bool evtchn_fifo_busy(struct domain *d, uint32_t port)
{
    bool known;

    return evtchn_fifo_word_test(d, port, EVTCHN_FIFO_LINKED, &known) && known;
}

/*
 * Xen's setup_ports: ports bound under 2-level keep their pending state
 * (what an earlier FIFO period left in fifo_pending is forgotten) and get
 * the default priority.
 */
static void fifo_setup_ports(struct domain *d)
{
    for (uint32_t p = 1; p < EVTCHN_2L_NR_CHANNELS && p < d->valid_evtchns; p++) {
        struct evtchn *c = evtchn_from_port(d, p);
        WRITE_ONCE(c->fifo_pending, !!(READ_ONCE(d->shared_info->evtchn_pending[p / 64]) & (1ULL << (p % 64))));
        c->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
    }
}

/* Under d->event_lock, the frame's reference taken: install vCPU ic->vcpu's control block. */
static long fifo_init_locked(struct domain *d, const struct evtchn_init_control *ic)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    struct evtchn_fifo_vcpu *fv;
    unsigned long flags;
    bool first;

    if (!f) {
        if (!(f = xzalloc(struct evtchn_fifo_domain)))
            return -XEN_ENOMEM;
        spin_lock_init(&f->lock);
        d->evtchn_fifo = f;         /* read by others only once evtchn_fifo_on is set (release) */
    }
    fv = &f->vcpu[ic->vcpu];
    if (fv->cb)
        return -XEN_EINVAL;         /* as Xen's map_control_block: initialised already */
    flags = spin_lock_irqsave(&f->lock);
    fv->cb_mfn = ic->control_gfn;
    fv->cb = (struct evtchn_fifo_control_block *)((uint8_t *)mfn_to_virt(ic->control_gfn) + ic->offset);
    memset(fv->tail, 0, sizeof(fv->tail));
    first = !d->evtchn_fifo_on;
    __atomic_store_n(&d->evtchn_fifo_on, true, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&f->lock, flags);
    if (first)
        fifo_setup_ports(d);
    return 0;
}

/* Xen's evtchn_fifo_init_control, its checks in its order. */
long evtchn_fifo_init_control(struct domain *d, struct evtchn_init_control *ic)
{
    long rc;

    ic->link_bits = EVTCHN_FIFO_LINK_BITS;
    if (ic->vcpu >= d->max_vcpus || !d->vcpu[ic->vcpu])
        return -XEN_ENOENT;
    if (ic->offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block))
        return -XEN_EINVAL;         /* would cross the frame's end */
    if (ic->offset & 7)
        return -XEN_EINVAL;
    spin_lock(&d->event_lock);
    if (d->evtchn_fifo && d->evtchn_fifo->vcpu[ic->vcpu].cb)
        rc = -XEN_EINVAL;
    else if (!(rc = fifo_get_frame(d, ic->control_gfn)) && (rc = fifo_init_locked(d, ic)))
        put_page_and_type(ic->control_gfn);
    spin_unlock(&d->event_lock);
    return rc;
}

/* Xen's add_page_to_event_array: the next 1024 words; events raised while they had no page are linked now. */
long evtchn_fifo_expand_array(struct domain *d, uint64_t gfn)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    uint32_t first, end;
    unsigned long flags;
    unsigned int slot;
    long rc = 0;

    spin_lock(&d->event_lock);
    if (!evtchn_fifo_active(d))
        rc = -XEN_EOPNOTSUPP;
    else if ((slot = f->num_evtchns / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE) >= EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES)
        rc = -XEN_ENOSPC;
    else
        rc = fifo_get_frame(d, gfn);
    if (rc) {
        spin_unlock(&d->event_lock);
        return rc;
    }
    flags = spin_lock_irqsave(&f->lock);
    f->array[slot] = mfn_to_virt(gfn);
    f->array_mfn[slot] = gfn;
    first = f->num_evtchns;
    end = f->num_evtchns += EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;
    spin_unlock_irqrestore(&f->lock, flags);
    for (uint32_t p = first; p < end && p < d->valid_evtchns; p++) {
        struct evtchn *c = evtchn_from_port(d, p);
        if (READ_ONCE(c->fifo_pending)) {
            WRITE_ONCE(c->fifo_pending, 0);
            evtchn_fifo_set_pending(d->vcpu[c->notify_vcpu], p);
        }
    }
    spin_unlock(&d->event_lock);
    return 0;
}

/* Xen's evtchn_fifo_destroy (and evtchn_2l_init after it): every frame reference dropped outside the lock. */
void evtchn_fifo_destroy(struct domain *d)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    mfn_t put[MAX_VCPUS + EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES];
    unsigned int n = 0;
    unsigned long flags;

    if (!f)
        return;
    flags = spin_lock_irqsave(&f->lock);
    __atomic_store_n(&d->evtchn_fifo_on, false, __ATOMIC_RELEASE);
    for (unsigned int i = 0; i < MAX_VCPUS; i++)
        if (f->vcpu[i].cb)
            put[n++] = f->vcpu[i].cb_mfn;
    for (unsigned int i = 0; i < f->num_evtchns / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE; i++)
        put[n++] = f->array_mfn[i];
    memset(f->vcpu, 0, sizeof(f->vcpu));
    memset(f->array, 0, sizeof(f->array));
    f->num_evtchns = 0;
    spin_unlock_irqrestore(&f->lock, flags);
    while (n--)
        put_page_and_type(put[n]);
}

void evtchn_fifo_frames(struct domain *d, void (*fn)(void *ctx, mfn_t m), void *ctx)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    unsigned long flags;

    if (!f)
        return;
    flags = spin_lock_irqsave(&f->lock);
    for (unsigned int i = 0; i < MAX_VCPUS; i++)
        if (f->vcpu[i].cb)
            fn(ctx, f->vcpu[i].cb_mfn);
    for (unsigned int i = 0; i < f->num_evtchns / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE; i++)
        fn(ctx, f->array_mfn[i]);
    spin_unlock_irqrestore(&f->lock, flags);
}

void evtchn_fifo_describe(struct domain *d, uint32_t port, char *buf, size_t len)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    const struct evtchn *c = evtchn_from_port(d, port);
    event_word_t *w, val = 0;
    unsigned long flags;
    bool has = false;

    flags = spin_lock_irqsave(&f->lock);
    if ((w = fifo_word(f, port))) {
        val = READ_ONCE(*w);
        has = true;
    }
    spin_unlock_irqrestore(&f->lock, flags);
    if (!has)
        snprintf(buf, len, ", prio %u, no word%s", c->priority, c->fifo_pending ? " (pending)" : "");
    else if (val & WORD_BIT(EVTCHN_FIFO_LINKED))
        snprintf(buf, len, ", prio %u, linked%s -> %u", c->priority,
                 val & WORD_BIT(EVTCHN_FIFO_BUSY) ? " busy" : "", val & EVTCHN_FIFO_LINK_MASK);
    else
        snprintf(buf, len, ", prio %u", c->priority);
}
