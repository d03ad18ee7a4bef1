/*
 * xs_ops: every request type's success path over the real store ring,
 * from a domU (domain 1) to the store domain (domain 0, the bundled kernel
 * with store=yes), through pvdrivers/common's xenbus client; and the
 * standard nodes the store domain writes before it unpauses a domain (as
 * Xen's toolstack does: libxl's domain create, xs_introduce_domain).
 * Types the client has no call for (GET_PERMS, SET_PERMS, DIRECTORY_PART,
 * GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, RESET_WATCHES) go raw.
 * IS_DOMAIN_INTRODUCED is for privileged callers only in Xen (XS_FLAG_PRIV
 * in xenstored_core.c's wire_funcs): from a domU it is EACCES.
 */
#include "xst.h"

const char test_title[] = "xs_ops: every store request over the ring, and the standard nodes";

static volatile unsigned long fired;
static char last_path[128];

static void on_watch(struct xenbus_watch *w, const char *path)
{
    (void)w;
    snprintf(last_path, sizeof(last_path), "%s", path);
    fired++;
}

static void standard_nodes(void)
{
    char buf[256], want[64];
    uint32_t v;
    int n;

    xst_read_is("name", "xs_ops");
    snprintf(want, sizeof(want), "%u", xst.self);
    xst_read_is("domid", want);
    snprintf(want, sizeof(want), "/local/domain/%u/name", xst.self);
    xst_read_is(want, "xs_ops");
    /* memory/target in KiB, as libxl writes it */
    snprintf(want, sizeof(want), "%lu", (unsigned long)start_info->nr_pages * 4);
    xst_read_is("memory/target", want);
    xst_read_is("cpu/0/availability", "online");
    XST_CHECK(xenbus_read_uint(&xst.c, 0, "console/port", &v), 0, "read console/port");
    if (v != start_info->console.domU.evtchn)
        test_fail("console/port %u, start_info says %u", v, start_info->console.domU.evtchn);
    n = xenbus_directory(&xst.c, 0, "device", buf, sizeof(buf));
    if (n < 0)
        test_fail("directory device: %d", n);
    /* The configuration's devices=vtest/7: the frontend nodes, and the backend's readable by us. */
    xst_read_is("device/vtest/7/backend-id", "0");
    snprintf(want, sizeof(want), "/local/domain/0/backend/vtest/%u/7", xst.self);
    xst_read_is("device/vtest/7/backend", want);
    xst_read_is("device/vtest/7/state", "1");
    snprintf(buf, sizeof(buf), "%s/state", want);
    xst_read_is(buf, "1");
    snprintf(buf, sizeof(buf), "%s/frontend-id", want);
    snprintf(want, sizeof(want), "%u", xst.self);
    xst_read_is(buf, want);
    n = xenbus_directory(&xst.c, 0, "", buf, sizeof(buf));
    if (n < 0) {
        /* "" is not a path: the home directory itself through its absolute name */
        snprintf(want, sizeof(want), "/local/domain/%u", xst.self);
        n = xenbus_directory(&xst.c, 0, want, buf, sizeof(buf));
    }
    printk("xs_ops: standard nodes checked; home holds %d entries\n", n);
}

