/* Unit tests for pvdrivers/xenstored/xs_conn.c: serving a client's ring page, simulated here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xenstored.h"

static long outstanding;

static void *t_alloc(void *ctx, size_t n)
{
    (void)ctx;
    outstanding++;
    return malloc(n);
}

static void t_free(void *ctx, void *p)
{
    (void)ctx;
    outstanding--;
    free(p);
}

static const struct xsd_alloc talloc = { t_alloc, t_free, NULL };
static struct xsd_store *s;
/* Two clients: domain 1 and domain 2, each with its ring page and connection. */
static struct xenstore_domain_interface page[3];
static struct xsd_conn *conn[3];

static int setup(void **state)
{
    const struct xsd_quota q = XSD_QUOTA_DEFAULT;
    (void)state;
    outstanding = 0;
    memset(page, 0, sizeof(page));
    if (!(s = xsd_store_create(&talloc, &q)))
        return -1;
    for (uint16_t d = 1; d <= 2; d++) {
        char buf[64];
        struct xsd_msg r;
        int n = snprintf(buf, sizeof(buf), "/local/domain/%u", d);
        struct xsd_sockmsg h = { .type = XS_MKDIR, .len = (uint32_t)n + 1 };
        xsd_process(s, 0, &h, buf, &r);
        n += 1 + snprintf(buf + n + 1, sizeof(buf) - (size_t)n - 1, "n%u", d);
        h = (struct xsd_sockmsg){ .type = XS_SET_PERMS, .len = (uint32_t)n + 1 };
        xsd_process(s, 0, &h, buf, &r);
        xsd_introduce(s, d);
        if (!(conn[d] = xsd_conn_create(s, d, &page[d])))
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int d = 1; d <= 2; d++)
        xsd_conn_destroy(conn[d]);
    xsd_store_destroy(s);
    s = NULL;
    return outstanding ? -1 : 0;
}

/* ---- the client's side of the ring ---- */

/* Put up to len bytes into req[] (as much as fits); returns the bytes put. */
static uint32_t put_bytes(int d, const void *data, uint32_t len)
{
    struct xenstore_domain_interface *p = &page[d];
    uint32_t done = 0;

    while (done < len && p->req_prod - p->req_cons < XENSTORE_RING_SIZE) {
        p->req[MASK_XENSTORE_IDX(p->req_prod)] = ((const char *)data)[done++];
        p->req_prod++;
    }
    return done;
}

static uint32_t msg_build(char *buf, uint32_t type, uint32_t req_id, uint32_t tx, const char *payload,
                          uint32_t plen)
{
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = tx, .len = plen };
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, plen);
    return (uint32_t)sizeof(h) + plen;
}

static void send_msg(int d, uint32_t type, uint32_t req_id, const char *payload, uint32_t plen)
{
    char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    uint32_t n = msg_build(buf, type, req_id, 0, payload, plen);
    assert_int_equal(put_bytes(d, buf, n), n);
}

/* A message bigger than req[]: put what fits, let the store take it, repeat. */
static void send_big(int d, uint32_t type, uint32_t req_id, const char *payload, uint32_t plen)
{
    static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    uint32_t n = msg_build(buf, type, req_id, 0, payload, plen), off = 0;
    for (int i = 0; i < 10 && off < n; i++) {
        off += put_bytes(d, buf + off, n - off);
        assert_false(xsd_conn_serve(conn[d], 8) & XSD_SERVE_DEAD);
    }
    assert_int_equal(off, n);
}
#define SEND(d, type, id, lit) send_msg(d, type, id, lit, sizeof(lit) - 1)

/* Take up to len bytes from rsp[]. */
static uint32_t get_bytes(int d, void *out, uint32_t len)
{
    struct xenstore_domain_interface *p = &page[d];
    uint32_t done = 0;

    while (done < len && p->rsp_cons != p->rsp_prod) {
        ((char *)out)[done++] = p->rsp[MASK_XENSTORE_IDX(p->rsp_cons)];
        p->rsp_cons++;
    }
    return done;
}

