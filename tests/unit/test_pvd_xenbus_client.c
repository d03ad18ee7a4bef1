/*
 * Unit tests for pvdrivers/common/xenbus_client.c against a fake store in
 * this file (nodes in an array, whole-store snapshot transactions with a
 * generation check, queued watch events), speaking the xs_wire format
 * through the client's transport callback; plus a hostile store (wrong
 * req_id, type or tx_id, bad error names, malformed directories and
 * transaction ids) that must get -EIO/-EINVAL, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pv_xenbus.h"
#include <tandem/errno.h>

/* ---- the fake store ---- */
#define NODES 64
#define LEN 128
struct node { char path[LEN]; char value[LEN]; int used; };
struct store { struct node n[NODES]; };

static struct store live, snap;         /* snap: the one open transaction's view */
static uint32_t gen, snap_gen, open_tx; /* open_tx: 0 = none */
static struct { char path[LEN]; char token[32]; int used; } watches[8];
static char events[16][LEN * 2];
static uint32_t event_len[16];
static int nr_events;

/* Hostile knobs: corrupt the next reply. */
static int bad_req_id, bad_type, bad_tx, reply_error;
static const char *force_reply;         /* replace the payload */
static uint32_t force_len;

static void store_reset(void)
{
    memset(&live, 0, sizeof(live));
    memset(watches, 0, sizeof(watches));
    gen = snap_gen = open_tx = 0;
    nr_events = 0;
    bad_req_id = bad_type = bad_tx = reply_error = 0;
    force_reply = NULL;
}

static struct node *lookup(struct store *s, const char *path)
{
    for (int i = 0; i < NODES; i++)
        if (s->n[i].used && !strcmp(s->n[i].path, path))
            return &s->n[i];
    return NULL;
}

static int under(const char *path, const char *top)
{
    size_t n = strlen(top);

    return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

static void fire(const char *path)
{
    for (int i = 0; i < 8; i++)
        if (watches[i].used && under(path, watches[i].path) && nr_events < 16) {
            size_t p = strlen(path) + 1, t = strlen(watches[i].token) + 1;

            memcpy(events[nr_events], path, p);
            memcpy(events[nr_events] + p, watches[i].token, t);
            event_len[nr_events++] = (uint32_t)(p + t);
        }
}

/* Create path and its parents; NULL when the store is full. */
static struct node *create(struct store *s, const char *path)
{
    char parent[LEN];
    char *slash;
    struct node *n = lookup(s, path);

    if (n)
        return n;
    snprintf(parent, sizeof(parent), "%s", path);
    slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (!create(s, parent))
            return NULL;
    }
    for (int i = 0; i < NODES; i++)
        if (!s->n[i].used) {
            s->n[i].used = 1;
            snprintf(s->n[i].path, LEN, "%s", path);
            s->n[i].value[0] = '\0';
            return &s->n[i];
        }
    return NULL;
}

/* Handle one request; reply payload into out, its length returned; error name or NULL in *err. */
static uint32_t serve(uint32_t type, uint32_t tx, const char *body, uint32_t len, char *out,
                      const char **err)
{
    struct store *s = tx ? &snap : &live;
    const char *path = body;
    struct node *n;
    uint32_t o = 0;

    *err = NULL;
    if (tx && tx != open_tx) {
        *err = "EINVAL";
        return 0;
    }
    switch (type) {
    case XS_READ:
        n = lookup(s, path);
        if (!n) {
            *err = "ENOENT";
            return 0;
        }
        memcpy(out, n->value, strlen(n->value));
        return (uint32_t)strlen(n->value);
    case XS_WRITE: {
        size_t pl = strlen(path) + 1;

        n = create(s, path);
        if (!n) {
            *err = "ENOSPC";
            return 0;
        }
        memcpy(n->value, body + pl, len - pl);
        n->value[len - pl] = '\0';
        break;
    }
    case XS_MKDIR:
        if (!create(s, path)) {
            *err = "ENOSPC";
            return 0;
        }
        break;
    case XS_RM:
        if (!lookup(s, path)) {
            *err = "ENOENT";
            return 0;
        }
        for (int i = 0; i < NODES; i++)
            if (s->n[i].used && under(s->n[i].path, path))
                s->n[i].used = 0;
        break;
    case XS_DIRECTORY:
        if (!lookup(s, path)) {
            *err = "ENOENT";
            return 0;
        }
        for (int i = 0; i < NODES; i++) {
            const char *p = s->n[i].path;
            size_t pl = strlen(path);

            if (s->n[i].used && !strncmp(p, path, pl) && p[pl] == '/' && !strchr(p + pl + 1, '/')) {
                strcpy(out + o, p + pl + 1);
                o += (uint32_t)strlen(p + pl + 1) + 1;
            }
        }
        return o;
    case XS_WATCH:
        for (int i = 0; i < 8; i++)
            if (!watches[i].used) {
                watches[i].used = 1;
                snprintf(watches[i].path, LEN, "%s", path);
                snprintf(watches[i].token, 32, "%s", path + strlen(path) + 1);
                fire(path);     /* the initial event, at once */
                goto ok;
            }
        *err = "ENOSPC";
        return 0;
    case XS_UNWATCH:
        for (int i = 0; i < 8; i++)
            if (watches[i].used && !strcmp(watches[i].path, path)) {
                watches[i].used = 0;
                goto ok;
            }
        *err = "ENOENT";
        return 0;
    case XS_TRANSACTION_START:
        snap = live;
        snap_gen = gen;
        open_tx = 7 + gen;
        return (uint32_t)sprintf(out, "%u", open_tx) + 1;
    case XS_TRANSACTION_END:
        open_tx = 0;
        if (body[0] == 'T') {
            if (snap_gen != gen) {
                *err = "EAGAIN";
                return 0;
            }
            live = snap;
            gen++;
        }
        goto ok;
    default:
        *err = "ENOSYS";
        return 0;
    }
    if (!tx) {
        gen++;
        fire(path);
    }
ok:
    memcpy(out, "OK", 3);
    return 3;
}

