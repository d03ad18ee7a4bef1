/*
 * pvdrivers/netfront against a fake back end: a small store, a grant
 * table the test reads pages through (ending a grant the "back end" still
 * maps fails, as Xen's does), counted pages and event channels, and the
 * test itself as the back end on both rings (io/ring.h back macros).
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
#include <tandem/errno.h>

#define NR_GNT 1024
#define NR_KV  64

struct kv {
    char key[96], val[64];
};

struct gnt {
    const void *page;
    bool used, ro, busy;
};

static struct world {
    struct kv kv[NR_KV];
    unsigned int nkv;
    struct gnt gnt[NR_GNT];
    int pages, grants;
    uint32_t next_port;
    unsigned int ports_open, notifies[64];
    int fail_grant_after;       /* > 0: that many grants succeed, then -XEN_ENOSPC */
    int fail_page_after;        /* > 0: that many pages, then none */
    /* Received frames. */
    unsigned int nrx;
    uint8_t rx[70000];
    uint32_t rx_len;
    uint16_t rx_flags;
    unsigned int rx_pieces;
    /* Completed transmits. */
    unsigned int ntx;
    void *tx_cookie[300];
    int tx_status[300];
    /* The back end's view of the rings. */
    netif_tx_back_ring_t btx;
    netif_rx_back_ring_t brx;
    struct netfront nf;
} *w;

static char logbuf[4096];

void pvos_log(const char *fmt, ...)
{
    size_t used = strlen(logbuf);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(logbuf + used, sizeof(logbuf) - used, fmt, ap);
    va_end(ap);
    used = strlen(logbuf);
    snprintf(logbuf + used, sizeof(logbuf) - used, "\n");
}

static const char *get(const char *key)
{
    unsigned int i;

    for (i = 0; i < w->nkv; i++)
        if (!strcmp(w->kv[i].key, key))
            return w->kv[i].val;
    return NULL;
}

static void put(const char *key, const char *val)
{
    unsigned int i;

    for (i = 0; i < w->nkv; i++)
        if (!strcmp(w->kv[i].key, key))
            break;
    if (i == w->nkv) {
        assert_true(w->nkv < NR_KV);
        w->nkv++;
    }
    snprintf(w->kv[i].key, sizeof(w->kv[i].key), "%s", key);
    snprintf(w->kv[i].val, sizeof(w->kv[i].val), "%s", val);
}

static void del(const char *key)
{
    unsigned int i;

    for (i = 0; i < w->nkv; i++)
        if (!strcmp(w->kv[i].key, key)) {
            w->kv[i] = w->kv[--w->nkv];
            return;
        }
}

static void *o_page_alloc(void *ctx)
{
    (void)ctx;
    if (w->fail_page_after && w->pages >= w->fail_page_after)
        return NULL;
    w->pages++;
    return memset(aligned_alloc(4096, 4096), 0, 4096);
}

static void o_page_free(void *ctx, void *page)
{
    (void)ctx;
    w->pages--;
    free(page);
}

static int o_grant(void *ctx, const void *page, bool ro)
{
    unsigned int i;

    (void)ctx;
    if (w->fail_grant_after && w->grants >= w->fail_grant_after)
        return -XEN_ENOSPC;
    for (i = 1; i < NR_GNT; i++)
        if (!w->gnt[i].used) {
            w->gnt[i] = (struct gnt){ .page = page, .used = true, .ro = ro };
            w->grants++;
            return (int)i;
        }
    return -XEN_ENOSPC;
}

static int o_grant_end(void *ctx, uint32_t ref)
{
    (void)ctx;
    assert_true(ref < NR_GNT && w->gnt[ref].used);
    if (w->gnt[ref].busy)
        return -XEN_EBUSY;
    w->gnt[ref].used = false;
    w->grants--;
    return 0;
}

static int o_evtchn_alloc(void *ctx, uint32_t *port)
{
    (void)ctx;
    *port = w->next_port++;
    w->ports_open++;
    return 0;
}

