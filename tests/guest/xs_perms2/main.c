/*
 * xs_perms2: permissions, watches and transactions between two domUs over
 * their rings, with Xen's semantics (xenstored_core.c perm_for_conn; watch
 * events only to a watcher that may read the node: watch_permitted;
 * transactions that conflict end in EAGAIN and a retry succeeds).
 * d1 (role=owner) owns /local/domain/1/data/s; d2 (role=peer) tries it as
 * permissions change. The two step in lock-step through nodes: d1 writes
 * data/step (readable by d2), d2 answers in its own data/ack (readable by
 * d1); each waits for the other's number.
 */
#include "xst.h"

const char test_title[] = "xs_perms2: permissions, watches and transaction conflicts between two domUs";

#define S "/local/domain/1/data/s"

static volatile unsigned long fired;
static char last_path[64];

static void on_watch(struct xenbus_watch *w, const char *path)
{
    (void)w;
    snprintf(last_path, sizeof(last_path), "%s", path);
    fired++;
}

static void set_perms(const char *path, const char *p1, const char *p2)
{
    char buf[96];
    uint32_t len = xst_argv(buf, sizeof(buf), path, p1, p2, NULL);

    xst_expect_ok(XS_SET_PERMS, 0, buf, len, NULL, 0, NULL, "set_perms");
}

/* Publish step n in our data/<name>, readable by the other domain. */
static void say(const char *name, unsigned int n)
{
    char path[32], v[16];

    snprintf(path, sizeof(path), "data/%s", name);
    snprintf(v, sizeof(v), "%u", n);
    XST_CHECK(xenbus_write(&xst.c, 0, path, v), 0, "write step");
    snprintf(v, sizeof(v), "n%u", xst.self);
    set_perms(path, v, xst.self == 1 ? "r2" : "r1");
}

/* Wait for the other domain's data/<name> to reach n. */
static bool wait_for(const char *name, unsigned int n)
{
    char path[48];
    uint64_t deadline = md_now() + MD_MS(30000);
    uint32_t v;

    snprintf(path, sizeof(path), "/local/domain/%u/data/%s", xst.self == 1 ? 2 : 1, name);
    while (xenbus_read_uint(&xst.c, 0, path, &v) || v < n) {
        if (md_now() > deadline) {
            test_fail("waited 30 s for %s to reach %u", path, n);
            return false;
        }
        md_sleep_ns(MD_MS(5));
    }
    return true;
}

static int incr(struct xenbus_client *c, uint32_t tx, void *arg)
{
    char v[16];
    uint32_t n;
    int rc = xenbus_read_uint(c, tx, S, &n);

    (void)arg;
    if (rc)
        return rc;
    snprintf(v, sizeof(v), "%u", n + 1);
    return xenbus_write(c, tx, S, v);
}

static void owner(void)
{
    uint32_t tx, v;
    char buf[32];
    int rc;

    XST_CHECK(xenbus_write(&xst.c, 0, "data/s", "secret"), 0, "write data/s");
    say("step", 1);                                     /* 1: private (n1) */
    if (!wait_for("ack", 1))
        return;
    set_perms("data/s", "n1", "r2");
    say("step", 2);                                     /* 2: d2 may read */
    if (!wait_for("ack", 2))
        return;
    XST_CHECK(xenbus_write(&xst.c, 0, "data/s", "changed"), 0, "write data/s (d2 watches)");
    say("step", 3);                                     /* 3: d2 saw the event */
    if (!wait_for("ack", 3))
        return;
    set_perms("data/s", "n1", "b2");
    say("step", 4);                                     /* 4: d2 may write */
    if (!wait_for("ack", 4))
        return;
    xst_read_is("data/s", "from d2");
    set_perms("data/s", "n1", NULL);                    /* revoked */
    say("step", 5);                                     /* 5: d2 may not read */
    if (!wait_for("ack", 5))
        return;
    XST_CHECK(xenbus_write(&xst.c, 0, "data/s", "private again"), 0, "write after revoking");
    say("step", 6);                                     /* 6: no event for d2 */
    if (!wait_for("ack", 6))
        return;

    /* Transaction conflict: we read s in a transaction, d2 changes s, our commit is EAGAIN */
    set_perms("data/s", "n1", "b2");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/s", "10"), 0, "write data/s 10");
    XST_CHECK(xenbus_transaction_start(&xst.c, &tx), 0, "transaction_start");
    XST_CHECK(xenbus_read_uint(&xst.c, tx, S, &v), 0, "read in tx");
    snprintf(buf, sizeof(buf), "%u", tx);
    XST_CHECK(xenbus_write(&xst.c, 0, "data/tx", buf), 0, "publish our tx id");
    set_perms("data/tx", "n1", "r2");
    say("step", 7);                                     /* 7: d2 writes s, tries our tx id */
    if (!wait_for("ack", 7))
        return;
    snprintf(buf, sizeof(buf), "%u", v + 1);
    XST_CHECK(xenbus_write(&xst.c, tx, S, buf), 0, "write in tx");
    rc = xenbus_transaction_end(&xst.c, tx, 0);
    CHECK_RC(rc, -XEN_EAGAIN, "commit after d2 changed the node");
    XST_CHECK(xenbus_transaction(&xst.c, 5, incr, NULL), 0, "the retry");
    xst_read_is("data/s", "21");                        /* d2 wrote 20, the retry added one */
    printk("xs_perms2: transaction conflict: EAGAIN, then the retry committed\n");

    /* Both domains increment s 50 times in retried transactions: no update lost */
    say("step", 8);
    for (int i = 0; i < 50; i++)
        XST_CHECK(xenbus_transaction(&xst.c, 100, incr, NULL), 0, "concurrent increment");
    if (!wait_for("ack", 8))
        return;
    xst_read_is("data/s", "121");
    printk("xs_perms2: 2 x 50 concurrent transactional increments, none lost\n");
    say("step", 9);
}

