/* Unit tests for pvdrivers/xenstored (the store's tree, permissions, transactions, watches, quotas). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xenstored.h"

/* A malloc allocator that counts what is outstanding and can fail after `budget` calls. */
static long outstanding, budget = -1;

static void *t_alloc(void *ctx, size_t n)
{
    (void)ctx;
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
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
static struct xsd_msg r;

static int setup(void **state)
{
    const struct xsd_quota q = XSD_QUOTA_DEFAULT;
    (void)state;
    budget = -1;
    outstanding = 0;
    s = xsd_store_create(&talloc, &q);
    return s ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xsd_store_destroy(s);
    s = NULL;
    return outstanding ? -1 : 0;    /* every allocation given back */
}

/* Send a request; payload given with its length (strings may hold NULs). */
static int req(uint16_t dom, uint32_t type, uint32_t tx, const char *p, size_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = 77, .tx_id = tx, .len = (uint32_t)len };
    int rc = xsd_process(s, dom, &h, p, &r);
    if (rc == 0) {
        assert_int_equal(r.hdr.req_id, 77);
        assert_int_equal(r.hdr.tx_id, tx);
        assert_true(r.hdr.len <= XENSTORE_PAYLOAD_MAX);
    }
    return rc;
}
#define REQ(dom, type, tx, lit) req(dom, type, tx, lit, sizeof(lit) - 1)

static void ok(void)
{
    assert_int_equal(r.hdr.type != XS_ERROR, 1);
}

static void is_err(const char *name)
{
    assert_int_equal(r.hdr.type, XS_ERROR);
    assert_string_equal(r.body, name);
    assert_int_equal(r.hdr.len, strlen(name) + 1);
}

#define body_is(lit, len) body_is_at(lit, len, __LINE__)
static void body_is_at(const char *lit, size_t len, int line)
{
    if (r.hdr.type == XS_ERROR)
        fail_msg("line %d: unexpected error %s", line, r.body);
    assert_int_equal(r.hdr.len, len);
    assert_memory_equal(r.body, lit, len);
}
#define BODY(lit) body_is(lit, sizeof(lit) - 1)

static void w(uint16_t dom, const char *path, const char *val)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t pl = strlen(path) + 1, vl = strlen(val);
    memcpy(buf, path, pl);
    memcpy(buf + pl, val, vl);
    req(dom, XS_WRITE, 0, buf, pl + vl);
    BODY("OK\0");
}

static void rd(uint16_t dom, const char *path)
{
    req(dom, XS_READ, 0, path, strlen(path) + 1);
}

static void perms(uint16_t dom, const char *lit, size_t len)
{
    req(dom, XS_SET_PERMS, 0, lit, len);
}
#define PERMS(dom, lit) perms(dom, lit, sizeof(lit) - 1)

/* A home for domain `d`, owned by it: /local/domain/<d> with "n<d>". */
static void home(uint16_t d)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "/local/domain/%u", d);
    req(0, XS_MKDIR, 0, buf, (size_t)n + 1);
    BODY("OK\0");
    n += 1 + snprintf(buf + n + 1, sizeof(buf) - (size_t)n - 1, "n%u", d);
    req(0, XS_SET_PERMS, 0, buf, (size_t)n + 1);
    BODY("OK\0");
}

static bool next_event(uint16_t dom, const char *path, const char *token)
{
    struct xsd_msg ev;
    if (!xsd_next_event(s, dom, &ev))
        return false;
    assert_int_equal(ev.hdr.type, XS_WATCH_EVENT);
    assert_string_equal(ev.body, path);
    assert_string_equal(ev.body + strlen(path) + 1, token);
    assert_int_equal(ev.hdr.len, strlen(path) + strlen(token) + 2);
    return true;
}

static void no_event(uint16_t dom)
{
    struct xsd_msg ev;
    assert_false(xsd_next_event(s, dom, &ev));
}

static uint32_t tx_start(uint16_t dom)
{
    REQ(dom, XS_TRANSACTION_START, 0, "\0");
    ok();
    return (uint32_t)strtoul(r.body, NULL, 10);
}

/* ---- tree ---- */
static void test_write_read(void **st)
{
    (void)st;
    w(0, "/a/b/c", "hello");
    rd(0, "/a/b/c");
    BODY("hello");
    rd(0, "/a/b");
    BODY("");
    rd(0, "/a/x");
    is_err("ENOENT");
    w(0, "/a/b/c", "");
    rd(0, "/a/b/c");
    BODY("");
    /* A value may hold NULs. */
    req(0, XS_WRITE, 0, "/v\0a\0b", 6);
    rd(0, "/v");
    BODY("a\0b");
}

static void test_directory(void **st)
{
    (void)st;
    w(0, "/d/one", "1");
    w(0, "/d/two", "2");
    REQ(0, XS_MKDIR, 0, "/d/three\0");
    BODY("OK\0");
    REQ(0, XS_DIRECTORY, 0, "/d\0");
    BODY("one\0two\0three\0");
    REQ(0, XS_DIRECTORY, 0, "/d/one\0");
    BODY("");
    REQ(0, XS_DIRECTORY, 0, "/nope\0");
    is_err("ENOENT");
    REQ(0, XS_MKDIR, 0, "/d/one\0");           /* exists: fine, value kept */
    BODY("OK\0");
    rd(0, "/d/one");
    BODY("1");
}

static void test_rm(void **st)
{
    (void)st;
    w(0, "/r/a/b/c", "x");
    w(0, "/r/keep", "y");
    REQ(0, XS_RM, 0, "/r/a\0");
    BODY("OK\0");
    rd(0, "/r/a/b/c");
    is_err("ENOENT");
    REQ(0, XS_DIRECTORY, 0, "/r\0");
    BODY("keep\0");
    REQ(0, XS_RM, 0, "/r/a\0");                /* parent exists: OK as Xen */
    BODY("OK\0");
    REQ(0, XS_RM, 0, "/r/a/b\0");              /* parent missing */
    is_err("ENOENT");
    REQ(0, XS_RM, 0, "/\0");
    is_err("EINVAL");
}

