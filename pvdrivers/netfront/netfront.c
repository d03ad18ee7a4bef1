/*
 * netfront.c: the network front end's handshake, store keys and teardown
 * (netfront.h); the rings are netfront_ring.c's. Writes what Linux's
 * xen-netfront writes (talk_to_netback).
 */
#include "netfront_internal.h"
#include "pv_str.h"
#include "pv_netpkt.h"
#include "pv_xenbus_state.h"
#include "pvos.h"
#include <tandem/errno.h>

/* ---- strings and the store ---- */

static int read_key(struct netfront *nf, const char *dir, const char *key, char *buf,
                    unsigned int cap)
{
    char path[NETFRONT_PATH_MAX];
    int rc;

    pv_path_join(path, NETFRONT_PATH_MAX, dir, key);
    rc = nf->ops->xs_read(nf->ctx, path, buf, cap);
    if (rc >= 0)
        buf[cap - 1] = '\0';
    return rc < 0 ? rc : 0;
}

/* A 0/1 key of the back end's; absent: 0; anything else -XEN_EINVAL. */
static int read_be_flag(struct netfront *nf, const char *key, bool *val)
{
    char buf[16];
    int rc = read_key(nf, nf->backend, key, buf, sizeof(buf));

    if (rc == -XEN_ENOENT) {
        *val = false;
        return 0;
    }
    if (rc < 0)
        return rc;
    if ((buf[0] != '0' && buf[0] != '1') || buf[1]) {
        pvos_log("netfront %s: bad %s/%s \"%s\"", nf->dir, nf->backend, key, buf);
        return -XEN_EINVAL;
    }
    *val = buf[0] == '1';
    return 0;
}

static int write_key(struct netfront *nf, const char *key, const char *value)
{
    char path[NETFRONT_PATH_MAX];

    pv_path_join(path, NETFRONT_PATH_MAX, nf->dir, key);
    return nf->ops->xs_write(nf->ctx, path, value);
}

static int write_u32(struct netfront *nf, const char *key, uint32_t v)
{
    char buf[12];

    return write_key(nf, key, pv_utoa(buf, v));
}

static void write_state(struct netfront *nf, XenbusState s)
{
    if (nf->xb_state == s)
        return;
    nf->xb_state = s;
    write_u32(nf, "state", s);
}

int netfront_init(struct netfront *nf, const struct netfront_ops *ops, void *ctx, const char *dir)
{
    char mac[24];
    uint8_t *p = (uint8_t *)nf;
    unsigned int i;
    int rc;

    for (i = 0; i < sizeof(*nf); i++)
        p[i] = 0;
    nf->ops = ops;
    nf->ctx = ctx;
    for (i = 0; dir[i] && i < NETFRONT_PATH_MAX - 1; i++)
        nf->dir[i] = dir[i];
    nf->xb_state = XenbusStateUnknown;
    if ((rc = read_key(nf, nf->dir, "backend", nf->backend, sizeof(nf->backend))) ||
        (rc = read_key(nf, nf->dir, "mac", mac, sizeof(mac))))
        return rc;
    if (netpkt_mac_parse(mac, nf->mac)) {
        pvos_log("netfront %s: bad mac \"%s\"", nf->dir, mac);
        return -XEN_EINVAL;
    }
    write_state(nf, XenbusStateInitialising);
    return 0;
}

/* ---- teardown ---- */

void netfront_end_grant(struct netfront *nf, grant_ref_t ref, void *page)
{
    if (nf->ops->grant_end(nf->ctx, ref) < 0)
        nf->stats.grant_leaks++;        /* still mapped: never reuse the page */
    else if (page)
        nf->ops->page_free(nf->ctx, page);
}

