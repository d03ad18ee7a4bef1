/*
 * The network front end's core: handshake, tx and rx rings, grants,
 * response checks (netfront.h). Follows Linux's xen-netfront for what it
 * writes (talk_to_netback) and how it treats a bad back end
 * (xennet_tx_buf_gc, xennet_get_responses), stricter where noted.
 */
#include "netfront.h"
#include "pv_netpkt.h"
#include "pv_xenbus_state.h"
#include "pvos.h"
#include <tandem/errno.h>

#define TX_END 0xffffu

/* ---- strings and the store ---- */

static void path_join(char *dst, const char *dir, const char *key)
{
    unsigned int n = 0;

    for (; *dir && n < NETFRONT_PATH_MAX - 2; dir++)
        dst[n++] = *dir;
    dst[n++] = '/';
    for (; *key && n < NETFRONT_PATH_MAX - 1; key++)
        dst[n++] = *key;
    dst[n] = '\0';
}

static char *utoa(char *buf, uint32_t v)
{
    char tmp[12];
    unsigned int n = 0, i = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
    return buf;
}

static int read_key(struct netfront *nf, const char *dir, const char *key, char *buf,
                    unsigned int cap)
{
    char path[NETFRONT_PATH_MAX];
    int rc;

    path_join(path, dir, key);
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

    path_join(path, nf->dir, key);
    return nf->ops->xs_write(nf->ctx, path, value);
}

static int write_u32(struct netfront *nf, const char *key, uint32_t v)
{
    char buf[12];

    return write_key(nf, key, utoa(buf, v));
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

static void end_grant(struct netfront *nf, grant_ref_t ref, void *page)
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
            end_grant(nf, s->gref, 0);
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
            end_grant(nf, nf->rxb[i].gref, nf->rxb[i].page);
            nf->rxb[i].page = 0;
        }
    nf->rx_bufs = 0;
    if (nf->have_tx_ref)
        end_grant(nf, nf->tx_ref, nf->tx_page);
    else if (nf->tx_page)
        nf->ops->page_free(nf->ctx, nf->tx_page);
    if (nf->have_rx_ref)
        end_grant(nf, nf->rx_ref, nf->rx_page);
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
static void broken(struct netfront *nf, const char *why, unsigned int val)
{
    pvos_log("netfront %s: %s (%u); disconnecting", nf->dir, why, val);
    nf->state = NETFRONT_ERROR;
    netfront_disconnect(nf);
    write_state(nf, XenbusStateClosing);
}

/* ---- rx buffers ---- */

static void rx_post(struct netfront *nf, unsigned int from)
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

static void rx_push(struct netfront *nf)
{
    bool notify;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
    if (notify) {
        nf->stats.notifies++;
        nf->ops->notify(nf->ctx, nf->port_rx);
    }
}

/* Allocate, grant and post NETFRONT_RX_TARGET buffers. */
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
        rx_post(nf, slot);
    }
    rx_push(nf);
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
        nf->txs[i].next_free = (uint16_t)(i + 1 < NETFRONT_RING_SIZE ? i + 1 : TX_END);
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
    uint16_t head = TX_END;
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
                end_grant(nf, (grant_ref_t)ref[i], 0);
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
        broken(nf, "tx response has incorrect id", rsp->id);
        return false;
    }
    s = &nf->txs[rsp->id];
    if (!s->busy || s->answered) {
        broken(nf, "tx response for inactive request", rsp->id);
        return false;
    }
    s->answered = true;
    if (nf->ops->grant_end(nf->ctx, s->gref) < 0) {
        nf->stats.grant_leaks++;
        broken(nf, "grant still in use by back end", s->gref);
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

/* Responses published beyond our consumer, or -1 (broken) if more than we asked for. */
#define RSP_AVAIL(nf, r, rp) ((RING_IDX)((rp) - (r)->rsp_cons) > (RING_IDX)((r)->req_prod_pvt - (r)->rsp_cons) \
                              ? -1 : (int64_t)(RING_IDX)((rp) - (r)->rsp_cons))

static bool tx_poll(struct netfront *nf)
{
    int more;

    do {
        RING_IDX rp = RING_READ_IDX(nf->tx.sring->rsp_prod);

        xen_rmb(); /* slots read after the index that exposes them */
        if (RSP_AVAIL(nf, &nf->tx, rp) < 0) {
            broken(nf, "more tx responses than requests", rp - nf->tx.rsp_cons);
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
            broken(nf, "rx extra info past the published responses", p->slots);
            return -1;
        }
        RING_COPY_(&e, RING_GET_RESPONSE(&nf->rx, cons));
        p->slots++;
        if (!e.type || e.type >= XEN_NETIF_EXTRA_TYPE_MAX || ++n > XEN_NETIF_EXTRA_TYPE_MAX - 1) {
            broken(nf, "bad rx extra info type", e.type);
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
            broken(nf, "rx packet past the published responses", p->slots);
            return -1;
        }
        if (p->n == NETFRONT_MAX_SLOTS) {
            broken(nf, "rx packet with too many slots", p->n);
            return -1;
        }
        RING_COPY_RESPONSE(&nf->rx, cons, &rsp);
        p->slots++;
        if (rsp.id != slot) {
            broken(nf, "rx response id not its slot's", rsp.id);
            return -1;
        }
        if (rsp.status < 0) {
            p->bad = true;
        } else if ((uint32_t)rsp.offset + (uint32_t)rsp.status > NETFRONT_PAGE_SIZE) {
            broken(nf, "rx response beyond its buffer", (uint32_t)rsp.offset + (uint32_t)rsp.status);
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
        if (RSP_AVAIL(nf, &nf->rx, rp) < 0) {
            broken(nf, "more rx responses than requests", rp - nf->rx.rsp_cons);
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
                rx_post(nf, (nf->rx.rsp_cons + i) & (NETFRONT_RING_SIZE - 1));
            nf->rx.rsp_cons += p.slots;
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
    } while (more);
    rx_push(nf);
    return true;
}

void netfront_handle_event(struct netfront *nf)
{
    if (nf->state != NETFRONT_CONNECTED)
        return;
    if (tx_poll(nf))
        rx_poll(nf);
}