static void test_paths(void **st)
{
    char big[XENSTORE_PAYLOAD_MAX];
    (void)st;
    static const char *bad[] = { "/a/", "//a", "/a//b", "/a b", "/a.b", "/é", "", "@x" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rd(0, bad[i]);
        is_err("EINVAL");
    }
    rd(0, "/");
    BODY("");
    /* Relative paths live under /local/domain/<client>. */
    home(3);
    w(3, "name", "guest");
    rd(0, "/local/domain/3/name");
    BODY("guest");
    /* Length: relative part up to XENSTORE_REL_PATH_MAX. */
    memset(big, 'a', sizeof(big));
    big[0] = '/';
    big[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    rd(0, big);
    is_err("EINVAL");
    big[XENSTORE_REL_PATH_MAX] = '\0';
    rd(0, big);
    is_err("ENOENT");
    big[XENSTORE_REL_PATH_MAX] = 'a';
    big[XENSTORE_REL_PATH_MAX + 1] = '\0';
    rd(0, big);
    is_err("EINVAL");
    memset(big, 'b', XENSTORE_REL_PATH_MAX);
    big[XENSTORE_REL_PATH_MAX] = '\0';
    rd(3, big);                                 /* relative, exactly the limit */
    is_err("ENOENT");
    big[XENSTORE_REL_PATH_MAX] = 'b';
    big[XENSTORE_REL_PATH_MAX + 1] = '\0';
    rd(3, big);
    is_err("EINVAL");
}

static void test_get_domain_path(void **st)
{
    (void)st;
    REQ(1, XS_GET_DOMAIN_PATH, 0, "7\0");
    BODY("/local/domain/7\0");
    REQ(1, XS_GET_DOMAIN_PATH, 0, "x\0");
    is_err("EINVAL");
    REQ(1, XS_GET_DOMAIN_PATH, 0, "65536\0");
    is_err("EINVAL");
}

/* ---- permissions ---- */
static void test_perms_default_and_inherit(void **st)
{
    (void)st;
    REQ(0, XS_GET_PERMS, 0, "/\0");
    BODY("n0\0");
    w(0, "/tool/x", "1");
    rd(1, "/tool/x");
    is_err("EACCES");
    rd(1, "/tool/none");                        /* missing under an unreadable parent */
    is_err("EACCES");
    home(1);
    w(1, "device/vif/0/state", "1");           /* a guest creates in its home */
    REQ(0, XS_GET_PERMS, 0, "/local/domain/1/device/vif/0/state\0");
    BODY("n1\0");
    rd(1, "device/none");
    is_err("ENOENT");
    /* dom0 creating under a guest's home: the node inherits the guest as owner. */
    w(0, "/local/domain/1/backend", "b");
    REQ(0, XS_GET_PERMS, 0, "/local/domain/1/backend\0");
    BODY("n1\0");
    /* A guest creating under a node it may write but does not own becomes the owner. */
    w(0, "/shared", "");
    PERMS(0, "/shared\0n0\0w2\0");
    BODY("OK\0");
    w(2, "/shared/mine", "m");
    REQ(0, XS_GET_PERMS, 0, "/shared/mine\0");
    BODY("n2\0w2\0");
    rd(2, "/shared/mine");
    BODY("m");
    rd(2, "/shared");                           /* write-only for 2 */
    is_err("EACCES");
    req(3, XS_WRITE, 0, "/local/domain/3\0", 16);  /* dom 3 may not write /local/domain */
    is_err("EACCES");
}

static void test_perms_matrix(void **st)
{
    static const struct { uint16_t dom; bool rd, wr; } m[] = {
        { 0, true, true }, { 1, true, true }, { 2, true, false },
        { 3, false, true }, { 4, true, true }, { 5, false, false },
    };
    (void)st;
    w(0, "/m", "v");
    PERMS(0, "/m\0n1\0r2\0w3\0b4\0");
    BODY("OK\0");
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        rd(m[i].dom, "/m");
        if (m[i].rd)
            BODY("v");
        else
            is_err("EACCES");
        req(m[i].dom, XS_WRITE, 0, "/m\0v", 4);
        if (m[i].wr)
            BODY("OK\0");
        else
            is_err("EACCES");
    }
    /* The default entry: everyone else reads. */
    PERMS(0, "/m\0r1\0");
    BODY("OK\0");
    rd(9, "/m");
    BODY("v");
    req(9, XS_WRITE, 0, "/m\0v", 4);
    is_err("EACCES");
}

static void test_set_perms_refusals(void **st)
{
    (void)st;
    w(0, "/p", "");
    PERMS(0, "/p\0n1\0b2\0");
    BODY("OK\0");
    PERMS(2, "/p\0n2\0");                       /* may write, is not owner */
    is_err("EACCES");
    PERMS(1, "/p\0n3\0");                       /* owner may not give it away */
    is_err("EPERM");
    PERMS(1, "/p\0n1\0r5\0");
    BODY("OK\0");
    REQ(0, XS_GET_PERMS, 0, "/p\0");
    BODY("n1\0r5\0");
    PERMS(0, "/p\0x1\0");
    is_err("EINVAL");
    PERMS(0, "/p\0r\0");
    is_err("EINVAL");
    PERMS(0, "/p\0r70000\0");
    is_err("EINVAL");
    PERMS(0, "/p\0");
    is_err("EINVAL");
    PERMS(0, "/p\0r1");                         /* not NUL-terminated */
    is_err("EINVAL");
    PERMS(1, "/p\0n1\0r2\0r3\0r4\0r5\0r6\0");   /* 6 entries > quota 5 */
    is_err("ENOSPC");
    PERMS(0, "/p\0n1\0r2\0r3\0r4\0r5\0r6\0");   /* dom0 is not limited */
    BODY("OK\0");
    PERMS(0, "/none\0n1\0");
    is_err("ENOENT");
}

