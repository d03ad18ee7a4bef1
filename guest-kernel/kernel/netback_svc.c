/*
 * The driver domain's network back end service (netback_svc.h, docs/netif.md
 * "The driver domain's service"). The `netback` thread owns the virtio NIC
 * and runs a learning switch (pvdrivers/netswitch) over three kinds of port:
 * the uplink (eth0, QEMU's user network), one per vif the store lists under
 * our backend/vif (a pvdrivers/netback core each: rings mapped, data by
 * batched GNTTABOP_copy, the frontend's event channel(s)), and the driver
 * domain's own stack (an internal port with eth0's MAC, the netdev lwIP runs
 * on here). Spoof check on every port but the uplink.
 *
 * Store and handshake as the block service (blkback_vbd.c): each
 * backend/vif/F/ID becomes a vif once its keys are there (frontend, mac,
 * handle, state), features, InitWait, connect on the frontend's Connected;
 * its Closing/Closed, its death (@releaseDomain, state node gone), the
 * removal of the directory or a fatal error of the core (a garbage ring
 * index, ...) disconnect it: port off the switch, rings unmapped, channels
 * closed, a log line.
 *
 * Locking: the data path (switch, cores, NIC) runs with events masked
 * (events_save: one vCPU, so nobody else runs), by the netback thread or by
 * a thread in lwIP sending through the internal port (which holds
 * netsvc_lock, the same mask). Store calls sleep: never with events masked.
 */
#include "netback_svc.h"
#include "net.h"
#include "store.h"
#include "grant.h"
#include "kalloc.h"
#include "mm.h"
#include "virtio_net.h"
#include "pv_netback.h"
#include "pv_netswitch.h"
#include "pv_xenbus_state.h"
#include <tandem/errno.h>
#include <tandem/grant_table.h>
#include <tandem/io/xenbus.h>

#define NB_VIFS         16
#define NB_BUDGET       32              /* packets per vif and direction per round (fair share) */
#define NB_UPLINK_BATCH 64              /* frames from the NIC per round */
#define NB_POOL_MAX     1024            /* packets alive at once (every queue is bounded anyway) */
#define NB_HOSTQ        64              /* frames waiting for the driver domain's own stack */
#define NB_POLL_NS      20000000ULL     /* the store is looked at this often (and at each watch) */
#define NB_MAX_LOGS     16
#define NB_AGE_S        300             /* learned MACs are forgotten after this long unseen */

struct nb_vif {
    bool used, present, removed, ready;
    uint16_t fe;
    uint32_t handle;
    char dir[48];                       /* backend/vif/F/ID */
    char fe_dir[96];
    char fe_state[112];
    uint8_t mac[6];
    struct xenbus_watch watch;
    bool watching;
    XenbusState state;                  /* ours, as last written */
    unsigned int fe_last;
    uint32_t port_tx, port_rx;
    bool have_tx, have_rx;
    volatile bool ev_tx, ev_rx, fe_changed;
    bool tx_more, rx_more;              /* the last round used its whole budget */
    bool fatal;                         /* the core disconnected it: Closing, off the switch */
    bool inited;
    int sw_port;                        /* -1: not on the switch */
    unsigned int logs;
    uint64_t events;
    struct netback nb;
};

#define vlog(v, fmt, ...) do {                                                          \
    if ((v)->logs < NB_MAX_LOGS) {                                                      \
        (v)->logs++;                                                                    \
        printk("netback d%u/%u: " fmt "\n", (v)->fe, (v)->handle, ##__VA_ARGS__);       \
    }                                                                                   \
} while (0)

static struct nb_vif *vifs[NB_VIFS];
static struct netswitch sw;
static struct vnet *up;
static int up_port = -1, host_port = -1;
static volatile bool running, kick, rescan, recheck;
static volatile uint64_t rounds;
static struct pvos_wait own_wait;
static struct xenbus_watch vif_watch, release_watch;
static unsigned int mapped;             /* ring pages of frontends mapped now */
static unsigned int pool_live;
static uint64_t pool_fails, up_rx, up_tx, up_dropped;
static char dirbuf[XENSTORE_PAYLOAD_MAX + 1], dirbuf2[XENSTORE_PAYLOAD_MAX + 1];
static gnttab_copy_t gops[NETBACK_COPY_BATCH];

