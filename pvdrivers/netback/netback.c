/*
 * netback.c: one vif's rings and its transmit path (pv_netback.h). The
 * checks and their answers follow Linux's xen-netback
 * (xenvif_tx_build_gops, xenvif_count_requests, xenvif_get_extras,
 * xenvif_set_skb_gso): bounded shape errors -> NETIF_RSP_ERROR for every
 * slot; what Linux finds fatal -> the vif is disconnected.
 */
#include "netback_internal.h"
#include <tandem/errno.h>
#include <tandem/grant_table.h>

void netback_init(struct netback *nb, const struct netback_ops *ops, const struct netpkt_pool *pool,
                  uint16_t domid, const uint8_t *mac)
{
    uint8_t *p = (uint8_t *)nb;
    size_t i;

    for (i = 0; i < sizeof(*nb); i++)
        p[i] = 0;
    nb->ops = *ops;
    nb->pool = pool;
    nb->domid = domid;
    for (i = 0; i < NETPKT_MAC_LEN; i++)
        nb->mac[i] = mac[i];
}

int netback_connect(struct netback *nb, const struct netback_front *front)
{
    int err = -XEN_EFAULT;

    if (nb->connected || nb->fatal)
        return -XEN_EISCONN;
    nb->tx_va = nb->ops.map_ring(nb->ops.ctx, nb->domid, front->tx_ring_ref, &err);
    if (!nb->tx_va)
        goto fail;
    nb->rx_va = nb->ops.map_ring(nb->ops.ctx, nb->domid, front->rx_ring_ref, &err);
    if (!nb->rx_va) {
        nb->ops.unmap_ring(nb->ops.ctx, nb->tx_va);
        nb->tx_va = 0;
        goto fail;
    }
    nb->front = *front;
    BACK_RING_INIT(&nb->tx, (netif_tx_sring_t *)nb->tx_va, NETBACK_PAGE_SIZE);
    BACK_RING_INIT(&nb->rx, (netif_rx_sring_t *)nb->rx_va, NETBACK_PAGE_SIZE);
    nb->connected = true;
    return 0;
fail:
    nblog(nb, "cannot map rings (tx %u, rx %u): %d", front->tx_ring_ref, front->rx_ring_ref, err);
    return err < 0 ? err : -XEN_EFAULT;
}

void netback_disconnect(struct netback *nb)
{
    netback_rx_purge(nb);
    nb->connected = false;
    if (nb->tx_va)
        nb->ops.unmap_ring(nb->ops.ctx, nb->tx_va);
    if (nb->rx_va)
        nb->ops.unmap_ring(nb->ops.ctx, nb->rx_va);
    nb->tx_va = nb->rx_va = 0;
}

void netback_fatal(struct netback *nb)
{
    nblog(nb, "fatal error: disconnecting");
    nb->fatal = true;
    netback_disconnect(nb);
}

void netback_add_copy(struct netback *nb, void *local, uint32_t gref, uint16_t offset,
                      uint16_t len, bool to_frontend)
{
    while (len) {
        uint16_t room = (uint16_t)(NETBACK_PAGE_SIZE - ((uintptr_t)local & (NETBACK_PAGE_SIZE - 1)));
        uint16_t n = len < room ? len : room;
        struct netback_copy *c = &nb->copy[nb->ncopy++];

        c->local = local;
        c->gref = gref;
        c->offset = offset;
        c->len = n;
        c->to_frontend = to_frontend;
        c->status = GNTST_general_error;
        local = (uint8_t *)local + n;
        offset = (uint16_t)(offset + n);
        len = (uint16_t)(len - n);
    }
}

void netback_run_copies(struct netback *nb)
{
    unsigned int i;

    if (!nb->ncopy)
        return;
    nb->stats.copy_calls++;
    nb->stats.copies += nb->ncopy;
    if (nb->ops.copy(nb->ops.ctx, nb->domid, nb->copy, nb->ncopy) < 0)
        for (i = 0; i < nb->ncopy; i++)
            nb->copy[i].status = GNTST_general_error;
}