/* ---- DIRECTORY_PART ---- */
static void test_directory_part(void **st)
{
    char path[64], full[16384], part[16384];
    size_t flen = 0, plen = 0;
    (void)st;
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/big/child-with-a-long-name-%04d", i);
        w(0, path, "");
        flen += (size_t)snprintf(full + flen, sizeof(full) - flen, "child-with-a-long-name-%04d", i) + 1;
    }
    REQ(0, XS_DIRECTORY, 0, "/big\0");
    is_err("E2BIG");
    for (int rounds = 0; ; rounds++) {
        char arg[32];
        int n = snprintf(arg, sizeof(arg), "/big%c%zu", 0, plen);
        req(0, XS_DIRECTORY_PART, 0, arg, (size_t)n + 1);
        ok();
        size_t gl = strlen(r.body) + 1, len = r.hdr.len - gl;
        assert_true(rounds < 10);
        if (len >= 1 && r.body[r.hdr.len - 1] == '\0' && r.body[r.hdr.len - 2] == '\0') {
            memcpy(part + plen, r.body + gl, len - 1);    /* drop the final empty string */
            plen += len - 1;
            break;
        }
        memcpy(part + plen, r.body + gl, len);
        plen += len;
    }
    assert_int_equal(plen, flen);
    assert_memory_equal(part, full, flen);
    REQ(0, XS_DIRECTORY_PART, 0, "/big\0999999\0");
    ok();
    assert_int_equal(r.hdr.len, strlen(r.body) + 2);
    REQ(0, XS_DIRECTORY_PART, 0, "/big\0x\0");
    is_err("EINVAL");
    REQ(0, XS_DIRECTORY_PART, 0, "/big\0");
    is_err("EINVAL");
}

/* ---- transactions ---- */
static void test_tx_isolation_and_commit(void **st)
{
    (void)st;
    w(0, "/t/a", "old");
    uint32_t tx = tx_start(0);
    assert_int_not_equal(tx, 0);
    req(0, XS_WRITE, tx, "/t/a\0new", 8);
    BODY("OK\0");
    req(0, XS_WRITE, tx, "/t/b/c\0made", 11);
    REQ(0, XS_READ, tx, "/t/a\0");
    BODY("new");
    rd(0, "/t/a");
    BODY("old");
    rd(0, "/t/b/c");
    is_err("ENOENT");
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
    rd(0, "/t/a");
    BODY("new");
    rd(0, "/t/b/c");
    BODY("made");
    REQ(0, XS_READ, tx, "/t/a\0");             /* ended: the id is gone */
    is_err("ENOENT");
}

static void test_tx_abort(void **st)
{
    (void)st;
    uint32_t tx = tx_start(0);
    req(0, XS_WRITE, tx, "/ab\0x", 5);
    REQ(0, XS_TRANSACTION_END, tx, "F\0");
    BODY("OK\0");
    rd(0, "/ab");
    is_err("ENOENT");
}

static void test_tx_conflict(void **st)
{
    (void)st;
    w(0, "/c/a", "1");
    w(0, "/c/other", "1");
    /* Read then someone else writes it: EAGAIN, nothing applied. */
    uint32_t tx = tx_start(0);
    REQ(0, XS_READ, tx, "/c/a\0");
    req(0, XS_WRITE, tx, "/c/b\0t", 6);
    w(1 - 1, "/c/a", "2");
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    rd(0, "/c/b");
    is_err("ENOENT");
    /* A change elsewhere does not conflict. */
    tx = tx_start(0);
    REQ(0, XS_READ, tx, "/c/a\0");
    req(0, XS_WRITE, tx, "/c/a\0t", 6);
    w(0, "/c/other", "2");
    w(0, "/elsewhere", "2");
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
    rd(0, "/c/a");
    BODY("t");
    /* Reading a missing node that someone then creates conflicts. */
    tx = tx_start(0);
    REQ(0, XS_READ, tx, "/c/new\0");
    is_err("ENOENT");
    w(0, "/c/new", "x");
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    /* A directory listing conflicts with a new child; rm of what a tx wrote conflicts. */
    tx = tx_start(0);
    REQ(0, XS_DIRECTORY, tx, "/c\0");
    w(0, "/c/z", "");
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    tx = tx_start(0);
    req(0, XS_WRITE, tx, "/c/a\0u", 6);
    REQ(0, XS_RM, 0, "/c\0");
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    /* Two transactions on the same node: the second to commit retries. */
    w(0, "/n", "0");
    uint32_t t1 = tx_start(1 - 1), t2 = tx_start(0);
    REQ(0, XS_READ, t1, "/n\0");
    REQ(0, XS_READ, t2, "/n\0");
    req(0, XS_WRITE, t1, "/n\0" "1", 4);
    req(0, XS_WRITE, t2, "/n\0" "2", 4);
    REQ(0, XS_TRANSACTION_END, t1, "T\0");
    BODY("OK\0");
    REQ(0, XS_TRANSACTION_END, t2, "T\0");
    is_err("EAGAIN");
    rd(0, "/n");
    BODY("1");
}

/* The conflict cases one by one, each against a fresh node set. */
static void test_tx_conflict_cases(void **st)
{
    (void)st;
    home(1);
    w(0, "/local/domain/1/a", "1");
    w(0, "/local/domain/1/b", "1");
    /* Write/write without a read: the other writer wins, the transaction retries. */
    uint32_t tx = tx_start(1);
    req(1, XS_WRITE, tx, "a\0t", 3);
    BODY("OK\0");
    w(0, "/local/domain/1/a", "2");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    rd(1, "a");
    BODY("2");
    /* rm of a node the transaction read. */
    tx = tx_start(1);
    REQ(1, XS_READ, tx, "b\0");
    BODY("1");
    REQ(0, XS_RM, 0, "/local/domain/1/b\0");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    /* A listing, then a child removed: the view follows the main tree, the commit fails. */
    w(0, "/local/domain/1/d/x", "");
    w(0, "/local/domain/1/d/y", "");
    tx = tx_start(1);
    REQ(1, XS_DIRECTORY, tx, "d\0");
    BODY("x\0y\0");
    REQ(0, XS_RM, 0, "/local/domain/1/d/y\0");
    REQ(1, XS_READ, tx, "d/y\0");
    is_err("ENOENT");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    /* rm inside a transaction of a subtree someone writes into meanwhile. */
    w(0, "/local/domain/1/s/t/u", "");
    tx = tx_start(1);
    REQ(1, XS_RM, tx, "s\0");
    BODY("OK\0");
    w(0, "/local/domain/1/s/t/u", "new");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    is_err("EAGAIN");
    rd(1, "s/t/u");
    BODY("new");
}

