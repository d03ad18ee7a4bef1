/*
 * The bundled kernel's network interfaces (netfront_dev.h, docs/netif.md
 * "The bundled kernel's interfaces"): one pvdrivers/netfront core per
 * device/vif/N of ours, each a struct netdev for lwIP. The `netfront` thread
 * finds them at boot, watches each back end's state and runs the handshake
 * (the core's store calls sleep: events on, the device marked busy so that
 * neither the event handler nor a sender enters the core meanwhile).
 *
 * Data path, events masked (the device's lock: one vCPU): the back end's
 * event consumes tx answers and received frames in the handler itself
 * (netfront_handle_event), frames go into a bounded queue the netdev's recv
 * takes them from; send copies the frame into one of the device's own tx
 * pages and queues it (netfront_xmit). A state the core writes from there
 * (Closing, after the back end misbehaved) is written by the thread.
 */
#include "netfront_dev.h"
#include "net.h"
#include "store.h"
#include "kalloc.h"
#include "netfront.h"
#include "pvos.h"
#include "pv_xenbus_state.h"
#include "pv_netpkt.h"
#include <tandem/errno.h>

#define NF_MAX       4
#define NF_POLL_NS   20000000ULL
#define NF_RXQ       64                 /* frames waiting for the stack */
#define NF_FRAME     1536
#define NF_TXP       64                 /* tx pages (frames in flight) */

struct nf_dev {
    struct netfront f;
    struct netdev nd;
    char name[8];
    char dir[32];
    char be_state[NETFRONT_PATH_MAX + 8];
    uint16_t be_domid;
    uint32_t id;
    struct xenbus_watch watch;
    volatile bool be_changed, busy, event;
    volatile bool stalled;              /* `vif stall`: the core is never entered for data again */
    unsigned int be_last;
    /* A state the core wrote with events masked: the thread writes it. */
    char pend_path[NETFRONT_PATH_MAX + 16], pend_val[8];
    volatile bool pend;
    uint8_t (*rxq)[NF_FRAME];
    uint16_t rxq_len_of[NF_RXQ];
    unsigned int rxq_head, rxq_len;
    uint64_t rxq_dropped, events;
    struct pvos_wait rx_wait;
    void *txp[NF_TXP];
    uint8_t tx_free[NF_TXP];
    unsigned int nr_tx_free;
};

static struct nf_dev *devs[NF_MAX];
static unsigned int nr_devs;
static volatile bool discovered, kick;
static bool started;
static struct pvos_wait thread_wait;
static volatile bool masked_ctx;        /* the core runs with events masked: defer store writes */

static void wake_thread(void)
{
    kick = true;
    pvos_wake(&thread_wait);
}

/* ---- netfront_ops ---- */

static void *op_page_alloc(void *ctx)
{
    (void)ctx;
    return pvos_page_alloc();
}

static void op_page_free(void *ctx, void *page)
{
    (void)ctx;
    pvos_page_free(page);
}

static int op_grant(void *ctx, const void *page, bool ro)
{
    return pvos_grant_page(((struct nf_dev *)ctx)->be_domid, page, ro);
}

static int op_grant_end(void *ctx, uint32_t ref)
{
    (void)ctx;
    return pvos_grant_end((int)ref);
}

static void data_path(struct nf_dev *d);

static void on_event(uint32_t port, void *ctx)
{
    struct nf_dev *d = ctx;

    (void)port;
    d->events++;
    if (d->busy) {
        d->event = true;
        wake_thread();
        return;
    }
    data_path(d);
}

static int op_evtchn_alloc(void *ctx, uint32_t *port)
{
    struct nf_dev *d = ctx;
    int rc = pvos_evtchn_alloc_unbound(d->be_domid, port);

    return rc ? rc : pvos_evtchn_handle(*port, on_event, d);
}

static void op_evtchn_close(void *ctx, uint32_t port)
{
    (void)ctx;
    pvos_evtchn_close(port);
}

