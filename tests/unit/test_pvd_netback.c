/*
 * pvdrivers/netback against a fake frontend: the test drives both rings
 * with io/ring.h's front macros, the frontend's grants are frames of a
 * table (each copy checked against its grant: bounds, read-only, revoked,
 * and the local side never crossing a page), packets come from a counted
 * pool so a test can say none leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pv_netback.h"
#include <tandem/errno.h>
#include <tandem/grant_table.h>

#define NR_PAGES   64
#define TX_REF     1000
#define RX_REF     1001
#define MAX_DELIV  128

struct fake {
    uint8_t page[NR_PAGES][4096] __attribute__((aligned(4096)));
    bool readonly[NR_PAGES];
    uint8_t txring[4096] __attribute__((aligned(4096)));
    uint8_t rxring[4096] __attribute__((aligned(4096)));
    bool tx_mapped, rx_mapped;
    uint32_t bad_ring_ref;
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    unsigned int copy_calls, copy_ops, notify_tx, notify_rx;
    int copy_rc;
    struct netpkt *deliv[MAX_DELIV];
    unsigned int ndeliv;
    int outstanding;
    bool pool_empty;
    struct netpkt_pool pool;
    struct netback nb;
};

/* Every log line since setup, one after the other. */
static char logbuf[4096];
static unsigned int nr_logs;

void pvos_log(const char *fmt, ...)
{
    size_t used = strlen(logbuf);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(logbuf + used, sizeof(logbuf) - used, fmt, ap);
    va_end(ap);
    used = strlen(logbuf);
    snprintf(logbuf + used, sizeof(logbuf) - used, "\n");
    nr_logs++;
}

/* Packet data starts 2 KiB into a page, so big frames cross local pages. */
static struct netpkt *p_alloc(void *ctx, uint32_t len)
{
    struct fake *f = ctx;
    struct netpkt *p;
    uint8_t *buf;

    if (f->pool_empty)
        return NULL;
    p = calloc(1, sizeof(*p));
    buf = aligned_alloc(4096, ((len + 2048 + 4095) / 4096) * 4096);

    p->data = buf + 2048;
    p->cap = len;
    f->outstanding++;
    return p;
}

static void p_free(void *ctx, struct netpkt *p)
{
    struct fake *f = ctx;

    free(p->data - 2048);
    free(p);
    f->outstanding--;
}

static void *f_map_ring(void *ctx, uint16_t domid, uint32_t ref, int *err)
{
    struct fake *f = ctx;

    (void)domid;
    if (ref == f->bad_ring_ref) {
        *err = -XEN_EINVAL;
        return NULL;
    }
    if (ref == TX_REF) {
        f->tx_mapped = true;
        return f->txring;
    }
    if (ref == RX_REF) {
        f->rx_mapped = true;
        return f->rxring;
    }
    *err = -XEN_EINVAL;
    return NULL;
}

static void f_unmap_ring(void *ctx, void *va)
{
    struct fake *f = ctx;

    if (va == f->txring) {
        assert_true(f->tx_mapped);
        f->tx_mapped = false;
    } else {
        assert_ptr_equal(va, f->rxring);
        assert_true(f->rx_mapped);
        f->rx_mapped = false;
    }
}

static int f_copy(void *ctx, uint16_t domid, struct netback_copy *ops, unsigned int n)
{
    struct fake *f = ctx;
    unsigned int i;

    assert_int_equal(domid, 7);
    f->copy_calls++;
    f->copy_ops += n;
    assert_true(n <= NETBACK_COPY_BATCH);
    for (i = 0; i < n; i++) {
        struct netback_copy *c = &ops[i];

        assert_true(((uintptr_t)c->local & 4095) + c->len <= 4096);
        assert_true(c->len > 0);
        if (c->gref >= NR_PAGES)
            c->status = GNTST_bad_gntref;
        else if (c->offset + c->len > 4096)
            c->status = GNTST_bad_copy_arg;
        else if (c->to_frontend && f->readonly[c->gref])
            c->status = GNTST_permission_denied;
        else {
            if (c->to_frontend)
                memcpy(f->page[c->gref] + c->offset, c->local, c->len);
            else
                memcpy(c->local, f->page[c->gref] + c->offset, c->len);
            c->status = GNTST_okay;
        }
    }
    return f->copy_rc;
}

static void f_notify(void *ctx, enum netback_evt which)
{
    struct fake *f = ctx;

    if (which == NETBACK_EVT_TX)
        f->notify_tx++;
    else
        f->notify_rx++;
}

static void f_deliver(void *ctx, struct netpkt *pkt)
{
    struct fake *f = ctx;

    assert_true(f->ndeliv < MAX_DELIV);
    f->deliv[f->ndeliv++] = pkt;
}

static const struct netback_ops fops = {
    .map_ring = f_map_ring, .unmap_ring = f_unmap_ring, .copy = f_copy,
    .notify = f_notify, .deliver = f_deliver,
};

static const uint8_t vif_mac[6] = { 0x00, 0x16, 0x3e, 0, 0, 1 };