/* Disjoint nodes never conflict, even with much happening around them. */
static void test_tx_no_false_conflict(void **st)
{
    (void)st;
    home(1);
    home(2);
    w(0, "/local/domain/1/x", "1");
    w(0, "/local/domain/1/z", "1");
    uint32_t tx = tx_start(1);
    REQ(1, XS_READ, tx, "x\0");
    req(1, XS_WRITE, tx, "x\0t", 3);
    REQ(1, XS_DIRECTORY, tx, "/local/domain/2\0");   /* listed: its children matter, not its siblings */
    w(0, "/local/domain/1/z", "2");               /* a sibling's value */
    w(2, "/local/domain/2/new/deep", "v");        /* another domain's tree, created */
    w(0, "/local/domain/3", "");                  /* a new sibling of an ancestor */
    w(0, "/other", "");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
    rd(1, "x");
    BODY("t");
    /* Two transactions of two domains on their own nodes both commit. */
    uint32_t t1 = tx_start(1), t2 = tx_start(2);
    req(1, XS_WRITE, t1, "x\0" "1", 4);
    req(2, XS_WRITE, t2, "new\0" "2", 6);
    REQ(1, XS_TRANSACTION_END, t1, "T\0");
    BODY("OK\0");
    REQ(2, XS_TRANSACTION_END, t2, "T\0");
    BODY("OK\0");
}

/* The view copies what the transaction reaches, not the tree. */
static void test_tx_view_is_sparse(void **st)
{
    char path[64];
    (void)st;
    for (int i = 0; i < 400; i++) {
        snprintf(path, sizeof(path), "/big/%d/%d", i / 20, i % 20);
        w(0, path, "some value");
    }
    long before = outstanding;
    uint32_t tx = tx_start(0);
    REQ(0, XS_READ, tx, "/big/3/4\0");
    BODY("some value");
    /*
     * Allocations (4 per node: node, name, value, perms): the transaction, /,
     * /big and its 20 children as stubs, /big/3 and its 20, one note: ~180,
     * where a copy of the tree took ~1700.
     */
    assert_true(outstanding - before < 200);
    REQ(0, XS_TRANSACTION_END, tx, "F\0");
    assert_int_equal(outstanding, before);
    /* The view shows the transaction's own writes and removals first. */
    tx = tx_start(0);
    req(0, XS_WRITE, tx, "/big/3/new\0n", 12);
    REQ(0, XS_RM, tx, "/big/3/0\0");
    REQ(0, XS_DIRECTORY, tx, "/big/3\0");
    BODY("1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9\0" "10\0" "11\0" "12\0" "13\0"
         "14\0" "15\0" "16\0" "17\0" "18\0" "19\0" "new\0");
    REQ(0, XS_READ, tx, "/big/3/0\0");
    is_err("ENOENT");
    rd(0, "/big/3/0");
    BODY("some value");
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
    rd(0, "/big/3/0");
    is_err("ENOENT");
    rd(0, "/big/3/new");
    BODY("n");
}

/* What one transaction may hold: nodes accessed (ENOSPC), memory (ENOMEM). */
static void test_tx_quotas(void **st)
{
    static char buf[2100];
    char path[64];
    int i;
    (void)st;
    w(0, "/pub", "");
    PERMS(0, "/pub\0n0\0r1\0");
    for (i = 0; i < 1100; i++) {
        int n = snprintf(path, sizeof(path), "/pub/%d", i);
        req(0, XS_MKDIR, 0, path, (size_t)n + 1);
    }
    uint32_t tx = tx_start(1);
    for (i = 0; i < 1100; i++) {
        int n = snprintf(path, sizeof(path), "/pub/%d", i);
        req(1, XS_READ, tx, path, (size_t)n + 1);
        if (r.hdr.type == XS_ERROR)
            break;
    }
    is_err("ENOSPC");
    assert_true(i > 1000 && i < 1024);
    REQ(1, XS_TRANSACTION_END, tx, "F\0");
    BODY("OK\0");
    /* dom0's transactions are not limited. */
    tx = tx_start(0);
    for (i = 0; i < 1100; i++) {
        int n = snprintf(path, sizeof(path), "/pub/%d", i);
        req(0, XS_READ, tx, path, (size_t)n + 1);
        ok();
    }
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
    /* Memory: big writes pile up (value and logged request) until the transaction's bound. */
    home(1);
    memcpy(buf, "v\0", 2);
    memset(buf + 2, 'x', 2000);
    tx = tx_start(1);
    for (i = 0; i < 200; i++) {
        req(1, XS_WRITE, tx, buf, 2002);
        if (r.hdr.type == XS_ERROR)
            break;
    }
    is_err("ENOMEM");
    assert_true(i > 50 && i < 70);
    REQ(1, XS_TRANSACTION_END, tx, "T\0");     /* what fit commits */
    BODY("OK\0");
    rd(1, "v");
    assert_int_equal(r.hdr.len, 2000);
}

static void test_tx_rm_and_perms(void **st)
{
    (void)st;
    home(1);
    w(1, "x/y", "1");
    uint32_t tx = tx_start(1);
    REQ(1, XS_RM, tx, "x\0");
    BODY("OK\0");
    REQ(1, XS_READ, tx, "x/y\0");
    is_err("ENOENT");
    REQ(1, XS_SET_PERMS, tx, "\0");
    is_err("EINVAL");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
    rd(1, "x");
    is_err("ENOENT");
    /* Permission checks apply inside a transaction too. */
    tx = tx_start(1);
    REQ(1, XS_WRITE, tx, "/tool\0x");
    is_err("EACCES");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
}

