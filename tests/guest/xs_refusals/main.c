/*
 * xs_refusals: the store's refusals over the real ring, each with Xen's
 * error string in the XS_ERROR reply (xenstored_core.c: send_error names
 * the errno): ENOENT (missing nodes, unknown transaction ids, unwatching
 * nothing), EACCES (another domain's private nodes, the privileged-only
 * INTRODUCE/RELEASE/IS_DOMAIN_INTRODUCED from a domU), EINVAL (a missing
 * NUL, extra strings, bad path characters, paths over Xen's path-max
 * (XENSTORE_REL_PATH_MAX), bad permissions), ENOSYS
 * (unknown and unimplemented types), EEXIST, EBUSY, and every per-domain
 * quota (nodes and entry size: ENOSPC, watches: E2BIG, transactions:
 * ENOSPC, permission entries: ENOSPC), after which the store still serves us.
 */
#include "xst.h"

const char test_title[] = "xs_refusals: the store's refusals over the ring, with Xen's error strings";

static char big[XENSTORE_PAYLOAD_MAX];

static void enoent_eacces(void)
{
    char p[64];
    uint32_t len, tx;

    xst_expect_err(XS_READ, 0, "data/missing", XST_STR, "ENOENT", "read a missing node");
    xst_expect_err(XS_RM, 0, "data/missing/below", XST_STR, "ENOENT", "rm below a missing parent");
    len = xst_args(p, sizeof(p), "data/nowatch", "tok");
    xst_expect_err(XS_UNWATCH, 0, p, len, "ENOENT", "unwatch what is not watched");
    xst_expect_err(XS_READ, 0xdeadbeef, "name", XST_STR, "ENOENT", "a tx id that was never ours");
    xst_expect_err(XS_TRANSACTION_END, 0, "T", XST_STR, "ENOENT", "transaction_end outside a transaction");
    if (!xenbus_transaction_start(&xst.c, &tx)) {
        xst_expect_err(XS_TRANSACTION_START, tx, "", 1, "EBUSY", "transaction_start inside one");
        xst_expect_err(XS_TRANSACTION_END, tx, "X", XST_STR, "EINVAL", "transaction_end 'X'");
        XST_CHECK(xenbus_transaction_end(&xst.c, tx, 1), 0, "abort");
        xst_expect_err(XS_READ, tx, "name", XST_STR, "ENOENT", "the tx id of an ended transaction");
    } else {
        test_fail("transaction_start");
    }

    /* Domain 0's nodes are its own: n0, nothing for anyone else */
    xst_expect_err(XS_READ, 0, "/local/domain/0/name", XST_STR, "EACCES", "read d0's name");
    len = xst_args(p, sizeof(p), "/local/domain/0/data/x", "v");
    xst_expect_err(XS_WRITE, 0, p, len - 1, "EACCES", "write under d0's home");
    xst_expect_err(XS_DIRECTORY, 0, "/local/domain/0", XST_STR, "EACCES", "list d0's home");
    len = xst_argv(p, sizeof(p), "/local/domain/0/name", "b1", NULL);
    xst_expect_err(XS_SET_PERMS, 0, p, len, "EACCES", "set_perms on d0's node");
    len = xst_argv(p, sizeof(p), "5", "12345", "3", NULL);
    xst_expect_err(XS_INTRODUCE, 0, p, len, "EACCES", "introduce from a domU");
    xst_expect_err(XS_RELEASE, 0, "5", XST_STR, "EACCES", "release from a domU");
    xst_expect_err(XS_IS_DOMAIN_INTRODUCED, 0, "0", XST_STR, "EACCES", "is_domain_introduced from a domU");
    /* An owner may not give its node away (Xen: EPERM) */
    XST_CHECK(xenbus_write(&xst.c, 0, "data/mine", "1"), 0, "write data/mine");
    len = xst_argv(p, sizeof(p), "data/mine", "n0", NULL);
    xst_expect_err(XS_SET_PERMS, 0, p, len, "EPERM", "give our node to d0");
    len = xst_args(p, sizeof(p), "data/mine", "tok");
    if (xst_expect_ok(XS_WATCH, 0, p, len, NULL, 0, NULL, "watch data/mine")) {
        xst_expect_err(XS_WATCH, 0, p, len, "EEXIST", "the same watch twice");
        xst_expect_ok(XS_UNWATCH, 0, p, len, NULL, 0, NULL, "unwatch data/mine");
    }
}

