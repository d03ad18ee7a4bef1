/*
 * Fuzz target: the store's ring server (pvdrivers/xenstored/xs_conn.c) on
 * ring pages the input fills, as a hostile guest would. Two clients
 * (domains 1 and 2) share one store, each owning its home, domain 2 allowed
 * to write domain 1's. The input is a list of commands, each one byte (bit
 * 0: which client; bits 1-3: what; bit 7: put counts in 16s) and operands:
 *   put N bytes  honestly into req[] (as much as fits)
 *   raw          4 bytes into req_prod, rsp_cons or connection (a lie)
 *   serve        with a budget byte
 *   take N       honest read of N bytes from rsp[]
 *   reconnect    connection = XENSTORE_RECONNECT
 * Checks: serve returns known bits only; a dead connection stays dead and is
 * replaced; while the client has not lied, rsp[] never holds more than a
 * ring's worth and the bytes the store wrote are a well-formed stream of
 * messages (len <= XENSTORE_PAYLOAD_MAX, a known type); a reconnect comes
 * back connected with empty rings; at the end every allocation is given back.
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

struct client {
    struct xenstore_domain_interface page;
    struct xsd_conn *conn;
    bool lied;                      /* indices written dishonestly since the last reset */
    bool reconnecting;              /* connection set to XENSTORE_RECONNECT */
    uint32_t rx_have;               /* bytes of the current rsp message taken */
    struct xsd_sockmsg rx_hdr;
};

static void check_rx(struct client *cl, char b)
{
    if (cl->rx_have < sizeof(cl->rx_hdr)) {
        ((char *)&cl->rx_hdr)[cl->rx_have++] = b;
        if (cl->rx_have == sizeof(cl->rx_hdr)) {
            FUZZ_CHECK(cl->rx_hdr.len <= XENSTORE_PAYLOAD_MAX);
            FUZZ_CHECK(cl->rx_hdr.type < XS_TYPE_COUNT);
        }
    } else {
        cl->rx_have++;
    }
    if (cl->rx_have >= sizeof(cl->rx_hdr) && cl->rx_have == sizeof(cl->rx_hdr) + cl->rx_hdr.len)
        cl->rx_have = 0;
}

static void reset_client(struct client *cl)
{
    cl->lied = cl->reconnecting = false;
    cl->rx_have = 0;
}

static void dom0_req(struct xsd_store *s, uint32_t type, const char *p, uint32_t len)
{
    static struct xsd_msg r;
    struct xsd_sockmsg h = { .type = type, .len = len };

    FUZZ_CHECK(xsd_process(s, 0, &h, p, &r) == 0 && r.hdr.type == type);
}

static void setup_homes(struct xsd_store *s)
{
    dom0_req(s, XS_MKDIR, "/local/domain/1", 16);
    dom0_req(s, XS_SET_PERMS, "/local/domain/1\0n1\0b2", 22);
    dom0_req(s, XS_MKDIR, "/local/domain/2", 16);
    dom0_req(s, XS_SET_PERMS, "/local/domain/2\0n2", 19);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct client cls[2];
    const struct xsd_alloc a = { f_alloc, f_free, NULL };
    const struct xsd_quota q = XSD_QUOTA_DEFAULT;
    struct xsd_store *s = xsd_store_create(&a, &q);
    size_t i = 0;

    FUZZ_CHECK(s);
    setup_homes(s);
    memset(cls, 0, sizeof(cls));
    for (int k = 0; k < 2; k++) {
        FUZZ_CHECK(xsd_introduce(s, (uint16_t)(k + 1)) == 0);
        FUZZ_CHECK((cls[k].conn = xsd_conn_create(s, (uint16_t)(k + 1), &cls[k].page)));
    }
    while (i < size) {
        uint8_t cmd = data[i++];
        struct client *cl = &cls[cmd & 1];
        struct xenstore_domain_interface *p = &cl->page;
        unsigned int r, n;

        switch ((cmd >> 1) & 7) {
        case 0:     /* put: N then N bytes */
        case 1:
        case 6:
            n = i < size ? data[i++] : 0;
            if (cmd & 0x80)
                n *= 16;
            for (; n && i < size && p->req_prod - p->req_cons < XENSTORE_RING_SIZE; n--) {
                p->req[MASK_XENSTORE_IDX(p->req_prod)] = (char)data[i++];
                p->req_prod++;
            }
            break;
        case 2: {   /* raw: field then 4 bytes */
            uint32_t v = 0;
            uint8_t f = i < size ? data[i++] : 0;
            for (int b = 0; b < 4 && i < size; b++)
                v |= (uint32_t)data[i++] << (8 * b);
            if (f % 3 == 0)
                p->req_prod = v;
            else if (f % 3 == 1)
                p->rsp_cons = v;
            else
                cl->reconnecting = (p->connection = v) == XENSTORE_RECONNECT;
            cl->lied = true;
            break;
        }
        case 3:     /* serve: budget */
        case 7:
            r = xsd_conn_serve(cl->conn, i < size ? data[i++] % 16 : 1);
            FUZZ_CHECK(!(r & ~(XSD_SERVE_NOTIFY | XSD_SERVE_MORE | XSD_SERVE_DEAD)));
            if (cl->reconnecting && !(r & XSD_SERVE_DEAD)) {
                FUZZ_CHECK(p->connection == XENSTORE_CONNECTED && (r & XSD_SERVE_NOTIFY));
                FUZZ_CHECK(p->req_prod == p->req_cons && p->rsp_prod == p->rsp_cons);
                reset_client(cl);
            }
            if (!cl->lied)
                FUZZ_CHECK(p->rsp_prod - p->rsp_cons <= XENSTORE_RING_SIZE);
            if (r & XSD_SERVE_DEAD) {
                FUZZ_CHECK(p->error != XENSTORE_ERROR_NONE);
                FUZZ_CHECK(xsd_conn_serve(cl->conn, 4) == XSD_SERVE_DEAD);
                FUZZ_CHECK(!xsd_conn_pending(cl->conn));
                xsd_conn_destroy(cl->conn);
                memset(p, 0, sizeof(*p));
                reset_client(cl);
                FUZZ_CHECK((cl->conn = xsd_conn_create(s, (uint16_t)((cmd & 1) + 1), p)));
            }
            break;
        case 4:     /* take: N */
            n = i < size ? data[i++] : 0;
            for (; n && p->rsp_cons != p->rsp_prod && p->rsp_prod - p->rsp_cons <= XENSTORE_RING_SIZE;
                 n--) {
                char b = p->rsp[MASK_XENSTORE_IDX(p->rsp_cons)];
                if (!cl->lied)
                    check_rx(cl, b);
                p->rsp_cons++;
            }
            break;
        default:    /* reconnect */
            p->connection = XENSTORE_RECONNECT;
            cl->reconnecting = true;
            break;
        }
    }
    for (int k = 0; k < 2; k++)
        xsd_conn_destroy(cls[k].conn);
    xsd_store_destroy(s);
    FUZZ_CHECK(outstanding == 0);
    return 0;
}