static void test_tx_refusals(void **st)
{
    uint32_t ids[11];
    (void)st;
    REQ(1, XS_READ, 12345, "/\0");
    is_err("ENOENT");
    uint32_t tx = tx_start(0);
    REQ(1, XS_READ, tx, "/\0");                 /* not dom 1's transaction */
    is_err("ENOENT");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    is_err("ENOENT");
    REQ(0, XS_TRANSACTION_START, tx, "\0");     /* nested */
    is_err("EBUSY");
    REQ(0, XS_TRANSACTION_END, tx, "X\0");
    is_err("EINVAL");
    REQ(0, XS_TRANSACTION_END, tx, "T");
    is_err("EINVAL");
    REQ(0, XS_TRANSACTION_END, 0, "T\0");
    is_err("ENOENT");
    REQ(0, XS_TRANSACTION_END, tx, "F\0");
    BODY("OK\0");
    for (int i = 0; i < 10; i++)
        ids[i] = tx_start(2);
    REQ(2, XS_TRANSACTION_START, 0, "\0");
    is_err("ENOSPC");
    REQ(2, XS_TRANSACTION_END, ids[3], "F\0");
    ids[10] = tx_start(2);
    assert_int_not_equal(ids[10], 0);
    /* Only WATCH/UNWATCH ignore tx_id (Xen's XS_FLAG_NOTID); a privileged type checks privilege first. */
    REQ(2, XS_WATCH, 999, "/a\0t\0");
    BODY("OK\0");
    REQ(2, XS_UNWATCH, 999, "/a\0t\0");
    BODY("OK\0");
    REQ(2, XS_GET_DOMAIN_PATH, 999, "2\0");
    is_err("ENOENT");
    REQ(2, XS_INTRODUCE, 999, "3\0" "1\0" "1\0");
    is_err("EACCES");
    REQ(2, 99, 999, "");
    is_err("ENOSYS");
    REQ(2, XS_RESET_WATCHES, 0, "");            /* drops transactions too, as Xen */
    BODY("OK\0");
    REQ(2, XS_TRANSACTION_END, ids[0], "T\0");
    is_err("ENOENT");
}

/* ---- watches ---- */
static void test_watch_fire(void **st)
{
    (void)st;
    REQ(0, XS_WATCH, 0, "/w\0tok\0");
    BODY("OK\0");
    assert_true(next_event(0, "/w", "tok"));    /* the initial fire */
    no_event(0);
    w(0, "/w/a/b", "1");
    assert_true(next_event(0, "/w/a/b", "tok"));
    no_event(0);
    w(0, "/wx", "1");                           /* not below /w */
    w(0, "/other", "1");
    no_event(0);
    REQ(0, XS_WATCH, 0, "/w/a/b/c\0deep\0");
    assert_true(next_event(0, "/w/a/b/c", "deep"));
    REQ(0, XS_WATCH, 0, "/w/a/none\0gone\0");
    assert_true(next_event(0, "/w/a/none", "gone"));
    w(0, "/w/a/b/c", "1");
    assert_true(next_event(0, "/w/a/b/c", "tok"));
    assert_true(next_event(0, "/w/a/b/c", "deep"));
    /* rm (Xen's rm_node): each removed node, deepest first, for watches on exactly it; the top for watches on it or above. */
    REQ(0, XS_RM, 0, "/w/a\0");
    assert_true(next_event(0, "/w/a/b/c", "deep"));
    assert_true(next_event(0, "/w/a", "tok"));
    no_event(0);                                /* nothing for the watch on a node that did not exist */
    PERMS(0, "/w\0r0\0");
    assert_true(next_event(0, "/w", "tok"));
    REQ(0, XS_UNWATCH, 0, "/w\0tok\0");
    BODY("OK\0");
    w(0, "/w/again", "");
    no_event(0);
    REQ(0, XS_UNWATCH, 0, "/w\0tok\0");
    is_err("ENOENT");
    /* rm of a node d1 may not read fires d1's watch on a readable node below it (Xen's delnode_sub) */
    w(0, "/hid/open", "x");
    PERMS(0, "/hid\0n0\0");
    PERMS(0, "/hid/open\0n0\0r1\0");
    REQ(1, XS_WATCH, 0, "/hid/open\0o\0");
    BODY("OK\0");
    assert_true(next_event(1, "/hid/open", "o"));
    REQ(1, XS_WATCH, 0, "/hid\0h\0");
    BODY("OK\0");
    assert_true(next_event(1, "/hid", "h"));    /* the initial fire, whatever the permissions */
    REQ(0, XS_RM, 0, "/hid\0");
    assert_true(next_event(1, "/hid/open", "o"));
    no_event(1);                                /* not /hid itself: d1 may not read it */
}

static void test_watch_relative_perms_and_tx(void **st)
{
    (void)st;
    home(1);
    REQ(1, XS_WATCH, 0, "device\0t1\0");
    BODY("OK\0");
    assert_true(next_event(1, "device", "t1"));
    w(0, "/local/domain/1/device/vbd/0", "x");
    assert_true(next_event(1, "device/vbd/0", "t1"));
    /* A watch on a node the watcher may not read gets no events. */
    REQ(1, XS_WATCH, 0, "/tool\0t2\0");
    assert_true(next_event(1, "/tool", "t2"));
    w(0, "/tool/secret", "x");
    no_event(1);
    /* Transaction writes fire at commit only. */
    uint32_t tx = tx_start(0);
    req(0, XS_WRITE, tx, "/local/domain/1/device/vif\0", 27);
    no_event(1);
    REQ(0, XS_TRANSACTION_END, tx, "T\0");
    assert_true(next_event(1, "device/vif", "t1"));
    no_event(1);
}

/* An event longer than a message (long path, long token) is not sent (Xen's send_event). */
static void test_watch_event_too_long(void **st)
{
    static char buf[XENSTORE_PAYLOAD_MAX], path[XENSTORE_REL_PATH_MAX + 1];
    struct xsd_msg ev;
    (void)st;
    memcpy(buf, "/\0", 2);
    memset(buf + 2, 't', 4000);
    buf[4002] = '\0';
    req(0, XS_WATCH, 0, buf, 4003);
    BODY("OK\0");
    assert_true(xsd_next_event(s, 0, &ev));     /* the initial fire: "/" + token fits */
    memset(path, 'p', XENSTORE_REL_PATH_MAX);
    path[0] = '/';
    path[XENSTORE_REL_PATH_MAX] = '\0';
    w(0, path, "");                             /* path + token would be 6 KiB */
    no_event(0);
    w(0, "/short", "");
    assert_true(xsd_next_event(s, 0, &ev));
    assert_int_equal(ev.hdr.len, 7 + 4001);
}