static struct netback_front front_default(void)
{
    return (struct netback_front){ .tx_ring_ref = TX_REF, .rx_ring_ref = RX_REF,
                                   .evtchn_tx = 5, .evtchn_rx = 5, .sg = true, .csum = true };
}

static int setup(void **state)
{
    struct fake *f = aligned_alloc(4096, sizeof(*f));
    struct netback_ops ops = fops;
    struct netback_front fr = front_default();
    unsigned int i;

    memset(f, 0, sizeof(*f));
    for (i = 0; i < NR_PAGES; i++)
        memset(f->page[i], (int)(0x40 + i), 4096);
    f->bad_ring_ref = 0xffffffffu;
    f->pool = (struct netpkt_pool){ .ctx = f, .alloc = p_alloc, .free = p_free };
    SHARED_RING_INIT((netif_tx_sring_t *)f->txring);
    SHARED_RING_INIT((netif_rx_sring_t *)f->rxring);
    FRONT_RING_INIT(&f->tx, (netif_tx_sring_t *)f->txring, 4096);
    FRONT_RING_INIT(&f->rx, (netif_rx_sring_t *)f->rxring, 4096);
    ops.ctx = f;
    netback_init(&f->nb, &ops, &f->pool, 7, vif_mac);
    assert_int_equal(netback_connect(&f->nb, &fr), 0);
    nr_logs = 0;
    logbuf[0] = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    for (i = 0; i < f->ndeliv; i++)
        netpkt_put(f->deliv[i]);
    netback_disconnect(&f->nb);
    assert_false(f->tx_mapped);
    assert_false(f->rx_mapped);
    assert_int_equal(f->outstanding, 0);
    free(f);
    return 0;
}

/* ---- frontend helpers ---- */

static void tx_req(struct fake *f, uint32_t gref, uint16_t off, uint16_t flags, uint16_t id,
                   uint16_t size)
{
    netif_tx_request_t *r = RING_GET_REQUEST(&f->tx, f->tx.req_prod_pvt++);

    *r = (netif_tx_request_t){ .gref = gref, .offset = off, .flags = flags, .id = id, .size = size };
}

static void tx_extra(struct fake *f, uint8_t type, uint8_t flags, uint16_t gso_size, uint8_t gso_type)
{
    netif_extra_info_t *e = (netif_extra_info_t *)RING_GET_REQUEST(&f->tx, f->tx.req_prod_pvt++);

    memset(e, 0, sizeof(*e));
    e->type = type;
    e->flags = flags;
    e->u.gso.size = gso_size;
    e->u.gso.type = gso_type;
}

static void tx_push(struct fake *f)
{
    RING_PUSH_REQUESTS(&f->tx);
}

/* The i-th response since the start (responses are never consumed by the fake). */
static netif_tx_response_t *tx_rsp(struct fake *f, unsigned int i)
{
    return RING_GET_RESPONSE(&f->tx, i);
}

static unsigned int tx_rsp_prod(struct fake *f)
{
    return f->tx.sring->rsp_prod;
}

static void rx_post(struct fake *f, unsigned int n, uint32_t gref0)
{
    unsigned int i;

    for (i = 0; i < n; i++) {
        netif_rx_request_t *r = RING_GET_REQUEST(&f->rx, f->rx.req_prod_pvt);

        r->id = (uint16_t)(f->rx.req_prod_pvt & 255);
        r->gref = gref0 + i;
        f->rx.req_prod_pvt++;
    }
    RING_PUSH_REQUESTS(&f->rx);
}

static struct netpkt *mkpkt(struct fake *f, uint32_t len, uint8_t seed)
{
    struct netpkt *p = netpkt_alloc(&f->pool, len);
    uint32_t i;

    for (i = 0; i < len; i++)
        p->data[i] = (uint8_t)(seed + i * 7);
    return p;
}

/* ---- transmit ---- */

static void test_tx_one(void **state)
{
    struct fake *f = *state;

    tx_req(f, 3, 100, 0, 42, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 1);
    assert_int_equal(f->ndeliv, 1);
    assert_int_equal(f->deliv[0]->len, 60);
    assert_memory_equal(f->deliv[0]->data, f->page[3] + 100, 60);
    assert_int_equal(tx_rsp_prod(f), 1);
    assert_int_equal(tx_rsp(f, 0)->id, 42);
    assert_int_equal(tx_rsp(f, 0)->status, NETIF_RSP_OKAY);
    assert_int_equal(f->notify_tx, 1);      /* rsp_event was 1 */
    assert_int_equal(f->copy_calls, 1);
    /* Idle: the next request must bring an event. */
    assert_int_equal(f->tx.sring->req_event, 2);
    assert_int_equal(f->nb.stats.tx_packets, 1);
}

