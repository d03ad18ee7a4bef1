/*
 * Fuzz target: the store's message decoder (pvdrivers/xenstored). The input
 * is a stream of requests, each: 1 byte client domid (mod 4), the 16-byte
 * xsd_sockmsg header as sent (type folded into 0..31 by the low byte unless
 * its top bit is set, tx_id folded to 0..15 likewise), then up to len bytes
 * of payload. Checks: a reply always fits and echoes req_id; an error reply
 * is one known NUL-terminated name; events are well formed; at the end every
 * allocation is given back.
 */
#include <string.h>
#include "fuzz.h"
#include "xenstored.h"

static long outstanding;

static void *f_alloc(void *ctx, size_t n)
{
    (void)ctx;
    outstanding++;
    return malloc(n);
}

static void f_free(void *ctx, void *p)
{
    (void)ctx;
    outstanding--;
    free(p);
}

static void check_reply(const struct xsd_sockmsg *h, const struct xsd_msg *r)
{
    FUZZ_CHECK(r->hdr.len <= XENSTORE_PAYLOAD_MAX);
    FUZZ_CHECK(r->hdr.req_id == h->req_id && r->hdr.tx_id == h->tx_id);
    if (r->hdr.type == XS_ERROR) {
        FUZZ_CHECK(r->hdr.len >= 2 && r->body[r->hdr.len - 1] == '\0');
        FUZZ_CHECK(strlen(r->body) + 1 == r->hdr.len && r->body[0] == 'E');
    } else {
        FUZZ_CHECK(r->hdr.type == h->type);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xsd_msg r;
    const struct xsd_alloc a = { f_alloc, f_free, NULL };
    const struct xsd_quota q = XSD_QUOTA_DEFAULT;
    struct xsd_store *s = xsd_store_create(&a, &q);

    FUZZ_CHECK(s);
    while (size >= 1 + sizeof(struct xsd_sockmsg)) {
        struct xsd_sockmsg h;
        uint16_t dom = data[0] & 3;
        size_t avail;
        memcpy(&h, data + 1, sizeof(h));
        data += 1 + sizeof(h);
        size -= 1 + sizeof(h);
        if (!(h.type & 0x80000000u))
            h.type &= 31;
        if (!(h.tx_id & 0x80000000u))
            h.tx_id &= 15;
        avail = h.len < size ? h.len : size;
        if (h.len <= XENSTORE_PAYLOAD_MAX)
            h.len = (uint32_t)avail;
        if (xsd_process(s, dom, &h, data, &r) == 0)
            check_reply(&h, &r);
        else
            FUZZ_CHECK(h.len > XENSTORE_PAYLOAD_MAX);
        data += avail;
        size -= avail;
        for (uint16_t d = 0; d < 4; d++)
            while (xsd_next_event(s, d, &r)) {
                FUZZ_CHECK(r.hdr.type == XS_WATCH_EVENT && r.hdr.len <= XENSTORE_PAYLOAD_MAX);
                FUZZ_CHECK(r.hdr.len >= 2 && r.body[r.hdr.len - 1] == '\0');
            }
    }
    xsd_store_destroy(s);
    FUZZ_CHECK(outstanding == 0);
    return 0;
}
