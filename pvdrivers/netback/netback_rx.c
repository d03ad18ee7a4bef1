/*
 * netback_rx.c: one vif's receive path (pv_netback.h): a bounded queue of
 * packet references, copied by grant copy into the buffers the frontend
 * posted, one 4 KiB buffer per slot from offset 0, answered in the slots
 * of the requests they used (Linux's netfront relies on it), as Linux's
 * xenvif_rx_action does.
 */
#include "netback_internal.h"
#include <tandem/errno.h>
#include <tandem/grant_table.h>

static unsigned int rx_slots(const struct netpkt *pkt)
{
    return (pkt->len + NETBACK_PAGE_SIZE - 1) / NETBACK_PAGE_SIZE;
}

int netback_rx_enqueue(struct netback *nb, struct netpkt *pkt)
{
    int rc = 0;

    if (!nb->connected)
        rc = -XEN_ENOTCONN;
    else if (pkt->len < NETPKT_ETH_HLEN)
        rc = -XEN_EINVAL;
    else if (pkt->len > NETPKT_MAX_LEN || (!nb->front.sg && pkt->len > NETBACK_PAGE_SIZE))
        rc = -XEN_E2BIG;
    else if (nb->rxq_len == NETBACK_RXQ_MAX || nb->rxq_bytes + pkt->len > NETBACK_RXQ_BYTES)
        rc = -XEN_ENOSPC;
    if (rc) {
        nb->stats.rx_dropped++;
        return rc;
    }
    netpkt_get(pkt);
    nb->rxq[(nb->rxq_head + nb->rxq_len) % NETBACK_RXQ_MAX] = pkt;
    nb->rxq_len++;
    nb->rxq_bytes += pkt->len;
    return 0;
}

static struct netpkt *rxq_pop(struct netback *nb)
{
    struct netpkt *pkt = nb->rxq[nb->rxq_head];

    nb->rxq_head = (nb->rxq_head + 1) % NETBACK_RXQ_MAX;
    nb->rxq_len--;
    nb->rxq_bytes -= pkt->len;
    return pkt;
}

unsigned int netback_rx_purge(struct netback *nb)
{
    unsigned int n = 0;

    while (nb->rxq_len) {
        netpkt_put(rxq_pop(nb));
        nb->stats.rx_dropped++;
        n++;
    }
    return n;
}

enum { RX_FULL, RX_TAKEN, RX_WAIT, RX_FATAL };

/* Rx requests published beyond req_cons, or -1 if the index is garbage. */
static int64_t rx_avail(struct netback *nb)
{
    RING_IDX rp = RING_READ_IDX(nb->rx.sring->req_prod);

    xen_rmb(); /* slots read after the index that exposes them */
    if (RING_REQUEST_PROD_OVERFLOW(&nb->rx, rp)) {
        nblog(nb, "impossible number of rx requests (req_prod %u, req_cons %u)", rp,
              nb->rx.req_cons);
        return -1;
    }
    return (RING_IDX)(rp - nb->rx.req_cons);
}

/* Stage the packet at the queue's head into the frontend's next buffers. */
static int rx_take(struct netback *nb)
{
    struct netpkt *pkt = nb->rxq[nb->rxq_head];
    unsigned int need = rx_slots(pkt), j;
    uint32_t pos = 0;
    struct netback_rxp *p;
    int64_t avail;

    if (nb->npend == NETBACK_TX_BATCH || nb->ncopy + 2u * need > NETBACK_COPY_BATCH)
        return RX_FULL;
    avail = rx_avail(nb);
    if (avail >= 0 && avail < need) {
        /* Ask for an event once the frontend has posted enough for this packet. */
        RING_WRITE_IDX(nb->rx.sring->req_event, nb->rx.req_cons + need);
        xen_mb(); /* req_event store before the req_prod re-load */
        avail = rx_avail(nb);
    }
    if (avail < 0)
        return RX_FATAL;
    if (avail < need)
        return RX_WAIT;
    p = &nb->rxp[nb->npend++];
    p->pkt = rxq_pop(nb);
    p->nslots = (uint8_t)need;
    p->first_op = (uint8_t)nb->ncopy;
    for (j = 0; j < need; j++) {
        netif_rx_request_t req;
        uint32_t n = pkt->len - pos < NETBACK_PAGE_SIZE ? pkt->len - pos : NETBACK_PAGE_SIZE;

        RING_COPY_REQUEST(&nb->rx, nb->rx.req_cons, &req);
        nb->rx.req_cons++;
        p->id[j] = req.id;
        p->len[j] = (uint16_t)n;
        netback_add_copy(nb, pkt->data + pos, req.gref, 0, (uint16_t)n, true);
        pos += n;
    }
    p->nops = (uint8_t)(nb->ncopy - p->first_op);
    return RX_TAKEN;
}

static void rx_respond(struct netback *nb, uint16_t id, uint16_t flags, int16_t status)
{
    netif_rx_response_t *rsp = RING_GET_RESPONSE(&nb->rx, nb->rx.rsp_prod_pvt);

    rsp->id = id;
    rsp->offset = 0;
    rsp->flags = flags;
    rsp->status = status;
    nb->rx.rsp_prod_pvt++;
    nb->unpushed_rx++;
}

/* Copies done: answer every staged packet's slots, in the order their requests were taken. */
static void rx_complete(struct netback *nb)
{
    unsigned int i, j;

    for (i = 0; i < nb->npend; i++) {
        struct netback_rxp *p = &nb->rxp[i];
        unsigned int op = p->first_op;
        bool all_ok = true;

        for (j = 0; j < p->nslots; j++) {
            uint16_t flags = j + 1u < p->nslots ? NETRXF_more_data : 0;
            uint32_t left = p->len[j];
            bool ok = true;

            if (!j && (p->pkt->flags & NETPKT_F_DATA_VALIDATED))
                flags |= NETRXF_data_validated;
            while (left) {
                ok = ok && nb->copy[op].status == GNTST_okay;
                left -= nb->copy[op++].len;
            }
            if (!ok) {
                all_ok = false;
                nblog(nb, "rx buffer id %u: grant copy failed", p->id[j]);
            }
            rx_respond(nb, p->id[j], flags, ok ? (int16_t)p->len[j] : NETIF_RSP_ERROR);
        }
        if (all_ok) {
            nb->stats.rx_packets++;
            nb->stats.rx_bytes += p->pkt->len;
        } else {
            nb->stats.rx_errors++;
        }
        netpkt_put(p->pkt);
    }
    nb->npend = 0;
    nb->ncopy = 0;
}

static void rx_push(struct netback *nb)
{
    bool notify;

    if (!nb->unpushed_rx || !nb->connected)
        return;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->rx, notify);
    nb->unpushed_rx = 0;
    if (notify) {
        nb->stats.notifies++;
        nb->ops.notify(nb->ops.ctx, NETBACK_EVT_RX);
    }
}

int netback_rx_process(struct netback *nb, unsigned int budget)
{
    unsigned int done = 0;
    int rc = RX_TAKEN;

    if (!nb->connected)
        return -XEN_ENOTCONN;
    while (done < budget && nb->rxq_len && rc != RX_WAIT) {
        rc = RX_TAKEN;
        while (done < budget && nb->rxq_len && rc == RX_TAKEN) {
            rc = rx_take(nb);
            if (rc == RX_TAKEN)
                done++;
        }
        netback_run_copies(nb);
        rx_complete(nb);
        rx_push(nb);
        if (rc == RX_FATAL) {
            netback_fatal(nb);
            return -XEN_EACCES;
        }
    }
    return (int)done;
}