static void test_tx_frags(void **state)
{
    struct fake *f = *state;
    struct netpkt *p;

    /* 3000 + 4096 + 500 bytes: the first slot's size is the whole packet. */
    tx_req(f, 1, 1096, NETTXF_more_data, 10, 3000 + 4096 + 500);
    tx_req(f, 2, 0, NETTXF_more_data, 11, 4096);
    tx_req(f, 3, 7, 0, 12, 500);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 1);
    assert_int_equal(f->ndeliv, 1);
    p = f->deliv[0];
    assert_int_equal(p->len, 7596);
    assert_memory_equal(p->data, f->page[1] + 1096, 3000);
    assert_memory_equal(p->data + 3000, f->page[2], 4096);
    assert_memory_equal(p->data + 7096, f->page[3] + 7, 500);
    assert_int_equal(tx_rsp_prod(f), 3);
    assert_int_equal(tx_rsp(f, 0)->id, 10);
    assert_int_equal(tx_rsp(f, 1)->id, 11);
    assert_int_equal(tx_rsp(f, 2)->id, 12);
    /* Local pages crossed: more elements than slots, one call. */
    assert_true(f->copy_ops > 3);
    assert_int_equal(f->copy_calls, 1);
}

/* Slots after the first: 18 accepted, 19 and 20 dropped with ERROR, 21 fatal (Linux's limits). */
static void chain(struct fake *f, unsigned int after, uint16_t id0)
{
    unsigned int i;

    tx_req(f, 1, 0, NETTXF_more_data, id0, (uint16_t)(100 + after * 10));
    for (i = 0; i < after; i++)
        tx_req(f, 2, 0, i + 1 < after ? NETTXF_more_data : 0, (uint16_t)(id0 + 1 + i), 10);
}

static void test_tx_max_slots(void **state)
{
    struct fake *f = *state;

    chain(f, NETBACK_SLOTS_MAX, 0);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 1);
    assert_int_equal(f->ndeliv, 1);
    assert_int_equal(f->deliv[0]->len, 100 + 18 * 10);
    assert_int_equal(tx_rsp_prod(f), 19);
    assert_int_equal(tx_rsp(f, 18)->status, NETIF_RSP_OKAY);
}

static void test_tx_too_many_slots_dropped(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    chain(f, NETBACK_SLOTS_MAX + 1, 0);     /* 20 slots */
    chain(f, NETBACK_SLOTS_MAX + 2, 100);   /* 21 slots */
    tx_req(f, 4, 0, 0, 200, 64);            /* a good one after them */
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 3);
    assert_int_equal(tx_rsp_prod(f), 20 + 21 + 1);
    for (i = 0; i < 41; i++)
        assert_int_equal(tx_rsp(f, i)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 0)->id, 0);
    assert_int_equal(tx_rsp(f, 19)->id, 19);
    assert_int_equal(tx_rsp(f, 40)->id, 120);
    assert_int_equal(tx_rsp(f, 41)->status, NETIF_RSP_OKAY);
    assert_int_equal(f->ndeliv, 1);
    assert_int_equal(f->nb.stats.tx_errors, 2);
    assert_true(f->nb.connected);
}

static void assert_fatal(struct fake *f, int rc)
{
    assert_int_equal(rc, -XEN_EACCES);
    assert_false(f->nb.connected);
    assert_true(f->nb.fatal);
    assert_false(f->tx_mapped);
    assert_false(f->rx_mapped);
    assert_true(nr_logs >= 1);
    assert_non_null(strstr(logbuf, "netback d7"));
    assert_int_equal(netback_tx_process(&f->nb, 64), -XEN_ENOTCONN);
    assert_int_equal(netback_rx_process(&f->nb, 64), -XEN_ENOTCONN);
    assert_int_equal(netback_connect(&f->nb, &(struct netback_front){ .tx_ring_ref = TX_REF,
                                                                      .rx_ring_ref = RX_REF }),
                     -XEN_EISCONN);
}

static void test_tx_fatal_slots(void **state)
{
    struct fake *f = *state;

    chain(f, NETBACK_FATAL_SLOTS + 1, 0);   /* 22 slots */
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_int_equal(f->ndeliv, 0);
}

static void test_tx_chain_past_published(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, NETTXF_more_data, 1, 200);
    tx_req(f, 2, 0, NETTXF_more_data, 2, 100);  /* says more, nothing follows */
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "published"));
}

static void test_tx_cross_page(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, NETTXF_more_data, 1, 200);
    tx_req(f, 2, 4000, 0, 2, 100);              /* 4000 + 100 > 4096 */
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "cross page"));
}

static void test_tx_first_cross_page(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 4000, 0, 1, 200);
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
}

static void test_tx_size_mismatch(void **state)
{
    struct fake *f = *state;

    /* A later slot bigger than what is left of the first's size (a >= 64 KiB frame that wrapped). */
    tx_req(f, 1, 0, NETTXF_more_data, 1, 100);
    tx_req(f, 2, 0, 0, 2, 200);
    tx_req(f, 3, 0, 0, 3, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 2);
    assert_int_equal(tx_rsp(f, 0)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 1)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 2)->status, NETIF_RSP_OKAY);
    assert_int_equal(f->ndeliv, 1);
}

static void test_tx_runt(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, 0, 9, 13);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 1);
    assert_int_equal(tx_rsp(f, 0)->id, 9);
    assert_int_equal(tx_rsp(f, 0)->status, NETIF_RSP_ERROR);
    assert_int_equal(f->ndeliv, 0);
    assert_true(f->nb.connected);
}

