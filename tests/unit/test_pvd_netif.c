/*
 * netfront and netback in one process: two guest domains (1 and 2), each
 * with a netfront whose grants live in its own fake grant table, and the
 * driver domain's two netbacks, joined by the switch with a recording
 * uplink. netback reaches a guest's pages only through its grant table
 * (ring pages by map, data by copy), exactly as through the hypervisor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netfront.h"
#include "pv_netback.h"
#include "pv_netswitch.h"
#include <tandem/errno.h>
#include <tandem/grant_table.h>

#define NR_GNT  512
#define NR_KV   128
#define MAXRX   300

struct gnt {
    const void *page;
    bool used, ro;
};

struct kv {
    char key[96], val[64];
};

struct guest {
    uint16_t domid;
    char fe[32], be[32];
    struct gnt gnt[NR_GNT];
    int pages;
    struct netfront nf;
    struct netback nb;
    int port;                   /* switch port */
    unsigned int nrx;
    uint32_t rx_len[MAXRX];
    uint8_t last[70000];
    unsigned int ntx, tx_err;
    bool pump_front;            /* false: this guest never handles its events */
};

static struct world {
    struct kv kv[NR_KV];
    unsigned int nkv;
    struct guest g[3];          /* [1], [2] */
    struct netswitch sw;
    struct netpkt *up[MAXRX];
    unsigned int nup;
    int outstanding;
    struct netpkt_pool pool;
} *w;

void pvos_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- the store ---- */

static const char *get(const char *key)
{
    for (unsigned int i = 0; i < w->nkv; i++)
        if (!strcmp(w->kv[i].key, key))
            return w->kv[i].val;
    return NULL;
}

static void put(const char *key, const char *val)
{
    unsigned int i;

    for (i = 0; i < w->nkv && strcmp(w->kv[i].key, key); i++)
        ;
    if (i == w->nkv) {
        assert_true(w->nkv < NR_KV);
        w->nkv++;
    }
    snprintf(w->kv[i].key, sizeof(w->kv[i].key), "%s", key);
    snprintf(w->kv[i].val, sizeof(w->kv[i].val), "%s", val);
}

/* ---- a guest's kernel, for its netfront ---- */

static void *o_page_alloc(void *ctx)
{
    struct guest *g = ctx;

    g->pages++;
    return memset(aligned_alloc(4096, 4096), 0, 4096);
}

static void o_page_free(void *ctx, void *page)
{
    struct guest *g = ctx;

    g->pages--;
    free(page);
}

static int o_grant(void *ctx, const void *page, bool ro)
{
    struct guest *g = ctx;

    for (unsigned int i = 1; i < NR_GNT; i++)
        if (!g->gnt[i].used) {
            g->gnt[i] = (struct gnt){ .page = page, .used = true, .ro = ro };
            return (int)i;
        }
    return -XEN_ENOSPC;
}

static int o_grant_end(void *ctx, uint32_t ref)
{
    struct guest *g = ctx;

    assert_true(ref < NR_GNT && g->gnt[ref].used);
    g->gnt[ref].used = false;
    return 0;
}

static uint32_t next_port = 20;

static int o_evtchn_alloc(void *ctx, uint32_t *port)
{
    (void)ctx;
    *port = next_port++;
    return 0;
}

static void o_evtchn_close(void *ctx, uint32_t port)
{
    (void)ctx;
    (void)port;
}

static void o_notify(void *ctx, uint32_t port)
{
    (void)ctx;
    (void)port;
}

static int o_xs_read(void *ctx, const char *path, char *buf, unsigned int cap)
{
    const char *v = get(path);

    (void)ctx;
    if (!v)
        return -XEN_ENOENT;
    snprintf(buf, cap, "%s", v);
    return (int)strlen(buf);
}

static int o_xs_write(void *ctx, const char *path, const char *value)
{
    (void)ctx;
    put(path, value);
    return 0;
}

static void o_rx(void *ctx, const void *const *va, const uint16_t *len, unsigned int n,
                 uint32_t total, uint16_t flags)
{
    struct guest *g = ctx;
    uint32_t off = 0;

    (void)flags;
    for (unsigned int i = 0; i < n; i++) {
        memcpy(g->last + off, va[i], len[i]);
        off += len[i];
    }
    assert_true(g->nrx < MAXRX);
    g->rx_len[g->nrx++] = total;
}

static void o_tx_done(void *ctx, void *cookie, int status)
{
    struct guest *g = ctx;

    (void)cookie;
    g->ntx++;
    if (status)
        g->tx_err++;
}

static const struct netfront_ops fops = {
    .page_alloc = o_page_alloc, .page_free = o_page_free, .grant = o_grant,
    .grant_end = o_grant_end, .evtchn_alloc = o_evtchn_alloc, .evtchn_close = o_evtchn_close,
    .notify = o_notify, .xs_read = o_xs_read, .xs_write = o_xs_write, .rx = o_rx,
    .tx_done = o_tx_done,
};