static void op_notify(void *ctx, uint32_t port)
{
    (void)ctx;
    pvos_evtchn_notify(port);
}

static int op_xs_read(void *ctx, const char *path, char *buf, unsigned int cap)
{
    uint32_t len = 0;
    int rc = xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, buf, cap, &len);

    (void)ctx;
    return rc ? rc : (int)len;
}

static int op_xs_write(void *ctx, const char *path, const char *value)
{
    struct nf_dev *d = ctx;

    if (masked_ctx) {
        snprintf(d->pend_path, sizeof(d->pend_path), "%s", path);
        snprintf(d->pend_val, sizeof(d->pend_val), "%s", value);
        d->pend = true;
        wake_thread();
        return 0;
    }
    return xenbus_write(xenbus_kernel(), XENBUS_TX_NONE, path, value);
}

static void op_rx(void *ctx, const void *const *va, const uint16_t *len, unsigned int n, uint32_t total,
                  uint16_t flags)
{
    struct nf_dev *d = ctx;
    uint8_t *dst;
    uint32_t at = 0;

    (void)flags;
    if (total > NF_FRAME || d->rxq_len == NF_RXQ) {
        d->rxq_dropped++;
        return;
    }
    dst = d->rxq[(d->rxq_head + d->rxq_len) % NF_RXQ];
    for (unsigned int i = 0; i < n && at + len[i] <= NF_FRAME; i++) {
        memcpy(dst + at, va[i], len[i]);
        at += len[i];
    }
    d->rxq_len_of[(d->rxq_head + d->rxq_len) % NF_RXQ] = (uint16_t)at;
    d->rxq_len++;
    pvos_wake(&d->rx_wait);
}

static void op_tx_done(void *ctx, void *cookie, int status)
{
    struct nf_dev *d = ctx;
    unsigned int i = (unsigned int)(uintptr_t)cookie - 1;

    if (status)
        d->nd.tx_dropped++;
    if (i < NF_TXP && d->nr_tx_free < NF_TXP)
        d->tx_free[d->nr_tx_free++] = (uint8_t)i;
}

static const struct netfront_ops ops = {
    .page_alloc = op_page_alloc, .page_free = op_page_free, .grant = op_grant, .grant_end = op_grant_end,
    .evtchn_alloc = op_evtchn_alloc, .evtchn_close = op_evtchn_close, .notify = op_notify,
    .xs_read = op_xs_read, .xs_write = op_xs_write, .rx = op_rx, .tx_done = op_tx_done,
};

/* The core's event work, events masked (the handler's context, or the thread's with the mask). */
static void data_path(struct nf_dev *d)
{
    uint8_t m = events_save();
    bool was = masked_ctx;

    masked_ctx = true;
    if (d->f.state == NETFRONT_CONNECTED && !d->stalled)
        netfront_handle_event(&d->f);
    masked_ctx = was;
    events_restore(m);
}

/* ---- the netdev ---- */

static int nd_send(struct netdev *nd, const void *frame, size_t len)
{
    struct nf_dev *d = nd->priv;
    struct netfront_frag fr;
    uint8_t m;
    unsigned int i;
    bool was;
    int rc;

    if (len < 14 || len > NF_FRAME)
        return -XEN_EINVAL;
    m = events_save();
    if (d->busy || d->stalled || d->f.state != NETFRONT_CONNECTED || !d->nr_tx_free) {
        events_restore(m);
        return -XEN_EAGAIN;
    }
    i = d->tx_free[--d->nr_tx_free];
    memcpy(d->txp[i], frame, len);
    fr = (struct netfront_frag){ .page = d->txp[i], .offset = 0, .len = (uint16_t)len };
    was = masked_ctx;
    masked_ctx = true;
    rc = netfront_xmit(&d->f, &fr, 1, 0, (void *)(uintptr_t)(i + 1));
    if (rc)
        d->tx_free[d->nr_tx_free++] = (uint8_t)i;
    masked_ctx = was;
    events_restore(m);
    return rc;
}