static void tx_fail_all(struct netfront *nf)
{
    unsigned int id;

    for (id = 0; id < NETFRONT_RING_SIZE; id++) {
        struct netfront_tx_slot *s = &nf->txs[id];

        if (s->busy && !s->answered)
            netfront_end_grant(nf, s->gref, 0);
    }
    for (id = 0; id < NETFRONT_RING_SIZE; id++) {
        struct netfront_tx_slot *s = &nf->txs[id];

        if (s->busy && s->head == id) {
            nf->stats.tx_errors++;
            s->busy = false;
            nf->ops->tx_done(nf->ctx, s->cookie, -XEN_EIO);
        }
        s->busy = false;
    }
    nf->tx_inflight = 0;
}

void netfront_disconnect(struct netfront *nf)
{
    unsigned int i;

    if (nf->state != NETFRONT_ERROR)
        nf->state = NETFRONT_CLOSED;
    tx_fail_all(nf);
    for (i = 0; i < NETFRONT_RING_SIZE; i++)
        if (nf->rxb[i].page) {
            netfront_end_grant(nf, nf->rxb[i].gref, nf->rxb[i].page);
            nf->rxb[i].page = 0;
        }
    nf->rx_bufs = 0;
    if (nf->have_tx_ref)
        netfront_end_grant(nf, nf->tx_ref, nf->tx_page);
    else if (nf->tx_page)
        nf->ops->page_free(nf->ctx, nf->tx_page);
    if (nf->have_rx_ref)
        netfront_end_grant(nf, nf->rx_ref, nf->rx_page);
    else if (nf->rx_page)
        nf->ops->page_free(nf->ctx, nf->rx_page);
    nf->tx_page = nf->rx_page = 0;
    nf->have_tx_ref = nf->have_rx_ref = false;
    if (nf->have_port_rx && nf->port_rx != nf->port_tx)
        nf->ops->evtchn_close(nf->ctx, nf->port_rx);
    if (nf->have_port_tx)
        nf->ops->evtchn_close(nf->ctx, nf->port_tx);
    nf->have_port_tx = nf->have_port_rx = false;
}

/* The back end broke the protocol: stop using the device (Linux: "Disabled for further use"). */
void netfront_broken(struct netfront *nf, const char *why, unsigned int val)
{
    pvos_log("netfront %s: %s (%u); disconnecting", nf->dir, why, val);
    nf->state = NETFRONT_ERROR;
    netfront_disconnect(nf);
    write_state(nf, XenbusStateClosing);
}

static int rx_fill(struct netfront *nf)
{
    while (nf->rx_bufs < NETFRONT_RX_TARGET) {
        unsigned int slot = nf->rx.req_prod_pvt & (NETFRONT_RING_SIZE - 1);
        void *page = nf->ops->page_alloc(nf->ctx);
        int ref;

        if (!page)
            return -XEN_ENOMEM;
        ref = nf->ops->grant(nf->ctx, page, false);
        if (ref < 0) {
            nf->ops->page_free(nf->ctx, page);
            return ref;
        }
        nf->rxb[slot].page = page;
        nf->rxb[slot].gref = (grant_ref_t)ref;
        nf->rx_bufs++;
        netfront_rx_post(nf, slot);
    }
    netfront_rx_push(nf);
    return 0;
}

/* ---- handshake ---- */

static int alloc_ring(struct netfront *nf, void **page, grant_ref_t *ref, bool *have)
{
    int r;

    *page = nf->ops->page_alloc(nf->ctx);
    if (!*page)
        return -XEN_ENOMEM;
    r = nf->ops->grant(nf->ctx, *page, false);
    if (r < 0)
        return r;
    *ref = (grant_ref_t)r;
    *have = true;
    return 0;
}