static int calls;

static int fake_transport(void *ctx, const struct xsd_sockmsg *req, const void *body,
                          struct xsd_sockmsg *rsp, void *rbody, uint32_t rcap)
{
    char out[4096];
    const char *err;
    uint32_t n;

    (void)ctx;
    calls++;
    /* What the client sent must be well-formed: paths NUL-terminated inside len. */
    assert_true(req->len <= XENSTORE_PAYLOAD_MAX);
    assert_true(req->len > 0);
    n = serve(req->type, req->tx_id, body, req->len, out, &err);
    *rsp = *req;
    if (reply_error) {
        err = "EBUSY";
        reply_error = 0;
    }
    if (err) {
        rsp->type = XS_ERROR;
        n = (uint32_t)strlen(err) + 1;
        memcpy(out, err, n);
    }
    if (force_reply) {
        n = force_len;
        memcpy(out, force_reply, n);
        force_reply = NULL;
    }
    if (bad_req_id)
        rsp->req_id++, bad_req_id = 0;
    if (bad_type)
        rsp->type = XS_WATCH_EVENT, bad_type = 0;
    if (bad_tx)
        rsp->tx_id = 999, bad_tx = 0;
    if (n > rcap)
        return -XEN_E2BIG;
    memcpy(rbody, out, n);
    rsp->len = n;
    return 0;
}

static struct xenbus_client client;
static struct xenbus_client *const c = &client;

static int setup(void **state)
{
    (void)state;
    store_reset();
    xenbus_client_init(c, fake_transport, NULL);
    return 0;
}