static void tree_ops(void)
{
    char buf[256], p[64];
    uint32_t len, i;
    int n;
    bool saw_a = false, saw_dir = false;

    XST_CHECK(xenbus_write(&xst.c, 0, "data/a", "hello"), 0, "write data/a");
    xst_read_is("data/a", "hello");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/a", ""), 0, "write data/a (empty)");
    XST_CHECK(xenbus_read(&xst.c, 0, "data/a", buf, sizeof(buf), &len), 0, "read empty");
    CHECK_RC(len, 0, "empty value's length");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/a", "hello"), 0, "write data/a again");
    XST_CHECK(xenbus_mkdir(&xst.c, 0, "data/dir"), 0, "mkdir data/dir");
    XST_CHECK(xenbus_mkdir(&xst.c, 0, "data/dir"), 0, "mkdir data/dir (exists)");
    xst_read_is("data/dir", "");
    n = xenbus_directory(&xst.c, 0, "data", buf, sizeof(buf));
    for (int k = 0, off = 0; k < n; k++, off += (int)strlen(buf + off) + 1) {
        saw_a |= !strcmp(buf + off, "a");
        saw_dir |= !strcmp(buf + off, "dir");
    }
    if (n < 2 || !saw_a || !saw_dir)
        test_fail("directory data: %d entries, a %d dir %d", n, saw_a, saw_dir);

    /* DIRECTORY_PART "path\0offset\0": "<generation>\0" then the children from the offset, "" at the end */
    len = xst_args(p, sizeof(p), "data", "0");
    if (xst_expect_ok(XS_DIRECTORY_PART, 0, p, len, buf, sizeof(buf), &len, "directory_part data 0")) {
        uint32_t g = (uint32_t)strlen(buf) + 1;
        if (g >= len || strcmp(buf + g, "a") || len != g + 2 + 4 + 1 || buf[len - 1])
            test_fail("directory_part: %u bytes, first child '%s'", len, g < len ? buf + g : "");
        else
            printk("xs_ops: directory_part: generation %s, a, dir, end\n", buf);
    }
    len = xst_args(p, sizeof(p), "data", "2");      /* from byte 2: "dir\0" then the end */
    if (xst_expect_ok(XS_DIRECTORY_PART, 0, p, len, buf, sizeof(buf), &len, "directory_part data 2")) {
        uint32_t g = (uint32_t)strlen(buf) + 1;
        if (g >= len || strcmp(buf + g, "dir") || len != g + 4 + 1)
            test_fail("directory_part from 2: %u bytes", len);
    }

    /* GET_PERMS / SET_PERMS: we own what we create under our home */
    if (xst_expect_ok(XS_GET_PERMS, 0, "data/a", XST_STR, buf, sizeof(buf), &len, "get_perms data/a")) {
        snprintf(p, sizeof(p), "%u", xst.self);
        if (!strchr("nrwb", buf[0]) || strcmp(buf + 1, p))
            test_fail("get_perms data/a: '%s', want us (%s) as owner", buf, p);
        printk("xs_ops: get_perms data/a: %s\n", buf);
    }
    {
        char own[16];
        snprintf(own, sizeof(own), "n%u", xst.self);
        len = xst_argv(p, sizeof(p), "data/a", own, "r0", NULL);
    }
    if (xst_expect_ok(XS_SET_PERMS, 0, p, len, buf, sizeof(buf), NULL, "set_perms data/a n<self> r0") &&
        xst_expect_ok(XS_GET_PERMS, 0, "data/a", XST_STR, buf, sizeof(buf), &len, "get_perms again")) {
        char want[16];
        snprintf(want, sizeof(want), "n%u", xst.self);
        if (strcmp(buf, want) || len != strlen(want) + 1 + 3 || strcmp(buf + strlen(want) + 1, "r0"))
            test_fail("get_perms after set: '%s' (%u bytes)", buf, len);
    }

    /* GET_DOMAIN_PATH */
    snprintf(p, sizeof(p), "%u", xst.self);
    if (xst_expect_ok(XS_GET_DOMAIN_PATH, 0, p, XST_STR, buf, sizeof(buf), &len, "get_domain_path")) {
        snprintf(p, sizeof(p), "/local/domain/%u", xst.self);
        if (strcmp(buf, p) || len != strlen(p) + 1)
            test_fail("get_domain_path: '%s'", buf);
    }
    xst_expect_err(XS_IS_DOMAIN_INTRODUCED, 0, "0", XST_STR, "EACCES",
                   "is_domain_introduced from a domU (Xen: privileged only)");

    /* RM: recursive; a missing node whose parent exists is OK */
    XST_CHECK(xenbus_write(&xst.c, 0, "data/dir/x/y", "z"), 0, "write data/dir/x/y");
    XST_CHECK(xenbus_rm(&xst.c, 0, "data/dir"), 0, "rm data/dir");
    XST_CHECK(xenbus_read(&xst.c, 0, "data/dir/x/y", buf, sizeof(buf), NULL), -XEN_ENOENT, "read removed");
    XST_CHECK(xenbus_rm(&xst.c, 0, "data/dir"), 0, "rm data/dir again (parent exists)");
    for (i = 0; i < 3; i++)
        xst_read_is("data/a", "hello");
}

static void watches(void)
{
    static struct xenbus_watch w = { .path = "data/w", .fn = on_watch };
    char buf[64];

    XST_CHECK(xenbus_watch(&xst.c, &w), 0, "watch data/w");
    if (!xst_wait_events(&fired, 1, MD_MS(5000)))
        test_fail("no initial watch event");
    else if (strcmp(last_path, "data/w"))
        test_fail("initial event path '%s', want data/w", last_path);
    XST_CHECK(xenbus_write(&xst.c, 0, "data/w/x", "1"), 0, "write data/w/x");
    if (!xst_wait_events(&fired, 2, MD_MS(5000)))
        test_fail("no event for data/w/x");
    else if (strcmp(last_path, "data/w/x"))
        test_fail("event path '%s', want data/w/x", last_path);
    XST_CHECK(xenbus_rm(&xst.c, 0, "data/w"), 0, "rm data/w");
    if (!xst_wait_events(&fired, 3, MD_MS(5000)))
        test_fail("no event for rm data/w");
    printk("xs_ops: watch: initial fire, a write below, the rm: %lu events\n", fired);
    XST_CHECK(xenbus_unwatch(&xst.c, &w), 0, "unwatch data/w");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/w", "2"), 0, "write data/w after unwatch");
    if (xst_wait_events(&fired, 4, MD_MS(200)))
        test_fail("event after unwatch: %s", last_path);

    /* RESET_WATCHES drops our watches (and transactions): unwatching then finds nothing */
    XST_CHECK(xenbus_watch(&xst.c, &w), 0, "watch data/w again");
    xst_wait_events(&fired, 4, MD_MS(2000));
    if (xst_expect_ok(XS_RESET_WATCHES, 0, "", 1, buf, sizeof(buf), NULL, "reset_watches"))
        XST_CHECK(xenbus_unwatch(&xst.c, &w), -XEN_ENOENT, "unwatch after reset_watches");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/w", "3"), 0, "write data/w after reset");
    unsigned long before = fired;
    if (xst_wait_events(&fired, before + 1, MD_MS(200)))
        test_fail("event after reset_watches");
}

