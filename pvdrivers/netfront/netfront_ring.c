/*
 * netfront_ring.c: the front end's two rings (netfront.h): transmit,
 * tx and rx responses checked (as Linux's xennet_tx_buf_gc and
 * xennet_get_responses, stricter where docs/netif.md says), rx buffers
 * posted and reposted.
 */
#include "netfront_internal.h"
#include "pv_netpkt.h"
#include "pvos.h"
#include <tandem/errno.h>

/* ---- rx buffers ---- */

void netfront_rx_post(struct netfront *nf, unsigned int from)
{
    unsigned int to = nf->rx.req_prod_pvt & (NETFRONT_RING_SIZE - 1);
    netif_rx_request_t *req = RING_GET_REQUEST(&nf->rx, nf->rx.req_prod_pvt);

    if (to != from) {
        nf->rxb[to] = nf->rxb[from];
        nf->rxb[from].page = 0;
    }
    req->id = (uint16_t)to;
    req->pad = 0;
    req->gref = nf->rxb[to].gref;
    nf->rx.req_prod_pvt++;
}

void netfront_rx_push(struct netfront *nf)
{
    bool notify;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
    if (notify) {
        nf->stats.notifies++;
        nf->ops->notify(nf->ctx, nf->port_rx);
    }
}

/* Allocate, grant and post NETFRONT_RX_TARGET buffers. */
/* ---- transmit ---- */

static int tx_check(const struct netfront *nf, const struct netfront_frag *frags, unsigned int n,
                    uint16_t flags)
{
    uint32_t total = 0;
    unsigned int i;

    if (nf->state != NETFRONT_CONNECTED)
        return -XEN_ENOTCONN;
    if (!n || (flags & ~(NETTXF_csum_blank | NETTXF_data_validated)))
        return -XEN_EINVAL;
    if (n > NETFRONT_MAX_SLOTS || (n > 1 && !nf->be_sg))
        return -XEN_E2BIG;
    for (i = 0; i < n; i++) {
        if (!frags[i].page || !frags[i].len ||
            (uint32_t)frags[i].offset + frags[i].len > NETFRONT_PAGE_SIZE)
            return -XEN_EINVAL;
        total += frags[i].len;
    }
    if (total < NETPKT_ETH_HLEN || total > XEN_NETIF_MAX_TX_SIZE)
        return -XEN_EINVAL;
    if (RING_FREE_REQUESTS(&nf->tx) < n || NETFRONT_RING_SIZE - nf->tx_inflight < n)
        return -XEN_EAGAIN;
    return 0;
}

int netfront_xmit(struct netfront *nf, const struct netfront_frag *frags, unsigned int n,
                  uint16_t flags, void *cookie)
{
    int ref[NETFRONT_MAX_SLOTS];
    uint32_t total = 0;
    uint16_t head = NETFRONT_TX_END;
    unsigned int i;
    bool notify;
    int rc = tx_check(nf, frags, n, flags);

    if (rc)
        return rc;
    for (i = 0; i < n; i++) {
        ref[i] = nf->ops->grant(nf->ctx, frags[i].page, true);
        if (ref[i] < 0) {
            rc = ref[i];
            while (i--)
                netfront_end_grant(nf, (grant_ref_t)ref[i], 0);
            return rc;
        }
        total += frags[i].len;
    }
    for (i = 0; i < n; i++) {
        uint16_t id = nf->tx_free;
        struct netfront_tx_slot *s = &nf->txs[id];
        netif_tx_request_t *req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);

        nf->tx_free = s->next_free;
        if (!i)
            head = id;
        *s = (struct netfront_tx_slot){ .gref = (grant_ref_t)ref[i], .head = head, .busy = true };
        req->gref = (grant_ref_t)ref[i];
        req->offset = frags[i].offset;
        req->flags = (uint16_t)((i ? 0 : flags) | (i + 1 < n ? NETTXF_more_data : 0));
        req->id = id;
        req->size = (uint16_t)(i ? frags[i].len : total);
        nf->tx.req_prod_pvt++;
    }
    nf->txs[head].cookie = cookie;
    nf->txs[head].left = (uint16_t)n;
    nf->tx_inflight += n;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
    if (notify) {
        nf->stats.notifies++;
        nf->ops->notify(nf->ctx, nf->port_tx);
    }
    return 0;
}