static void o_evtchn_close(void *ctx, uint32_t port)
{
    (void)ctx;
    (void)port;
    w->ports_open--;
}

static void o_notify(void *ctx, uint32_t port)
{
    (void)ctx;
    assert_true(port < 64);
    w->notifies[port]++;
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
    uint32_t off = 0;
    unsigned int i;

    (void)ctx;
    for (i = 0; i < n; i++) {
        memcpy(w->rx + off, va[i], len[i]);
        off += len[i];
    }
    assert_int_equal(off, total);
    w->nrx++;
    w->rx_len = total;
    w->rx_flags = flags;
    w->rx_pieces = n;
}

static void o_tx_done(void *ctx, void *cookie, int status)
{
    (void)ctx;
    assert_true(w->ntx < 300);
    w->tx_cookie[w->ntx] = cookie;
    w->tx_status[w->ntx++] = status;
}

static const struct netfront_ops ops = {
    .page_alloc = o_page_alloc, .page_free = o_page_free, .grant = o_grant,
    .grant_end = o_grant_end, .evtchn_alloc = o_evtchn_alloc, .evtchn_close = o_evtchn_close,
    .notify = o_notify, .xs_read = o_xs_read, .xs_write = o_xs_write, .rx = o_rx,
    .tx_done = o_tx_done,
};

#define FE "device/vif/0"
#define BE "backend/vif/1/0"

static int setup(void **state)
{
    (void)state;
    w = calloc(1, sizeof(*w));
    w->next_port = 10;
    logbuf[0] = 0;
    put(FE "/backend", BE);
    put(FE "/mac", "00:16:3e:12:34:56");
    put(BE "/feature-rx-copy", "1");
    put(BE "/feature-sg", "1");
    return 0;
}

static int teardown(void **state)
{
    unsigned int i;

    (void)state;
    netfront_disconnect(&w->nf);
    for (i = 0; i < NR_GNT; i++)
        assert_false(w->gnt[i].used && !w->gnt[i].busy);
    assert_int_equal(w->ports_open, 0);
    free(w);
    return 0;
}

static unsigned int num(const char *key)
{
    const char *v = get(key);

    assert_non_null(v);
    return (unsigned int)strtoul(v, NULL, 10);
}

static void *page_of(unsigned int ref)
{
    assert_true(ref < NR_GNT && w->gnt[ref].used);
    return (void *)w->gnt[ref].page;
}

/* Init, back end InitWait: connected; the test attaches as the back end. */
static void connect(void)
{
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), 0);
    assert_int_equal(num(FE "/state"), XenbusStateInitialising);
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateInitWait), 0);
    assert_int_equal(w->nf.state, NETFRONT_CONNECTED);
    assert_int_equal(num(FE "/state"), XenbusStateConnected);
    BACK_RING_INIT(&w->btx, (netif_tx_sring_t *)page_of(num(FE "/tx-ring-ref")), 4096);
    BACK_RING_INIT(&w->brx, (netif_rx_sring_t *)page_of(num(FE "/rx-ring-ref")), 4096);
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateConnected), 0);
}

static void test_handshake(void **state)
{
    (void)state;
    connect();
    assert_memory_equal(w->nf.mac, ((uint8_t[6]){ 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 }), 6);
    assert_string_equal(get(FE "/request-rx-copy"), "1");
    assert_string_equal(get(FE "/feature-rx-notify"), "1");
    assert_string_equal(get(FE "/feature-sg"), "1");
    assert_string_equal(get(FE "/feature-no-csum-offload"), "1");
    assert_string_equal(get(FE "/feature-gso-tcpv4"), "0");
    assert_non_null(get(FE "/event-channel"));
    assert_null(get(FE "/event-channel-tx"));
    assert_false(w->gnt[num(FE "/tx-ring-ref")].ro);
    /* The rx buffers are posted, granted writable, ids their slots. */
    assert_int_equal(w->brx.sring->req_prod, NETFRONT_RX_TARGET);
    for (unsigned int i = 0; i < NETFRONT_RX_TARGET; i++) {
        netif_rx_request_t *r = RING_GET_REQUEST(&w->brx, i);

        assert_int_equal(r->id, i);
        assert_false(w->gnt[r->gref].ro);
    }
    assert_int_equal(w->notifies[num(FE "/event-channel")], 1);
    /* The back end closes: every grant and page given back. */
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateClosing), 0);
    assert_int_equal(num(FE "/state"), XenbusStateClosed);
    assert_int_equal(w->grants, 0);
    assert_int_equal(w->pages, 0);
    assert_int_equal(w->ports_open, 0);
}