/* ---- the driver domain, for netback: the hypervisor's grant checks, in small ---- */

static void *b_map_ring(void *ctx, uint16_t domid, uint32_t ref, int *err)
{
    struct guest *g = &w->g[domid];

    (void)ctx;
    if (ref >= NR_GNT || !g->gnt[ref].used || g->gnt[ref].ro) {
        *err = -XEN_EINVAL;
        return NULL;
    }
    return (void *)g->gnt[ref].page;
}

static void b_unmap_ring(void *ctx, void *va)
{
    (void)ctx;
    (void)va;
}

static int b_copy(void *ctx, uint16_t domid, struct netback_copy *ops, unsigned int n)
{
    struct guest *g = &w->g[domid];

    (void)ctx;
    for (unsigned int i = 0; i < n; i++) {
        struct netback_copy *c = &ops[i];
        struct gnt *e = c->gref < NR_GNT ? &g->gnt[c->gref] : NULL;

        assert_true(((uintptr_t)c->local & 4095) + c->len <= 4096);
        if (!e || !e->used)
            c->status = GNTST_bad_gntref;
        else if (c->offset + c->len > 4096)
            c->status = GNTST_bad_copy_arg;
        else if (c->to_frontend && e->ro)
            c->status = GNTST_permission_denied;
        else {
            if (c->to_frontend)
                memcpy((uint8_t *)e->page + c->offset, c->local, c->len);
            else
                memcpy(c->local, (const uint8_t *)e->page + c->offset, c->len);
            c->status = GNTST_okay;
        }
    }
    return 0;
}

static void b_notify(void *ctx, enum netback_evt which)
{
    (void)ctx;
    (void)which;
}

static void b_deliver(void *ctx, struct netpkt *pkt)
{
    struct guest *g = ctx;

    netswitch_input(&w->sw, (unsigned int)g->port, pkt);
}

static struct netpkt *p_alloc(void *ctx, uint32_t len)
{
    struct netpkt *p = calloc(1, sizeof(*p));

    (void)ctx;
    p->data = aligned_alloc(4096, (len + 4095) / 4096 * 4096);
    p->cap = len;
    w->outstanding++;
    return p;
}

static void p_free(void *ctx, struct netpkt *p)
{
    (void)ctx;
    free(p->data);
    free(p);
    w->outstanding--;
}

static int vif_xmit(void *ctx, struct netpkt *pkt)
{
    struct guest *g = ctx;

    return netback_rx_enqueue(&g->nb, pkt);
}

static int up_xmit(void *ctx, struct netpkt *pkt)
{
    (void)ctx;
    assert_true(w->nup < MAXRX);
    netpkt_get(pkt);
    w->up[w->nup++] = pkt;
    return 0;
}

/* ---- the store as each side sees it ---- */

static int bxs_write(void *ctx, const char *key, const char *val)
{
    struct guest *g = ctx;
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", g->be, key);
    put(path, val);
    return 0;
}

static int bxs_read(void *ctx, const char *key, char *buf, uint32_t cap)
{
    struct guest *g = ctx;
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", g->fe, key);
    return o_xs_read(NULL, path, buf, cap);
}