static size_t nd_recv(struct netdev *nd, void *buf, size_t max)
{
    struct nf_dev *d = nd->priv;
    uint8_t m = events_save();
    size_t len;

    if (!d->rxq_len) {
        events_restore(m);
        return 0;
    }
    len = d->rxq_len_of[d->rxq_head];
    len = len < max ? len : max;
    memcpy(buf, d->rxq[d->rxq_head], len);
    d->rxq_head = (d->rxq_head + 1) % NF_RXQ;
    d->rxq_len--;
    events_restore(m);
    return len;
}

static bool nd_link_up(struct netdev *nd)
{
    return ((struct nf_dev *)nd->priv)->f.state == NETFRONT_CONNECTED;
}

static bool rx_pending(void *arg)
{
    return ((struct nf_dev *)arg)->rxq_len != 0;
}

static void nd_wait(struct netdev *nd, uint64_t deadline_ns)
{
    struct nf_dev *d = nd->priv;

    pvos_wait_until(&d->rx_wait, rx_pending, d, deadline_ns);
}

/* ---- discovery and the handshake ---- */

static void be_state_fired(struct xenbus_watch *w, const char *path)
{
    struct nf_dev *d = (struct nf_dev *)((char *)w - offsetof(struct nf_dev, watch));

    (void)path;
    d->be_changed = true;
    wake_thread();
}

static void add_device(uint32_t id)
{
    struct nf_dev *d;
    char path[48], val[8];
    int rc;

    if (nr_devs == NF_MAX || !(d = kalloc(sizeof(*d)))) {
        printk("netfront: no room for vif %u\n", id);
        return;
    }
    memset(d, 0, sizeof(*d));
    d->id = id;
    snprintf(d->name, sizeof(d->name), "eth%u", nr_devs);
    snprintf(d->dir, sizeof(d->dir), "device/vif/%u", id);
    snprintf(path, sizeof(path), "%s/backend-id", d->dir);
    rc = xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, val, sizeof(val), NULL);
    if (!rc)
        d->be_domid = (uint16_t)strtoul(val, NULL, 10);
    if (!rc && !(d->rxq = kalloc(sizeof(*d->rxq) * NF_RXQ)))
        rc = -XEN_ENOMEM;
    for (unsigned int i = 0; !rc && i < NF_TXP; i++) {
        if (!(d->txp[i] = pvos_page_alloc()))
            rc = -XEN_ENOMEM;
        else
            d->tx_free[d->nr_tx_free++] = (uint8_t)i;
    }
    if (!rc)
        rc = netfront_init(&d->f, &ops, d, d->dir);
    if (rc) {
        printk("netfront: vif %u: not set up (%d)\n", id, rc);
        for (unsigned int i = 0; i < NF_TXP; i++)
            if (d->txp[i])
                pvos_page_free(d->txp[i]);
        kfree(d->rxq);
        kfree(d);
        return;
    }
    d->nd = (struct netdev){ .name = d->name, .mtu = 1500, .send = nd_send, .recv = nd_recv,
                             .link_up = nd_link_up, .wait = nd_wait, .priv = d };
    memcpy(d->nd.mac, d->f.mac, 6);
    snprintf(d->be_state, sizeof(d->be_state), "%s/state", d->f.backend);
    d->watch.path = d->be_state;
    d->watch.fn = be_state_fired;
    d->be_changed = true;
    devs[nr_devs++] = d;
    printk("netfront: %s: vif %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, back end %s\n", d->name, id, d->f.mac[0],
           d->f.mac[1], d->f.mac[2], d->f.mac[3], d->f.mac[4], d->f.mac[5], d->f.backend);
    if ((rc = xenbus_watch(xenbus_kernel(), &d->watch)))
        printk("netfront: %s: cannot watch %s (%d)\n", d->name, d->be_state, rc);
}