static void test_watch_refusals_and_quota(void **st)
{
    char buf[64];
    (void)st;
    REQ(1, XS_WATCH, 0, "/a\0t\0");
    BODY("OK\0");
    REQ(1, XS_WATCH, 0, "/a\0t\0");
    is_err("EEXIST");
    REQ(1, XS_WATCH, 0, "/a\0t2\0");
    BODY("OK\0");
    REQ(1, XS_WATCH, 0, "/a\0");
    is_err("EINVAL");
    REQ(1, XS_WATCH, 0, "/a/\0t\0");
    is_err("EINVAL");
    REQ(1, XS_WATCH, 0, "/a\0t");
    is_err("EINVAL");
    for (int i = 2; i < 128; i++) {
        int n = snprintf(buf, sizeof(buf), "/q%c%d", 0, i);
        req(1, XS_WATCH, 0, buf, (size_t)n + 1);
        BODY("OK\0");
    }
    REQ(1, XS_WATCH, 0, "/a\0one-too-many\0");
    is_err("E2BIG");
    REQ(1, XS_RESET_WATCHES, 0, "");
    BODY("OK\0");
    REQ(1, XS_WATCH, 0, "/a\0t\0");
    BODY("OK\0");
    /* A guest that never drains its events only loses its own: the queue is bounded. */
    w(0, "/a", "x");
    PERMS(0, "/a\0n0\0r1\0");
    while (xsd_next_event(s, 1, &r))
        ;
    for (int i = 0; i < 3; i++)                 /* an undelivered identical event is not queued twice */
        w(0, "/a", "x");
    assert_true(xsd_next_event(s, 1, &r));
    assert_false(xsd_next_event(s, 1, &r));
    for (int i = 0; i < 1100; i++) {
        int n = snprintf(buf, sizeof(buf), "/a/%d", i);
        req(0, XS_MKDIR, 0, buf, (size_t)n + 1);
    }
    assert_int_equal(xsd_events_dropped(s, 1), 1100 - 1024);
}

/* Hooks for XS_INTRODUCE / XS_RELEASE over the wire: record the call, answer hook_err. */
static int hook_err, hook_calls;
static uint16_t hook_domid;
static uint64_t hook_mfn;
static uint32_t hook_port;

static int hook_introduce(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port)
{
    (void)ctx;
    hook_calls++;
    hook_domid = domid;
    hook_mfn = mfn;
    hook_port = port;
    return hook_err;
}

static int hook_release(void *ctx, uint16_t domid)
{
    (void)ctx;
    hook_calls++;
    hook_domid = domid;
    return hook_err;
}

static const struct xsd_hooks hooks = { hook_introduce, hook_release, NULL };

static void test_introduce_hooks(void **st)
{
    (void)st;
    /* Without hooks the store cannot map a ring: Xen's answer for an unsupported operation. */
    REQ(0, XS_INTRODUCE, 0, "4\0" "1234\0" "5\0");
    is_err("ENOSYS");
    REQ(0, XS_RELEASE, 0, "4\0");
    is_err("ENOSYS");
    REQ(3, XS_INTRODUCE, 0, "4\0" "1234\0" "5\0");   /* privilege first */
    is_err("EACCES");
    xsd_set_hooks(s, &hooks);
    hook_calls = hook_err = 0;
    REQ(0, XS_INTRODUCE, 0, "4\0" "18446744073709551615\0" "5\0");
    BODY("OK\0");
    assert_int_equal(hook_calls, 1);
    assert_int_equal(hook_domid, 4);
    assert_true(hook_mfn == UINT64_MAX);
    assert_int_equal(hook_port, 5);
    REQ(0, XS_INTRODUCE, 0, "4\0" "1\0" "5\0");      /* already introduced: no second connection */
    BODY("OK\0");
    assert_int_equal(hook_calls, 1);
    /* Port 0, a bad mfn, domain 0 or DOMID_SELF, a missing argument. */
#define L(lit) { lit, sizeof(lit) - 1 }
    static const struct { const char *p; size_t len; } bad[] = {
        L("5\0" "1\0" "0\0"), L("5\0" "x\0" "1\0"), L("0\0" "1\0" "1\0"),
        L("32752\0" "1\0" "1\0"), L("5\0" "1\0"),
    };
#undef L
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req(0, XS_INTRODUCE, 0, bad[i].p, bad[i].len);
        is_err("EINVAL");
    }
    assert_int_equal(hook_calls, 1);
    hook_err = 12;                                      /* the hook's errno goes to the client */
    REQ(0, XS_INTRODUCE, 0, "6\0" "1\0" "5\0");
    is_err("ENOMEM");
    REQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "6\0");
    BODY("F\0");
    REQ(0, XS_RELEASE, 0, "4\0");
    is_err("ENOMEM");
    REQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "4\0");
    BODY("T\0");
    hook_err = 0;
    REQ(0, XS_RELEASE, 0, "4\0");
    BODY("OK\0");
    assert_int_equal(hook_domid, 4);
    REQ(0, XS_RELEASE, 0, "4\0");
    is_err("ENOENT");
    REQ(0, XS_RELEASE, 0, "0\0");
    is_err("EINVAL");
    REQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "32752\0");    /* DOMID_SELF, as Xen */
    BODY("T\0");
}

