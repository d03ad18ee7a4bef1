/*
 * Unit tests for pvdrivers/common/evtchn.c over a fake pvos.h (event
 * channels as a table of ports; failures on demand) and a one-key fake
 * store: offer/connect/notify/close, the port published and read back,
 * every failure leaving nothing open, hostile port strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pv_evtchn.h"
#include <tandem/errno.h>

/* ---- fake pvos: ports 1..31 ---- */
static struct { int open, handled, bound_to, sent; pvos_event_fn fn; void *ctx; } ports[32];
static int fail_alloc, fail_bind, fail_handle, nr_open;

static int new_port(uint32_t *port)
{
    for (uint32_t p = 1; p < 32; p++)
        if (!ports[p].open) {
            ports[p].open = 1;
            nr_open++;
            *port = p;
            return 0;
        }
    return -XEN_ENOSPC;
}

int pvos_evtchn_alloc_unbound(uint16_t remote, uint32_t *port)
{
    (void)remote;
    return fail_alloc ? fail_alloc : new_port(port);
}

int pvos_evtchn_bind_interdomain(uint16_t remote, uint32_t remote_port, uint32_t *port)
{
    int rc;

    (void)remote;
    if (fail_bind)
        return fail_bind;
    if (remote_port == 0 || remote_port > 1000)     /* as Xen: not an unbound port for us */
        return -XEN_EINVAL;
    rc = new_port(port);
    if (!rc)
        ports[*port].bound_to = (int)remote_port;
    return rc;
}

int pvos_evtchn_handle(uint32_t port, pvos_event_fn fn, void *ctx)
{
    if (fail_handle)
        return fail_handle;
    ports[port].handled = 1;
    ports[port].fn = fn;
    ports[port].ctx = ctx;
    return 0;
}

int pvos_evtchn_notify(uint32_t port)
{
    if (port >= 32 || !ports[port].open)
        return -XEN_EINVAL;
    ports[port].sent++;
    return 0;
}

void pvos_evtchn_close(uint32_t port)
{
    assert_true(port < 32 && ports[port].open);     /* never a double close */
    memset(&ports[port], 0, sizeof(ports[port]));
    nr_open--;
}

/* ---- one-key fake store ---- */
static char key[64], value[64];
static int fail_write;

static int transport(void *ctx, const struct xsd_sockmsg *req, const void *body,
                     struct xsd_sockmsg *rsp, void *rbody, uint32_t rcap)
{
    const char *b = body;
    uint32_t n;

    (void)ctx;
    *rsp = *req;
    if (req->type == XS_WRITE && !fail_write) {
        snprintf(key, sizeof(key), "%s", b);
        n = req->len - (uint32_t)strlen(b) - 1;
        memcpy(value, b + strlen(b) + 1, n);
        value[n] = '\0';
        memcpy(rbody, "OK", 3);
        rsp->len = 3;
    } else if (req->type == XS_READ && !strcmp(b, key)) {
        n = (uint32_t)strlen(value);
        if (n > rcap)
            return -XEN_E2BIG;
        memcpy(rbody, value, n);
        rsp->len = n;
    } else {
        rsp->type = XS_ERROR;
        memcpy(rbody, fail_write ? "EACCES" : "ENOENT", 7);
        rsp->len = 7;
    }
    return 0;
}

static struct xenbus_client client;
static int handled_events;

static void handler(uint32_t port, void *ctx)
{
    (void)port;
    (void)ctx;
    handled_events++;
}

static int setup(void **state)
{
    (void)state;
    memset(ports, 0, sizeof(ports));
    fail_alloc = fail_bind = fail_handle = fail_write = nr_open = 0;
    key[0] = value[0] = '\0';
    xenbus_client_init(&client, transport, NULL);
    return 0;
}

static void test_offer_connect(void **state)
{
    struct pv_evtchn f = { 0 }, b = { 0 };
    int tag;

    (void)state;
    assert_int_equal(pv_evtchn_notify(&f), -XEN_ENOTCONN);
    assert_int_equal(pv_evtchn_offer_publish(&f, &client, 0, "device/vif/0/event-channel", 0,
                                             handler, &tag), 0);
    assert_true(f.open && ports[f.port].handled && ports[f.port].ctx == &tag);
    assert_string_equal(key, "device/vif/0/event-channel");
    assert_int_equal((uint32_t)atoi(value), f.port);
    assert_int_equal(pv_evtchn_offer(&f, 0, handler, NULL), -XEN_EINVAL);  /* already open */

    assert_int_equal(pv_evtchn_connect_from_store(&b, &client, 0, "device/vif/0/event-channel",
                                                  1, handler, NULL), 0);
    assert_true(b.open && ports[b.port].bound_to == (int)f.port);
    assert_int_equal(pv_evtchn_notify(&b), 0);
    assert_int_equal(ports[b.port].sent, 1);
    ports[b.port].fn(b.port, ports[b.port].ctx);
    assert_int_equal(handled_events, 1);

    pv_evtchn_close(&b);
    pv_evtchn_close(&b);                        /* idempotent */
    pv_evtchn_close(&f);
    assert_int_equal(nr_open, 0);
    assert_int_equal(pv_evtchn_notify(&f), -XEN_ENOTCONN);
}

/* Each failing step leaves no port open and the object closed. */
static void test_failures_leave_nothing(void **state)
{
    struct pv_evtchn e = { 0 };

    (void)state;
    fail_alloc = -XEN_ENOSPC;
    assert_int_equal(pv_evtchn_offer(&e, 0, handler, NULL), -XEN_ENOSPC);
    fail_alloc = 0;
    fail_handle = -XEN_EINVAL;
    assert_int_equal(pv_evtchn_offer(&e, 0, handler, NULL), -XEN_EINVAL);
    assert_int_equal(pv_evtchn_connect(&e, 0, 5, handler, NULL), -XEN_EINVAL);
    fail_handle = 0;
    fail_write = 1;
    assert_int_equal(pv_evtchn_offer_publish(&e, &client, 0, "k", 0, handler, NULL), -XEN_EACCES);
    fail_write = 0;
    fail_bind = -XEN_ESRCH;
    assert_int_equal(pv_evtchn_connect(&e, 0, 5, handler, NULL), -XEN_ESRCH);
    fail_bind = 0;
    assert_int_equal(pv_evtchn_offer(&e, 0, NULL, NULL), -XEN_EINVAL);
    assert_false(e.open);
    assert_int_equal(nr_open, 0);
}

/* A front end writing garbage as its port: the back end binds nothing. */
static void test_hostile_port_string(void **state)
{
    static const char *const bad[] = { "", "x", "-3", "3 ", "99999999999", "0x5" };
    struct pv_evtchn e = { 0 };

    (void)state;
    snprintf(key, sizeof(key), "event-channel");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(value, sizeof(value), "%s", bad[i]);
        assert_int_equal(pv_evtchn_connect_from_store(&e, &client, 0, "event-channel", 1,
                                                      handler, NULL), -XEN_EINVAL);
    }
    snprintf(value, sizeof(value), "4000");     /* a number the hypervisor refuses */
    assert_int_equal(pv_evtchn_connect_from_store(&e, &client, 0, "event-channel", 1, handler,
                                                  NULL), -XEN_EINVAL);
    assert_int_equal(pv_evtchn_connect_from_store(&e, &client, 0, "missing", 1, handler, NULL),
                     -XEN_ENOENT);
    assert_false(e.open);
    assert_int_equal(nr_open, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_offer_connect, setup),
        cmocka_unit_test_setup(test_failures_leave_nothing, setup),
        cmocka_unit_test_setup(test_hostile_port_string, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
