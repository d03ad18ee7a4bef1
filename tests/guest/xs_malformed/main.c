/*
 * xs_malformed: a client breaking the ring protocol loses only its own
 * connection, as in Xen (xenstored_domain.c: a length over
 * XENSTORE_PAYLOAD_MAX or impossible ring indices make xenstored ignore
 * the connection, with XENSTORE_ERROR_PROTO / XENSTORE_ERROR_RINGIDX in
 * the page's error field), and the store serves every other domain on.
 *   role=len  (d1): garbage headers first (answered: ENOSYS, ENOENT,
 *             EINVAL), a request trickled in one byte per event (answered
 *             when whole), then a header with len 5000: no reply, error
 *             XENSTORE_ERROR_PROTO, nothing served afterwards;
 *   role=idx  (d2): req_prod 5000 bytes ahead of req_cons: error
 *             XENSTORE_ERROR_RINGIDX, nothing served afterwards;
 *   role=good (d3): once both have said they are about to break their
 *             rings, 200 round trips and a write, all answered.
 * d1 and d2 grant d3 read access to data/breaking, written just before
 * they break their rings, and stay up 5 s afterwards so d3 can see it.
 */
#include "xst.h"

const char test_title[] = "xs_malformed: a client breaking the ring protocol loses only its connection";

static void announce(void)
{
    char p[64], own[8];
    uint32_t len;

    XST_CHECK(xenbus_write(&xst.c, 0, "data/breaking", "1"), 0, "write data/breaking");
    snprintf(own, sizeof(own), "n%u", xst.self);
    len = xst_argv(p, sizeof(p), "data/breaking", own, "r3", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, p, len, NULL, 0, NULL, "let d3 read data/breaking");
}

static void send_raw(const void *data, uint32_t len)
{
    int n = xs_ring_write(xst.intf, data, len);

    if (n != (int)len)
        test_error("ring write: %d of %u bytes", n, len);
    md_send(xst.ring.port);
}

/* After the store gave up on us: error set, no reply to anything more. */
static void check_dropped(uint32_t want_error, const char *what)
{
    uint64_t deadline = md_now() + MD_MS(5000);
    uint32_t rsp_prod = xst.intf->rsp_prod;
    struct xsd_sockmsg hdr = { XS_READ, 77, 0, 5 };

    while (*(volatile uint32_t *)&xst.intf->error == XENSTORE_ERROR_NONE && md_now() < deadline)
        md_sleep_ns(MD_MS(10));
    if (xst.intf->error != want_error)
        test_fail("%s: ring error %u, want %u", what, xst.intf->error, want_error);
    else
        printk("xs_malformed: %s: the store set error %u (%s) and stopped serving us\n", what,
               want_error, want_error == XENSTORE_ERROR_PROTO ? "XENSTORE_ERROR_PROTO"
                                                              : "XENSTORE_ERROR_RINGIDX");
    if (xst.intf->rsp_prod != rsp_prod)
        test_fail("%s: a reply after the protocol error", what);
    /* A good request now: never answered (Xen ignores the connection from then on). */
    if (want_error == XENSTORE_ERROR_PROTO) {
        xst.intf->req_cons = xst.intf->req_prod;  /* our view only: the store no longer reads */
        send_raw(&hdr, sizeof(hdr));
        send_raw("name", 5);
    }
    md_sleep_ns(MD_MS(500));
    if (xst.intf->rsp_prod != rsp_prod)
        test_fail("%s: the dropped connection was served again", what);
}

static void role_len(void)
{
    struct xsd_sockmsg hdr = { XS_READ, 1, 0, 5 };
    struct xsd_sockmsg rsp;
    char body[64];
    const char *p;
    uint32_t i;

    /* Garbage headers: answered, the stream stays in step */
    xst_expect_err(0xffffffff, 0xffffffff, "name", XST_STR, "ENOSYS", "type 0xffffffff");
    xst_expect_err(XS_READ, 0x7fffffff, "name", XST_STR, "ENOENT", "tx_id 0x7fffffff");
    xst_expect_err(XS_WRITE, 0, "", 0, "EINVAL", "write of nothing");
    xst_expect_err(XS_DIRECTORY_PART, 0, "data", XST_STR, "EINVAL", "directory_part without an offset");
    /* One request a byte at a time, an event each: answered once whole */
    hdr.req_id = 4242;
    for (i = 0, p = (const char *)&hdr; i < sizeof(hdr); i++)
        send_raw(p + i, 1);
    for (i = 0, p = "name"; i < 5; i++)
        send_raw(p + i, 1);
    for (i = 0; i < 500 && xst.intf->rsp_prod - xst.intf->rsp_cons < sizeof(rsp) + 3; i++)
        md_sleep_ns(MD_MS(10));
    if (xs_ring_read(xst.intf, &rsp, sizeof(rsp)) != sizeof(rsp) || rsp.type != XS_READ ||
        rsp.req_id != 4242 || rsp.len != 3 || xs_ring_read(xst.intf, body, 3) != 3 ||
        memcmp(body, "len", 3))
        test_fail("the trickled request: type %u req_id %u len %u", rsp.type, rsp.req_id, rsp.len);
    else
        printk("xs_malformed: a request sent one byte per event was answered whole\n");

    announce();
    hdr = (struct xsd_sockmsg){ XS_WRITE, 99, 0, XENSTORE_PAYLOAD_MAX + 904 };
    send_raw(&hdr, sizeof(hdr));
    send_raw("data/x", 7);
    check_dropped(XENSTORE_ERROR_PROTO, "len 5000");
}

static void role_idx(void)
{
    announce();
    xst.intf->req_prod = xst.intf->req_cons + 5000;
    md_send(xst.ring.port);
    check_dropped(XENSTORE_ERROR_RINGIDX, "req_prod 5000 past req_cons");
}

static void role_good(void)
{
    char buf[32];
    uint64_t deadline = md_now() + MD_MS(20000);
    bool seen1 = false, seen2 = false;
    unsigned int i;

    while ((!seen1 || !seen2) && md_now() < deadline) {
        seen1 = seen1 || !xenbus_read(&xst.c, 0, "/local/domain/1/data/breaking", buf, sizeof(buf), NULL);
        seen2 = seen2 || !xenbus_read(&xst.c, 0, "/local/domain/2/data/breaking", buf, sizeof(buf), NULL);
        md_sleep_ns(MD_MS(10));
    }
    if (!seen1 || !seen2) {
        test_fail("d1 (%d) / d2 (%d) never announced their attacks", seen1, seen2);
        return;
    }
    md_sleep_ns(MD_MS(1000));       /* they break their rings now */
    for (i = 0; i < 200; i++)
        if (xenbus_read(&xst.c, 0, "name", buf, sizeof(buf), NULL) || strcmp(buf, "good"))
            break;
    CHECK_RC(i, 200, "round trips answered after the others broke their rings");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/after", "ok"), 0, "write afterwards");
    xst_read_is("data/after", "ok");
    printk("xs_malformed: d3: %u round trips answered after d1 and d2 broke their rings\n", i);
}

void test_main(void)
{
    if (!xst_init())
        return;
    if (md_arg_is("role", "len"))
        role_len();
    else if (md_arg_is("role", "idx"))
        role_idx();
    else
        role_good();
    if (!md_arg_is("role", "good"))
        md_sleep_ns(MD_MS(5000));   /* d3 reads our data/breaking meanwhile */
    test_success();
}