static void test_split_channels(void **state)
{
    (void)state;
    put(BE "/feature-split-event-channels", "1");
    connect();
    assert_null(get(FE "/event-channel"));
    assert_int_not_equal(num(FE "/event-channel-tx"), num(FE "/event-channel-rx"));
    assert_int_equal(w->notifies[num(FE "/event-channel-rx")], 1);
    assert_int_equal(w->ports_open, 2);
}

static void test_init_refused(void **state)
{
    (void)state;
    put(FE "/mac", "00:16:3e:12:34");
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), -XEN_EINVAL);
    del(FE "/mac");
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), -XEN_ENOENT);
    del(FE "/backend");
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), -XEN_ENOENT);
}

static void test_no_rx_copy(void **state)
{
    (void)state;
    del(BE "/feature-rx-copy");
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), 0);
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateInitWait), -XEN_EOPNOTSUPP);
    assert_int_equal(w->nf.state, NETFRONT_ERROR);
    assert_int_equal(num(FE "/state"), XenbusStateClosing);
    assert_int_equal(w->pages, 0);
}

static void test_bad_feature(void **state)
{
    (void)state;
    put(BE "/feature-sg", "yes");
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), 0);
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateInitWait), -XEN_EINVAL);
    assert_int_equal(num(FE "/state"), XenbusStateClosing);
}

static void test_grants_run_out(void **state)
{
    (void)state;
    w->fail_grant_after = 10;   /* two rings and 8 rx buffers */
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), 0);
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateInitWait), -XEN_ENOSPC);
    assert_int_equal(w->nf.state, NETFRONT_ERROR);
    assert_int_equal(w->grants, 0);
    assert_int_equal(w->pages, 0);
}

static void test_pages_run_out(void **state)
{
    (void)state;
    w->fail_page_after = 1;     /* the tx ring, not the rx ring */
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), 0);
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateInitWait), -XEN_ENOMEM);
    assert_int_equal(w->nf.state, NETFRONT_ERROR);
    assert_int_equal(num(FE "/state"), XenbusStateClosing);
    assert_int_equal(w->grants, 0);
    assert_int_equal(w->pages, 0);
    w->fail_page_after = 10;    /* rings and 8 rx buffers */
    assert_int_equal(netfront_init(&w->nf, &ops, NULL, FE), 0);
    assert_int_equal(netfront_otherend_changed(&w->nf, XenbusStateInitWait), -XEN_ENOMEM);
    assert_int_equal(w->grants, 0);
    assert_int_equal(w->pages, 0);
}

/* ---- transmit ---- */

static uint8_t txpage[3][4096] __attribute__((aligned(4096)));

static void be_tx_answer(uint16_t id, int16_t status)
{
    netif_tx_response_t *r = RING_GET_RESPONSE(&w->btx, w->btx.rsp_prod_pvt++);

    r->id = id;
    r->status = status;
}

static void be_tx_push(void)
{
    RING_PUSH_RESPONSES(&w->btx);
}