static void test_special_watches(void **st)
{
    (void)st;
    xsd_set_hooks(s, &hooks);
    hook_err = 0;
    REQ(0, XS_WATCH, 0, "@introduceDomain\0i\0");
    REQ(0, XS_WATCH, 0, "@releaseDomain\0r\0");
    REQ(5, XS_WATCH, 0, "@releaseDomain\0r5\0");
    assert_true(next_event(0, "@introduceDomain", "i"));
    assert_true(next_event(0, "@releaseDomain", "r"));
    assert_true(next_event(5, "@releaseDomain", "r5"));
    REQ(0, XS_INTRODUCE, 0, "4\0" "1234\0" "5\0");
    BODY("OK\0");
    assert_true(next_event(0, "@introduceDomain", "i"));
    no_event(0);
    REQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "4\0");
    BODY("T\0");
    REQ(0, XS_IS_DOMAIN_INTRODUCED, 0, "6\0");
    BODY("F\0");
    REQ(0, XS_RELEASE, 0, "4\0");
    BODY("OK\0");
    assert_true(next_event(0, "@releaseDomain", "r"));
    no_event(5);                                /* unprivileged: not told */
    REQ(0, XS_RELEASE, 0, "4\0");
    is_err("ENOENT");
    REQ(4, XS_INTRODUCE, 0, "9\0" "1\0" "1\0");
    is_err("EACCES");
    REQ(4, XS_RELEASE, 0, "9\0");
    is_err("EACCES");
    REQ(0, XS_INTRODUCE, 0, "9\0" "1\0");
    is_err("EINVAL");
    REQ(0, XS_WATCH, 0, "@bad/x\0t\0");
    is_err("EINVAL");
    rd(0, "@introduceDomain");
    is_err("EINVAL");
}

/* Xen's check order and answers, one case each. */
static void test_xen_check_order(void **st)
{
    (void)st;
    /* CONTROL, RESUME, SET_TARGET: privileged in Xen (EACCES), not implemented here (ENOSYS). */
    static const uint32_t priv[] = { XS_CONTROL, XS_RESUME, XS_SET_TARGET };
    for (size_t i = 0; i < 3; i++) {
        req(1, priv[i], 0, "x\0", 2);
        is_err("EACCES");
        req(0, priv[i], 0, "x\0", 2);
        is_err("ENOSYS");
    }
    for (uint32_t t = XS_GET_FEATURE; t <= XS_SET_QUOTA; t++) {
        req(1, t, 0, "x\0", 2);
        is_err("ENOSYS");
    }
    REQ(1, XS_CONTROL, 4242, "x\0");           /* privilege before the transaction id */
    is_err("EACCES");
    REQ(1, XS_TRANSACTION_END, 0, "X\0");      /* the argument before "no transaction" */
    is_err("EINVAL");
    REQ(1, XS_WATCH, 0, "/a\0t\0extra\0");    /* exactly two strings */
    is_err("EINVAL");
    /* SET_PERMS: too many entries before anything else, even for a missing node. */
    PERMS(1, "/none\0n1\0r2\0r3\0r4\0r5\0r6\0");
    is_err("ENOSPC");
    PERMS(1, "/none\0n1\0x2\0");
    is_err("EINVAL");
    PERMS(1, "/none\0n1\0");
    is_err("EACCES");
    /* RM "/": permission first. */
    REQ(1, XS_RM, 0, "/\0");
    is_err("EACCES");
    REQ(0, XS_RM, 0, "/\0");
    is_err("EINVAL");
    assert_string_equal(xsd_errname(9999), "EINVAL");
}

/* The special nodes' permissions decide who hears @introduceDomain / @releaseDomain. */
static void test_special_perms(void **st)
{
    (void)st;
    xsd_set_hooks(s, &hooks);
    hook_err = 0;
    REQ(5, XS_GET_PERMS, 0, "@releaseDomain\0");
    is_err("EACCES");
    REQ(0, XS_GET_PERMS, 0, "@releaseDomain\0");
    BODY("n0\0");
    REQ(0, XS_GET_PERMS, 0, "@other\0");
    is_err("ENOENT");
    REQ(5, XS_GET_PERMS, 0, "@other\0");
    is_err("EACCES");
    PERMS(5, "@releaseDomain\0n5\0");
    is_err("EACCES");
    REQ(5, XS_WATCH, 0, "@releaseDomain\0r5\0");
    assert_true(next_event(5, "@releaseDomain", "r5"));
    REQ(0, XS_INTRODUCE, 0, "4\0" "1\0" "5\0");
    REQ(0, XS_RELEASE, 0, "4\0");
    no_event(5);                                /* "n0": not told */
    PERMS(0, "@releaseDomain\0n0\0r5\0");
    BODY("OK\0");
    REQ(0, XS_INTRODUCE, 0, "4\0" "1\0" "5\0");
    REQ(0, XS_RELEASE, 0, "4\0");
    assert_true(next_event(5, "@releaseDomain", "r5"));
    no_event(5);
}

/* Xen's watch_permitted: the node or its parent readable; SET_PERMS also tells who could read before. */
static void test_watch_permitted(void **st)
{
    (void)st;
    w(0, "/p/c", "");
    PERMS(0, "/p\0n0\0r1\0");
    PERMS(0, "/p/c\0n0\0");
    REQ(1, XS_WATCH, 0, "/p/c\0t\0");
    assert_true(next_event(1, "/p/c", "t"));
    w(0, "/p/c", "x");                          /* c unreadable, its parent readable: told */
    assert_true(next_event(1, "/p/c", "t"));
    PERMS(0, "/p/c\0n0\0r1\0");
    assert_true(next_event(1, "/p/c", "t"));
    PERMS(0, "/p\0n0\0");
    w(0, "/p/c", "y");                          /* readable itself */
    assert_true(next_event(1, "/p/c", "t"));
    PERMS(0, "/p/c\0n0\0");                    /* loses read: told, by the old permissions */
    assert_true(next_event(1, "/p/c", "t"));
    w(0, "/p/c", "z");
    no_event(1);
}