/* The driver domain's own stack: its netdev and the frames the switch queued for it. */
static struct netdev host_dev;
static struct netpkt *hostq[NB_HOSTQ];
static unsigned int hostq_head, hostq_len;
static uint64_t hostq_dropped;
static struct pvos_wait host_wait;

static struct pvos_wait *thread_wait(void)
{
    return up ? &up->wait : &own_wait;
}

static void wake(void)
{
    kick = true;
    pvos_wake(thread_wait());
}

/* ---- packets ---- */

static struct netpkt *pool_alloc(void *ctx, uint32_t len)
{
    struct netpkt *p;

    (void)ctx;
    if (pool_live >= NB_POOL_MAX || !(p = kalloc(sizeof(*p) + len))) {
        pool_fails++;
        return NULL;
    }
    pool_live++;
    p->data = (uint8_t *)(p + 1);
    p->cap = len;
    return p;
}

static void pool_free(void *ctx, struct netpkt *p)
{
    (void)ctx;
    pool_live--;
    kfree(p);
}

static const struct netpkt_pool pool = { .alloc = pool_alloc, .free = pool_free };

/* ---- the core's ops ---- */

static void *op_map_ring(void *ctx, uint16_t domid, uint32_t ref, int *err)
{
    void *va = pvos_grant_map(domid, ref, false, err);

    (void)ctx;
    mapped += va != NULL;
    return va;
}

static void op_unmap_ring(void *ctx, void *va)
{
    int rc = pvos_grant_unmap(va);

    if (rc)
        vlog((struct nb_vif *)ctx, "ring unmap refused (%d)", rc);
    else
        mapped--;
}

/* One GNTTABOP_copy for the batch: our side by machine frame, theirs by grant. */
static int op_copy(void *ctx, uint16_t domid, struct netback_copy *ops, unsigned int n)
{
    long rc;

    (void)ctx;
    if (n > NETBACK_COPY_BATCH)
        return -XEN_EINVAL;
    for (unsigned int i = 0; i < n; i++) {
        gnttab_copy_t *g = &gops[i];
        struct gnttab_copy_ptr local = { .u.gmfn = pfn_to_mfn(virt_to_pfn(ops[i].local)), .domid = DOMID_SELF,
                                         .offset = (uint16_t)((uintptr_t)ops[i].local & (PAGE_SIZE - 1)) };
        struct gnttab_copy_ptr remote = { .u.ref = ops[i].gref, .domid = domid, .offset = ops[i].offset };

        *g = (gnttab_copy_t){ .len = ops[i].len };
        if (ops[i].to_frontend) {
            g->source = local;
            g->dest = remote;
            g->flags = GNTCOPY_dest_gref;
        } else {
            g->source = remote;
            g->dest = local;
            g->flags = GNTCOPY_source_gref;
        }
    }
    rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, gops, n);
    for (unsigned int i = 0; i < n; i++)
        ops[i].status = rc ? GNTST_general_error : gops[i].status;
    return (int)rc;
}

static void op_notify(void *ctx, enum netback_evt which)
{
    struct nb_vif *v = ctx;

    if (which == NETBACK_EVT_RX && v->have_rx)
        pvos_evtchn_notify(v->port_rx);
    else if (v->have_tx)
        pvos_evtchn_notify(v->port_tx);
}

static void op_deliver(void *ctx, struct netpkt *pkt)
{
    struct nb_vif *v = ctx;

    if (v->sw_port < 0) {
        netpkt_put(pkt);
        return;
    }
    netswitch_input(&sw, (unsigned int)v->sw_port, pkt);
}

static const struct netback_ops ops_template = {
    .map_ring = op_map_ring, .unmap_ring = op_unmap_ring, .copy = op_copy, .notify = op_notify,
    .deliver = op_deliver,
};

/* ---- the switch's ports ---- */