static void test_tx(void **state)
{
    struct netfront_frag fr[3] = { { txpage[0], 100, 1000 }, { txpage[1], 0, 4096 },
                                   { txpage[2], 0, 10 } };
    netif_tx_request_t r[3];
    unsigned int port, i;

    (void)state;
    connect();
    port = num(FE "/event-channel");
    assert_int_equal(netfront_xmit(&w->nf, fr, 3, NETTXF_data_validated, (void *)0x55), 0);
    assert_int_equal(w->btx.sring->req_prod, 3);
    assert_int_equal(w->notifies[port], 2);     /* the rx refill, then this */
    for (i = 0; i < 3; i++) {
        RING_COPY_REQUEST(&w->btx, i, &r[i]);
        assert_true(w->gnt[r[i].gref].ro);
        assert_ptr_equal(w->gnt[r[i].gref].page, txpage[i]);
    }
    assert_int_equal(r[0].size, 5106);
    assert_int_equal(r[0].offset, 100);
    assert_int_equal(r[0].flags, NETTXF_data_validated | NETTXF_more_data);
    assert_int_equal(r[1].size, 4096);
    assert_int_equal(r[1].flags, NETTXF_more_data);
    assert_int_equal(r[2].size, 10);
    assert_int_equal(r[2].flags, 0);
    w->btx.req_cons = 3;
    /* Answers out of order; done once the last comes. */
    be_tx_answer(r[2].id, NETIF_RSP_OKAY);
    be_tx_answer(r[0].id, NETIF_RSP_OKAY);
    be_tx_push();
    netfront_handle_event(&w->nf);
    assert_int_equal(w->ntx, 0);
    be_tx_answer(r[1].id, NETIF_RSP_OKAY);
    be_tx_push();
    netfront_handle_event(&w->nf);
    assert_int_equal(w->ntx, 1);
    assert_ptr_equal(w->tx_cookie[0], (void *)0x55);
    assert_int_equal(w->tx_status[0], 0);
    assert_int_equal(w->nf.tx_inflight, 0);
    /* Only the ring pages and rx buffers stay granted. */
    assert_int_equal(w->grants, 2 + NETFRONT_RX_TARGET);
    /* An error answer for one slot fails the packet. */
    assert_int_equal(netfront_xmit(&w->nf, fr, 2, 0, (void *)0x66), 0);
    be_tx_answer(RING_GET_REQUEST(&w->btx, 3)->id, NETIF_RSP_OKAY);
    be_tx_answer(RING_GET_REQUEST(&w->btx, 4)->id, NETIF_RSP_ERROR);
    be_tx_push();
    netfront_handle_event(&w->nf);
    assert_int_equal(w->ntx, 2);
    assert_int_equal(w->tx_status[1], -XEN_EIO);
    assert_int_equal(w->nf.stats.tx_errors, 1);
    assert_int_equal(w->nf.state, NETFRONT_CONNECTED);
}

static void test_tx_refused(void **state)
{
    struct netfront_frag one = { txpage[0], 0, 60 };
    struct netfront_frag many[NETFRONT_MAX_SLOTS + 1];
    unsigned int i;

    (void)state;
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), -XEN_ENOTCONN);
    connect();
    for (i = 0; i <= NETFRONT_MAX_SLOTS; i++)
        many[i] = (struct netfront_frag){ txpage[0], 0, 100 };
    assert_int_equal(netfront_xmit(&w->nf, many, NETFRONT_MAX_SLOTS + 1, 0, NULL), -XEN_E2BIG);
    assert_int_equal(netfront_xmit(&w->nf, many, NETFRONT_MAX_SLOTS, 0, NULL), 0);
    assert_int_equal(netfront_xmit(&w->nf, &one, 0, 0, NULL), -XEN_EINVAL);
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, NETTXF_more_data, NULL), -XEN_EINVAL);
    assert_int_equal(netfront_xmit(&w->nf, &(struct netfront_frag){ txpage[0], 4000, 100 }, 1, 0, NULL),
                     -XEN_EINVAL);
    assert_int_equal(netfront_xmit(&w->nf, &(struct netfront_frag){ txpage[0], 0, 13 }, 1, 0, NULL),
                     -XEN_EINVAL);
    assert_int_equal(netfront_xmit(&w->nf, &(struct netfront_frag){ NULL, 0, 60 }, 1, 0, NULL),
                     -XEN_EINVAL);
    for (i = 0; i <= NETFRONT_MAX_SLOTS; i++)
        many[i] = (struct netfront_frag){ txpage[0], 0, 4096 };
    assert_int_equal(netfront_xmit(&w->nf, many, 17, 0, NULL), -XEN_EINVAL);   /* > 65535 */
    /* Fill the ring: 18 slots are out, 238 free. */
    for (i = 0; i < 238; i++)
        assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), 0);
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), -XEN_EAGAIN);
    /* A back end without feature-sg: one slot per frame. */
    w->nf.be_sg = false;
    assert_int_equal(netfront_xmit(&w->nf, many, 2, 0, NULL), -XEN_E2BIG);
    /* Disconnect: every pending transmit completes with -EIO, every grant ended. */
    netfront_disconnect(&w->nf);
    assert_int_equal(w->ntx, 239);
    for (i = 0; i < w->ntx; i++)
        assert_int_equal(w->tx_status[i], -XEN_EIO);
    assert_int_equal(w->grants, 0);
}