/* ---- transmit ---- */

static void tx_respond(struct netback *nb, uint16_t id, int16_t status, unsigned int nextras)
{
    netif_tx_response_t *rsp = RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt);

    rsp->id = id;
    rsp->status = status;
    nb->tx.rsp_prod_pvt++;
    nb->unpushed_tx++;
    while (nextras--) {
        rsp = RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt);
        rsp->id = 0;
        rsp->status = NETIF_RSP_NULL;
        nb->tx.rsp_prod_pvt++;
        nb->unpushed_tx++;
    }
}

/* Every data slot of a packet answered `status`; extras get NETIF_RSP_NULL after the first. */
static void tx_respond_all(struct netback *nb, const uint16_t *id, unsigned int nslots,
                           unsigned int nextras, int16_t status)
{
    unsigned int i;

    if (status != NETIF_RSP_OKAY)
        nb->stats.tx_errors++;
    for (i = 0; i < nslots; i++)
        tx_respond(nb, id[i], status, i ? 0 : nextras);
}

static void tx_push(struct netback *nb)
{
    bool notify;

    if (!nb->unpushed_tx || !nb->connected)
        return;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->tx, notify);
    nb->unpushed_tx = 0;
    if (notify) {
        nb->stats.notifies++;
        nb->ops.notify(nb->ops.ctx, NETBACK_EVT_TX);
    }
}

/* A packet's requests, copied out of the ring once. */
struct tx_parse {
    netif_tx_request_t first;
    netif_tx_request_t frag[NETBACK_FATAL_SLOTS];
    netif_extra_info_t extra[NETBACK_MAX_EXTRAS];   /* by type - 1 */
    unsigned int nfrags, nextras;
    uint16_t total;             /* the first slot's size as sent: the packet length */
    int drop;                   /* 0, or why every slot gets ERROR */
};

/* xenvif_get_extras: 0, or -1 fatal. `work` is what is left of the published requests. */
static int tx_get_extras(struct netback *nb, struct tx_parse *tp, RING_IDX *cons, RING_IDX *work)
{
    netif_extra_info_t e;

    do {
        if (!*work) {
            nblog(nb, "missing extra info");
            return -1;
        }
        RING_COPY_(&e, RING_GET_REQUEST(&nb->tx, *cons));
        (*cons)++;
        (*work)--;
        if (e.type == XEN_NETIF_EXTRA_TYPE_NONE || e.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
            nblog(nb, "invalid extra type %u", e.type);
            return -1;
        }
        if (++tp->nextras > NETBACK_MAX_EXTRAS) {
            nblog(nb, "too many extra info slots");
            return -1;
        }
        tp->extra[e.type - 1] = e;
    } while (e.flags & XEN_NETIF_EXTRA_FLAG_MORE);
    return 0;
}

/* xenvif_count_requests: the slots after the first. 0, or -1 fatal. */
static int tx_count_frags(struct netback *nb, struct tx_parse *tp, RING_IDX cons, RING_IDX work)
{
    uint16_t more = tp->first.flags & NETTXF_more_data;
    unsigned int k = 0;

    while (more) {
        netif_tx_request_t *t = &tp->frag[k];

        if (k >= work) {
            nblog(nb, "asked for %u slots but only %u published", k + 1, work);
            return -1;
        }
        if (k >= NETBACK_FATAL_SLOTS) {
            nblog(nb, "malicious frontend using %u slots, threshold %u", k, NETBACK_FATAL_SLOTS);
            return -1;
        }
        if (!tp->drop && k >= NETBACK_SLOTS_MAX)
            tp->drop = -XEN_E2BIG;
        RING_COPY_REQUEST(&nb->tx, cons + k, t);
        if (!tp->drop && t->size > tp->first.size)
            tp->drop = -XEN_EIO;    /* a frame of 64 KiB or more: its first size wrapped */
        tp->first.size = (uint16_t)(tp->first.size - t->size);
        k++;
        if ((uint32_t)t->offset + t->size > NETBACK_PAGE_SIZE) {
            nblog(nb, "cross page boundary, offset %u, size %u", t->offset, t->size);
            return -1;
        }
        more = t->flags & NETTXF_more_data;
    }
    tp->nfrags = k;
    return 0;
}

