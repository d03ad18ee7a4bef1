/*
 * Unit tests for pvdrivers/common/xenbus_ring.c: the xenbus client over a
 * real ring page and a fake store that runs whenever the client waits
 * (the fake pvos_wait_until steps it), so replies arrive in pieces as the
 * ring frees up. Watch events ahead of a reply, stale replies, replies
 * bigger than the caller's buffer or than the protocol allows, and a
 * store that never answers (timeout).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pv_xenbus_ring.h"
#include <tandem/errno.h>

static struct xenstore_domain_interface page;

/* ---- fake store: reads requests, queues replies, pushes them as space allows ---- */
static unsigned char in[8192], out[16384];
static uint32_t in_len, out_len, out_off;
static int mute, stale_next, event_next, huge_next;
static char value[5000];
static uint64_t now;
static int notifies, waits, resets;

static void emit(uint32_t type, uint32_t req_id, uint32_t tx, const void *p, uint32_t len)
{
    struct xsd_sockmsg h = { type, req_id, tx, len };

    memcpy(out + out_len, &h, sizeof(h));
    memcpy(out + out_len + sizeof(h), p, len);
    out_len += (uint32_t)sizeof(h) + len;
}

static void serve(const struct xsd_sockmsg *h, const unsigned char *body)
{
    while (event_next) {           /* all queued events before this reply */
        event_next--;
        emit(XS_WATCH_EVENT, 0, 0, "/a/b\0w1", 8);
    }
    if (stale_next) {
        stale_next = 0;
        emit(h->type, h->req_id - 1, h->tx_id, "OLD", 4);
    }
    if (huge_next) {
        huge_next = 0;
        emit(h->type, h->req_id, h->tx_id, "x", 1);
        memcpy(out + out_len - 5, "\xff\xff\x00\x00", 4);   /* len = 65535 */
        return;
    }
    if (h->type == XS_READ)
        emit(XS_READ, h->req_id, h->tx_id, value, (uint32_t)strlen(value));
    else if (h->type == XS_WRITE) {
        size_t pl = strlen((const char *)body) + 1;

        memcpy(value, body + pl, h->len - pl);
        value[h->len - pl] = '\0';
        emit(XS_WRITE, h->req_id, h->tx_id, "OK", 3);
    } else
        emit(h->type, h->req_id, h->tx_id, "OK", 3);
}

static void store_step(void)
{
    struct xsd_sockmsg h;

    if (mute)
        return;
    if (page.connection == XENSTORE_RECONNECT) {   /* xenstore-ring.txt: empty everything */
        in_len = out_len = out_off = 0;
        page.req_cons = page.req_prod = page.rsp_cons = page.rsp_prod = 0;
        page.connection = XENSTORE_CONNECTED;
        resets++;
        return;
    }
    /* Take what the guest wrote (at most 200 bytes a step). */
    for (int i = 0; i < 200 && page.req_cons != page.req_prod; i++)
        in[in_len++] = (unsigned char)page.req[MASK_XENSTORE_IDX(page.req_cons++)];
    while (in_len >= sizeof(h)) {
        memcpy(&h, in, sizeof(h));
        if (in_len < sizeof(h) + h.len)
            break;
        serve(&h, in + sizeof(h));
        memmove(in, in + sizeof(h) + h.len, in_len - sizeof(h) - h.len);
        in_len -= (uint32_t)sizeof(h) + h.len;
    }
    /* Give back what fits (at most 300 bytes a step). */
    for (int i = 0; i < 300 && out_off < out_len &&
         page.rsp_prod - page.rsp_cons < XENSTORE_RING_SIZE; i++)
        page.rsp[MASK_XENSTORE_IDX(page.rsp_prod++)] = (char)out[out_off++];
    if (out_off == out_len)
        out_off = out_len = 0;
}

/* ---- fake pvos ---- */
bool pvos_wait_until(struct pvos_wait *w, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
    (void)w;
    waits++;
    while (!cond(arg)) {
        store_step();
        now += 1000;
        if (deadline_ns && now >= deadline_ns)
            return cond(arg);
    }
    return true;
}

void pvos_wake(struct pvos_wait *w) { (void)w; }
uint64_t pvos_now_ns(void) { return now; }
int pvos_evtchn_notify(uint32_t port) { (void)port; notifies++; return 0; }

static struct xenbus_ring ring;
static struct xenbus_client client;
static int fired, reenter;

/* With reenter set, the first firing makes a request during which the store queues one more event. */
static void on_watch(struct xenbus_watch *w, const char *path)
{
    char got[64];

    (void)w;
    assert_string_equal(path, "/a/b");
    fired++;
    if (reenter) {
        reenter = 0;
        event_next = 1;
        assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), 0);
    }
}

static int setup(void **state)
{
    (void)state;
    memset(&page, 0, sizeof(page));
    memset(&ring, 0, sizeof(ring));
    in_len = out_len = out_off = 0;
    mute = stale_next = event_next = huge_next = 0;
    fired = reenter = resets = 0;
    value[0] = '\0';
    ring.intf = &page;
    ring.port = 3;
    ring.timeout_ns = 10000000;     /* 10,000 store steps */
    xenbus_client_init(&client, xenbus_ring_transport, &ring);
    return 0;
}