static void einval(void)
{
    char p[64];
    uint32_t len, i;

    xst_expect_err(XS_READ, 0, "name", 4, "EINVAL", "read: no NUL");
    xst_expect_err(XS_READ, 0, "", 0, "EINVAL", "read: empty payload");
    len = xst_args(p, sizeof(p), "name", "extra");
    xst_expect_err(XS_READ, 0, p, len, "EINVAL", "read: two strings");
    xst_expect_err(XS_WRITE, 0, "data/x", 6, "EINVAL", "write: no NUL after the path");
    xst_expect_err(XS_WATCH, 0, "data/x", XST_STR, "EINVAL", "watch: no token");
    xst_expect_err(XS_READ, 0, "data/a b", XST_STR, "EINVAL", "path with a space");
    xst_expect_err(XS_READ, 0, "data/a*b", XST_STR, "EINVAL", "path with '*'");
    xst_expect_err(XS_READ, 0, "data//x", XST_STR, "EINVAL", "path with '//'");
    xst_expect_err(XS_READ, 0, "data/x/", XST_STR, "EINVAL", "path ending in '/'");
    xst_expect_err(XS_READ, 0, "@introduceDomain", XST_STR, "EINVAL", "read a special name");
    len = xst_argv(p, sizeof(p), "data/mine", "x1", NULL);
    xst_expect_err(XS_SET_PERMS, 0, p, len, "EINVAL", "set_perms 'x1'");
    xst_expect_err(XS_SET_PERMS, 0, "data/mine", XST_STR, "EINVAL", "set_perms without a permission");
    len = xst_argv(p, sizeof(p), "data/mine", "r99999", NULL);
    xst_expect_err(XS_SET_PERMS, 0, p, len, "EINVAL", "set_perms domid over 65535");
    xst_expect_err(XS_GET_DOMAIN_PATH, 0, "one", XST_STR, "EINVAL", "get_domain_path 'one'");

    /*
     * Path limits (Xen's is_valid_nodename): a domU's path may hold at most
     * XENSTORE_REL_PATH_MAX (2048, Xen's path-max quota) bytes after a
     * "/local/domain/<N>/" prefix, or in all without one, so
     * XENSTORE_ABS_PATH_MAX (3072) is not reached from a domU.
     */
    for (i = 0; i < 2048; i++)
        big[i] = i % 2 ? 'a' : '/';
    big[2048] = 'a';
    big[2049] = '\0';
    xst_expect_err(XS_READ, 0, big, XST_STR, "EINVAL", "absolute path of 2049 bytes");
    big[2048] = '\0';
    xst_expect_err(XS_READ, 0, big, XST_STR, "EACCES", "absolute path of 2048 bytes (valid, not ours)");
    {
        char pre[24];
        uint32_t pl = (uint32_t)snprintf(pre, sizeof(pre), "/local/domain/%u/", xst.self);
        memcpy(big, pre, pl);
        for (i = 0; i < 2049; i++)
            big[pl + i] = i % 2 ? '/' : 'c';
        big[pl + 2049] = '\0';
        xst_expect_err(XS_READ, 0, big, XST_STR, "EINVAL", "our prefix + 2049 bytes");
        big[pl + 2047] = '\0';
        xst_expect_err(XS_READ, 0, big, XST_STR, "ENOENT", "our prefix + 2047 bytes (valid, missing)");
    }
    for (i = 0; i < 2049; i++)
        big[i] = i % 2 ? '/' : 'b';
    big[2049] = '\0';
    xst_expect_err(XS_READ, 0, big, XST_STR, "EINVAL", "relative path of 2049 bytes");
    big[2047] = '\0';
    xst_expect_err(XS_READ, 0, big, XST_STR, "ENOENT", "relative path of 2047 bytes (valid, missing)");
}

static void enosys(void)
{
    static const uint32_t types[] = { XS_WATCH_EVENT, XS_ERROR, 20, XS_TYPE_COUNT, 99, 0xffff, 0xffffffff };
    static const uint32_t priv[] = { XS_CONTROL, XS_RESUME, XS_SET_TARGET };   /* Xen: XS_FLAG_PRIV */
    char what[48];

    for (unsigned int i = 0; i < ARRAY_SIZE(priv); i++) {
        snprintf(what, sizeof(what), "privileged type %u from a domU", priv[i]);
        xst_expect_err(priv[i], 0, "name", XST_STR, "EACCES", what);
    }

    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        snprintf(what, sizeof(what), "type %#x", types[i]);
        xst_expect_err(types[i], 0, "name", XST_STR, "ENOSYS", what);
    }
}