static void test_tx_bad_grant(void **state)
{
    struct fake *f = *state;

    tx_req(f, 5, 0, 0, 1, 60);
    tx_req(f, 999, 0, 0, 2, 60);                /* not a grant of ours */
    tx_req(f, 1, 0, NETTXF_more_data, 3, 120);
    tx_req(f, 888, 0, 0, 4, 60);                /* second slot of a packet bad */
    tx_req(f, 6, 0, 0, 5, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 4);
    assert_int_equal(tx_rsp(f, 0)->status, NETIF_RSP_OKAY);
    assert_int_equal(tx_rsp(f, 1)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 2)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 3)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 4)->status, NETIF_RSP_OKAY);
    assert_int_equal(f->ndeliv, 2);
    assert_int_equal(f->copy_calls, 1);
    assert_non_null(strstr(logbuf, "grant copy failed"));
}

static void test_tx_no_memory(void **state)
{
    struct fake *f = *state;

    f->pool_empty = true;
    tx_req(f, 5, 0, NETTXF_more_data, 1, 120);
    tx_req(f, 6, 0, 0, 2, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 1);
    assert_int_equal(tx_rsp(f, 0)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 1)->status, NETIF_RSP_ERROR);
    assert_int_equal(f->copy_calls, 0);
    assert_true(f->nb.connected);
    f->pool_empty = false;
}

static void test_tx_copy_call_fails(void **state)
{
    struct fake *f = *state;

    f->copy_rc = -XEN_EFAULT;
    tx_req(f, 5, 0, 0, 1, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 1);
    assert_int_equal(tx_rsp(f, 0)->status, NETIF_RSP_ERROR);
    assert_int_equal(f->ndeliv, 0);
}

static void test_tx_extras(void **state)
{
    struct fake *f = *state;

    /* Multicast add: a dummy request, answered OKAY, nothing delivered. */
    tx_req(f, 0, 0, NETTXF_extra_info, 1, 0);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0, 0);
    /* GSO well formed, but not offered: ERROR, and NULL for its extra. */
    tx_req(f, 1, 0, NETTXF_extra_info, 2, 100);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1400, XEN_NETIF_GSO_TYPE_TCPV4);
    /* A hash extra is carried and ignored. */
    tx_req(f, 1, 0, NETTXF_extra_info, 3, 100);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_HASH, 0, 0, 0);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 3);
    assert_int_equal(tx_rsp_prod(f), 6);
    assert_int_equal(tx_rsp(f, 0)->id, 1);
    assert_int_equal(tx_rsp(f, 0)->status, NETIF_RSP_OKAY);
    assert_int_equal(tx_rsp(f, 1)->status, NETIF_RSP_NULL);
    assert_int_equal(tx_rsp(f, 2)->id, 2);
    assert_int_equal(tx_rsp(f, 2)->status, NETIF_RSP_ERROR);
    assert_int_equal(tx_rsp(f, 3)->status, NETIF_RSP_NULL);
    assert_int_equal(tx_rsp(f, 4)->id, 3);
    assert_int_equal(tx_rsp(f, 4)->status, NETIF_RSP_OKAY);
    assert_int_equal(tx_rsp(f, 5)->status, NETIF_RSP_NULL);
    assert_int_equal(f->ndeliv, 1);
}

static void test_tx_extra_missing(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, NETTXF_extra_info, 1, 100);
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "missing extra"));
}

static void test_tx_extra_bad_type(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, NETTXF_extra_info, 1, 100);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_MAX, 0, 0, 0);
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "invalid extra type"));
}

static void test_tx_extra_type_none(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, NETTXF_extra_info, 1, 100);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_NONE, 0, 0, 0);
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
}

static void test_tx_extra_chain_too_long(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    tx_req(f, 1, 0, NETTXF_extra_info, 1, 100);
    for (i = 0; i < 5; i++)
        tx_extra(f, XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE, 0, 0);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_HASH, 0, 0, 0);
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
}

static void test_tx_gso_zero(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, NETTXF_extra_info, 1, 100);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "GSO size"));
}

static void test_tx_gso_bad_type(void **state)
{
    struct fake *f = *state;

    tx_req(f, 1, 0, NETTXF_extra_info, 1, 100);
    tx_extra(f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1400, 7);
    tx_push(f);
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "bad GSO type"));
}

static void test_tx_garbage_index(void **state)
{
    struct fake *f = *state;

    f->tx.sring->req_prod = 1000;
    assert_fatal(f, netback_tx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "impossible number of tx requests"));
}

static void test_tx_logs_capped(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    for (i = 0; i < 40; i++)
        tx_req(f, 900, 0, 0, (uint16_t)i, 60);  /* every one a bad grant: a log line each */
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 40);
    assert_int_equal(nr_logs, 16);
    assert_int_equal(f->nb.stats.tx_errors, 40);
}