/* ---- malformed messages ---- */
static void test_malformed(void **st)
{
    struct xsd_sockmsg h = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1 };
    static char big[XENSTORE_PAYLOAD_MAX + 1];
    (void)st;
    assert_int_equal(xsd_process(s, 1, &h, big, &r), -1);
    h.len = 0xffffffff;
    assert_int_equal(xsd_process(s, 1, &h, big, &r), -1);
    REQ(1, XS_READ, 0, "/a");                   /* no NUL */
    is_err("EINVAL");
    REQ(1, XS_READ, 0, "");
    is_err("EINVAL");
    REQ(1, XS_READ, 0, "/a\0/b\0");             /* two strings */
    is_err("EINVAL");
    REQ(1, XS_WRITE, 0, "/a");
    is_err("EINVAL");
    REQ(1, XS_MKDIR, 0, "/a\0x");
    is_err("EINVAL");
    for (uint32_t t = XS_TYPE_COUNT; t < XS_TYPE_COUNT + 5; t++) {
        req(1, t, 0, "/\0", 2);
        is_err("ENOSYS");
    }
    req(1, 0xffffffffu, 0, "", 0);
    is_err("ENOSYS");
    REQ(1, XS_WATCH_EVENT, 0, "/\0t\0");
    is_err("ENOSYS");
    REQ(1, XS_ERROR, 0, "EINVAL\0");
    is_err("ENOSYS");
    memset(big, '/', sizeof(big));              /* a full payload of garbage */
    for (uint32_t t = 0; t < XS_TYPE_COUNT; t++) {
        req(1, t, 0, big, XENSTORE_PAYLOAD_MAX);
        if (t != XS_TRANSACTION_START && t != XS_RESET_WATCHES)    /* both ignore their payload */
            assert_int_equal(r.hdr.type, XS_ERROR);
    }
}

/* ---- quotas ---- */
static void test_quota_nodes(void **st)
{
    char path[64];
    int i;
    (void)st;
    home(1);
    /* dom 1 owns its home (1 node); 999 more fit (spread out: a node's children count in its size). */
    for (i = 0; i < 34; i++) {
        int n = snprintf(path, sizeof(path), "d%d", i);
        req(1, XS_MKDIR, 0, path, (size_t)n + 1);
        BODY("OK\0");
    }
    for (i = 0; i < 965; i++) {
        int n = snprintf(path, sizeof(path), "d%d/n%d", i / 30, i % 30);
        req(1, XS_MKDIR, 0, path, (size_t)n + 1);
        BODY("OK\0");
    }
    REQ(1, XS_MKDIR, 0, "more\0");
    is_err("ENOSPC");
    REQ(1, XS_WRITE, 0, "a/b\0x");
    is_err("ENOSPC");
    REQ(1, XS_RM, 0, "d0/n0\0");
    REQ(1, XS_MKDIR, 0, "more\0");
    BODY("OK\0");
    REQ(1, XS_MKDIR, 0, "more2\0");
    is_err("ENOSPC");
    /* Inside a transaction the count includes its own creations. */
    REQ(1, XS_RM, 0, "d0/n1\0");
    uint32_t tx = tx_start(1);
    REQ(1, XS_MKDIR, tx, "t1\0");
    BODY("OK\0");
    REQ(1, XS_MKDIR, tx, "t2\0");
    is_err("ENOSPC");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    BODY("OK\0");
    REQ(1, XS_MKDIR, 0, "t3\0");
    is_err("ENOSPC");
    /* dom0 is not limited. */
    for (i = 0; i < 1200; i++) {
        int n = snprintf(path, sizeof(path), "/dom0/%d/%d", i / 100, i % 100);
        req(0, XS_MKDIR, 0, path, (size_t)n + 1);
        BODY("OK\0");
    }
}

static void test_quota_entry_size(void **st)
{
    static char buf[XENSTORE_PAYLOAD_MAX];
    (void)st;
    home(1);
    memcpy(buf, "v\0", 2);
    memset(buf + 2, 'x', 2048);
    req(1, XS_WRITE, 0, buf, 2 + 2048);
    is_err("ENOSPC");
    req(1, XS_WRITE, 0, buf, 2 + 2000);
    BODY("OK\0");
    memcpy(buf, "/local/domain/1/v\0", 18);
    memset(buf + 18, 'y', 4000);
    req(0, XS_WRITE, 0, buf, 18 + 4000);        /* dom0 is not limited */
    BODY("OK\0");
    rd(0, "/local/domain/1/v");
    assert_int_equal(r.hdr.len, 4000);
}

/* ---- out of memory: every allocation failing in turn, no crash, no leak ---- */
static void script(void)
{
    const struct xsd_quota q = XSD_QUOTA_DEFAULT;
    if (!(s = xsd_store_create(&talloc, &q)))
        return;
    REQ(0, XS_WRITE, 0, "/local/domain/1/a\0v");
    REQ(0, XS_SET_PERMS, 0, "/local/domain/1\0n1\0");
    REQ(1, XS_WATCH, 0, "a\0t\0");
    REQ(1, XS_WRITE, 0, "a/b/c\0v");
    REQ(1, XS_TRANSACTION_START, 0, "\0");
    uint32_t tx = r.hdr.type == XS_ERROR ? 0 : (uint32_t)strtoul(r.body, NULL, 10);
    REQ(1, XS_WRITE, tx, "a/d\0v");
    REQ(1, XS_RM, tx, "a/b\0");
    REQ(1, XS_DIRECTORY, tx, "a\0");
    REQ(1, XS_TRANSACTION_END, tx, "T\0");
    xsd_set_hooks(s, &hooks);
    REQ(0, XS_INTRODUCE, 0, "1\0" "2\0" "3\0");
    REQ(1, XS_READ, 0, "a/d\0");
    xsd_store_destroy(s);
    s = NULL;
}

static void test_out_of_memory(void **st)
{
    (void)st;
    xsd_store_destroy(s);
    assert_int_equal(outstanding, 0);
    for (long n = 0; n < 400; n++) {
        budget = n;
        script();
        assert_int_equal(outstanding, 0);
    }
    budget = -1;
    s = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_write_read), T(test_directory), T(test_rm), T(test_paths), T(test_get_domain_path),
        T(test_perms_default_and_inherit), T(test_perms_matrix), T(test_set_perms_refusals),
        T(test_directory_part), T(test_tx_isolation_and_commit), T(test_tx_abort),
        T(test_tx_conflict), T(test_tx_conflict_cases), T(test_tx_no_false_conflict),
        T(test_tx_view_is_sparse), T(test_tx_quotas), T(test_tx_rm_and_perms), T(test_tx_refusals), T(test_watch_fire),
        T(test_watch_relative_perms_and_tx), T(test_watch_refusals_and_quota), T(test_watch_event_too_long),
        T(test_special_watches), T(test_introduce_hooks), T(test_xen_check_order),
        T(test_special_perms), T(test_watch_permitted), T(test_malformed), T(test_quota_nodes), T(test_quota_entry_size),
        T(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