static void peer(void)
{
    static struct xenbus_watch w = { .path = S, .fn = on_watch };
    char buf[32];
    uint32_t len, tx;

    if (!wait_for("step", 1))
        return;
    XST_CHECK(xenbus_read(&xst.c, 0, S, buf, sizeof(buf), NULL), -XEN_EACCES, "read d1's private node");
    XST_CHECK(xenbus_write(&xst.c, 0, S, "x"), -XEN_EACCES, "write d1's private node");
    say("ack", 1);
    if (!wait_for("step", 2))
        return;
    xst_read_is(S, "secret");
    XST_CHECK(xenbus_write(&xst.c, 0, S, "x"), -XEN_EACCES, "write with read access only");
    XST_CHECK(xenbus_watch(&xst.c, &w), 0, "watch d1's node");
    if (!xst_wait_events(&fired, 1, MD_MS(5000)))
        test_fail("no initial event for the watch on d1's node");
    say("ack", 2);
    if (!wait_for("step", 3))
        return;
    if (!xst_wait_events(&fired, 2, MD_MS(5000)))
        test_fail("no event for d1's write");
    else if (strcmp(last_path, S))
        test_fail("event for '%s'", last_path);
    else
        printk("xs_perms2: d2 saw d1's write through its watch\n");
    say("ack", 3);
    if (!wait_for("step", 4))
        return;
    XST_CHECK(xenbus_write(&xst.c, 0, S, "from d2"), 0, "write with both granted");
    xst_wait_events(&fired, ~0UL, MD_MS(500));          /* every event so far (our own write's) */
    say("ack", 4);
    if (!wait_for("step", 5))
        return;
    XST_CHECK(xenbus_read(&xst.c, 0, S, buf, sizeof(buf), NULL), -XEN_EACCES, "read after revoke");
    /* The revoke itself may fire for us (Xen checks the old permissions too); drain it */
    xst_wait_events(&fired, ~0UL, MD_MS(300));
    say("ack", 5);
    if (!wait_for("step", 6))
        return;
    unsigned long before = fired;
    if (xst_wait_events(&fired, before + 1, MD_MS(300)))
        test_fail("an event for a node we may no longer read: %s", last_path);
    printk("xs_perms2: revoked: EACCES and no events\n");
    XST_CHECK(xenbus_unwatch(&xst.c, &w), 0, "unwatch");
    say("ack", 6);

    if (!wait_for("step", 7))
        return;
    XST_CHECK(xenbus_write(&xst.c, 0, S, "20"), 0, "d2 writes s under d1's transaction");
    if (!xenbus_read_uint(&xst.c, 0, "/local/domain/1/data/tx", &tx)) {
        len = xst_args(buf, sizeof(buf), S, NULL);
        xst_expect_err(XS_READ, tx, buf, len, "ENOENT", "d1's transaction id used by d2");
    } else {
        test_fail("cannot read d1's tx id");
    }
    say("ack", 7);
    if (!wait_for("step", 8))
        return;
    for (int i = 0; i < 50; i++)
        XST_CHECK(xenbus_transaction(&xst.c, 100, incr, NULL), 0, "concurrent increment");
    say("ack", 8);
    /* Stay until d1 has read the total and our ack with it: its step 9, or its nodes gone with it */
    for (uint64_t dl = md_now() + MD_MS(30000); md_now() < dl; md_sleep_ns(MD_MS(5))) {
        uint32_t v;
        if (xenbus_read_uint(&xst.c, 0, "/local/domain/1/data/step", &v) || v >= 9)
            break;
    }
}

void test_main(void)
{
    if (!xst_init())
        return;
    if (md_arg_is("role", "owner"))
        owner();
    else
        peer();
    test_success();
}