static int vif_xmit(void *ctx, struct netpkt *pkt)
{
    struct nb_vif *v = ctx;
    int rc = netback_rx_enqueue(&v->nb, pkt);

    if (!rc)
        kick = true;                    /* the thread copies it (we may be in lwIP's send) */
    return rc;
}

static int uplink_xmit(void *ctx, struct netpkt *pkt)
{
    int rc;

    (void)ctx;
    if (pkt->len > VNET_FRAME_MAX) {
        up_dropped++;
        return -XEN_E2BIG;
    }
    if ((rc = vnet_send(up, pkt->data, pkt->len)) == -XEN_EAGAIN) {
        vnet_reap_tx(up);
        rc = vnet_send(up, pkt->data, pkt->len);
    }
    if (rc)
        up_dropped++;
    else
        up_tx++;
    return rc;
}

static int host_xmit(void *ctx, struct netpkt *pkt)
{
    (void)ctx;
    if (netsvc_dev() != &host_dev)
        return -XEN_ENOTCONN;           /* this domain's stack is not up (ifup): nobody to give it to */
    if (hostq_len == NB_HOSTQ) {
        hostq_dropped++;
        return -XEN_ENOSPC;
    }
    netpkt_get(pkt);
    hostq[(hostq_head + hostq_len++) % NB_HOSTQ] = pkt;
    pvos_wake(&host_wait);
    return 0;
}

struct netswitch *netback_svc_switch(void)
{
    return running && host_port >= 0 ? &sw : NULL;     /* the thread has set the switch up */
}

const struct netpkt_pool *netback_svc_pool(void)
{
    return running && host_port >= 0 ? &pool : NULL;
}

/* The internal port's netdev (netsvc_lock held by the caller: the same mask as ours). */
static int host_send(struct netdev *d, const void *frame, size_t len)
{
    uint8_t m;
    struct netpkt *p;

    (void)d;
    if (len < NETPKT_ETH_HLEN || len > VNET_FRAME_MAX)
        return -XEN_EINVAL;
    m = events_save();
    if (!(p = netpkt_alloc(&pool, (uint32_t)len))) {
        events_restore(m);
        return -XEN_EAGAIN;
    }
    memcpy(p->data, frame, len);
    netswitch_input(&sw, (unsigned int)host_port, p);
    events_restore(m);
    wake();
    return 0;
}

static size_t host_recv(struct netdev *d, void *buf, size_t max)
{
    uint8_t m = events_save();
    struct netpkt *p;
    size_t len;

    (void)d;
    if (!hostq_len) {
        events_restore(m);
        return 0;
    }
    p = hostq[hostq_head];
    hostq_head = (hostq_head + 1) % NB_HOSTQ;
    hostq_len--;
    len = p->len < max ? p->len : max;
    memcpy(buf, p->data, len);
    netpkt_put(p);
    events_restore(m);
    return len;
}

static bool host_link_up(struct netdev *d)
{
    (void)d;
    return vnet_link_up(up);
}

static bool host_pending(void *arg)
{
    (void)arg;
    return hostq_len != 0;
}

static void host_wait_fn(struct netdev *d, uint64_t deadline_ns)
{
    (void)d;
    pvos_wait_until(&host_wait, host_pending, NULL, deadline_ns);
}

/* ---- the store: our backend dir and the frontend's ---- */

static int xs_write_be(void *ctx, const char *key, const char *val)
{
    struct nb_vif *v = ctx;
    char path[96];

    snprintf(path, sizeof(path), "%s/%s", v->dir, key);
    return xenbus_write(xenbus_kernel(), XENBUS_TX_NONE, path, val);
}

static int xs_read_fe(void *ctx, const char *key, char *buf, uint32_t cap)
{
    struct nb_vif *v = ctx;
    char path[160];

    snprintf(path, sizeof(path), "%s/%s", v->fe_dir, key);
    return xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, buf, cap, NULL);
}

static int read_key(struct nb_vif *v, const char *key, char *buf, uint32_t cap)
{
    char path[96];

    snprintf(path, sizeof(path), "%s/%s", v->dir, key);
    return xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, buf, cap, NULL);
}

