/*
 * xs_flood: a domain flooding its store ring only slows itself (issue 11;
 * Xen's xenstored serves each connection a bounded amount per pass).
 *   role=flood (d1): keeps req[] full of READ requests, reading replies
 *     only in bursts (so the store also finds rsp[] full and must hold
 *     output), until it sees d2's data/done; then drains: every request
 *     it sent must be answered, in order.
 *   role=rtt (d2): once d1 says it floods (its data/flooding), 300 round
 *     trips and a write; then data/done (readable by d1), and stays until
 *     d1 has seen it (d1's data/stopped; a domain's nodes go with it).
 * What is checked is completion, not speed: d2's round trips all finish
 * (each within the client's 5 s timeout), and d1 gets every reply.
 */
#include "xst.h"

const char test_title[] = "xs_flood: a domain flooding its ring slows only itself";

#define REQ "name"
#define DONE "/local/domain/2/data/done"

/* The reply stream, parsed as it comes: header, then body. */
static struct {
    struct xsd_sockmsg hdr;
    uint32_t have;              /* bytes of the current message read */
    char body[64];
} in;
static unsigned long sent, answered, done_seen;
static uint32_t next_id = 1, expect_id = 1, done_id;

static bool put(const void *data, uint32_t len)
{
    uint32_t space = XENSTORE_RING_SIZE - (xst.intf->req_prod - xst.intf->req_cons);

    if (space < len)
        return false;
    if (xs_ring_write(xst.intf, data, len) != (int)len)
        test_error("ring write");
    return true;
}

/* Queue one READ of path; false if req[] has no room for it. */
static bool queue_read(const char *path)
{
    uint32_t n = (uint32_t)strlen(path) + 1;
    struct xsd_sockmsg h = { XS_READ, next_id, 0, n };

    if (XENSTORE_RING_SIZE - (xst.intf->req_prod - xst.intf->req_cons) < sizeof(h) + n)
        return false;
    put(&h, sizeof(h));
    put(path, n);
    next_id++;
    sent++;
    return true;
}

static void take_replies(void)
{
    int n;

    for (;;) {
        if (in.have < sizeof(in.hdr)) {
            n = xs_ring_read(xst.intf, (char *)&in.hdr + in.have, (uint32_t)sizeof(in.hdr) - in.have);
        } else {
            uint32_t want = in.hdr.len - (in.have - (uint32_t)sizeof(in.hdr));
            char *dst = in.body + (in.have - sizeof(in.hdr));
            if (in.hdr.len > sizeof(in.body)) {
                test_fail("reply of %u bytes", in.hdr.len);
                return;
            }
            n = want ? xs_ring_read(xst.intf, dst, want) : 0;
        }
        if (n < 0) {
            test_fail("ring read: %d", n);
            return;
        }
        in.have += (uint32_t)n;
        if (in.have >= sizeof(in.hdr) && in.have == sizeof(in.hdr) + in.hdr.len) {
            if (in.hdr.type == XS_WATCH_EVENT) {
                in.have = 0;
                continue;
            }
            if (in.hdr.req_id != expect_id)
                test_fail("reply %u out of order, want %u", in.hdr.req_id, expect_id);
            expect_id = in.hdr.req_id + 1;
            answered++;
            if (in.hdr.req_id == done_id && in.hdr.type == XS_READ)
                done_seen = 1;
            else if (in.hdr.req_id != done_id && (in.hdr.type != XS_READ || in.hdr.len != 5 ||
                                                  memcmp(in.body, "flood", 5)))
                test_fail("reply %u: type %u len %u", in.hdr.req_id, in.hdr.type, in.hdr.len);
            in.have = 0;
            continue;
        }
        if (!n)
            return;
    }
}

static void role_flood(void)
{
    char p[64], own[8];
    uint32_t len;
    uint64_t deadline = md_now() + MD_MS(60000);
    unsigned long bursts = 0;

    XST_CHECK(xenbus_write(&xst.c, 0, "data/flooding", "1"), 0, "write data/flooding");
    snprintf(own, sizeof(own), "n%u", xst.self);
    len = xst_argv(p, sizeof(p), "data/flooding", own, "r2", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, p, len, NULL, 0, NULL, "let d2 read data/flooding");
    xst.next_req_id = 0;
    while (!done_seen && md_now() < deadline) {
        /* Fill req[], one READ of d2's data/done among them, kick; replies read only every 4th pass. */
        if (!done_id || done_id < expect_id) {
            if (queue_read(DONE))
                done_id = next_id - 1;
        }
        while (queue_read(REQ))
            ;
        md_send(xst.ring.port);
        if (++bursts % 4 == 0)
            take_replies();
        md_sleep_ns(MD_MS(1));
    }
    if (!done_seen)
        test_fail("d2 never finished (d1 sent %lu, answered %lu)", sent, answered);
    /* Drain: everything sent gets its reply */
    deadline = md_now() + MD_MS(10000);
    while (answered < sent && md_now() < deadline) {
        take_replies();
        md_send(xst.ring.port);
        md_sleep_ns(MD_MS(1));
    }
    CHECK_RC(answered, sent, "d1's flood: replies for every request");
    /* Tell d2 it may go (its nodes go with it) */
    XST_CHECK(xenbus_write(&xst.c, 0, "data/stopped", "1"), 0, "write data/stopped");
    len = xst_argv(p, sizeof(p), "data/stopped", own, "r2", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, p, len, NULL, 0, NULL, "let d2 read data/stopped");
    printk("xs_flood: d1 flooded %lu requests in %lu bursts while d2 ran; every one answered in order\n",
           sent, bursts);
}

static void role_rtt(void)
{
    char buf[32], p[64];
    uint64_t deadline = md_now() + MD_MS(20000);
    unsigned int i;
    uint32_t len;

    while (xenbus_read(&xst.c, 0, "/local/domain/1/data/flooding", buf, sizeof(buf), NULL)) {
        if (md_now() > deadline) {
            test_fail("d1 never started flooding");
            return;
        }
        md_sleep_ns(MD_MS(5));
    }
    for (i = 0; i < 300; i++)
        if (xenbus_read(&xst.c, 0, "name", buf, sizeof(buf), NULL) || strcmp(buf, "rtt"))
            break;
    CHECK_RC(i, 300, "d2's round trips during the flood");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/x", "1"), 0, "d2 write during the flood");
    printk("xs_flood: d2 completed %u round trips while d1 flooded\n", i);
    XST_CHECK(xenbus_write(&xst.c, 0, "data/done", "1"), 0, "write data/done");
    len = xst_argv(p, sizeof(p), "data/done", "n2", "r1", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, p, len, NULL, 0, NULL, "let d1 read data/done");
    /* Stay until d1 has seen it: its data/stopped, or its nodes gone with it */
    for (deadline = md_now() + MD_MS(60000); md_now() < deadline; md_sleep_ns(MD_MS(10)))
        if (!xenbus_read(&xst.c, 0, "/local/domain/1/data/stopped", buf, sizeof(buf), NULL) ||
            xenbus_read(&xst.c, 0, "/local/domain/1/data/flooding", buf, sizeof(buf), NULL))
            break;
}

void test_main(void)
{
    if (!xst_init())
        return;
    if (md_arg_is("role", "flood"))
        role_flood();
    else
        role_rtt();
    test_success();
}