static void test_read_write(void **state)
{
    char buf[64];
    uint32_t len, v;

    (void)state;
    assert_int_equal(xenbus_write(c, 0, "device/vbd/768/state", "1"), 0);
    assert_int_equal(xenbus_read(c, 0, "device/vbd/768/state", buf, sizeof(buf), &len), 0);
    assert_string_equal(buf, "1");
    assert_int_equal(len, 1);
    assert_int_equal(xenbus_read_uint(c, 0, "device/vbd/768/state", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(xenbus_read(c, 0, "device/nothing", buf, sizeof(buf), NULL), -XEN_ENOENT);
    /* Too small a buffer: -E2BIG (cap counts the NUL). */
    assert_int_equal(xenbus_write(c, 0, "k", "12345"), 0);
    assert_int_equal(xenbus_read(c, 0, "k", buf, 5, NULL), -XEN_E2BIG);
    assert_int_equal(xenbus_read(c, 0, "k", buf, 6, NULL), 0);
    /* Empty values are values. */
    assert_int_equal(xenbus_write(c, 0, "e", ""), 0);
    assert_int_equal(xenbus_read(c, 0, "e", buf, sizeof(buf), &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(xenbus_mkdir(c, 0, "/local/domain/1/device"), 0);
    assert_int_equal(xenbus_rm(c, 0, "device/vbd"), 0);
    assert_int_equal(xenbus_read(c, 0, "device/vbd/768/state", buf, sizeof(buf), NULL), -XEN_ENOENT);
    assert_int_equal(xenbus_rm(c, 0, "device/vbd"), -XEN_ENOENT);
}

static void test_read_uint_strict(void **state)
{
    static const char *const bad[] = { "", "-1", " 1", "1 ", "0x10", "4294967296", "99999999999", "1a" };
    uint32_t v = 77;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(xenbus_write(c, 0, "ring-ref", bad[i]), 0);
        assert_int_equal(xenbus_read_uint(c, 0, "ring-ref", &v), -XEN_EINVAL);
        assert_int_equal(v, 77);
    }
    assert_int_equal(xenbus_write(c, 0, "ring-ref", "4294967295"), 0);
    assert_int_equal(xenbus_read_uint(c, 0, "ring-ref", &v), 0);
    assert_int_equal(v, 4294967295u);
}

static void test_bad_paths(void **state)
{
    static char longpath[XENSTORE_ABS_PATH_MAX + 2];

    (void)state;
    calls = 0;
    assert_int_equal(xenbus_write(c, 0, "", "x"), -XEN_EINVAL);
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    assert_int_equal(xenbus_mkdir(c, 0, longpath), -XEN_EINVAL);
    longpath[XENSTORE_REL_PATH_MAX + 1] = '\0';
    longpath[0] = 'a';
    assert_int_equal(xenbus_mkdir(c, 0, longpath), -XEN_EINVAL);     /* relative: 2048 max */
    assert_int_equal(calls, 0);                                     /* nothing was sent */
}

static void test_directory(void **state)
{
    char buf[64];
    int n;

    (void)state;
    assert_int_equal(xenbus_write(c, 0, "/d/a", "1"), 0);
    assert_int_equal(xenbus_write(c, 0, "/d/b/x", "2"), 0);
    assert_int_equal(xenbus_mkdir(c, 0, "/d/c"), 0);
    n = xenbus_directory(c, 0, "/d", buf, sizeof(buf));
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "a\0b\0c\0", 6);
    assert_int_equal(xenbus_directory(c, 0, "/d/c", buf, sizeof(buf)), 0);
    assert_int_equal(xenbus_directory(c, 0, "/none", buf, sizeof(buf)), -XEN_ENOENT);
    assert_int_equal(xenbus_directory(c, 0, "/d", buf, 4), -XEN_E2BIG);
}

static int fired;
static char fired_path[LEN];

static void on_watch(struct xenbus_watch *w, const char *path)
{
    (void)w;
    fired++;
    snprintf(fired_path, sizeof(fired_path), "%s", path);
}

static void drain_events(void)
{
    int n = nr_events;

    nr_events = 0;
    for (int i = 0; i < n; i++)
        xenbus_watch_event(c, events[i], event_len[i]);
}

static void test_watch(void **state)
{
    struct xenbus_watch w = { .path = "/backend/vbd/1/768", .fn = on_watch };
    struct xenbus_watch w2 = { .path = "/other", .fn = on_watch };

    (void)state;
    fired = 0;
    assert_int_equal(xenbus_watch(c, &w), 0);
    assert_int_equal(xenbus_watch(c, &w2), 0);
    assert_string_not_equal(w.token, w2.token);
    drain_events();
    assert_int_equal(fired, 2);                 /* the initial fire of each */
    assert_int_equal(xenbus_write(c, 0, "/backend/vbd/1/768/state", "4"), 0);
    drain_events();
    assert_int_equal(fired, 3);
    assert_string_equal(fired_path, "/backend/vbd/1/768/state");
    assert_int_equal(xenbus_unwatch(c, &w), 0);
    assert_int_equal(xenbus_unwatch(c, &w), -XEN_ENOENT);
    /* An event for the removed watch (already in flight) is dropped. */
    assert_int_equal(xenbus_watch_event(c, "/backend/vbd/1/768/state\0w1", 28), -XEN_ENOENT);
    assert_int_equal(fired, 3);
    /* Malformed events. */
    assert_int_equal(xenbus_watch_event(c, "", 0), -XEN_EINVAL);
    assert_int_equal(xenbus_watch_event(c, "/p\0w2", 5), -XEN_EINVAL);     /* no final NUL */
    assert_int_equal(xenbus_watch_event(c, "/p", 3), -XEN_EINVAL);         /* no token */
    assert_int_equal(xenbus_watch_event(c, "\0w2", 4), -XEN_EINVAL);       /* empty path */
    assert_int_equal(xenbus_watch_event(c, "/p\0w2", 6), 0);
    assert_int_equal(fired, 4);
}

/* Transaction body: read a counter and write counter + 1; the first run sees a concurrent write. */
static int conflicts_to_make;

static int bump(struct xenbus_client *cl, uint32_t tx, void *arg)
{
    uint32_t v;
    char buf[16];
    int rc = xenbus_read_uint(cl, tx, "/counter", &v);

    (void)arg;
    if (rc)
        return rc;
    if (conflicts_to_make) {
        conflicts_to_make--;
        assert_int_equal(xenbus_write(cl, 0, "/other", "x"), 0);  /* someone else, outside */
    }
    snprintf(buf, sizeof(buf), "%u", v + 1);
    return xenbus_write(cl, tx, "/counter", buf);
}

static int fails(struct xenbus_client *cl, uint32_t tx, void *arg)
{
    (void)arg;
    xenbus_write(cl, tx, "/counter", "100");
    return -XEN_ENOSPC;
}

static void test_transactions(void **state)
{
    uint32_t v, tx;

    (void)state;
    assert_int_equal(xenbus_write(c, 0, "/counter", "5"), 0);
    conflicts_to_make = 2;
    assert_int_equal(xenbus_transaction(c, 5, bump, NULL), 0);
    assert_int_equal(xenbus_read_uint(c, 0, "/counter", &v), 0);
    assert_int_equal(v, 6);                     /* applied once, after two EAGAINs */
    /* Retry bound: always conflicting, 3 tries -> -EAGAIN, counter untouched. */
    conflicts_to_make = 3;
    assert_int_equal(xenbus_transaction(c, 3, bump, NULL), -XEN_EAGAIN);
    assert_int_equal(xenbus_read_uint(c, 0, "/counter", &v), 0);
    assert_int_equal(v, 6);
    /* A failing body aborts: nothing written. */
    assert_int_equal(xenbus_transaction(c, 3, fails, NULL), -XEN_ENOSPC);
    assert_int_equal(xenbus_read_uint(c, 0, "/counter", &v), 0);
    assert_int_equal(v, 6);
    assert_int_equal(open_tx, 0);
    /* By hand: start, write, abort. */
    assert_int_equal(xenbus_transaction_start(c, &tx), 0);
    assert_int_not_equal(tx, 0);
    assert_int_equal(xenbus_write(c, tx, "/counter", "9"), 0);
    assert_int_equal(xenbus_transaction_end(c, tx, 1), 0);
    assert_int_equal(xenbus_read_uint(c, 0, "/counter", &v), 0);
    assert_int_equal(v, 6);
}

/* A store that answers wrongly: every call fails cleanly. */
static void test_hostile_store(void **state)
{
    char buf[64];
    uint32_t tx, v;

    (void)state;
    assert_int_equal(xenbus_write(c, 0, "/k", "1"), 0);
    bad_req_id = 1;
    assert_int_equal(xenbus_read(c, 0, "/k", buf, sizeof(buf), NULL), -XEN_EIO);
    bad_type = 1;
    assert_int_equal(xenbus_read(c, 0, "/k", buf, sizeof(buf), NULL), -XEN_EIO);
    bad_tx = 1;
    assert_int_equal(xenbus_write(c, 0, "/k", "2"), -XEN_EIO);
    reply_error = 1;
    assert_int_equal(xenbus_read(c, 0, "/k", buf, sizeof(buf), NULL), -XEN_EBUSY);
    /* An error name we do not know, and one without its NUL. */
    force_reply = "EWHATEVER";
    force_len = 10;
    reply_error = 1;
    assert_int_equal(xenbus_read(c, 0, "/k", buf, sizeof(buf), NULL), -XEN_EINVAL);
    force_reply = "EAGAIN";
    force_len = 6;
    reply_error = 1;
    assert_int_equal(xenbus_read(c, 0, "/k", buf, sizeof(buf), NULL), -XEN_EAGAIN);
    /* Write answered with something other than OK. */
    force_reply = "NO";
    force_len = 3;
    assert_int_equal(xenbus_write(c, 0, "/k", "3"), -XEN_EIO);
    /* Directory replies: no final NUL, an empty name. */
    force_reply = "a\0b";
    force_len = 3;
    assert_int_equal(xenbus_directory(c, 0, "/k", buf, sizeof(buf)), -XEN_EIO);
    force_reply = "a\0\0b\0";
    force_len = 5;
    assert_int_equal(xenbus_directory(c, 0, "/k", buf, sizeof(buf)), -XEN_EIO);
    /* Transaction ids: not a number, zero, too big. */
    force_reply = "x1";
    force_len = 3;
    assert_int_equal(xenbus_transaction_start(c, &tx), -XEN_EIO);
    force_reply = "0";
    force_len = 2;
    assert_int_equal(xenbus_transaction_start(c, &tx), -XEN_EIO);
    force_reply = "4294967296";
    force_len = 11;
    assert_int_equal(xenbus_transaction_start(c, &tx), -XEN_EIO);
    /* A value too long for read_uint's buffer is just not a number. */
    force_reply = "123456789012345678901234567890";
    force_len = 30;
    assert_int_equal(xenbus_read_uint(c, 0, "/k", &v), -XEN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_read_write, setup),
        cmocka_unit_test_setup(test_read_uint_strict, setup),
        cmocka_unit_test_setup(test_bad_paths, setup),
        cmocka_unit_test_setup(test_directory, setup),
        cmocka_unit_test_setup(test_watch, setup),
        cmocka_unit_test_setup(test_transactions, setup),
        cmocka_unit_test_setup(test_hostile_store, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