static void test_tx_budget(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    for (i = 0; i < 10; i++)
        tx_req(f, 1, 0, 0, (uint16_t)i, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 4), 4);
    assert_int_equal(f->ndeliv, 4);
    assert_int_equal(netback_tx_process(&f->nb, 4), 4);
    assert_int_equal(netback_tx_process(&f->nb, 4), 2);
    assert_int_equal(netback_tx_process(&f->nb, 4), 0);
    assert_int_equal(f->ndeliv, 10);
    assert_int_equal(tx_rsp_prod(f), 10);
}

static void test_tx_batches(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    /* 40 packets: two copy calls (a batch holds NETBACK_TX_BATCH packets). */
    for (i = 0; i < 40; i++)
        tx_req(f, 1, 0, 0, (uint16_t)i, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 40);
    assert_int_equal(f->copy_calls, 2);
    assert_int_equal(f->ndeliv, 40);
}

static void test_tx_notify_suppressed(void **state)
{
    struct fake *f = *state;

    /* The frontend is not waiting for responses: no event. */
    f->tx.sring->rsp_event = 100;
    tx_req(f, 1, 0, 0, 1, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 1);
    assert_int_equal(f->notify_tx, 0);
    assert_int_equal(f->nb.stats.notifies, 0);
}

/* IPv4/UDP with a blank checksum: filled in before delivery. */
static void test_tx_csum_blank(void **state)
{
    struct fake *f = *state;
    uint8_t *fr = f->page[8];
    const uint8_t *d;
    uint32_t sum = 0, i;

    memset(fr, 0, 64);
    fr[12] = 0x08; fr[13] = 0x00;                   /* IPv4 */
    fr[14] = 0x45; fr[16] = 0; fr[17] = 20 + 8 + 10; /* total length 38 */
    fr[22] = 64; fr[23] = 17;                       /* ttl, UDP */
    fr[26] = 10; fr[27] = 0; fr[28] = 2; fr[29] = 15; /* src 10.0.2.15 */
    fr[30] = 10; fr[31] = 0; fr[32] = 2; fr[33] = 2;  /* dst 10.0.2.2 */
    fr[34] = 0x12; fr[35] = 0x34; fr[36] = 0; fr[37] = 80;
    fr[38] = 0; fr[39] = 18;                        /* UDP length */
    for (i = 0; i < 10; i++)
        fr[42 + i] = (uint8_t)(i + 1);
    tx_req(f, 8, 0, NETTXF_csum_blank | NETTXF_data_validated, 1, 52);
    /* And one that is no IP packet at all: dropped, answered OKAY (as Linux). */
    tx_req(f, 9, 0, NETTXF_csum_blank, 2, 60);
    tx_push(f);
    assert_int_equal(netback_tx_process(&f->nb, 64), 2);
    assert_int_equal(f->ndeliv, 1);
    assert_int_equal(tx_rsp(f, 1)->status, NETIF_RSP_OKAY);
    assert_int_equal(f->nb.stats.tx_csum_dropped, 1);
    d = f->deliv[0]->data;
    assert_true(f->deliv[0]->flags & NETPKT_F_DATA_VALIDATED);
    assert_true(d[40] || d[41]);
    /* Pseudo header + UDP segment sums to 0xffff. */
    for (i = 0; i < 8; i += 2)
        sum += (uint32_t)(d[26 + i] << 8 | d[27 + i]);
    sum += 17 + 18;
    for (i = 0; i < 18; i += 2)
        sum += (uint32_t)(d[34 + i] << 8 | d[35 + i]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sum, 0xffff);
}

/* ---- receive ---- */

static netif_rx_response_t *rx_rsp(struct fake *f, unsigned int i)
{
    return RING_GET_RESPONSE(&f->rx, i);
}

static void test_rx_one(void **state)
{
    struct fake *f = *state;
    struct netpkt *p = mkpkt(f, 100, 1);

    p->flags = NETPKT_F_DATA_VALIDATED;
    rx_post(f, 4, 20);
    assert_int_equal(netback_rx_enqueue(&f->nb, p), 0);
    netpkt_put(p);
    assert_int_equal(netback_rx_process(&f->nb, 64), 1);
    assert_int_equal(f->rx.sring->rsp_prod, 1);
    assert_int_equal(rx_rsp(f, 0)->id, 0);
    assert_int_equal(rx_rsp(f, 0)->status, 100);
    assert_int_equal(rx_rsp(f, 0)->offset, 0);
    assert_int_equal(rx_rsp(f, 0)->flags, NETRXF_data_validated);
    assert_int_equal(f->page[20][0], 1);
    assert_int_equal(f->page[20][99], (uint8_t)(1 + 99 * 7));
    assert_int_equal(f->notify_rx, 1);
    assert_int_equal(f->nb.stats.rx_packets, 1);
}