static void quotas(void)
{
    char p[96], v[32];
    unsigned int nodes = 0, watches = 0, txs = 0;
    uint32_t tx[16], len;
    int rc = 0;

    /* Nodes (1000 per domain, our standard nodes included): 20 directories of 60 */
    for (unsigned int d = 0; d < 20 && !rc; d++)
        for (unsigned int n = 0; n < 60 && !rc; n++) {
            snprintf(p, sizeof(p), "data/q%u/%u", d, n);
            if (!(rc = xenbus_write(&xst.c, 0, p, "")))
                nodes++;
        }
    CHECK_RC(rc, -XEN_ENOSPC, "node quota: the write that goes over");
    if (nodes < 900 || nodes > 1000)
        test_fail("node quota: %u nodes written before ENOSPC, want 900-1000", nodes);
    xst_expect_err(XS_WRITE, 0, "data/q99", 9, "ENOSPC", "one node more (raw)");
    printk("xs_refusals: node quota: %u nodes written, then ENOSPC\n", nodes);
    /* data/ is ours, its parent (our home) the store domain's: empty it, keep it */
    for (unsigned int d = 0; d < 20; d++) {
        snprintf(p, sizeof(p), "data/q%u", d);
        XST_CHECK(xenbus_rm(&xst.c, 0, p), 0, "rm data/qN (gives the nodes back)");
    }
    XST_CHECK(xenbus_write(&xst.c, 0, "data/after", "1"), 0, "a write after the quota freed");

    /* Entry size (2048: value + children names + permissions) */
    memset(big, 'v', 2100);
    len = xst_args(big, sizeof(big), "data/big", NULL);
    memset(big + len, 'v', 2100);
    xst_expect_err(XS_WRITE, 0, big, len + 2100, "ENOSPC", "a 2100-byte value");
    xst_expect_ok(XS_WRITE, 0, big, len + 1000, NULL, 0, NULL, "a 1000-byte value");

    /* Watches (128) */
    for (unsigned int i = 0; i < 140; i++) {
        snprintf(v, sizeof(v), "data/w%u", i);
        len = xst_args(p, sizeof(p), v, "t");
        struct xsd_sockmsg rsp;
        char body[32];
        if (xst_raw(XS_WATCH, 0, p, len, &rsp, body, sizeof(body))) {
            test_fail("watch %u: transport", i);
            break;
        }
        if (rsp.type == XS_WATCH) {
            watches++;
            continue;
        }
        if (rsp.type != XS_ERROR || strcmp(body, "E2BIG"))
            test_fail("watch %u: '%s', want E2BIG", i, body);
        break;
    }
    CHECK_RC(watches, 128, "watches before E2BIG");
    printk("xs_refusals: watch quota: %u watches, then E2BIG (events dropped by the client: %u)\n",
           watches, xst.ring.events_dropped);
    xst_expect_ok(XS_RESET_WATCHES, 0, "", 1, NULL, 0, NULL, "reset_watches");
    xst.ring.ev_used = 0;           /* the initial fires we did not want */

    /* Open transactions (10) */
    for (unsigned int i = 0; i < ARRAY_SIZE(tx); i++) {
        rc = xenbus_transaction_start(&xst.c, &tx[i]);
        if (rc)
            break;
        txs++;
    }
    CHECK_RC(rc, -XEN_ENOSPC, "transaction_start over the quota");
    CHECK_RC(txs, 10, "transactions before ENOSPC");
    xst_expect_err(XS_TRANSACTION_START, 0, "", 1, "ENOSPC", "one transaction more (raw)");
    for (unsigned int i = 0; i < txs; i++)
        XST_CHECK(xenbus_transaction_end(&xst.c, tx[i], 1), 0, "abort");
    XST_CHECK(xenbus_transaction_start(&xst.c, &tx[0]), 0, "transaction_start after the aborts");
    XST_CHECK(xenbus_transaction_end(&xst.c, tx[0], 1), 0, "abort");
    printk("xs_refusals: transaction quota: %u open, then ENOSPC\n", txs);

    /* Permission entries per node (5) */
    snprintf(v, sizeof(v), "n%u", xst.self);
    len = xst_argv(p, sizeof(p), "data/after", v, "r2", "r3", "r4", "r5", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, p, len, NULL, 0, NULL, "five permission entries");
    len = xst_argv(p, sizeof(p), "data/after", v, "r2", "r3", "r4", "r5", "r6", NULL);
    xst_expect_err(XS_SET_PERMS, 0, p, len, "ENOSPC", "six permission entries");
}

void test_main(void)
{
    if (!xst_init())
        return;
    enoent_eacces();
    einval();
    enosys();
    quotas();
    /* Still served after every refusal */
    xst_read_is("name", "xs_refusals");
    XST_CHECK(xenbus_rm(&xst.c, 0, "data/after"), 0, "rm data/after");
    XST_CHECK(xenbus_rm(&xst.c, 0, "data/big"), 0, "rm data/big");
    test_success();
}