static void tx_free_id(struct netfront *nf, uint16_t id)
{
    nf->txs[id].busy = false;
    nf->txs[id].next_free = nf->tx_free;
    nf->tx_free = id;
    nf->tx_inflight--;
}

/* One tx response; false if the back end broke the protocol. */
static bool tx_answer(struct netfront *nf, const netif_tx_response_t *rsp)
{
    struct netfront_tx_slot *s, *h;

    if (rsp->status == NETIF_RSP_NULL)
        return true;            /* an extra slot's placeholder (we send none; Linux skips it) */
    if (rsp->id >= NETFRONT_RING_SIZE) {
        netfront_broken(nf, "tx response has incorrect id", rsp->id);
        return false;
    }
    s = &nf->txs[rsp->id];
    if (!s->busy || s->answered) {
        netfront_broken(nf, "tx response for inactive request", rsp->id);
        return false;
    }
    s->answered = true;
    if (nf->ops->grant_end(nf->ctx, s->gref) < 0) {
        nf->stats.grant_leaks++;
        netfront_broken(nf, "grant still in use by back end", s->gref);
        return false;
    }
    h = &nf->txs[s->head];
    if (rsp->status != NETIF_RSP_OKAY)
        h->err = true;
    if (rsp->id != s->head)
        tx_free_id(nf, rsp->id);
    if (--h->left == 0) {
        void *cookie = h->cookie;
        int st = h->err ? -XEN_EIO : 0;

        tx_free_id(nf, s->head);
        if (st)
            nf->stats.tx_errors++;
        else
            nf->stats.tx_packets++;
        nf->ops->tx_done(nf->ctx, cookie, st);
    }
    return true;
}

/* Responses published but not consumed; more than we have requests out: the back end is lying. */
#define RSP_BOGUS(r, rp) ((RING_IDX)((rp) - (r)->rsp_cons) > (RING_IDX)((r)->req_prod_pvt - (r)->rsp_cons))

static bool tx_poll(struct netfront *nf)
{
    int more;

    do {
        RING_IDX rp = RING_READ_IDX(nf->tx.sring->rsp_prod);

        xen_rmb(); /* slots read after the index that exposes them */
        if (RSP_BOGUS(&nf->tx, rp)) {
            netfront_broken(nf, "more tx responses than requests", rp - nf->tx.rsp_cons);
            return false;
        }
        while (nf->tx.rsp_cons != rp) {
            netif_tx_response_t rsp;

            RING_COPY_RESPONSE(&nf->tx, nf->tx.rsp_cons, &rsp);
            nf->tx.rsp_cons++;
            if (!tx_answer(nf, &rsp))
                return false;
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, more);
    } while (more);
    return true;
}

/* One received packet's slots, checked. */
struct rx_pkt {
    const void *va[NETFRONT_MAX_SLOTS];
    uint16_t len[NETFRONT_MAX_SLOTS];
    unsigned int n, slots;      /* data pieces; ring slots used (extras included) */
    uint32_t total;
    uint16_t flags;
    bool bad;                   /* a slot answered an error: drop it */
};

