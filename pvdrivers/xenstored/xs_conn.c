/*
 * xs_conn.c: serving one client's store ring (struct xenstore_domain_interface),
 * Xen's xenstored_domain.c readchn/writechn and handle_input/handle_output
 * with a per-call budget. The page is the client's: it may change any byte
 * at any time. So each index is read once per pass and checked before a
 * byte moves, every byte is copied out before it is looked at, and the
 * indices the store owns (req_cons, rsp_prod) are kept here and only
 * published to the page, never read back from it.
 */
#include <tandem/io/ring.h>     /* xen_mb, xen_rmb, xen_wmb */
#include "xs_int.h"

#define VREAD(f)      (*(volatile const uint32_t *)&(f))
#define VWRITE(f, v)  (*(volatile uint32_t *)&(f) = (v))
#define HDR_LEN       ((uint32_t)sizeof(struct xsd_sockmsg))

#define XSD_FEATURES (XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR)

struct xsd_conn {
    struct xsd_store *s;
    uint16_t domid;
    struct xenstore_domain_interface *intf;
    XENSTORE_RING_IDX req_cons, rsp_prod;   /* ours; the page only gets copies */
    uint32_t in_used;                       /* bytes of the current request taken */
    union {
        struct xsd_sockmsg hdr;
        char raw[sizeof(struct xsd_sockmsg)];
    } in;
    char in_body[XENSTORE_PAYLOAD_MAX];
    struct xsd_msg out;                     /* the reply or event going to rsp[] */
    uint32_t out_len, out_done;             /* out_len 0: nothing held */
    bool dead;
};

struct xsd_conn *xsd_conn_create(struct xsd_store *s, uint16_t domid,
                                 struct xenstore_domain_interface *intf)
{
    struct xsd_conn *c = xs_alloc(s, sizeof(*c));

    if (!c)
        return NULL;
    c->s = s;
    c->domid = domid;
    c->intf = intf;
    /* Xen's rings need not start at zero (xenstore-ring.txt): continue from the page. */
    c->req_cons = VREAD(intf->req_cons);
    c->rsp_prod = VREAD(intf->rsp_prod);
    /* Advertised before any byte moves, as the reconnection feature requires. */
    VWRITE(intf->server_features, XSD_FEATURES);
    VWRITE(intf->error, XENSTORE_ERROR_NONE);
    return c;
}

void xsd_conn_destroy(struct xsd_conn *c)
{
    if (c)
        xs_free(c->s, c);
}

/*
 * Xen's ignore_connection: tell the client why (the error feature), drop
 * its watches, transactions and queued events, serve it no more.
 */
static unsigned int conn_kill(struct xsd_conn *c, uint32_t err)
{
    struct xs_dom *d = xs_dom_get(c->s, c->domid, false);

    VWRITE(c->intf->error, err);
    if (d)
        xs_dom_reset(c->s, d);
    c->dead = true;
    c->out_len = c->in_used = 0;
    return XSD_SERVE_DEAD;
}

/*
 * The reconnection feature (xenstore-ring.txt): drop the partial request
 * and held output, the watches, transactions and queued events; empty
 * both rings; then, ordered after those stores, report "connected".
 */
static void conn_reconnect(struct xsd_conn *c)
{
    struct xenstore_domain_interface *intf = c->intf;
    struct xs_dom *d = xs_dom_get(c->s, c->domid, false);

    if (d)
        xs_dom_reset(c->s, d);
    c->in_used = c->out_len = c->out_done = 0;
    c->req_cons = c->rsp_prod = 0;
    VWRITE(intf->req_cons, 0);
    VWRITE(intf->req_prod, 0);
    VWRITE(intf->rsp_cons, 0);
    VWRITE(intf->rsp_prod, 0);
    xen_wmb();  /* the emptied rings before the state that lets the client use them */
    VWRITE(intf->connection, XENSTORE_CONNECTED);
}

/*
 * Move held output into rsp[]: 1 when nothing is held any more, 0 when
 * rsp[] is full, -1 when the client's rsp_cons is impossible.
 */
static int conn_flush(struct xsd_conn *c, unsigned int *ret)
{
    struct xenstore_domain_interface *intf = c->intf;
    XENSTORE_RING_IDX cons, prod = c->rsp_prod;
    uint32_t used, n, done = 0;

    if (!c->out_len)
        return 1;
    cons = VREAD(intf->rsp_cons);
    used = prod - cons;
    if (used > XENSTORE_RING_SIZE)
        return -1;
    xen_mb();   /* rsp_cons read before our stores into the space it frees */
    while (used < XENSTORE_RING_SIZE && c->out_done < c->out_len) {
        uint32_t to_end = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
        n = XENSTORE_RING_SIZE - used;
        if (n > to_end)
            n = to_end;
        if (n > c->out_len - c->out_done)
            n = c->out_len - c->out_done;
        memcpy(intf->rsp + MASK_XENSTORE_IDX(prod), (const char *)&c->out + c->out_done, n);
        prod += n;
        used += n;
        c->out_done += n;
        done += n;
    }
    if (done) {
        xen_wmb();  /* reply bytes before the rsp_prod that exposes them */
        c->rsp_prod = prod;
        VWRITE(intf->rsp_prod, prod);
        *ret |= XSD_SERVE_NOTIFY;
    }
    if (c->out_done < c->out_len)
        return 0;
    c->out_len = c->out_done = 0;
    return 1;
}