static void write_state(struct nb_vif *v, XenbusState s)
{
    char val[4] = { (char)('0' + s), 0 };
    int rc = xs_write_be(v, "state", val);

    if (rc)
        vlog(v, "cannot write state %u (%d)", s, rc);
    v->state = s;
}

static void on_event_tx(uint32_t port, void *ctx)
{
    struct nb_vif *v = ctx;

    (void)port;
    v->events++;
    v->ev_tx = true;
    if (!v->nb.front.split)
        v->ev_rx = true;
    wake();
}

static void on_event_rx(uint32_t port, void *ctx)
{
    struct nb_vif *v = ctx;

    (void)port;
    v->events++;
    v->ev_rx = true;
    wake();
}

static void fe_state_fired(struct xenbus_watch *w, const char *path)
{
    struct nb_vif *v = (struct nb_vif *)((char *)w - offsetof(struct nb_vif, watch));

    (void)path;
    v->fe_changed = true;
    wake();
}

/* The keys the store domain wrote (state last): -ENOENT while they are not all there. */
static int read_config(struct nb_vif *v)
{
    char state[4], fid[8], mac[24];
    int rc;

    if ((rc = read_key(v, "state", state, sizeof(state))) ||
        (rc = read_key(v, "frontend", v->fe_dir, sizeof(v->fe_dir))) ||
        (rc = read_key(v, "frontend-id", fid, sizeof(fid))) ||
        (rc = read_key(v, "mac", mac, sizeof(mac))))
        return rc;
    if (strtoul(fid, NULL, 10) != v->fe || v->fe_dir[0] != '/' || netpkt_mac_parse(mac, v->mac) ||
        netpkt_mac_group(v->mac))
        return -XEN_EINVAL;
    return 0;
}