/* The extras after the first slot (xennet_get_extras): 0, or -1 broken. */
static int rx_extras(struct netfront *nf, RING_IDX rp, struct rx_pkt *p)
{
    netif_extra_info_t e;
    unsigned int n = 0;

    do {
        RING_IDX cons = nf->rx.rsp_cons + p->slots;

        if (cons == rp) {
            netfront_broken(nf, "rx extra info past the published responses", p->slots);
            return -1;
        }
        RING_COPY_(&e, RING_GET_RESPONSE(&nf->rx, cons));
        p->slots++;
        if (!e.type || e.type >= XEN_NETIF_EXTRA_TYPE_MAX || ++n > XEN_NETIF_EXTRA_TYPE_MAX - 1) {
            netfront_broken(nf, "bad rx extra info type", e.type);
            return -1;
        }
    } while (e.flags & XEN_NETIF_EXTRA_FLAG_MORE);
    return 0;           /* GSO and hash extras are not asked for; their packet is taken as is */
}

/* Gather the packet at rsp_cons (rp published): 0, or -1 broken. */
static int rx_gather(struct netfront *nf, RING_IDX rp, struct rx_pkt *p)
{
    netif_rx_response_t rsp;
    bool more = true;

    p->n = p->slots = 0;
    p->total = 0;
    p->bad = false;
    while (more) {
        RING_IDX cons = nf->rx.rsp_cons + p->slots;
        unsigned int slot = cons & (NETFRONT_RING_SIZE - 1);

        if (cons == rp) {
            netfront_broken(nf, "rx packet past the published responses", p->slots);
            return -1;
        }
        if (p->n == NETFRONT_MAX_SLOTS) {
            netfront_broken(nf, "rx packet with too many slots", p->n);
            return -1;
        }
        RING_COPY_RESPONSE(&nf->rx, cons, &rsp);
        p->slots++;
        if (rsp.id != slot) {
            netfront_broken(nf, "rx response id not its slot's", rsp.id);
            return -1;
        }
        if (rsp.status < 0) {
            p->bad = true;
        } else if ((uint32_t)rsp.offset + (uint32_t)rsp.status > NETFRONT_PAGE_SIZE) {
            netfront_broken(nf, "rx response beyond its buffer", (uint32_t)rsp.offset + (uint32_t)rsp.status);
            return -1;
        } else {
            p->va[p->n] = (const uint8_t *)nf->rxb[slot].page + rsp.offset;
            p->len[p->n++] = (uint16_t)rsp.status;
            p->total += (uint32_t)rsp.status;
        }
        if (p->slots == 1) {
            p->flags = rsp.flags;
            if ((rsp.flags & NETRXF_extra_info) && rx_extras(nf, rp, p))
                return -1;
        }
        more = rsp.flags & NETRXF_more_data;
    }
    return 0;
}

static bool rx_poll(struct netfront *nf)
{
    struct rx_pkt p;
    int more;

    do {
        RING_IDX rp = RING_READ_IDX(nf->rx.sring->rsp_prod);

        xen_rmb(); /* slots read after the index that exposes them */
        if (RSP_BOGUS(&nf->rx, rp)) {
            netfront_broken(nf, "more rx responses than requests", rp - nf->rx.rsp_cons);
            return false;
        }
        while (nf->rx.rsp_cons != rp) {
            unsigned int i;

            if (rx_gather(nf, rp, &p))
                return false;
            if (p.bad || p.total < NETPKT_ETH_HLEN || p.total > XEN_NETIF_MAX_TX_SIZE) {
                nf->stats.rx_errors++;
            } else {
                nf->stats.rx_packets++;
                nf->ops->rx(nf->ctx, p.va, p.len, p.n, p.total, p.flags);
            }
            /* Every buffer the packet used goes back to the back end, in a new slot. */
            for (i = 0; i < p.slots; i++)
                netfront_rx_post(nf, (nf->rx.rsp_cons + i) & (NETFRONT_RING_SIZE - 1));
            nf->rx.rsp_cons += p.slots;
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
    } while (more);
    netfront_rx_push(nf);
    return true;
}

void netfront_handle_event(struct netfront *nf)
{
    if (nf->state != NETFRONT_CONNECTED)
        return;
    if (tx_poll(nf))
        rx_poll(nf);
}