static void transactions(void)
{
    char buf[64];
    uint32_t tx;

    XST_CHECK(xenbus_transaction_start(&xst.c, &tx), 0, "transaction_start");
    if (!tx)
        test_fail("transaction id 0");
    XST_CHECK(xenbus_write(&xst.c, tx, "data/t", "in tx"), 0, "write in tx");
    XST_CHECK(xenbus_read(&xst.c, tx, "data/t", buf, sizeof(buf), NULL), 0, "read in tx");
    XST_CHECK(xenbus_read(&xst.c, 0, "data/t", buf, sizeof(buf), NULL), -XEN_ENOENT,
              "read outside before commit");
    XST_CHECK(xenbus_transaction_end(&xst.c, tx, 0), 0, "transaction_end T");
    xst_read_is("data/t", "in tx");

    XST_CHECK(xenbus_transaction_start(&xst.c, &tx), 0, "transaction_start 2");
    XST_CHECK(xenbus_write(&xst.c, tx, "data/t", "aborted"), 0, "write in tx 2");
    XST_CHECK(xenbus_transaction_end(&xst.c, tx, 1), 0, "transaction_end F");
    xst_read_is("data/t", "in tx");
    printk("xs_ops: transaction commit and abort\n");

    /* RESET_WATCHES ends our transactions too (Xen's do_reset_watches) */
    XST_CHECK(xenbus_transaction_start(&xst.c, &tx), 0, "transaction_start 3");
    if (xst_expect_ok(XS_RESET_WATCHES, 0, "", 1, buf, sizeof(buf), NULL, "reset_watches (tx open)"))
        xst_expect_err(XS_READ, tx, "data/t", XST_STR, "ENOENT", "tx id after reset_watches");
    XST_CHECK(xenbus_rm(&xst.c, 0, "data"), 0, "rm data");
    XST_CHECK(xenbus_read(&xst.c, 0, "data/t", buf, sizeof(buf), NULL), -XEN_ENOENT, "read after rm data");
}

/*
 * The store round trip (make bench: pv.store_rtt): 1000 READs of a small
 * node (our "domid", 1 byte), TSC ticks each, the median reported, and
 * what one costs this client: event sends (EVTCHNOP_send, each a
 * hypercall) and blocks (SCHEDOP_block, each a hypercall) per round trip.
 */
#define RTT_N 1000
static uint64_t rtt[RTT_N];

static void round_trip_bench(void)
{
    struct pvos_stats before = pvos_stats;
    char buf[16];
    uint64_t t, total = 0;
    unsigned int i, j;

    for (i = 0; i < 50; i++)        /* warm-up */
        xenbus_read(&xst.c, 0, "domid", buf, sizeof(buf), NULL);
    before = pvos_stats;
    for (i = 0; i < RTT_N; i++) {
        t = md_rdtsc();
        if (xenbus_read(&xst.c, 0, "domid", buf, sizeof(buf), NULL)) {
            test_fail("round trip %u failed", i);
            return;
        }
        rtt[i] = md_rdtsc() - t;
        total += rtt[i];
    }
    for (i = 1; i < RTT_N; i++)     /* insertion sort: 1000 samples */
        for (j = i; j && rtt[j - 1] > rtt[j]; j--) {
            t = rtt[j];
            rtt[j] = rtt[j - 1];
            rtt[j - 1] = t;
        }
    printk("xs_ops: store round trip (READ of a 1-byte node), %u of them: median %lu TSC ticks, "
           "min %lu, max %lu; per round trip %lu.%02lu event sends, %lu.%02lu blocks, %lu.%02lu upcalls\n",
           RTT_N, (unsigned long)rtt[RTT_N / 2], (unsigned long)rtt[0], (unsigned long)rtt[RTT_N - 1],
#define PER(f) (unsigned long)((pvos_stats.f - before.f) / RTT_N), \
               (unsigned long)((pvos_stats.f - before.f) * 100 / RTT_N % 100)
           PER(notifies), PER(blocks), PER(upcalls));
#undef PER
    printk("BENCH scenario=pv.store_rtt iters=%u total=%lu per_op=%lu unit=tsc sends_per_op=%lu "
           "blocks_per_op=%lu\n", RTT_N, (unsigned long)total, (unsigned long)rtt[RTT_N / 2],
           (unsigned long)((pvos_stats.notifies - before.notifies) / RTT_N),
           (unsigned long)((pvos_stats.blocks - before.blocks) / RTT_N));
    printk("BENCH done\n");
}

void test_main(void)
{
    if (!xst_init())
        return;
    standard_nodes();
    tree_ops();
    watches();
    transactions();
    round_trip_bench();
    printk("xs_ops: %lu event sends, %lu blocks for all of it\n", (unsigned long)pvos_stats.notifies,
           (unsigned long)pvos_stats.blocks);
    test_success();
}
