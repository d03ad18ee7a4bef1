/*
 * xs_hostile: a store client that misbehaves (d1), beside the bundled
 * kernel as store domain (d0) and as a well-behaved client (d2), xs.cfg.
 * d1 speaks the wire protocol by hand over its ring: one honest write;
 * then a flood of requests without reading a reply (the store must stop
 * taking its requests once rsp[] is full, and go on serving d2); then it
 * reads every reply, in order; then a header with len over
 * XENSTORE_PAYLOAD_MAX, which must make the store set error PROTO and
 * serve it no more, while the store domain runs on.
 */
#include "test.h"
#include "multidom.h"
#include "pt.h"
#include <tandem/io/xs_wire.h>

const char test_title[] = "a hostile store client slows only itself and loses only its connection";

#define FLOOD 300

static volatile struct xenstore_domain_interface *ring;
static uint32_t port;
static volatile unsigned long events;

static void on_event(uint32_t p)
{
    (void)p;
    events++;
}

/* Put the header and `blen` bytes of body into req[] if they fit now; false if not. */
static bool put_raw(const struct xsd_sockmsg *h, const void *body, uint32_t blen)
{
    uint32_t prod = ring->req_prod, cons = ring->req_cons, len = sizeof(*h) + blen;
    const char *b = body;

    if (prod - cons > XENSTORE_RING_SIZE)
        test_fail("the store's req_cons %u is beyond our req_prod %u", cons, prod);
    if (XENSTORE_RING_SIZE - (prod - cons) < len)
        return false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* req_cons read before we overwrite the space */
    for (uint32_t i = 0; i < len; i++)
        ring->req[MASK_XENSTORE_IDX(prod + i)] = i < sizeof(*h) ? ((const char *)h)[i] : b[i - sizeof(*h)];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* bytes before the index that shows them */
    ring->req_prod = prod + len;
    md_send(port);
    return true;
}

static bool put_msg(const struct xsd_sockmsg *h, const void *body)
{
    return put_raw(h, body, h->len);
}

static bool send_msg(const struct xsd_sockmsg *h, const void *body, uint64_t deadline)
{
    while (!put_msg(h, body))
        if (md_now() > deadline)
            return false;
        else
            md_sleep_ns(MD_MS(2));
    return true;
}

/* Exactly len bytes out of rsp[] by the deadline. */
static bool get_bytes(void *buf, uint32_t len, uint64_t deadline)
{
    char *d = buf;

    while (len) {
        uint32_t cons = ring->rsp_cons, prod = ring->rsp_prod;
        if (prod - cons > XENSTORE_RING_SIZE)
            test_fail("the store's rsp_prod %u is beyond our rsp_cons %u", prod, cons);
        if (prod == cons) {
            if (md_now() > deadline)
                return false;
            md_sleep_ns(MD_MS(2));
            continue;
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        *d++ = ring->rsp[MASK_XENSTORE_IDX(cons)];
        len--;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        ring->rsp_cons = cons + 1;
        md_send(port);
    }
    return true;
}

/* The next reply that is not a watch event; its body into buf (NUL-terminated). */
static bool get_reply(struct xsd_sockmsg *h, char *buf, uint32_t cap, uint64_t deadline)
{
    for (;;) {
        if (!get_bytes(h, sizeof(*h), deadline))
            return false;
        if (h->len >= cap)
            test_fail("reply of %u bytes from the store", h->len);
        if (!get_bytes(buf, h->len, deadline))
            return false;
        buf[h->len] = 0;
        if (h->type != XS_WATCH_EVENT)
            return true;
    }
}

static void honest_write(void)
{
    static const char body[] = "/local/domain/1/data/ok\0" "1";
    struct xsd_sockmsg h = { XS_WRITE, 1, 0, sizeof(body) - 1 }, r;
    char buf[64];

    if (!send_msg(&h, body, md_now() + MD_MS(10000)) || !get_reply(&r, buf, sizeof(buf), md_now() + MD_MS(10000)))
        test_fail("no reply to an honest write");
    else if (r.type != XS_WRITE || r.req_id != 1 || strcmp(buf, "OK"))
        test_fail("honest write: reply type %u id %u '%s'", r.type, r.req_id, buf);
}

/* Requests without reading a reply: the store stops taking them when rsp[] is full. */
static void flood(void)
{
    static const char body[] = "/local/domain/1/data/ok";
    struct xsd_sockmsg h = { XS_READ, 0, 0, sizeof(body) }, r;
    unsigned int sent = 0, got = 0;
    char buf[64];

    for (; sent < FLOOD; sent++) {
        h.req_id = 100 + sent;
        if (!send_msg(&h, body, md_now() + MD_MS(1000)))
            break;
    }
    if (sent == FLOOD)
        test_fail("the store took %u requests without any reply being read", sent);
    printk("hostile: flood: the store stopped taking requests after %u (rsp[] full, none read)\n", sent);
    md_sleep_ns(MD_MS(2000));               /* meanwhile d2 is served */
    for (; got < sent; got++)
        if (!get_reply(&r, buf, sizeof(buf), md_now() + MD_MS(10000)) || r.type != XS_READ ||
            r.req_id != 100 + got || strcmp(buf, "1")) {
            test_fail("flood reply %u: type %u id %u '%s'", got, r.type, r.req_id, buf);
            return;
        }
    printk("hostile: flood: all %u replies read back, in order\n", got);
}

static void break_protocol(void)
{
    struct xsd_sockmsg h = { XS_READ, 999, 0, XENSTORE_PAYLOAD_MAX + 1 }, r;
    static const char body[] = "/local/domain/1/data/ok";
    uint64_t deadline = md_now() + MD_MS(10000);
    char buf[64];

    if (!put_raw(&h, NULL, 0))             /* the header alone: its payload could never fit */
        test_fail("no room for a header in an empty ring");
    while (ring->error != XENSTORE_ERROR_PROTO && md_now() < deadline)
        md_sleep_ns(MD_MS(5));
    if (ring->error != XENSTORE_ERROR_PROTO) {
        test_fail("error field %u after a %u-byte header, want XENSTORE_ERROR_PROTO", ring->error, h.len);
        return;
    }
    printk("hostile: a %u-byte payload claimed: the store set error PROTO\n", h.len);
    h = (struct xsd_sockmsg){ XS_READ, 1000, 0, sizeof(body) };
    if (put_msg(&h, body) && get_reply(&r, buf, sizeof(buf), md_now() + MD_MS(1000)))
        test_fail("the store still answered after the protocol was broken");
    else
        printk("hostile: the store serves us no more\n");
}

void test_main(void)
{
    md_init();
    if (!pt_init())
        return;
    ring = pt_boot_va(start_info->store_mfn);
    port = start_info->store_evtchn;
    if (!ring || !port) {
        test_fail("no store ring (port %u)", port);
        return;
    }
    md_bind(port, on_event);
    md_events_on();
    honest_write();
    flood();
    break_protocol();
    test_success();
}