/* Read one whole message from rsp[]; false if none is complete. */
static bool recv_msg(int d, struct xsd_msg *m)
{
    struct xenstore_domain_interface *p = &page[d];
    uint32_t avail = p->rsp_prod - p->rsp_cons;

    if (avail < sizeof(m->hdr))
        return false;
    for (uint32_t i = 0; i < sizeof(m->hdr); i++)
        ((char *)&m->hdr)[i] = p->rsp[MASK_XENSTORE_IDX(p->rsp_cons + i)];
    if (avail < sizeof(m->hdr) + m->hdr.len)
        return false;
    get_bytes(d, m, (uint32_t)sizeof(m->hdr));
    get_bytes(d, m->body, m->hdr.len);
    return true;
}

static void expect_reply(int d, uint32_t type, uint32_t req_id, const char *body, uint32_t len)
{
    struct xsd_msg m;
    assert_true(recv_msg(d, &m));
    assert_int_equal(m.hdr.type, type);
    assert_int_equal(m.hdr.req_id, req_id);
    assert_int_equal(m.hdr.len, len);
    assert_memory_equal(m.body, body, len);
}
#define EXPECT(d, type, id, lit) expect_reply(d, type, id, lit, sizeof(lit) - 1)

static void expect_event(int d, const char *path, const char *token)
{
    char body[256];
    size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
    memcpy(body, path, pl);
    memcpy(body + pl, token, tl);
    expect_reply(d, XS_WATCH_EVENT, 0, body, (uint32_t)(pl + tl));
}

static void nothing_more(int d)
{
    assert_int_equal(page[d].rsp_prod, page[d].rsp_cons);
}

/* ---- tests ---- */

static void test_whole_message(void **st)
{
    (void)st;
    assert_int_equal(page[1].server_features,
                     XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR);
    SEND(1, XS_WRITE, 5, "name\0guest");
    assert_int_equal(xsd_conn_serve(conn[1], 8), XSD_SERVE_NOTIFY);
    assert_int_equal(page[1].req_cons, page[1].req_prod);
    EXPECT(1, XS_WRITE, 5, "OK\0");
    SEND(1, XS_READ, 6, "name\0");
    xsd_conn_serve(conn[1], 8);
    EXPECT(1, XS_READ, 6, "guest");
    nothing_more(1);
    /* Nothing to do: no bits, the indices stay. */
    assert_int_equal(xsd_conn_serve(conn[1], 8), 0);
    assert_false(xsd_conn_pending(conn[1]));
}

static void test_split_message(void **st)
{
    char buf[128];
    uint32_t n = msg_build(buf, XS_WRITE, 9, 0, "split\0value", 11);
    (void)st;
    /* Byte by byte, header split too: nothing answered until the last byte. */
    for (uint32_t i = 0; i < n - 1; i++) {
        put_bytes(1, buf + i, 1);
        assert_int_equal(xsd_conn_serve(conn[1], 8), XSD_SERVE_NOTIFY);
        nothing_more(1);
    }
    put_bytes(1, buf + n - 1, 1);
    xsd_conn_serve(conn[1], 8);
    EXPECT(1, XS_WRITE, 9, "OK\0");
    /* A message straddling the ring's wrap point. */
    page[1].req_cons = page[1].req_prod = 1020;
    xsd_conn_destroy(conn[1]);
    conn[1] = xsd_conn_create(s, 1, &page[1]);
    page[1].rsp_cons = page[1].rsp_prod = 1015;
    xsd_conn_destroy(conn[1]);
    conn[1] = xsd_conn_create(s, 1, &page[1]);
    SEND(1, XS_READ, 10, "split\0");
    xsd_conn_serve(conn[1], 8);
    EXPECT(1, XS_READ, 10, "value");
}