static void test_rx_multislot(void **state)
{
    struct fake *f = *state;
    struct netpkt *p = mkpkt(f, 9000, 3);
    uint8_t all[9000];

    memcpy(all, p->data, 9000);
    rx_post(f, 4, 20);
    assert_int_equal(netback_rx_enqueue(&f->nb, p), 0);
    netpkt_put(p);
    assert_int_equal(netback_rx_process(&f->nb, 64), 1);
    assert_int_equal(f->rx.sring->rsp_prod, 3);
    assert_int_equal(rx_rsp(f, 0)->status, 4096);
    assert_int_equal(rx_rsp(f, 0)->flags, NETRXF_more_data);
    assert_int_equal(rx_rsp(f, 1)->status, 4096);
    assert_int_equal(rx_rsp(f, 1)->flags, NETRXF_more_data);
    assert_int_equal(rx_rsp(f, 2)->status, 9000 - 8192);
    assert_int_equal(rx_rsp(f, 2)->flags, 0);
    assert_int_equal(rx_rsp(f, 2)->id, 2);
    assert_memory_equal(f->page[20], all, 4096);
    assert_memory_equal(f->page[21], all + 4096, 4096);
    assert_memory_equal(f->page[22], all + 8192, 808);
}

static void test_rx_refused(void **state)
{
    struct fake *f = *state;
    struct netpkt *runt = mkpkt(f, 13, 0), *big = mkpkt(f, 5000, 0);
    struct netpkt *huge = mkpkt(f, NETPKT_MAX_LEN + 1, 0);

    assert_int_equal(netback_rx_enqueue(&f->nb, runt), -XEN_EINVAL);
    assert_int_equal(netback_rx_enqueue(&f->nb, huge), -XEN_E2BIG);
    netpkt_put(huge);
    f->nb.front.sg = false;
    assert_int_equal(netback_rx_enqueue(&f->nb, big), -XEN_E2BIG);
    netback_disconnect(&f->nb);
    assert_int_equal(netback_rx_enqueue(&f->nb, runt), -XEN_ENOTCONN);
    assert_int_equal(f->nb.stats.rx_dropped, 4);
    netpkt_put(runt);
    netpkt_put(big);
}

/* A frontend that posts nothing: a bounded queue, then drops; posting later drains it. */
static void test_rx_no_buffers(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    for (i = 0; i < NETBACK_RXQ_MAX + 5; i++) {
        struct netpkt *p = mkpkt(f, 1000, (uint8_t)i);

        assert_int_equal(netback_rx_enqueue(&f->nb, p), i < NETBACK_RXQ_MAX ? 0 : -XEN_ENOSPC);
        netpkt_put(p);
    }
    assert_int_equal(f->nb.stats.rx_dropped, 5);
    assert_int_equal(netback_rx_process(&f->nb, 64), 0);
    /* It asked to be told when one buffer is there. */
    assert_int_equal(f->rx.sring->req_event, 1);
    assert_int_equal(f->outstanding, NETBACK_RXQ_MAX);
    rx_post(f, 10, 20);
    assert_int_equal(netback_rx_process(&f->nb, 64), 10);
    assert_int_equal(f->rx.sring->req_event, 11);
    assert_int_equal(netback_rx_purge(&f->nb), NETBACK_RXQ_MAX - 10);
    assert_int_equal(f->outstanding, 0);
}

static void test_rx_byte_limit(void **state)
{
    struct fake *f = *state;
    unsigned int i, ok = 0;

    for (i = 0; i < 10; i++) {
        struct netpkt *p = mkpkt(f, 60000, 0);

        ok += netback_rx_enqueue(&f->nb, p) == 0;
        netpkt_put(p);
    }
    assert_int_equal(ok, NETBACK_RXQ_BYTES / 60000);
}

static void test_rx_wait_for_enough(void **state)
{
    struct fake *f = *state;
    struct netpkt *p = mkpkt(f, 9000, 0);

    rx_post(f, 2, 20);      /* the packet needs 3 */
    assert_int_equal(netback_rx_enqueue(&f->nb, p), 0);
    netpkt_put(p);
    assert_int_equal(netback_rx_process(&f->nb, 64), 0);
    assert_int_equal(f->rx.sring->req_event, 3);
    assert_int_equal(f->rx.sring->rsp_prod, 0);
    rx_post(f, 1, 22);
    assert_int_equal(netback_rx_process(&f->nb, 64), 1);
    assert_int_equal(f->rx.sring->rsp_prod, 3);
}

static void test_rx_bad_grant(void **state)
{
    struct fake *f = *state;
    struct netpkt *p = mkpkt(f, 100, 0), *q = mkpkt(f, 100, 0);

    rx_post(f, 1, 500);     /* not a grant */
    rx_post(f, 1, 21);
    f->readonly[21] = true; /* granted read-only: a copy into it fails too */
    rx_post(f, 1, 22);
    assert_int_equal(netback_rx_enqueue(&f->nb, p), 0);
    assert_int_equal(netback_rx_enqueue(&f->nb, q), 0);
    assert_int_equal(netback_rx_enqueue(&f->nb, p), 0);
    netpkt_put(p);
    netpkt_put(q);
    assert_int_equal(netback_rx_process(&f->nb, 64), 3);
    assert_int_equal(rx_rsp(f, 0)->status, NETIF_RSP_ERROR);
    assert_int_equal(rx_rsp(f, 1)->status, NETIF_RSP_ERROR);
    assert_int_equal(rx_rsp(f, 2)->status, 100);
    assert_int_equal(f->nb.stats.rx_errors, 2);
    assert_true(f->nb.connected);
}