/* Checks that need the whole packet: 0 fine, >0 answer ERROR, -1 fatal. */
static int tx_check(struct netback *nb, struct tx_parse *tp)
{
    const netif_extra_info_t *gso = &tp->extra[XEN_NETIF_EXTRA_TYPE_GSO - 1];

    if (tp->drop)
        return 1;
    if (tp->total < NETPKT_ETH_HLEN)
        return 1;
    if ((uint32_t)tp->first.offset + tp->first.size > NETBACK_PAGE_SIZE) {
        nblog(nb, "cross page boundary, offset %u, size %u", tp->first.offset, tp->first.size);
        return -1;
    }
    if (gso->type) {
        if (!gso->u.gso.size) {
            nblog(nb, "GSO size must not be zero");
            return -1;
        }
        if (gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 && gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6) {
            nblog(nb, "bad GSO type %u", gso->u.gso.type);
            return -1;
        }
        return 1;               /* well formed, but GSO is not offered (feature-gso-* absent) */
    }
    return 0;
}

static void tx_ids(const struct tx_parse *tp, uint16_t *id)
{
    unsigned int i;

    id[0] = tp->first.id;
    for (i = 0; i < tp->nfrags; i++)
        id[1 + i] = tp->frag[i].id;
}

/* Queue the packet's copies. */
static void tx_stage(struct netback *nb, struct tx_parse *tp, struct netpkt *pkt)
{
    struct netback_txp *p = &nb->txp[nb->npend++];
    uint8_t *dst = pkt->data;
    unsigned int i;

    p->pkt = pkt;
    p->nslots = (uint8_t)(1 + tp->nfrags);
    p->nextras = (uint8_t)tp->nextras;
    p->txflags = tp->first.flags;
    p->first_op = (uint8_t)nb->ncopy;
    tx_ids(tp, p->id);
    netback_add_copy(nb, dst, tp->first.gref, tp->first.offset, tp->first.size, false);
    dst += tp->first.size;
    for (i = 0; i < tp->nfrags; i++) {
        netback_add_copy(nb, dst, tp->frag[i].gref, tp->frag[i].offset, tp->frag[i].size, false);
        dst += tp->frag[i].size;
    }
    p->nops = (uint8_t)(nb->ncopy - p->first_op);
}

/*
 * Take the packet at req_cons (`work` requests published). 1 taken
 * (answered or staged), 0 no room in this batch, -1 fatal.
 */
static int tx_take(struct netback *nb, RING_IDX work)
{
    struct tx_parse tp;
    RING_IDX cons = nb->tx.req_cons;
    uint16_t id[1u + NETBACK_FATAL_SLOTS];
    struct netpkt *pkt;
    int rc;

    if (nb->npend == NETBACK_TX_BATCH || nb->ncopy + 2u * (1u + NETBACK_SLOTS_MAX) > NETBACK_COPY_BATCH)
        return 0;
    tp.nfrags = tp.nextras = 0;
    tp.drop = 0;
    for (unsigned int i = 0; i < NETBACK_MAX_EXTRAS; i++)
        tp.extra[i].type = XEN_NETIF_EXTRA_TYPE_NONE;
    RING_COPY_REQUEST(&nb->tx, cons, &tp.first);
    cons++;
    work--;
    tp.total = tp.first.size;
    if ((tp.first.flags & NETTXF_extra_info) && tx_get_extras(nb, &tp, &cons, &work))
        return -1;
    if (tp.extra[XEN_NETIF_EXTRA_TYPE_MCAST_ADD - 1].type ||
        tp.extra[XEN_NETIF_EXTRA_TYPE_MCAST_DEL - 1].type) {
        /* A filter update, no data: accepted, as Linux (we filter nothing). */
        nb->tx.req_cons = cons;
        tx_respond(nb, tp.first.id, NETIF_RSP_OKAY, tp.nextras);
        return 1;
    }
    if (tx_count_frags(nb, &tp, cons, work))
        return -1;
    nb->tx.req_cons = cons + tp.nfrags;
    rc = tx_check(nb, &tp);
    if (rc < 0)
        return -1;
    tx_ids(&tp, id);
    if (rc > 0) {
        tx_respond_all(nb, id, 1 + tp.nfrags, tp.nextras, NETIF_RSP_ERROR);
        return 1;
    }
    pkt = netpkt_alloc(nb->pool, tp.total);
    if (!pkt) {
        tx_respond_all(nb, id, 1 + tp.nfrags, tp.nextras, NETIF_RSP_ERROR);
        return 1;
    }
    tx_stage(nb, &tp, pkt);
    return 1;
}