/*
 * Take request bytes from req[] into the private buffer, never past the
 * end of the current message: 1 when a whole message is here, 0 when more
 * must come, or an XENSTORE_ERROR_* (negated) when the client broke the
 * protocol (impossible indices, len over XENSTORE_PAYLOAD_MAX).
 */
static int conn_take(struct xsd_conn *c, unsigned int *ret)
{
    struct xenstore_domain_interface *intf = c->intf;
    XENSTORE_RING_IDX prod = VREAD(intf->req_prod), cons = c->req_cons;
    uint32_t avail = prod - cons, got = 0;

    if (avail > XENSTORE_RING_SIZE)
        return -XENSTORE_ERROR_RINGIDX;
    xen_rmb();  /* req_prod read before the bytes it covers */
    for (;;) {
        bool in_hdr = c->in_used < HDR_LEN;
        uint32_t want = in_hdr ? HDR_LEN - c->in_used : HDR_LEN + c->in.hdr.len - c->in_used;
        uint32_t to_end = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
        char *dst = in_hdr ? c->in.raw + c->in_used : c->in_body + (c->in_used - HDR_LEN);
        uint32_t n = want;

        if (n > avail)
            n = avail;
        if (n > to_end)
            n = to_end;
        memcpy(dst, intf->req + MASK_XENSTORE_IDX(cons), n);
        cons += n;
        avail -= n;
        got += n;
        c->in_used += n;
        /* The header is ours now: check its length once, on our copy (Xen's handle_input). */
        if (in_hdr && c->in_used == HDR_LEN && c->in.hdr.len > XENSTORE_PAYLOAD_MAX)
            return -XENSTORE_ERROR_PROTO;
        if ((c->in_used >= HDR_LEN && c->in_used == HDR_LEN + c->in.hdr.len) || !avail)
            break;
    }
    if (got) {
        xen_mb();   /* bytes copied out before req_cons gives their space back */
        c->req_cons = cons;
        VWRITE(intf->req_cons, cons);
        *ret |= XSD_SERVE_NOTIFY;
    }
    return c->in_used >= HDR_LEN && c->in_used == HDR_LEN + c->in.hdr.len;
}

/* Requests are waiting in req[] (or a bad index the next pass will catch). */
static bool conn_input_waiting(const struct xsd_conn *c)
{
    return VREAD(c->intf->req_prod) != c->req_cons;
}

static void conn_hold(struct xsd_conn *c)
{
    c->out_len = HDR_LEN + c->out.hdr.len;
    c->out_done = 0;
}

unsigned int xsd_conn_serve(struct xsd_conn *c, unsigned int budget)
{
    unsigned int ret = 0;
    int r;

    if (c->dead)
        return XSD_SERVE_DEAD;
    if (VREAD(c->intf->connection) == XENSTORE_RECONNECT) {
        conn_reconnect(c);
        ret |= XSD_SERVE_NOTIFY;
    }
    for (;;) {
        /* Output first: a client that does not read rsp[] stops only its own requests. */
        if ((r = conn_flush(c, &ret)) < 0)
            return ret | conn_kill(c, XENSTORE_ERROR_RINGIDX);
        if (!r)
            return ret | XSD_SERVE_MORE;
        if (xsd_next_event(c->s, c->domid, &c->out)) {
            conn_hold(c);
            continue;
        }
        if (!budget)
            return ret | (conn_input_waiting(c) ? XSD_SERVE_MORE : 0);
        if ((r = conn_take(c, &ret)) < 0)
            return ret | conn_kill(c, (uint32_t)-r);
        if (!r)
            return ret;
        budget--;
        c->in_used = 0;
        if (xsd_process(c->s, c->domid, &c->in.hdr, c->in_body, &c->out) < 0)
            return ret | conn_kill(c, XENSTORE_ERROR_PROTO);   /* conn_take checked len: not reached */
        conn_hold(c);
    }
}

bool xsd_conn_pending(const struct xsd_conn *c)
{
    const struct xs_dom *d;

    if (c->dead)
        return false;
    d = xs_dom_get(c->s, c->domid, false);
    return c->out_len || (d && d->ev_head);
}