static void test_many_and_budget(void **st)
{
    char path[16];
    (void)st;
    /* 40 small requests fill most of req[] (22 bytes each). */
    for (int i = 0; i < 40; i++) {
        int n = snprintf(path, sizeof(path), "k%02d", i);
        send_msg(1, XS_MKDIR, (uint32_t)i, path, (uint32_t)n + 1);
    }
    /* Budget 3: three replies, more to do. */
    assert_int_equal(xsd_conn_serve(conn[1], 3), XSD_SERVE_NOTIFY | XSD_SERVE_MORE);
    for (int i = 0; i < 3; i++)
        EXPECT(1, XS_MKDIR, (uint32_t)i, "OK\0");
    nothing_more(1);
    /* Budget 0 does no request. */
    assert_int_equal(xsd_conn_serve(conn[1], 0), XSD_SERVE_MORE);
    nothing_more(1);
    for (int round = 0; round < 20 && (xsd_conn_serve(conn[1], 5) & XSD_SERVE_MORE); round++)
        ;
    for (int i = 3; i < 40; i++)
        EXPECT(1, XS_MKDIR, (uint32_t)i, "OK\0");
    nothing_more(1);
}

static void test_full_rsp_ring(void **st)
{
    static char big[2000];
    struct xsd_msg m;
    (void)st;
    /* A 1996-byte value: its READ reply (2012 bytes) is bigger than rsp[]. */
    memcpy(big, "big\0", 4);
    memset(big + 4, 'x', sizeof(big) - 4);
    send_big(1, XS_WRITE, 1, big, sizeof(big));
    EXPECT(1, XS_WRITE, 1, "OK\0");
    SEND(1, XS_READ, 2, "big\0");
    SEND(1, XS_READ, 3, "big\0");
    /* The client does not read: one ring's worth goes out, the rest is held, no request beyond. */
    assert_int_equal(xsd_conn_serve(conn[1], 8), XSD_SERVE_NOTIFY | XSD_SERVE_MORE);
    assert_int_equal(page[1].rsp_prod - page[1].rsp_cons, XENSTORE_RING_SIZE);
    assert_true(xsd_conn_pending(conn[1]));
    assert_int_equal(xsd_conn_serve(conn[1], 8), XSD_SERVE_MORE);     /* still full: no change */
    /* Drain in pieces while serving: both replies arrive whole and in order. */
    char got[2 * 2012];
    uint32_t have = 0;
    for (int i = 0; i < 20 && have < sizeof(got); i++) {
        have += get_bytes(1, got + have, 700);
        xsd_conn_serve(conn[1], 8);
    }
    assert_int_equal(have, sizeof(got));
    memcpy(&m.hdr, got, sizeof(m.hdr));
    assert_int_equal(m.hdr.req_id, 2);
    assert_int_equal(m.hdr.len, 1996);
    memcpy(&m.hdr, got + 2012, sizeof(m.hdr));
    assert_int_equal(m.hdr.req_id, 3);
    assert_false(xsd_conn_pending(conn[1]));
    /* The other client is not held up by this one. */
    SEND(2, XS_READ, 4, "/local/domain/1/big\0");
    xsd_conn_serve(conn[2], 8);
    EXPECT(2, XS_ERROR, 4, "EACCES\0");
}

static void test_bad_indices(void **st)
{
    (void)st;
    /* Watches of a broken connection go with it. */
    SEND(1, XS_WATCH, 1, "/local/domain/1\0t\0");
    xsd_conn_serve(conn[1], 8);
    EXPECT(1, XS_WATCH, 1, "OK\0");
    expect_event(1, "/local/domain/1", "t");
    page[1].req_prod = page[1].req_cons + XENSTORE_RING_SIZE + 1;
    assert_true(xsd_conn_serve(conn[1], 8) & XSD_SERVE_DEAD);
    assert_int_equal(page[1].error, XENSTORE_ERROR_RINGIDX);
    assert_int_equal(xsd_conn_serve(conn[1], 8), XSD_SERVE_DEAD);    /* stays dead */
    assert_false(xsd_conn_pending(conn[1]));
    {
        struct xsd_msg r;
        struct xsd_sockmsg h = { .type = XS_WRITE, .len = 18 };
        xsd_process(s, 0, &h, "/local/domain/1/x\0", &r);
        assert_false(xsd_next_event(s, 1, &r));
    }
    /* rsp_cons beyond what was produced. */
    SEND(2, XS_READ, 1, "/\0");
    page[2].rsp_cons = page[2].rsp_prod + 5;
    assert_true(xsd_conn_serve(conn[2], 8) & XSD_SERVE_DEAD);
    assert_int_equal(page[2].error, XENSTORE_ERROR_RINGIDX);
}

