/*
 * Two drivers against each other on the host, as pvos.h promises: a toy
 * front end (domain 1) and back end (domain 0) built only from
 * pvdrivers/common (xenbus_state, xenbus_client, evtchn, gntref and the
 * io/ring.h macros) over a fake store, fake event channels that deliver by
 * calling the peer's handler, and a fake grant table. They hand-shake to
 * Connected, move requests over the ring, tear down and reconnect; a
 * hostile front end that goes Connected without ring refs never gets the
 * back end connected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pv_evtchn.h"
#include "pv_gntref.h"
#include "pv_xenbus.h"
#include "pv_xenbus_state.h"
#include <tandem/errno.h>
#include <tandem/io/ring.h>

struct t_req { uint64_t id; };
struct t_rsp { uint64_t id; int64_t status; };
DEFINE_RING_TYPES(t, struct t_req, struct t_rsp);

#define FDIR "/local/domain/1/device/vbd/0"
#define BDIR "/local/domain/0/backend/vbd/1/0"

/* ---- fake store: absolute paths only, read and write ---- */
static struct { char path[96]; char value[32]; } nodes[32];

static int store(void *ctx, const struct xsd_sockmsg *req, const void *body,
                 struct xsd_sockmsg *rsp, void *rbody, uint32_t rcap)
{
    const char *path = body;
    size_t pl = strlen(path) + 1;
    int i;

    (void)ctx;
    *rsp = *req;
    for (i = 0; i < 32 && nodes[i].path[0] && strcmp(nodes[i].path, path); i++)
        ;
    assert_true(i < 32);
    if (req->type == XS_WRITE) {
        snprintf(nodes[i].path, sizeof(nodes[i].path), "%s", path);
        memcpy(nodes[i].value, (const char *)body + pl, req->len - pl);
        nodes[i].value[req->len - pl] = '\0';
        memcpy(rbody, "OK", 3);
        rsp->len = 3;
    } else if (req->type == XS_READ && nodes[i].path[0]) {
        rsp->len = (uint32_t)strlen(nodes[i].value);
        if (rsp->len > rcap)
            return -XEN_E2BIG;
        memcpy(rbody, nodes[i].value, rsp->len);
    } else {
        rsp->type = XS_ERROR;
        memcpy(rbody, "ENOENT", 7);
        rsp->len = 7;
    }
    return 0;
}

/* ---- fake event channels: one table for both domains ---- */
static int cur_dom;                     /* the domain making pvos calls */
static struct { int dom, remote, peer, used; pvos_event_fn fn; void *ctx; } chans[16];

int pvos_evtchn_alloc_unbound(uint16_t remote, uint32_t *port)
{
    for (uint32_t p = 1; p < 16; p++)
        if (!chans[p].used) {
            chans[p].used = 1;
            chans[p].dom = cur_dom;
            chans[p].remote = remote;
            chans[p].peer = 0;
            *port = p;
            return 0;
        }
    return -XEN_ENOSPC;
}

int pvos_evtchn_bind_interdomain(uint16_t remote, uint32_t remote_port, uint32_t *port)
{
    uint32_t p;
    int rc;

    /* As Xen: the remote port must be unbound, the remote's, and offered to us. */
    if (remote_port >= 16 || !chans[remote_port].used || chans[remote_port].peer ||
        chans[remote_port].dom != remote || chans[remote_port].remote != cur_dom)
        return -XEN_EINVAL;
    rc = pvos_evtchn_alloc_unbound(remote, &p);
    if (rc)
        return rc;
    chans[p].peer = (int)remote_port;
    chans[remote_port].peer = (int)p;
    *port = p;
    return 0;
}

int pvos_evtchn_handle(uint32_t port, pvos_event_fn fn, void *ctx)
{
    chans[port].fn = fn;
    chans[port].ctx = ctx;
    return 0;
}

int pvos_evtchn_notify(uint32_t port)
{
    int peer = chans[port].peer;

    if (!peer)
        return -XEN_ENOTCONN;
    if (chans[peer].fn)
        chans[peer].fn((uint32_t)peer, chans[peer].ctx);
    return 0;
}

void pvos_evtchn_close(uint32_t port)
{
    if (chans[port].peer)
        chans[chans[port].peer].peer = 0;
    memset(&chans[port], 0, sizeof(chans[port]));
}