static void discover(void)
{
    static char buf[XENSTORE_PAYLOAD_MAX + 1];
    int nr = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, "device/vif", buf, sizeof(buf));

    for (const char *p = buf; nr-- > 0; p += strlen(p) + 1) {
        const char *end;
        unsigned long v = strtoul(p, &end, 10);

        if (*p >= '0' && *p <= '9' && !*end && v < 256)
            add_device((uint32_t)v);
    }
}

static void backend_changed(struct nf_dev *d)
{
    uint32_t st = 0;
    int rc;
    uint8_t m;

    d->be_changed = false;
    rc = xenbus_read_uint(xenbus_kernel(), XENBUS_TX_NONE, d->be_state, &st);
    if (rc == -XEN_ENOENT && !d->be_last)
        return;
    if (rc == -XEN_ENOENT)
        st = XenbusStateClosed;
    else if (rc)
        st = ~0u;
    if (st == d->be_last && rc != -XEN_ENOENT)
        return;
    d->be_last = st;
    m = events_save();
    d->busy = true;
    events_restore(m);
    rc = netfront_otherend_changed(&d->f, st);
    m = events_save();
    d->busy = false;
    events_restore(m);
    if (rc)
        printk("netfront: %s: handshake with back end state %u failed (%d)\n", d->name, st, rc);
    else if (d->f.state == NETFRONT_CONNECTED && st == XenbusStateInitWait)
        printk("netfront: %s: connected to d%u (%s event channel%s)\n", d->name, d->be_domid,
               d->f.be_split ? "split" : "one", d->f.be_split ? "s" : "");
    d->event = true;
}

static bool kicked(void *arg)
{
    (void)arg;
    return kick;
}

static void nf_main(void *arg)
{
    (void)arg;
    discover();
    discovered = true;
    if (!nr_devs)
        thread_exit();
    for (uint64_t next_poll = 0;;) {
        kick = false;
        if (pvos_now_ns() >= next_poll) {
            xenbus_kernel_poll();
            next_poll = pvos_now_ns() + NF_POLL_NS;
        }
        for (unsigned int i = 0; i < nr_devs; i++) {
            struct nf_dev *d = devs[i];

            if (d->be_changed)
                backend_changed(d);
            if (d->event) {
                d->event = false;
                data_path(d);
            }
            if (d->pend) {
                d->pend = false;
                xenbus_write(xenbus_kernel(), XENBUS_TX_NONE, d->pend_path, d->pend_val);
            }
        }
        pvos_wait_until(&thread_wait, kicked, NULL, next_poll);
    }
}

static bool nf_off(void)
{
    const char *cl = (const char *)start_info->cmd_line;

    for (const char *p = cl; *p && strncmp(p, "--", 2); p++)
        if ((p == cl || p[-1] == ' ') && !strncmp(p, "netfront=off", 12) && (!p[12] || p[12] == ' '))
            return true;
    return false;
}

void netfront_dev_init(void)
{
    if (!xenbus_kernel() || started || nf_off())
        return;
    started = true;
    thread_create("netfront", nf_main, NULL);
}

struct netdev *netfront_netdev(uint64_t timeout_ns)
{
    uint64_t until = system_time_ns() + 5000000000ULL;

    while (started && !discovered && system_time_ns() < until)
        thread_sleep_until(system_time_ns() + 1000000);
    if (!discovered || !nr_devs)
        return NULL;
    until = system_time_ns() + timeout_ns;
    while (devs[0]->f.state != NETFRONT_CONNECTED && system_time_ns() < until)
        thread_sleep_until(system_time_ns() + 2000000);
    return &devs[0]->nd;
}

bool netfront_describe(const struct netdev *nd)
{
    static const char *const st[] = { "closed", "connected", "error" };

    for (unsigned int i = 0; i < nr_devs; i++) {
        const struct nf_dev *d = devs[i];
        const struct netfront_stats *s = &d->f.stats;

        if (&d->nd != nd)
            continue;
        printk("  netfront vif %u, %s, back end d%u %s (state %s); tx %lu (%lu errors), rx %lu (%lu errors, "
               "%lu dropped), events %lu, notifies %lu, grant leaks %lu\n", d->id, st[d->f.state], d->be_domid,
               d->f.backend, xenbus_state_name(d->be_last), (unsigned long)s->tx_packets,
               (unsigned long)s->tx_errors, (unsigned long)s->rx_packets, (unsigned long)s->rx_errors,
               (unsigned long)d->rxq_dropped, (unsigned long)d->events, (unsigned long)s->notifies,
               (unsigned long)s->grant_leaks);
        return true;
    }
    return false;
}