static void test_tx_grant_fails(void **state)
{
    struct netfront_frag fr[2] = { { txpage[0], 0, 100 }, { txpage[1], 0, 100 } };

    (void)state;
    connect();
    w->fail_grant_after = w->grants + 1;    /* the second piece cannot be granted */
    assert_int_equal(netfront_xmit(&w->nf, fr, 2, 0, NULL), -XEN_ENOSPC);
    assert_int_equal(w->grants, 2 + NETFRONT_RX_TARGET);    /* the first one's grant ended */
    assert_int_equal(w->btx.sring->req_prod, 0);
    assert_int_equal(w->nf.tx_inflight, 0);
    w->fail_grant_after = 0;
    assert_int_equal(netfront_xmit(&w->nf, fr, 2, 0, NULL), 0);
}

static void test_tx_notify_suppressed(void **state)
{
    struct netfront_frag one = { txpage[0], 0, 60 };
    unsigned int port;

    (void)state;
    connect();
    port = num(FE "/event-channel");
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), 0);
    assert_int_equal(w->notifies[port], 2);
    /* The back end has not re-armed req_event: no more events. */
    for (unsigned int i = 0; i < 10; i++)
        assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), 0);
    assert_int_equal(w->notifies[port], 2);
    /* It consumed and re-armed (RING_FINAL_CHECK): the next one notifies. */
    w->btx.req_cons = 11;
    w->btx.sring->req_event = 12;
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), 0);
    assert_int_equal(w->notifies[port], 3);
}

static void assert_broken(const char *why)
{
    assert_int_equal(w->nf.state, NETFRONT_ERROR);
    assert_int_equal(num(FE "/state"), XenbusStateClosing);
    assert_non_null(strstr(logbuf, why));
    assert_int_equal(netfront_xmit(&w->nf, &(struct netfront_frag){ txpage[0], 0, 60 }, 1, 0, NULL),
                     -XEN_ENOTCONN);
}

static void test_tx_hostile_id(void **state)
{
    struct netfront_frag one = { txpage[0], 0, 60 };

    (void)state;
    connect();
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, (void *)1), 0);
    be_tx_answer(256, NETIF_RSP_OKAY);
    be_tx_push();
    netfront_handle_event(&w->nf);
    assert_broken("incorrect id");
    assert_int_equal(w->ntx, 1);
    assert_int_equal(w->tx_status[0], -XEN_EIO);
    assert_int_equal(w->grants, 0);
}

static void test_tx_hostile_inactive(void **state)
{
    struct netfront_frag one = { txpage[0], 0, 60 };
    uint16_t id;

    (void)state;
    connect();
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, (void *)1), 0);
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, (void *)2), 0);
    id = RING_GET_REQUEST(&w->btx, 0)->id;
    be_tx_answer(id, NETIF_RSP_OKAY);
    be_tx_answer(id, NETIF_RSP_OKAY);   /* twice */
    be_tx_push();
    netfront_handle_event(&w->nf);
    assert_broken("inactive");
    assert_int_equal(w->ntx, 2);
    assert_int_equal(w->tx_status[0], 0);
    assert_int_equal(w->tx_status[1], -XEN_EIO);
}