static int open_ports(void)
{
    int n = 0;

    for (int p = 1; p < 16; p++)
        n += chans[p].used;
    return n;
}

/* ---- fake grant table: ref -> page, granted by domain 1 to domain 0 ---- */
static void *grants[64];
static union { unsigned char b[4096]; uint64_t align; } ring_page;

/* ---- the drivers ---- */
struct drv {
    enum xenbus_role role;
    int dom;
    struct xenbus_client xs;
    XenbusState state;
    struct pv_evtchn ch;
    int events;
    /* front */
    struct gntref_pool pool;
    uint32_t pool_next[56];
    grant_ref_t ref;
    int has_ref;
    t_front_ring_t fr;
    /* back */
    t_back_ring_t br;
    int mapped;
    uint32_t sectors;
};

static struct drv front, back;
static int hostile_front;               /* front writes Connected without ring refs */
static int back_connected;              /* times the back end wrote Connected */

static void on_event(uint32_t port, void *ctx)
{
    struct drv *d = ctx;

    (void)port;
    d->events++;
}

static void write_state(struct drv *d, XenbusState s)
{
    char v[4];

    snprintf(v, sizeof(v), "%d", (int)s);
    assert_int_equal(xenbus_write(&d->xs, 0, d->role ? BDIR "/state" : FDIR "/state", v), 0);
    d->state = s;
    back_connected += d->role == XENBUS_BACKEND && s == XenbusStateConnected;
}

static void disconnect(struct drv *d)
{
    cur_dom = d->dom;
    pv_evtchn_close(&d->ch);
    if (d->has_ref) {
        grants[d->ref] = NULL;
        assert_int_equal(gntref_release(&d->pool, d->ref), 0);
        d->has_ref = 0;
    }
    d->mapped = 0;
}

static void front_publish(struct drv *d)
{
    char v[12];

    if (hostile_front)
        return;
    assert_int_equal(gntref_claim(&d->pool, &d->ref), 0);
    d->has_ref = 1;
    grants[d->ref] = ring_page.b;
    SHARED_RING_INIT((t_sring_t *)(void *)ring_page.b);
    FRONT_RING_INIT(&d->fr, (t_sring_t *)(void *)ring_page.b, 4096);
    snprintf(v, sizeof(v), "%u", d->ref);
    assert_int_equal(xenbus_write(&d->xs, 0, FDIR "/ring-ref", v), 0);
    assert_int_equal(pv_evtchn_offer_publish(&d->ch, &d->xs, 0, FDIR "/event-channel", 0,
                                             on_event, d), 0);
}

/* Back end: are the front end's ring-ref and event-channel there and sane? */
static bool back_peer_ok(struct drv *d)
{
    uint32_t ref, port;

    return !xenbus_read_uint(&d->xs, 0, FDIR "/ring-ref", &ref) && ref < 64 && grants[ref] &&
           !xenbus_read_uint(&d->xs, 0, FDIR "/event-channel", &port);
}

static void back_connect(struct drv *d)
{
    uint32_t ref;

    assert_int_equal(xenbus_read_uint(&d->xs, 0, FDIR "/ring-ref", &ref), 0);
    BACK_RING_INIT(&d->br, (t_sring_t *)grants[ref], 4096);
    d->mapped = 1;
    assert_int_equal(pv_evtchn_connect_from_store(&d->ch, &d->xs, 0, FDIR "/event-channel", 1,
                                                  on_event, d), 0);
    assert_int_equal(xenbus_write(&d->xs, 0, BDIR "/sectors", "2048"), 0);
}

/* One watch firing on d: read the peer's state, step, act, write. */
static void react(struct drv *d)
{
    const char *peer_path = d->role ? FDIR "/state" : BDIR "/state";
    uint32_t peer = 0;
    bool ok;
    struct xenbus_step s;

    cur_dom = d->dom;
    if (xenbus_read_uint(&d->xs, 0, peer_path, &peer))
        peer = XenbusStateUnknown;
    ok = d->role ? back_peer_ok(d)
                 : !xenbus_read_uint(&d->xs, 0, BDIR "/sectors", &d->sectors);
    s = xenbus_state_step(d->role, d->state, peer, ok, 0);
    if (s.actions & XBS_ACT_DISCONNECT)
        disconnect(d);
    if (s.actions & XBS_ACT_PUBLISH)
        front_publish(d);
    if ((s.actions & XBS_ACT_CONNECT) && d->role == XENBUS_BACKEND)
        back_connect(d);
    if (s.next != d->state)
        write_state(d, s.next);
    if (hostile_front && d->role == XENBUS_FRONTEND && d->state == XenbusStateInitialised)
        write_state(d, XenbusStateConnected);
}