static void test_rx_garbage_index(void **state)
{
    struct fake *f = *state;
    struct netpkt *p = mkpkt(f, 100, 0);

    assert_int_equal(netback_rx_enqueue(&f->nb, p), 0);
    netpkt_put(p);
    f->rx.sring->req_prod = 5000;
    assert_fatal(f, netback_rx_process(&f->nb, 64));
    assert_non_null(strstr(logbuf, "impossible number of rx requests"));
    assert_int_equal(f->outstanding, 0);    /* the queue was dropped */
}

static void test_rx_budget_and_notify(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    rx_post(f, 10, 20);
    for (i = 0; i < 10; i++) {
        struct netpkt *p = mkpkt(f, 64, 0);

        assert_int_equal(netback_rx_enqueue(&f->nb, p), 0);
        netpkt_put(p);
    }
    assert_int_equal(netback_rx_process(&f->nb, 3), 3);
    assert_int_equal(f->notify_rx, 1);
    /* The frontend has not consumed: rsp_event still 1, so no more events. */
    assert_int_equal(netback_rx_process(&f->nb, 64), 7);
    assert_int_equal(f->notify_rx, 1);
    assert_int_equal(f->rx.sring->rsp_prod, 10);
    assert_int_equal(f->copy_calls, 2);
}

/* ---- connect and keys ---- */

static void test_connect_fails(void **state)
{
    struct fake *f = *state;
    struct netback nb2;
    struct netback_ops ops = fops;
    struct netback_front fr = front_default();

    assert_int_equal(netback_connect(&f->nb, &fr), -XEN_EISCONN);
    ops.ctx = f;
    netback_disconnect(&f->nb);
    netback_init(&nb2, &ops, &f->pool, 7, vif_mac);
    f->bad_ring_ref = RX_REF;
    assert_int_equal(netback_connect(&nb2, &fr), -XEN_EINVAL);
    assert_false(f->tx_mapped);             /* the tx ring was unmapped again */
    assert_false(nb2.connected);
    f->bad_ring_ref = TX_REF;
    assert_int_equal(netback_connect(&nb2, &fr), -XEN_EINVAL);
    assert_false(f->rx_mapped);
}

struct kv {
    const char *key, *val;
};

struct xs_fake {
    struct kv kv[32];
    unsigned int n;
    char written[1024];
};

static int xs_write(void *ctx, const char *key, const char *val)
{
    struct xs_fake *x = ctx;
    size_t used = strlen(x->written);

    snprintf(x->written + used, sizeof(x->written) - used, "%s=%s ", key, val);
    return 0;
}

static int xs_read(void *ctx, const char *key, char *buf, uint32_t cap)
{
    struct xs_fake *x = ctx;
    unsigned int i;

    for (i = 0; i < x->n; i++)
        if (!strcmp(x->kv[i].key, key)) {
            snprintf(buf, cap, "%s", x->kv[i].val);
            return (int)strlen(buf);
        }
    return -XEN_ENOENT;
}

static int xs_write_fail(void *ctx, const char *key, const char *val)
{
    (void)ctx;
    (void)val;
    return strcmp(key, "feature-rx-copy") ? 0 : -XEN_EACCES;
}

static void test_publish_fails(void **state)
{
    struct netback_xs_ops xs = { .write = xs_write_fail, .read = xs_read };

    (void)state;
    assert_int_equal(netback_publish_features(&xs), -XEN_EACCES);
}

static void test_publish(void **state)
{
    struct xs_fake x = { .n = 0 };
    struct netback_xs_ops xs = { .ctx = &x, .write = xs_write, .read = xs_read };

    (void)state;
    assert_int_equal(netback_publish_features(&xs), 0);
    assert_string_equal(x.written, "feature-sg=1 feature-rx-copy=1 feature-rx-flip=0 "
                                   "feature-split-event-channels=1 feature-ipv6-csum-offload=1 ");
}

static void set(struct xs_fake *x, const char *key, const char *val)
{
    unsigned int i;

    for (i = 0; i < x->n; i++)
        if (!strcmp(x->kv[i].key, key)) {
            if (val)
                x->kv[i].val = val;
            else
                x->kv[i] = x->kv[--x->n];
            return;
        }
    if (val)
        x->kv[x->n++] = (struct kv){ key, val };
}

static struct xs_fake linux_front(void)
{
    struct xs_fake x = { .n = 0 };

    set(&x, "tx-ring-ref", "8");
    set(&x, "rx-ring-ref", "9");
    set(&x, "event-channel", "12");
    set(&x, "request-rx-copy", "1");
    set(&x, "feature-rx-notify", "1");
    set(&x, "feature-sg", "1");
    set(&x, "feature-gso-tcpv4", "1");
    return x;
}