static void test_tx_hostile_too_many(void **state)
{
    struct netfront_frag one = { txpage[0], 0, 60 };

    (void)state;
    connect();
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), 0);
    w->btx.sring->rsp_prod = 2;     /* two answers for one request */
    netfront_handle_event(&w->nf);
    assert_broken("more tx responses");
}

static void test_tx_grant_still_mapped(void **state)
{
    struct netfront_frag one = { txpage[0], 0, 60 };
    netif_tx_request_t r;

    (void)state;
    connect();
    assert_int_equal(netfront_xmit(&w->nf, &one, 1, 0, NULL), 0);
    RING_COPY_REQUEST(&w->btx, 0, &r);
    w->gnt[r.gref].busy = true;     /* answered, but the back end still maps the page */
    be_tx_answer(r.id, NETIF_RSP_OKAY);
    be_tx_push();
    netfront_handle_event(&w->nf);
    assert_broken("still in use");
    assert_int_equal(w->nf.stats.grant_leaks, 1);
    w->gnt[r.gref].busy = false;
    w->gnt[r.gref].used = false;
}

/* ---- receive ---- */

/* The back end fills the buffer of rx slot `i` (request i) and answers there. */
static void be_rx(unsigned int i, uint16_t off, uint16_t flags, int16_t status, uint8_t seed)
{
    netif_rx_request_t req;
    netif_rx_response_t *r;

    RING_COPY_REQUEST(&w->brx, i, &req);
    if (status > 0 && off + status <= 4096)   /* a hostile size is only claimed, not written */
        memset((uint8_t *)page_of(req.gref) + off, seed, (size_t)status);
    r = RING_GET_RESPONSE(&w->brx, i);
    r->id = req.id;
    r->offset = off;
    r->flags = flags;
    r->status = status;
    w->brx.rsp_prod_pvt = i + 1;
    w->brx.req_cons = i + 1;
}

static void be_rx_push(void)
{
    RING_PUSH_RESPONSES(&w->brx);
}

static void test_rx(void **state)
{
    (void)state;
    connect();
    be_rx(0, 0, NETRXF_data_validated, 100, 0xaa);
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_int_equal(w->nrx, 1);
    assert_int_equal(w->rx_len, 100);
    assert_int_equal(w->rx[99], 0xaa);
    assert_int_equal(w->rx_flags, NETRXF_data_validated);
    /* The buffer went back, in a new slot. */
    assert_int_equal(w->brx.sring->req_prod, NETFRONT_RX_TARGET + 1);
    assert_int_equal(RING_GET_REQUEST(&w->brx, NETFRONT_RX_TARGET)->id, NETFRONT_RX_TARGET);
    /* Three slots, the first at an offset. */
    be_rx(1, 16, NETRXF_more_data, 4080, 1);
    be_rx(2, 0, NETRXF_more_data, 4096, 2);
    be_rx(3, 0, 0, 5, 3);
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_int_equal(w->nrx, 2);
    assert_int_equal(w->rx_len, 4080 + 4096 + 5);
    assert_int_equal(w->rx_pieces, 3);
    assert_int_equal(w->rx[4079], 1);
    assert_int_equal(w->rx[4080], 2);
    assert_int_equal(w->rx[4080 + 4096], 3);
    assert_int_equal(w->brx.sring->req_prod, NETFRONT_RX_TARGET + 4);
    /* A slot the back end could not fill: the packet is dropped, nothing broken. */
    be_rx(4, 0, NETRXF_more_data, 1000, 1);
    be_rx(5, 0, 0, NETIF_RSP_ERROR, 0);
    be_rx(6, 0, 0, 10, 0);      /* a runt */
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_int_equal(w->nrx, 2);
    assert_int_equal(w->nf.stats.rx_errors, 2);
    assert_int_equal(w->nf.state, NETFRONT_CONNECTED);
    assert_int_equal(w->brx.sring->req_prod, NETFRONT_RX_TARGET + 7);
}