static void test_oversize_len(void **st)
{
    struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
    (void)st;
    put_bytes(1, &h, sizeof(h));
    assert_true(xsd_conn_serve(conn[1], 8) & XSD_SERVE_DEAD);
    assert_int_equal(page[1].error, XENSTORE_ERROR_PROTO);
    nothing_more(1);
    /* len exactly the maximum is fine (the value is over the entry quota: ENOSPC). */
    static char payload[XENSTORE_PAYLOAD_MAX];
    memcpy(payload, "v\0", 2);
    memset(payload + 2, 'z', sizeof(payload) - 2);
    struct xsd_sockmsg h2 = { .type = XS_WRITE, .req_id = 2, .len = XENSTORE_PAYLOAD_MAX };
    uint32_t off = 0;
    put_bytes(2, &h2, sizeof(h2));
    for (int i = 0; i < 10 && off < sizeof(payload); i++) {
        off += put_bytes(2, payload + off, sizeof(payload) - off);
        assert_false(xsd_conn_serve(conn[2], 8) & XSD_SERVE_DEAD);
    }
    EXPECT(2, XS_ERROR, 2, "ENOSPC\0");
}

static void test_reconnect(void **st)
{
    (void)st;
    SEND(1, XS_WATCH, 1, "/local/domain/1\0t\0");
    SEND(1, XS_TRANSACTION_START, 2, "\0");
    xsd_conn_serve(conn[1], 8);
    /* A half-sent request and unread replies, then the client asks to reconnect. */
    put_bytes(1, "\x02\0\0", 3);
    page[1].connection = XENSTORE_RECONNECT;
    assert_true(xsd_conn_serve(conn[1], 8) & XSD_SERVE_NOTIFY);
    assert_int_equal(page[1].connection, XENSTORE_CONNECTED);
    assert_int_equal(page[1].req_cons, 0);
    assert_int_equal(page[1].req_prod, 0);
    assert_int_equal(page[1].rsp_cons, 0);
    assert_int_equal(page[1].rsp_prod, 0);
    /* Watches and transactions are gone; the ring works from a message boundary. */
    SEND(1, XS_TRANSACTION_END, 3, "T\0");
    xsd_conn_serve(conn[1], 8);
    EXPECT(1, XS_ERROR, 3, "ENOENT\0");
    {
        struct xsd_msg r;
        struct xsd_sockmsg h = { .type = XS_WRITE, .len = 18 };
        xsd_process(s, 0, &h, "/local/domain/1/x\0", &r);
    }
    xsd_conn_serve(conn[1], 8);
    nothing_more(1);
    SEND(1, XS_WATCH, 4, "/local/domain/1\0t\0");
    xsd_conn_serve(conn[1], 8);
    EXPECT(1, XS_WATCH, 4, "OK\0");
    expect_event(1, "/local/domain/1", "t");
}

static void test_events_to_right_conn(void **st)
{
    (void)st;
    /* Domain 1 watches a node of its own that domain 2 may write. */
    SEND(1, XS_MKDIR, 0, "device/vif\0");
    SEND(1, XS_SET_PERMS, 1, "device/vif\0n1\0b2\0");
    SEND(1, XS_WATCH, 2, "device\0tok\0");
    xsd_conn_serve(conn[1], 8);
    EXPECT(1, XS_MKDIR, 0, "OK\0");
    EXPECT(1, XS_SET_PERMS, 1, "OK\0");
    EXPECT(1, XS_WATCH, 2, "OK\0");
    expect_event(1, "device", "tok");
    SEND(2, XS_WRITE, 7, "/local/domain/1/device/vif\0x");
    xsd_conn_serve(conn[2], 8);
    EXPECT(2, XS_WRITE, 7, "OK\0");
    nothing_more(2);                    /* not to the writer */
    assert_true(xsd_conn_pending(conn[1]));
    assert_int_equal(xsd_conn_serve(conn[1], 8), XSD_SERVE_NOTIFY);
    expect_event(1, "device/vif", "tok");
    nothing_more(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_whole_message), T(test_split_message), T(test_many_and_budget),
        T(test_full_rsp_ring), T(test_bad_indices), T(test_oversize_len), T(test_reconnect),
        T(test_events_to_right_conn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