/* ---- the shell's `vif` (docs/guest-kernel.md): the list, and a hostile frontend's moves for the tests ---- */

/* One frame of len bytes from src to dst (ethertype 0x88b5, local experimental), retried while the ring is full. */
static int send_raw(struct nf_dev *d, const uint8_t *dst, const uint8_t *src, unsigned int len, unsigned int seq)
{
    static uint8_t fr[NF_FRAME];
    int rc;

    memcpy(fr, dst, 6);
    memcpy(fr + 6, src, 6);
    fr[12] = 0x88;
    fr[13] = 0xb5;
    for (unsigned int i = 14; i < len; i++)
        fr[i] = (uint8_t)(i + seq);
    for (unsigned int tries = 0; (rc = nd_send(&d->nd, fr, len)) == -XEN_EAGAIN && tries < 1000; tries++)
        thread_sleep_until(system_time_ns() + 1000000);
    return rc;
}

void netfront_command(char **w, int nw)
{
    static const uint8_t spoofed[6] = { 0x00, 0x16, 0x3e, 0xde, 0xad, 0x01 };
    struct nf_dev *d;
    unsigned int n, sent = 0;
    int rc = 0;
    uint8_t m;

    if (!discovered)
        netfront_netdev(0);
    if (!nr_devs) {
        printk("vif: no vif in this domain\n");
        return;
    }
    d = devs[0];
    if (nw > 1)
        netfront_netdev(10000000000ULL);        /* its back end has 10 s to connect */
    if (nw == 1) {
        for (unsigned int i = 0; i < nr_devs; i++) {
            printk("%s: MAC %02x:%02x:%02x:%02x:%02x:%02x\n", devs[i]->name, devs[i]->f.mac[0], devs[i]->f.mac[1],
                   devs[i]->f.mac[2], devs[i]->f.mac[3], devs[i]->f.mac[4], devs[i]->f.mac[5]);
            netfront_describe(&devs[i]->nd);
        }
        return;
    }
    if ((nw == 3 || nw == 4) && (!strcmp(w[1], "flood") || !strcmp(w[1], "spoof"))) {
        uint8_t dst[6];

        memset(dst, 0xff, sizeof(dst));
        if (nw == 4 && netpkt_mac_parse(w[3], dst)) {
            printk("vif %s: bad MAC %s\n", w[1], w[3]);
            return;
        }
        n = (unsigned int)strtoul(w[2], NULL, 10);
        for (; sent < n && !(rc = send_raw(d, dst, !strcmp(w[1], "spoof") ? spoofed : d->f.mac, 1000, sent)); sent++)
            ;
        printk("vif %s: %u of %u frames sent%s\n", w[1], sent, n, rc ? " (stopped: not connected)" : "");
    } else if (nw == 2 && !strcmp(w[1], "stall")) {
        d->stalled = true;              /* the core is not entered: no rx response consumed, no buffer reposted */
        printk("vif stall: %s consumes nothing from now on\n", d->name);
    } else if (nw == 2 && !strcmp(w[1], "garbage")) {
        m = events_save();
        if (d->f.state == NETFRONT_CONNECTED) {
            d->f.tx.sring->req_prod += 5000;    /* far beyond the ring: a garbage index */
            pvos_evtchn_notify(d->f.port_tx);
        }
        events_restore(m);
        printk("vif garbage: tx req_prod moved 5000 ahead\n");
    } else
        printk("vif | vif flood N [MAC] | vif spoof N [MAC] | vif stall | vif garbage\n");
}