static int write_keys(struct netfront *nf)
{
    int rc;

    if ((rc = write_u32(nf, "tx-ring-ref", nf->tx_ref)) ||
        (rc = write_u32(nf, "rx-ring-ref", nf->rx_ref)))
        return rc;
    if (nf->port_tx != nf->port_rx) {
        if ((rc = write_u32(nf, "event-channel-tx", nf->port_tx)) ||
            (rc = write_u32(nf, "event-channel-rx", nf->port_rx)))
            return rc;
    } else if ((rc = write_u32(nf, "event-channel", nf->port_tx))) {
        return rc;
    }
    if ((rc = write_key(nf, "request-rx-copy", "1")) ||
        (rc = write_key(nf, "feature-rx-notify", "1")) ||
        (rc = write_key(nf, "feature-sg", "1")) ||
        (rc = write_key(nf, "feature-gso-tcpv4", "0")) ||
        (rc = write_key(nf, "feature-no-csum-offload", "1")))
        return rc;
    return 0;
}

static int publish(struct netfront *nf)
{
    bool rx_copy;
    unsigned int i;
    int rc;

    if ((rc = read_be_flag(nf, "feature-rx-copy", &rx_copy)) ||
        (rc = read_be_flag(nf, "feature-sg", &nf->be_sg)) ||
        (rc = read_be_flag(nf, "feature-split-event-channels", &nf->be_split)))
        return rc;
    if (!rx_copy) {
        pvos_log("netfront %s: back end does not support copying receive path", nf->dir);
        return -XEN_EOPNOTSUPP;
    }
    if ((rc = alloc_ring(nf, &nf->tx_page, &nf->tx_ref, &nf->have_tx_ref)) ||
        (rc = alloc_ring(nf, &nf->rx_page, &nf->rx_ref, &nf->have_rx_ref)))
        return rc;
    SHARED_RING_INIT((netif_tx_sring_t *)nf->tx_page);
    SHARED_RING_INIT((netif_rx_sring_t *)nf->rx_page);
    FRONT_RING_INIT(&nf->tx, (netif_tx_sring_t *)nf->tx_page, NETFRONT_PAGE_SIZE);
    FRONT_RING_INIT(&nf->rx, (netif_rx_sring_t *)nf->rx_page, NETFRONT_PAGE_SIZE);
    if ((rc = nf->ops->evtchn_alloc(nf->ctx, &nf->port_tx)))
        return rc;
    nf->have_port_tx = true;
    nf->port_rx = nf->port_tx;
    if (nf->be_split) {
        if ((rc = nf->ops->evtchn_alloc(nf->ctx, &nf->port_rx)))
            return rc;
        nf->have_port_rx = true;
    }
    for (i = 0; i < NETFRONT_RING_SIZE; i++) {
        nf->txs[i].busy = false;
        nf->txs[i].next_free = (uint16_t)(i + 1 < NETFRONT_RING_SIZE ? i + 1 : NETFRONT_TX_END);
    }
    nf->tx_free = 0;
    nf->tx_inflight = 0;
    if ((rc = write_keys(nf)) || (rc = rx_fill(nf)))
        return rc;
    nf->state = NETFRONT_CONNECTED;
    return 0;
}

int netfront_otherend_changed(struct netfront *nf, unsigned int peer)
{
    struct xenbus_step st = xenbus_state_step(XENBUS_FRONTEND, nf->xb_state, peer, true,
                                              XBS_FRONT_EARLY_CONNECT);
    int rc = 0;

    if (st.actions & XBS_ACT_DISCONNECT) {
        if (nf->state != NETFRONT_CLOSED)
            pvos_log("netfront %s: back end %s; disconnecting", nf->dir, xenbus_state_name(peer));
        nf->state = NETFRONT_ERROR;
        netfront_disconnect(nf);
    }
    if (st.actions & XBS_ACT_PUBLISH)
        rc = publish(nf);
    if (rc) {
        pvos_log("netfront %s: connecting failed (%d)", nf->dir, rc);
        nf->state = NETFRONT_ERROR;
        netfront_disconnect(nf);
        write_state(nf, XenbusStateClosing);
        return rc;
    }
    write_state(nf, st.next);
    return 0;
}