/* Copies done: answer and deliver every staged packet. */
static void tx_complete(struct netback *nb)
{
    unsigned int i, j;

    for (i = 0; i < nb->npend; i++) {
        struct netback_txp *p = &nb->txp[i];
        bool ok = true;

        for (j = 0; j < p->nops; j++)
            if (nb->copy[p->first_op + j].status != GNTST_okay)
                ok = false;
        if (!ok) {
            nblog(nb, "tx packet id %u: grant copy failed (%d)", p->id[0],
                  nb->copy[p->first_op].status);
            tx_respond_all(nb, p->id, p->nslots, p->nextras, NETIF_RSP_ERROR);
            netpkt_put(p->pkt);
            continue;
        }
        tx_respond_all(nb, p->id, p->nslots, p->nextras, NETIF_RSP_OKAY);
        if (p->txflags & NETTXF_csum_blank) {
            if (netpkt_csum_fill(p->pkt)) {
                /* As Linux (checksum_setup failing): the data was fetched, the frame is dropped. */
                nb->stats.tx_csum_dropped++;
                netpkt_put(p->pkt);
                continue;
            }
            p->pkt->flags |= NETPKT_F_DATA_VALIDATED;
        } else if (p->txflags & NETTXF_data_validated) {
            p->pkt->flags |= NETPKT_F_DATA_VALIDATED;
        }
        nb->stats.tx_packets++;
        nb->stats.tx_bytes += p->pkt->len;
        nb->ops.deliver(nb->ops.ctx, p->pkt);
    }
    nb->npend = 0;
    nb->ncopy = 0;
}

/* One batch: 1 if the ring may hold more, 0 if empty, -1 fatal. */
static int tx_batch(struct netback *nb, unsigned int budget, unsigned int *done)
{
    int rc = 1;

    while (*done < budget) {
        RING_IDX rp = RING_READ_IDX(nb->tx.sring->req_prod);

        xen_rmb(); /* slots read after the index that exposes them */
        if (RING_REQUEST_PROD_OVERFLOW(&nb->tx, rp)) {
            nblog(nb, "impossible number of tx requests (req_prod %u, req_cons %u)", rp,
                  nb->tx.req_cons);
            rc = -1;
            break;
        }
        if (rp == nb->tx.req_cons) {
            rc = 0;
            break;
        }
        rc = tx_take(nb, rp - nb->tx.req_cons);
        if (rc < 0)
            break;
        if (rc == 0) {
            rc = 1;             /* the batch is full: the ring holds more */
            break;
        }
        (*done)++;
    }
    netback_run_copies(nb);
    tx_complete(nb);
    if (rc < 0) {
        tx_push(nb);
        netback_fatal(nb);
        return -1;
    }
    return rc;
}

int netback_tx_process(struct netback *nb, unsigned int budget)
{
    unsigned int done = 0;

    if (!nb->connected)
        return -XEN_ENOTCONN;
    for (;;) {
        int work, rc = tx_batch(nb, budget, &done);

        if (rc < 0)
            return -XEN_EACCES;
        tx_push(nb);
        if (done >= budget)
            return (int)done;
        if (rc > 0)
            continue;
        RING_FINAL_CHECK_FOR_REQUESTS(&nb->tx, work);
        if (!work)
            return (int)done;
    }
}