static void test_rx_extras(void **state)
{
    netif_extra_info_t *e;

    (void)state;
    connect();
    be_rx(0, 0, NETRXF_extra_info, 100, 0xaa);
    e = (netif_extra_info_t *)RING_GET_RESPONSE(&w->brx, 1);
    memset(e, 0, sizeof(*e));
    e->type = XEN_NETIF_EXTRA_TYPE_GSO;
    w->brx.rsp_prod_pvt = w->brx.req_cons = 2;
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_int_equal(w->nrx, 1);
    assert_int_equal(w->brx.sring->req_prod, NETFRONT_RX_TARGET + 2);
    /* A bad extra type breaks it. */
    be_rx(2, 0, NETRXF_extra_info, 100, 0xaa);
    e = (netif_extra_info_t *)RING_GET_RESPONSE(&w->brx, 3);
    memset(e, 0, sizeof(*e));
    e->type = XEN_NETIF_EXTRA_TYPE_MAX;
    w->brx.rsp_prod_pvt = w->brx.req_cons = 4;
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_broken("extra info type");
}

static void test_rx_hostile_id(void **state)
{
    (void)state;
    connect();
    be_rx(0, 0, 0, 100, 1);
    RING_GET_RESPONSE(&w->brx, 0)->id = 5;
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_broken("id not its slot");
    assert_int_equal(w->nrx, 0);
    assert_int_equal(w->grants, 0);
    assert_int_equal(w->pages, 0);
}

static void test_rx_hostile_size(void **state)
{
    (void)state;
    connect();
    be_rx(0, 100, 0, 4000, 1);  /* 100 + 4000 > 4096 */
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_broken("beyond its buffer");
    assert_int_equal(w->nrx, 0);
}

static void test_rx_hostile_unfinished(void **state)
{
    (void)state;
    connect();
    be_rx(0, 0, NETRXF_more_data, 100, 1);  /* more, and nothing after */
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_broken("past the published");
}

static void test_rx_hostile_too_long(void **state)
{
    unsigned int i;

    (void)state;
    connect();
    for (i = 0; i <= NETFRONT_MAX_SLOTS; i++)
        be_rx(i, 0, NETRXF_more_data, 100, 1);
    be_rx(i, 0, 0, 100, 1);
    be_rx_push();
    netfront_handle_event(&w->nf);
    assert_broken("too many slots");
}

static void test_rx_hostile_too_many(void **state)
{
    (void)state;
    connect();
    w->brx.sring->rsp_prod = NETFRONT_RX_TARGET + 1;
    netfront_handle_event(&w->nf);
    assert_broken("more rx responses");
}

static void test_peer_garbage_state(void **state)
{
    (void)state;
    connect();
    assert_int_equal(netfront_otherend_changed(&w->nf, 77), 0);
    assert_int_equal(w->nf.state, NETFRONT_ERROR);
    assert_int_equal(num(FE "/state"), XenbusStateClosing);
    assert_int_equal(w->grants, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_handshake), T(test_split_channels), T(test_init_refused), T(test_no_rx_copy),
        T(test_bad_feature), T(test_grants_run_out), T(test_pages_run_out), T(test_tx),
        T(test_tx_grant_fails), T(test_tx_refused),
        T(test_tx_notify_suppressed), T(test_tx_hostile_id), T(test_tx_hostile_inactive),
        T(test_tx_hostile_too_many), T(test_tx_grant_still_mapped), T(test_rx), T(test_rx_extras),
        T(test_rx_hostile_id), T(test_rx_hostile_size), T(test_rx_hostile_unfinished),
        T(test_rx_hostile_too_long), T(test_rx_hostile_too_many), T(test_peer_garbage_state),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