static const uint8_t MAC1[6] = { 0x00, 0x16, 0x3e, 0, 0, 1 };
static const uint8_t MAC2[6] = { 0x00, 0x16, 0x3e, 0, 0, 2 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void guest_up(unsigned int d, const uint8_t *mac)
{
    struct guest *g = &w->g[d];
    struct netback_ops bops = { .ctx = g, .map_ring = b_map_ring, .unmap_ring = b_unmap_ring,
                                .copy = b_copy, .notify = b_notify, .deliver = b_deliver };
    struct netback_xs_ops xs = { .ctx = g, .write = bxs_write, .read = bxs_read };
    struct netswitch_port_cfg pc = { .xmit = vif_xmit, .ctx = g };
    struct netback_front fr;
    char path[64], macs[24];

    g->domid = (uint16_t)d;
    g->pump_front = true;
    snprintf(g->fe, sizeof(g->fe), "d%u/device/vif/0", d);
    snprintf(g->be, sizeof(g->be), "d0/backend/vif/%u/0", d);
    snprintf(path, sizeof(path), "%s/backend", g->fe);
    put(path, g->be);
    snprintf(macs, sizeof(macs), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
             mac[4], mac[5]);
    snprintf(path, sizeof(path), "%s/mac", g->fe);
    put(path, macs);
    /* Back end: features, InitWait. Front end: keys, Connected. Back end: connect. */
    netback_init(&g->nb, &bops, &w->pool, (uint16_t)d, mac);
    assert_int_equal(netback_publish_features(&xs), 0);
    assert_int_equal(netfront_init(&g->nf, &fops, g, g->fe), 0);
    assert_int_equal(netfront_otherend_changed(&g->nf, XenbusStateInitWait), 0);
    assert_int_equal(netback_read_frontend(&xs, &fr), 0);
    assert_int_equal(netback_connect(&g->nb, &fr), 0);
    assert_int_equal(netfront_otherend_changed(&g->nf, XenbusStateConnected), 0);
    memcpy(pc.mac, mac, 6);
    g->port = netswitch_port_add(&w->sw, &pc);
    assert_true(g->port > 0);
}

static int setup(void **state)
{
    struct netswitch_port_cfg up = { .xmit = up_xmit, .uplink = true };

    (void)state;
    w = calloc(1, sizeof(*w));
    w->pool = (struct netpkt_pool){ .alloc = p_alloc, .free = p_free };
    netswitch_init(&w->sw, 0);
    assert_int_equal(netswitch_port_add(&w->sw, &up), 0);
    guest_up(1, MAC1);
    guest_up(2, MAC2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned int d = 1; d <= 2; d++) {
        netback_disconnect(&w->g[d].nb);
        netfront_disconnect(&w->g[d].nf);
        assert_int_equal(w->g[d].pages, 0);
        for (unsigned int i = 0; i < NR_GNT; i++)
            assert_false(w->g[d].gnt[i].used);
    }
    for (unsigned int i = 0; i < w->nup; i++)
        netpkt_put(w->up[i]);
    assert_int_equal(w->outstanding, 0);
    free(w);
    return 0;
}

/* Run both sides until nothing moves (the events would say when; here every side polls). */
static void pump(void)
{
    for (unsigned int round = 0; round < 50; round++)
        for (unsigned int d = 1; d <= 2; d++) {
            struct guest *g = &w->g[d];

            if (g->nb.connected) {
                netback_tx_process(&g->nb, 16);
                netback_rx_process(&g->nb, 16);
            }
            if (g->pump_front)
                netfront_handle_event(&g->nf);
        }
}

static uint8_t frames[4][3][4096] __attribute__((aligned(4096)));

/* A frame in frames[slot]: dst, src, type 0x88b5 (local experimental), payload pattern. */
static void mkframe(unsigned int slot, const uint8_t *dst, const uint8_t *src, uint32_t len, uint8_t seed)
{
    uint8_t *f = &frames[slot][0][0];

    for (uint32_t i = 0; i < len; i++)
        f[i] = (uint8_t)(seed + i);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
}

static int send1(unsigned int d, unsigned int slot, uint32_t len)
{
    struct netfront_frag fr = { frames[slot][0], 0, (uint16_t)len };

    return netfront_xmit(&w->g[d].nf, &fr, 1, 0, NULL);
}

static void test_broadcast_and_unicast(void **state)
{
    (void)state;
    mkframe(0, BCAST, MAC1, 60, 1);
    assert_int_equal(send1(1, 0, 60), 0);
    pump();
    assert_int_equal(w->g[1].ntx, 1);
    assert_int_equal(w->g[1].tx_err, 0);
    assert_int_equal(w->g[2].nrx, 1);
    assert_int_equal(w->g[2].rx_len[0], 60);
    assert_memory_equal(w->g[2].last, frames[0][0], 60);
    assert_int_equal(w->nup, 1);
    assert_int_equal(w->g[1].nrx, 0);           /* not back to its sender */
    /* The answer, unicast: only guest 1. */
    mkframe(1, MAC1, MAC2, 98, 7);
    assert_int_equal(send1(2, 1, 98), 0);
    pump();
    assert_int_equal(w->g[1].nrx, 1);
    assert_memory_equal(w->g[1].last, frames[1][0], 98);
    assert_int_equal(w->nup, 1);
    /* Counted where Linux counts them: one copy call per batch, not per slot. */
    assert_true(w->g[1].nb.stats.copy_calls >= 1);
    assert_int_equal(w->g[1].nb.stats.tx_packets, 1);
    assert_int_equal(w->g[1].nb.stats.rx_packets, 1);
}

static void test_big_fragmented(void **state)
{
    struct netfront_frag fr[3] = { { frames[2][0], 100, 3996 }, { frames[2][1], 0, 4096 },
                                   { frames[2][2], 0, 908 } };
    uint8_t want[9000];

    (void)state;
    for (unsigned int i = 0; i < 3; i++)
        for (unsigned int j = 0; j < 4096; j++)
            frames[2][i][j] = (uint8_t)(i * 31 + j * 3);
    memcpy(frames[2][0] + 100, MAC2, 6);
    memcpy(frames[2][0] + 106, MAC1, 6);
    memcpy(want, frames[2][0] + 100, 3996);
    memcpy(want + 3996, frames[2][1], 4096);
    memcpy(want + 8092, frames[2][2], 908);
    assert_int_equal(netfront_xmit(&w->g[1].nf, fr, 3, 0, NULL), 0);
    pump();
    assert_int_equal(w->g[1].ntx, 1);
    assert_int_equal(w->g[2].nrx, 1);
    assert_int_equal(w->g[2].rx_len[0], 9000);
    assert_memory_equal(w->g[2].last, want, 9000);
}

static void test_spoofed(void **state)
{
    (void)state;
    mkframe(0, BCAST, MAC2, 60, 1);             /* guest 1 claims guest 2's MAC */
    assert_int_equal(send1(1, 0, 60), 0);
    pump();
    assert_int_equal(w->g[1].ntx, 1);           /* answered (the frame was well formed) */
    assert_int_equal(w->g[2].nrx, 0);
    assert_int_equal(w->nup, 0);
    assert_int_equal(w->sw.port[w->g[1].port].stats.spoofed, 1);
}

/* Guest 2 never handles its events: its queue fills, guest 1 and the uplink carry on. */
static void test_stalled_receiver(void **state)
{
    unsigned int sent = 0;

    (void)state;
    w->g[2].pump_front = false;
    mkframe(0, BCAST, MAC1, 200, 1);
    for (unsigned int i = 0; i < 300; i++) {
        if (send1(1, 0, 200) == 0)
            sent++;
        pump();
    }
    assert_int_equal(sent, 300);
    assert_int_equal(w->g[1].ntx, 300);
    assert_int_equal(w->g[1].tx_err, 0);
    assert_int_equal(w->nup, 300);
    /* Its posted buffers, then the bounded queue; the rest dropped. */
    assert_int_equal(w->g[2].nb.rxq_len, NETBACK_RXQ_MAX);
    assert_int_equal(w->g[2].nb.stats.rx_packets, NETFRONT_RX_TARGET);
    assert_int_equal(w->g[2].nb.stats.rx_dropped, 300 - NETFRONT_RX_TARGET - NETBACK_RXQ_MAX);
    /* It wakes up: it gets what was queued. */
    w->g[2].pump_front = true;
    pump();
    assert_int_equal(w->g[2].nrx, NETFRONT_RX_TARGET + NETBACK_RXQ_MAX);
}

/* Guest 2 writes garbage into its tx ring: its vif is disconnected, guest 1 is not hurt. */
static void test_hostile_guest(void **state)
{
    (void)state;
    w->g[2].pump_front = false;
    w->g[2].nf.tx.sring->req_prod += 5000;
    pump();
    assert_false(w->g[2].nb.connected);
    assert_true(w->g[2].nb.fatal);
    netswitch_port_remove(&w->sw, (unsigned int)w->g[2].port);
    mkframe(0, BCAST, MAC1, 60, 1);
    assert_int_equal(send1(1, 0, 60), 0);
    mkframe(1, MAC2, MAC1, 60, 1);
    assert_int_equal(send1(1, 1, 60), 0);
    pump();
    assert_int_equal(w->g[1].ntx, 2);
    assert_int_equal(w->g[1].tx_err, 0);
    assert_int_equal(w->nup, 2);                /* guest 2's MAC is unknown now: flooded out */
    assert_int_equal(w->g[2].nrx, 0);
}

/* A blank checksum (Linux netfront's default) arrives filled in. */
static void test_csum_offload(void **state)
{
    uint8_t *f = &frames[3][0][0];
    struct netfront_frag fr = { f, 0, 60 };
    uint32_t sum = 0;

    (void)state;
    memset(f, 0, 60);
    memcpy(f, MAC2, 6);
    memcpy(f + 6, MAC1, 6);
    f[12] = 0x08;
    f[14] = 0x45; f[17] = 46; f[23] = 6;        /* IPv4, 46 bytes, TCP */
    f[26] = 10; f[29] = 1; f[30] = 10; f[33] = 2;
    f[46] = 0x50;                               /* TCP header length 20 */
    assert_int_equal(netfront_xmit(&w->g[1].nf, &fr, 1, NETTXF_csum_blank | NETTXF_data_validated,
                                   NULL), 0);
    pump();
    assert_int_equal(w->g[2].nrx, 1);
    f = w->g[2].last;
    for (unsigned int i = 26; i < 34; i += 2)
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    sum += 6 + 26;
    for (unsigned int i = 34; i < 60; i += 2)
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sum, 0xffff);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_broadcast_and_unicast), T(test_big_fragmented), T(test_spoofed),
        T(test_stalled_receiver), T(test_hostile_guest), T(test_csum_offload),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