static int read_with(struct xs_fake *x, struct netback_front *f)
{
    struct netback_xs_ops xs = { .ctx = x, .write = xs_write, .read = xs_read };

    return netback_read_frontend(&xs, f);
}

static void test_read_frontend(void **state)
{
    struct xs_fake x = linux_front();
    struct netback_front f;

    (void)state;
    assert_int_equal(read_with(&x, &f), 0);
    assert_int_equal(f.tx_ring_ref, 8);
    assert_int_equal(f.rx_ring_ref, 9);
    assert_int_equal(f.evtchn_tx, 12);
    assert_int_equal(f.evtchn_rx, 12);
    assert_false(f.split);
    assert_true(f.sg);
    assert_true(f.csum);
    assert_false(f.ipv6_csum);
    assert_true(f.gso_tcpv4);
    /* Split channels. */
    set(&x, "event-channel", NULL);
    set(&x, "event-channel-tx", "13");
    set(&x, "event-channel-rx", "14");
    set(&x, "feature-no-csum-offload", "1");
    assert_int_equal(read_with(&x, &f), 0);
    assert_true(f.split);
    assert_int_equal(f.evtchn_tx, 13);
    assert_int_equal(f.evtchn_rx, 14);
    assert_false(f.csum);
    set(&x, "event-channel-rx", NULL);
    assert_int_equal(read_with(&x, &f), -XEN_ENOENT);
}

static void test_read_frontend_refused(void **state)
{
    static const struct {
        const char *key, *val;
        int rc;
    } cases[] = {
        { "tx-ring-ref", NULL, -XEN_ENOENT },
        { "rx-ring-ref", NULL, -XEN_ENOENT },
        { "event-channel", NULL, -XEN_ENOENT },
        { "tx-ring-ref", "-1", -XEN_EINVAL },
        { "rx-ring-ref", "12x", -XEN_EINVAL },
        { "event-channel", "", -XEN_EINVAL },
        { "tx-ring-ref", "4294967296", -XEN_EINVAL },
        { "request-rx-copy", NULL, -XEN_EOPNOTSUPP },   /* Linux: rx-copy required */
        { "request-rx-copy", "0", -XEN_EOPNOTSUPP },
        { "request-rx-copy", "2", -XEN_EINVAL },
        { "feature-rx-notify", NULL, -XEN_EOPNOTSUPP },
        { "feature-sg", "yes", -XEN_EINVAL },
        { "multi-queue-num-queues", "2", -XEN_EINVAL },
        { "multi-queue-num-queues", "0", -XEN_EINVAL },
        { "multi-queue-num-queues", "1", 0 },
    };
    unsigned int i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct xs_fake x = linux_front();
        struct netback_front f;

        set(&x, cases[i].key, cases[i].val);
        assert_int_equal(read_with(&x, &f), cases[i].rc);
    }
}

static void test_mac_parse(void **state)
{
    uint8_t mac[6];

    (void)state;
    assert_int_equal(netpkt_mac_parse("00:16:3e:Aa:0b:ff", mac), 0);
    assert_int_equal(mac[3], 0xaa);
    assert_int_equal(mac[5], 0xff);
    assert_int_equal(netpkt_mac_parse("00:16:3e:aa:0b", mac), -XEN_EINVAL);
    assert_int_equal(netpkt_mac_parse("00:16:3e:aa:0b:ff:", mac), -XEN_EINVAL);
    assert_int_equal(netpkt_mac_parse("00-16-3e-aa-0b-ff", mac), -XEN_EINVAL);
    assert_int_equal(netpkt_mac_parse("0g:16:3e:aa:0b:ff", mac), -XEN_EINVAL);
    assert_int_equal(netpkt_mac_parse("", mac), -XEN_EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_tx_one), T(test_tx_frags), T(test_tx_max_slots), T(test_tx_too_many_slots_dropped),
        T(test_tx_fatal_slots), T(test_tx_chain_past_published), T(test_tx_cross_page),
        T(test_tx_first_cross_page), T(test_tx_size_mismatch), T(test_tx_runt),
        T(test_tx_bad_grant), T(test_tx_no_memory), T(test_tx_copy_call_fails), T(test_tx_extras),
        T(test_tx_extra_missing), T(test_tx_extra_bad_type), T(test_tx_extra_type_none),
        T(test_tx_extra_chain_too_long), T(test_tx_gso_zero), T(test_tx_gso_bad_type),
        T(test_tx_garbage_index), T(test_tx_logs_capped), T(test_tx_budget), T(test_tx_batches),
        T(test_tx_notify_suppressed), T(test_tx_csum_blank),
        T(test_rx_one), T(test_rx_multislot), T(test_rx_refused), T(test_rx_no_buffers),
        T(test_rx_byte_limit), T(test_rx_wait_for_enough), T(test_rx_bad_grant),
        T(test_rx_garbage_index), T(test_rx_budget_and_notify), T(test_connect_fails),
        cmocka_unit_test(test_publish), cmocka_unit_test(test_publish_fails),
        cmocka_unit_test(test_read_frontend),
        cmocka_unit_test(test_read_frontend_refused), cmocka_unit_test(test_mac_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