static void run_rounds(int n)
{
    while (n--) {
        react(&back);
        react(&front);
    }
}

static int setup(void **state)
{
    (void)state;
    memset(nodes, 0, sizeof(nodes));
    memset(chans, 0, sizeof(chans));
    memset(grants, 0, sizeof(grants));
    memset(&front, 0, sizeof(front));
    memset(&back, 0, sizeof(back));
    hostile_front = back_connected = 0;
    front.role = XENBUS_FRONTEND;
    front.dom = 1;
    back.role = XENBUS_BACKEND;
    back.dom = 0;
    xenbus_client_init(&front.xs, store, NULL);
    xenbus_client_init(&back.xs, store, NULL);
    assert_int_equal(gntref_pool_init(&front.pool, 8, 56, front.pool_next), 0);
    write_state(&front, XenbusStateInitialising);
    write_state(&back, XenbusStateInitWait);            /* back end probed */
    return 0;
}

static void traffic(void)
{
    int notify, work, i;

    for (i = 0; i < 10; i++) {
        RING_GET_REQUEST(&front.fr, front.fr.req_prod_pvt)->id = (uint64_t)i;
        front.fr.req_prod_pvt++;
    }
    cur_dom = 1;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front.fr, notify);
    assert_true(notify);
    assert_int_equal(pv_evtchn_notify(&front.ch), 0);
    assert_int_equal(back.events, 1);
    while (RING_HAS_UNCONSUMED_REQUESTS(&back.br)) {
        struct t_req rq;
        struct t_rsp *rs;

        RING_COPY_REQUEST(&back.br, back.br.req_cons, &rq);
        back.br.req_cons++;
        rs = RING_GET_RESPONSE(&back.br, back.br.rsp_prod_pvt++);
        rs->id = rq.id;
        rs->status = 0;
    }
    RING_FINAL_CHECK_FOR_REQUESTS(&back.br, work);
    assert_false(work);
    cur_dom = 0;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back.br, notify);
    assert_true(notify);
    assert_int_equal(pv_evtchn_notify(&back.ch), 0);
    assert_int_equal(front.events, 1);
    for (i = 0; i < 10; i++) {
        assert_true(RING_HAS_UNCONSUMED_RESPONSES(&front.fr));
        assert_int_equal(RING_GET_RESPONSE(&front.fr, front.fr.rsp_cons)->id, i);
        front.fr.rsp_cons++;
    }
}

static void test_connect_traffic_close_reconnect(void **state)
{
    (void)state;
    run_rounds(3);
    assert_int_equal(front.state, XenbusStateConnected);
    assert_int_equal(back.state, XenbusStateConnected);
    assert_int_equal(back_connected, 1);
    assert_true(back.mapped);
    assert_int_equal(front.sectors, 2048);
    assert_int_equal(open_ports(), 2);
    traffic();

    /* The front end closes; both end Closed, nothing left open or granted. */
    write_state(&front, XenbusStateClosing);
    run_rounds(3);
    assert_int_equal(back.state, XenbusStateClosed);
    assert_int_equal(front.state, XenbusStateClosed);
    assert_int_equal(open_ports(), 0);
    assert_int_equal(gntref_nr_free(&front.pool), 56);

    /* And again. */
    write_state(&front, XenbusStateInitialising);
    front.events = back.events = 0;
    run_rounds(4);
    assert_int_equal(front.state, XenbusStateConnected);
    assert_int_equal(back.state, XenbusStateConnected);
    traffic();
}

static void test_hostile_front(void **state)
{
    (void)state;
    hostile_front = 1;
    run_rounds(4);
    /* The back end refused (Closing), the front end followed it to Closed, then the back end. */
    assert_false(back.mapped);
    assert_int_equal(back_connected, 0);
    assert_int_equal(back.state, XenbusStateClosed);
    assert_int_equal(front.state, XenbusStateClosed);
    assert_int_equal(open_ports(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_connect_traffic_close_reconnect, setup),
        cmocka_unit_test_setup(test_hostile_front, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