static void test_round_trips(void **state)
{
    static char big[3001], got[4000];
    uint32_t len;

    (void)state;
    assert_int_equal(xenbus_write(&client, 0, "/k", "hello"), 0);
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), &len), 0);
    assert_string_equal(got, "hello");
    /* 3000 bytes each way: more than the 1024-byte rings, in pieces. */
    memset(big, 'z', 3000);
    for (int i = 0; i < 200; i++) {
        big[i % 3000] = (char)('a' + i % 26);
        assert_int_equal(xenbus_write(&client, 0, "/big", big), 0);
        assert_int_equal(xenbus_read(&client, 0, "/big", got, sizeof(got), &len), 0);
        assert_int_equal(len, 3000);
        assert_memory_equal(got, big, 3000);
    }
    assert_true(page.req_prod > 500000);       /* the 1024-byte ring wrapped hundreds of times */
    assert_int_equal(page.req_prod, page.req_cons);
    assert_int_equal(page.rsp_prod, page.rsp_cons);
}

static void test_events_and_stale(void **state)
{
    struct xenbus_watch w = { .path = "/a", .fn = on_watch };
    char got[64];

    (void)state;
    assert_int_equal(xenbus_watch(&client, &w), 0);
    assert_string_equal(w.token, "w1");
    event_next = 3;
    stale_next = 1;
    assert_int_equal(xenbus_write(&client, 0, "/k", "v"), 0);
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), 0);
    assert_string_equal(got, "v");
    assert_int_equal(fired, 0);                 /* never from inside a request */
    assert_int_equal(xenbus_ring_poll_events(&ring, &client), 3);
    assert_int_equal(fired, 3);
    assert_int_equal(xenbus_ring_poll_events(&ring, &client), 0);
    /* A watch function that makes a request: the event it queues comes in the same poll. */
    event_next = 1;
    assert_int_equal(xenbus_write(&client, 0, "/k", "w"), 0);
    reenter = 1;
    assert_int_equal(xenbus_ring_poll_events(&ring, &client), 2);
    assert_int_equal(fired, 5);
    assert_int_equal(ring.events_dropped, 0);
}

static void test_too_big(void **state)
{
    char small[8], got[64];

    (void)state;
    strcpy(value, "0123456789abcdef");
    assert_int_equal(xenbus_read(&client, 0, "/k", small, sizeof(small), NULL), -XEN_E2BIG);
    /* The stream stayed in step: the next request works. */
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), 0);
    assert_string_equal(got, "0123456789abcdef");
    /* A header claiming more than XENSTORE_PAYLOAD_MAX: protocol error. */
    huge_next = 1;
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), -XEN_EIO);
}

static void test_timeout_and_bad_ring(void **state)
{
    char got[64];

    (void)state;
    mute = 1;
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), -XEN_ETIMEDOUT);
    setup(NULL);
    page.rsp_prod = 5000;                       /* a store claiming 5000 bytes of reply */
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), -XEN_EIO);
}

/* After -EIO the next request resets the ring first (when the store offers it), else -EIO again. */
static void test_reconnect(void **state)
{
    char got[64];

    (void)state;
    strcpy(value, "v");
    huge_next = 1;
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), -XEN_EIO);
    assert_true(ring.broken);
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), -XEN_EIO);   /* no feature */
    assert_int_equal(resets, 0);
    page.server_features = XENSTORE_SERVER_FEATURE_RECONNECTION;
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), 0);
    assert_string_equal(got, "v");
    assert_int_equal(resets, 1);
    assert_int_equal(ring.resets, 1);
    assert_false(ring.broken);
    /* A timeout in the middle of a reply breaks the stream too; one before anything moved does not. */
    mute = 1;
    assert_int_equal(xenbus_read(&client, 0, "/k", got, sizeof(got), NULL), -XEN_ETIMEDOUT);
    assert_false(ring.broken);
    mute = 0;
}

/* Events sent while no request is in flight: the pump queues them, stale replies go. */
static void test_pump(void **state)
{
    struct xenbus_watch w = { .path = "/a", .fn = on_watch };

    (void)state;
    assert_int_equal(xenbus_watch(&client, &w), 0);
    emit(XS_WATCH_EVENT, 0, 0, "/a/b\0w1", 8);
    emit(XS_READ, 99, 0, "OLD", 3);
    emit(XS_WATCH_EVENT, 0, 0, "/a/b\0w1", 8);
    while (out_off < out_len)
        store_step();
    assert_int_equal(xenbus_ring_pump(&ring), 0);
    assert_int_equal(xenbus_ring_poll_events(&ring, &client), 2);
    assert_int_equal(fired, 2);
    assert_int_equal(page.rsp_prod, page.rsp_cons);
    /* Re-registering sends XS_WATCH again for it. */
    assert_int_equal(xenbus_rewatch(&client), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_round_trips, setup),
        cmocka_unit_test_setup(test_events_and_stale, setup),
        cmocka_unit_test_setup(test_too_big, setup),
        cmocka_unit_test_setup(test_timeout_and_bad_ring, setup),
        cmocka_unit_test_setup(test_reconnect, setup),
        cmocka_unit_test_setup(test_pump, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