static void vif_setup(struct nb_vif *v)
{
    struct netback_xs_ops xs = { .ctx = v, .write = xs_write_be, .read = xs_read_fe };
    int rc = read_config(v);

    if (rc == -XEN_ENOENT)
        return;
    v->ready = true;
    if (rc) {
        vlog(v, "refused: bad keys in %s (%d)", v->dir, rc);
        write_state(v, XenbusStateClosed);
        return;
    }
    if ((rc = netback_publish_features(&xs)))
        vlog(v, "cannot publish features (%d)", rc);
    snprintf(v->fe_state, sizeof(v->fe_state), "%s/state", v->fe_dir);
    v->watch.path = v->fe_state;
    v->watch.fn = fe_state_fired;
    v->watching = !xenbus_watch(xenbus_kernel(), &v->watch);
    v->fe_changed = true;
    write_state(v, XenbusStateInitWait);
    printk("netback d%u/%u: MAC %02x:%02x:%02x:%02x:%02x:%02x: InitWait\n", v->fe, v->handle, v->mac[0],
           v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
}

/* Off the switch, rings unmapped, queue dropped, channels closed (idempotent). */
static void vif_disconnect(struct nb_vif *v, const char *why)
{
    uint8_t m = events_save();
    bool was = v->sw_port >= 0 || v->have_tx;

    if (v->sw_port >= 0)
        netswitch_port_remove(&sw, (unsigned int)v->sw_port);
    v->sw_port = -1;
    if (v->inited)
        netback_disconnect(&v->nb);
    events_restore(m);
    if (v->have_tx)
        pvos_evtchn_close(v->port_tx);
    if (v->have_rx && v->port_rx != v->port_tx)
        pvos_evtchn_close(v->port_rx);
    v->have_tx = v->have_rx = false;
    v->ev_tx = v->ev_rx = v->tx_more = v->rx_more = false;
    if (was)
        printk("netback d%u/%u: disconnected (%s): rings unmapped, %u frontend pages mapped in all\n", v->fe,
               v->handle, why, mapped);
}

static int vif_connect(struct nb_vif *v, const struct netback_front *f)
{
    struct netswitch_port_cfg pc = { .xmit = vif_xmit, .ctx = v };
    struct netback_ops ops = ops_template;
    uint8_t m;
    int rc;

    ops.ctx = v;
    m = events_save();
    if (!v->inited || v->nb.fatal)
        netback_init(&v->nb, &ops, &pool, v->fe, v->mac);
    v->inited = true;
    rc = netback_connect(&v->nb, f);
    events_restore(m);
    if (rc) {
        vlog(v, "cannot map the rings (%d)", rc);
        return rc;
    }
    if ((rc = pvos_evtchn_bind_interdomain(v->fe, f->evtchn_tx, &v->port_tx))) {
        vlog(v, "cannot bind event channel %u (%d)", f->evtchn_tx, rc);
        return rc;
    }
    v->have_tx = true;
    v->port_rx = v->port_tx;
    if (f->split) {
        if ((rc = pvos_evtchn_bind_interdomain(v->fe, f->evtchn_rx, &v->port_rx))) {
            vlog(v, "cannot bind event channel %u (%d)", f->evtchn_rx, rc);
            return rc;
        }
    }
    v->have_rx = true;
    memcpy(pc.mac, v->mac, 6);
    m = events_save();
    rc = netswitch_port_add(&sw, &pc);
    if (rc >= 0)
        v->sw_port = rc;
    events_restore(m);
    if (rc < 0) {
        vlog(v, "refused by the switch (%d: %s)", rc, rc == -XEN_EEXIST ? "MAC in use" : "no free port");
        return rc;
    }
    if ((rc = pvos_evtchn_handle(v->port_tx, on_event_tx, v)) ||
        (f->split && (rc = pvos_evtchn_handle(v->port_rx, on_event_rx, v))))
        return rc;
    v->ev_tx = v->ev_rx = true;         /* requests may be on the rings already */
    printk("netback d%u/%u: connected: switch port %d, event channel%s %u%s -> %u, rx-copy, sg %u\n", v->fe,
           v->handle, v->sw_port, f->split ? "s" : "", f->evtchn_tx, f->split ? " (tx)" : "", v->port_tx,
           f->sg);
    return 0;
}

static void vif_frontend(struct nb_vif *v)
{
    struct netback_xs_ops xs = { .ctx = v, .write = xs_write_be, .read = xs_read_fe };
    struct netback_front f;
    struct xenbus_step st;
    uint32_t peer = 0;
    bool ok = true;
    int rc = xenbus_read_uint(xenbus_kernel(), XENBUS_TX_NONE, v->fe_state, &peer);

    v->fe_changed = false;
    if (rc == -XEN_ENOENT)
        peer = XenbusStateUnknown;
    else if (rc)
        peer = ~0u;
    v->fe_last = peer;
    if ((peer == XenbusStateInitialised || peer == XenbusStateConnected) && v->state == XenbusStateInitWait &&
        (rc = netback_read_frontend(&xs, &f))) {
        vlog(v, "frontend keys refused (%d)", rc);
        ok = false;
    }
    st = xenbus_state_step(XENBUS_BACKEND, v->state, peer, ok, 0);
    if (st.actions & XBS_ACT_DISCONNECT)
        vif_disconnect(v, peer == XenbusStateUnknown ? "frontend gone" : "frontend closed");
    if (st.actions & XBS_ACT_FAIL)
        vlog(v, "frontend state %u in our %s: closing", peer, xenbus_state_name(v->state));
    if ((st.actions & XBS_ACT_CONNECT) && vif_connect(v, &f)) {
        vif_disconnect(v, "connect failed");
        st.next = XenbusStateClosing;
    }
    if (st.next != v->state)
        write_state(v, st.next);
}

static struct nb_vif *vif_find(uint16_t fe, uint32_t handle)
{
    for (unsigned int i = 0; i < NB_VIFS; i++)
        if (vifs[i] && vifs[i]->used && !vifs[i]->removed && vifs[i]->fe == fe && vifs[i]->handle == handle)
            return vifs[i];
    return NULL;
}

static struct nb_vif *vif_new(uint16_t fe, uint32_t handle)
{
    for (unsigned int i = 0; i < NB_VIFS; i++) {
        struct nb_vif *v = vifs[i];

        if (v && v->used)
            continue;
        if (!v && !(v = vifs[i] = kalloc(sizeof(*v))))
            return NULL;
        memset(v, 0, sizeof(*v));
        v->used = true;
        v->fe = fe;
        v->handle = handle;
        v->sw_port = -1;
        v->state = XenbusStateInitialising;
        snprintf(v->dir, sizeof(v->dir), "backend/vif/%u/%u", fe, handle);
        return v;
    }
    return NULL;
}

static void vif_remove(struct nb_vif *v)
{
    vif_disconnect(v, "backend directory removed");
    if (v->watching)
        xenbus_unwatch(xenbus_kernel(), &v->watch);
    v->watching = false;
    v->removed = true;
    v->used = false;                    /* nothing of the frontend is held any more */
    printk("netback d%u/%u: removed\n", v->fe, v->handle);
}

static bool parse_id(const char *s, uint32_t max, uint32_t *out)
{
    const char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (*s < '0' || *s > '9' || *end || strlen(s) > 10 || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

static void scan_domain(const char *fe)
{
    char path[48];
    uint32_t f, handle;
    int n;

    if (!parse_id(fe, DOMID_FIRST_RESERVED - 1, &f))
        return;
    if (f == kernel_domid())
        return;                         /* our own vif=: the uplink itself, served by nobody */
    snprintf(path, sizeof(path), "backend/vif/%u", f);
    if ((n = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, path, dirbuf2, sizeof(dirbuf2))) < 0) {
        for (unsigned int i = 0; n != -XEN_ENOENT && i < NB_VIFS; i++)
            if (vifs[i] && vifs[i]->fe == f)
                vifs[i]->present = true;
        return;
    }
    for (const char *p = dirbuf2; n-- > 0; p += strlen(p) + 1) {
        struct nb_vif *v;

        if (!parse_id(p, UINT16_MAX, &handle))
            continue;
        if (!(v = vif_find((uint16_t)f, handle)) && !(v = vif_new((uint16_t)f, handle))) {
            printk("netback: no room for d%u/%u (%u vifs)\n", f, handle, NB_VIFS);
            continue;
        }
        v->present = true;
    }
}

static void scan(void)
{
    int n = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, "backend/vif", dirbuf, sizeof(dirbuf));

    if (n < 0 && n != -XEN_ENOENT) {
        rescan = true;
        return;
    }
    for (unsigned int i = 0; i < NB_VIFS; i++)
        if (vifs[i])
            vifs[i]->present = false;
    for (const char *p = dirbuf; n-- > 0; p += strlen(p) + 1)
        scan_domain(p);
    for (unsigned int i = 0; i < NB_VIFS; i++) {
        struct nb_vif *v = vifs[i];

        if (!v || !v->used || v->removed)
            continue;
        if (!v->present)
            vif_remove(v);
        else if (!v->ready)
            vif_setup(v);
    }
}

/* ---- the data path (events masked) ---- */

static bool data_round(void)
{
    bool more = false;

    vnet_reap_tx(up);
    for (unsigned int i = 0; i < NB_UPLINK_BATCH; i++) {
        struct netpkt *p = netpkt_alloc(&pool, VNET_FRAME_MAX);
        size_t len;

        if (!p) {
            more = true;
            break;
        }
        if (!(len = vnet_recv(up, p->data, VNET_FRAME_MAX))) {
            netpkt_put(p);
            break;
        }
        p->len = (uint32_t)len;
        up_rx++;
        netswitch_input(&sw, (unsigned int)up_port, p);
        more |= i + 1 == NB_UPLINK_BATCH;
    }
    for (unsigned int i = 0; i < NB_VIFS; i++) {
        struct nb_vif *v = vifs[i];
        int rc;

        if (!v || !v->used || v->sw_port < 0 || !v->nb.connected || !(v->ev_tx || v->tx_more))
            continue;
        v->ev_tx = false;
        rc = netback_tx_process(&v->nb, NB_BUDGET);
        v->tx_more = rc == (int)NB_BUDGET;
        v->fatal |= rc == -XEN_EACCES;
        more |= v->tx_more;
    }
    for (unsigned int i = 0; i < NB_VIFS; i++) {
        struct nb_vif *v = vifs[i];
        int rc;

        if (!v || !v->used || v->sw_port < 0 || !v->nb.connected || !(v->ev_rx || v->rx_more || v->nb.rxq_len))
            continue;
        v->ev_rx = false;
        rc = netback_rx_process(&v->nb, NB_BUDGET);
        v->rx_more = rc == (int)NB_BUDGET;
        v->fatal |= rc == -XEN_EACCES;
        more |= v->rx_more;
    }
    netswitch_tick(&sw, pvos_now_ns() / 1000000000ULL);
    return more;
}

static bool kicked(void *arg)
{
    (void)arg;
    return kick || virtq_has_used(&up->rx);
}

static void nb_main(void)
{
    struct netswitch_port_cfg pc;
    bool more = false;

    if (!(up = dev_eth0())) {
        printk("netback: no virtio NIC: no uplink, no service\n");
        running = false;
        thread_exit();
    }
    netswitch_init(&sw, NB_AGE_S);
    pc = (struct netswitch_port_cfg){ .xmit = uplink_xmit, .uplink = true };
    up_port = netswitch_port_add(&sw, &pc);
    pc = (struct netswitch_port_cfg){ .xmit = host_xmit };
    memcpy(pc.mac, up->mac, 6);
    host_port = netswitch_port_add(&sw, &pc);
    host_dev = (struct netdev){ .name = "eth0", .mtu = 1500, .send = host_send, .recv = host_recv,
                                .link_up = host_link_up, .wait = host_wait_fn };
    memcpy(host_dev.mac, up->mac, 6);
    printk("netback: switch up: uplink eth0 (port %d), this domain's stack (port %d, MAC "
           "%02x:%02x:%02x:%02x:%02x:%02x), spoof check on\n", up_port, host_port, up->mac[0], up->mac[1],
           up->mac[2], up->mac[3], up->mac[4], up->mac[5]);
    rescan = true;
    for (uint64_t next_poll = 0;;) {
        uint8_t m;

        kick = false;
        if (pvos_now_ns() >= next_poll || rescan || recheck) {
            xenbus_kernel_poll();
            next_poll = pvos_now_ns() + NB_POLL_NS;
        }
        if (rescan) {
            rescan = false;
            scan();
        }
        for (unsigned int i = 0; i < NB_VIFS; i++) {
            struct nb_vif *v = vifs[i];

            if (!v || !v->used)
                continue;
            if (recheck && v->watching)
                v->fe_changed = true;
            if (v->fe_changed && v->watching)
                vif_frontend(v);
        }
        recheck = false;
        m = events_save();
        more = data_round();
        events_restore(m);
        for (unsigned int i = 0; i < NB_VIFS; i++) {
            struct nb_vif *v = vifs[i];

            if (v && v->used && v->fatal) {
                v->fatal = false;
                vif_disconnect(v, "fatal error of the frontend");
                write_state(v, XenbusStateClosing);
            }
        }
        rounds++;
        if (more)
            continue;
        pvos_wait_until(thread_wait(), kicked, NULL, up->polling ? pvos_now_ns() + 1000000 : next_poll);
    }
}

static void vif_watch_fired(struct xenbus_watch *w, const char *path)
{
    (void)w;
    (void)path;
    rescan = true;
    wake();
}

static void release_fired(struct xenbus_watch *w, const char *path)
{
    (void)w;
    (void)path;
    recheck = true;
    wake();
}

static bool serving_off(void)
{
    const char *cl = (const char *)start_info->cmd_line;

    for (const char *p = cl; *p && strncmp(p, "--", 2); p++)
        if ((p == cl || p[-1] == ' ') && !strncmp(p, "netback=off", 11) && (!p[11] || p[11] == ' '))
            return true;
    return false;
}

static void nb_thread(void *arg)
{
    struct xenbus_client *c = xenbus_kernel();

    vif_watch.path = "backend/vif";
    vif_watch.fn = vif_watch_fired;
    release_watch.path = "@releaseDomain";
    release_watch.fn = release_fired;
    if (xenbus_watch(c, &vif_watch) || xenbus_watch(c, &release_watch))
        printk("netback: cannot watch the store\n");
    (void)arg;
    nb_main();
}

void netback_svc_start(void)
{
    int64_t prev = -1;
    uint32_t sbdf;

    if (!xenbus_kernel() || serving_off())
        return;
    for (; pvos_pci_next(prev, &sbdf); prev = sbdf)
        if (pvos_pci_conf_read(sbdf, 0, 4) == (VIRTIO_PCI_ID_NET << 16 | VIRTIO_PCI_VENDOR)) {
            running = true;
            thread_create("netback", nb_thread, NULL);
            return;
        }
}

bool netback_svc_running(void)
{
    return running;
}

struct netdev *netback_svc_netdev(void)
{
    while (running && host_port < 0)
        thread_sleep_until(system_time_ns() + 1000000);
    return running && host_port >= 0 ? &host_dev : NULL;
}

static void mac_text(char *buf, const uint8_t *m)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void netback_svc_list(void)
{
    static struct netback_stats st[NB_VIFS];
    static struct netswitch_port_stats ps[NETSWITCH_MAX_PORTS];
    unsigned int n = 0;
    char mac[18];
    uint8_t m;

    if (!running || host_port < 0) {
        printk("vifs: no network back end in this domain\n");
        return;
    }
    for (uint64_t r = rounds, until = system_time_ns() + 1000000000ULL; rounds < r + 2 && system_time_ns() < until;) {
        rescan = recheck = true;
        wake();
        thread_sleep_until(system_time_ns() + 1000000);
    }
    m = events_save();
    for (unsigned int i = 0; i < NB_VIFS; i++)
        if (vifs[i])
            st[i] = vifs[i]->nb.stats;
    for (unsigned int i = 0; i < NETSWITCH_MAX_PORTS; i++)
        ps[i] = sw.port[i].stats;
    events_restore(m);
    mac_text(mac, up->mac);
    printk("vifs: switch: uplink eth0 (port %d) in %lu out %lu, dropped %lu; this domain (port %d, %s) in %lu "
           "out %lu, dropped %lu; flooded %lu, forwarded %lu, filtered %lu\n", up_port,
           (unsigned long)ps[up_port].in, (unsigned long)ps[up_port].out, (unsigned long)(up_dropped + ps[up_port].spoofed),
           host_port, mac, (unsigned long)ps[host_port].in, (unsigned long)ps[host_port].out,
           (unsigned long)(hostq_dropped + ps[host_port].spoofed), (unsigned long)sw.flooded,
           (unsigned long)sw.forwarded, (unsigned long)sw.filtered);
    for (unsigned int i = 0; i < NB_VIFS; i++) {
        const struct nb_vif *v = vifs[i];
        const struct netback_stats *s = &st[i];
        const struct netswitch_port_stats *p;
        static const struct netswitch_port_stats none;

        if (!v || !v->used)
            continue;
        p = v->sw_port >= 0 ? &ps[v->sw_port] : &none;
        n++;
        mac_text(mac, v->mac);
        printk("vif d%u/%u: MAC %s, state %s, frontend %s, port %d; tx %lu packets (%lu bytes, %lu errors), "
               "rx %lu packets (%lu bytes, %lu errors), copies %lu (%lu calls), events %lu, notifies %lu, "
               "drops %lu, spoofed %lu\n", v->fe, v->handle, mac, xenbus_state_name(v->state),
               xenbus_state_name(v->fe_last), v->sw_port, (unsigned long)s->tx_packets, (unsigned long)s->tx_bytes,
               (unsigned long)s->tx_errors, (unsigned long)s->rx_packets, (unsigned long)s->rx_bytes,
               (unsigned long)s->rx_errors, (unsigned long)s->copies, (unsigned long)s->copy_calls,
               (unsigned long)v->events, (unsigned long)s->notifies,
               (unsigned long)(s->rx_dropped + s->tx_csum_dropped + p->out_dropped), (unsigned long)p->spoofed);
    }
    printk("vifs: %u vif%s, %u frontend pages mapped (%u grant mappings in this domain), %u packets in use\n", n,
           n == 1 ? "" : "s", mapped, gnttab_nr_mapped(), pool_live);
}
