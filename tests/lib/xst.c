/* Store tests over the real ring (xst.h). */
#include "xst.h"
#include <tandem/version.h>

#define KERNEL_BASE 0xffffffff80000000UL

struct xst xst;

domid_t xst_domid(void)
{
    uint8_t h[16];

    return HC2(xen_version, XENVER_guest_handle, h) ? DOMID_INVALID : (domid_t)(h[14] << 8 | h[15]);
}

bool xst_init(void)
{
    md_init();
    md_events_on();
    xst.self = xst_domid();
    xst.next_req_id = 0x10000;
    if (!start_info->store_mfn || !start_info->store_evtchn) {
        test_error("no store ring in start_info (store_mfn %#lx, store_evtchn %u): no store domain?",
                   (unsigned long)start_info->store_mfn, start_info->store_evtchn);
        return false;
    }
    xst.intf = (struct xenstore_domain_interface *)(KERNEL_BASE +
                                                    mfn_to_pfn(start_info->store_mfn) * PAGE_SIZE);
    xst.ring.intf = xst.intf;
    xst.ring.port = start_info->store_evtchn;
    xst.ring.timeout_ns = XST_TIMEOUT_NS;
    if (pvos_evtchn_handle(xst.ring.port, xenbus_ring_event, &xst.ring)) {
        test_error("cannot handle store port %u", xst.ring.port);
        return false;
    }
    xenbus_client_init(&xst.c, xenbus_ring_transport, &xst.ring);
    printk("xst: d%u, store ring mfn %#lx, port %u, connection %u error %u features %#x\n", xst.self,
           (unsigned long)start_info->store_mfn, xst.ring.port, xst.intf->connection, xst.intf->error,
           xst.intf->server_features);
    return true;
}

int xst_raw(uint32_t type, uint32_t tx, const void *payload, uint32_t len, struct xsd_sockmsg *rsp,
            char *body, uint32_t cap)
{
    struct xsd_sockmsg req = { type, xst.next_req_id++, tx, 0 };
    int rc;

    req.len = len == XST_STR ? (uint32_t)strlen(payload) + 1 : len;
    rc = xenbus_ring_transport(&xst.ring, &req, payload, rsp, body, cap - 1);
    body[rc || rsp->len >= cap ? 0 : rsp->len] = '\0';
    return rc;
}

static const char *type_name(uint32_t t)
{
    static const char *names[] = {
        "CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH", "TRANSACTION_START",
        "TRANSACTION_END", "INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM",
        "SET_PERMS", "WATCH_EVENT", "ERROR", "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET",
        "RESTRICT", "RESET_WATCHES", "DIRECTORY_PART",
    };
    return t < ARRAY_SIZE(names) ? names[t] : "type?";
}

bool xst_expect_err(uint32_t type, uint32_t tx, const void *payload, uint32_t len, const char *err,
                    const char *what)
{
    struct xsd_sockmsg rsp;
    char body[128];
    int rc = xst_raw(type, tx, payload, len, &rsp, body, sizeof(body));

    if (rc) {
        test_fail("%s: transport error %d", what, rc);
        return false;
    }
    if (rsp.type != XS_ERROR || rsp.len != strlen(err) + 1 || strcmp(body, err)) {
        test_fail("%s: reply %s len %u '%s', want ERROR '%s'", what, type_name(rsp.type), rsp.len,
                  body, err);
        return false;
    }
    printk("xst: %s: %s\n", what, err);
    return true;
}

bool xst_expect_ok(uint32_t type, uint32_t tx, const void *payload, uint32_t len, char *body,
                   uint32_t cap, uint32_t *rlen, const char *what)
{
    struct xsd_sockmsg rsp;
    char tmp[128];
    int rc;

    if (!body) {
        body = tmp;
        cap = sizeof(tmp);
    }
    rc = xst_raw(type, tx, payload, len, &rsp, body, cap);
    if (rc) {
        test_fail("%s: transport error %d", what, rc);
        return false;
    }
    if (rsp.type != type) {
        test_fail("%s: reply %s '%s', want %s", what, type_name(rsp.type), body, type_name(type));
        return false;
    }
    if (rlen)
        *rlen = rsp.len;
    return true;
}

uint32_t xst_args(char *buf, uint32_t cap, const char *a, const char *b)
{
    uint32_t n = 0;

    for (const char *s = a; n + 1 < cap && *s; s++)
        buf[n++] = *s;
    buf[n++] = '\0';
    if (b) {
        for (const char *s = b; n + 1 < cap && *s; s++)
            buf[n++] = *s;
        buf[n++] = '\0';
    }
    return n;
}

uint32_t xst_argv(char *buf, uint32_t cap, ...)
{
    uint32_t n = 0;
    const char *s;
    va_list ap;

    va_start(ap, cap);
    while ((s = va_arg(ap, const char *))) {
        for (; n + 1 < cap && *s; s++)
            buf[n++] = *s;
        if (n < cap)
            buf[n++] = '\0';
    }
    va_end(ap);
    return n;
}

bool xst_read_is(const char *path, const char *want)
{
    char buf[256];
    int rc = xenbus_read(&xst.c, XENBUS_TX_NONE, path, buf, sizeof(buf), NULL);

    if (rc) {
        test_fail("read %s: %d, want '%s'", path, rc, want);
        return false;
    }
    if (strcmp(buf, want)) {
        test_fail("read %s: '%s', want '%s'", path, buf, want);
        return false;
    }
    printk("xst: %s = '%s'\n", path, buf);
    return true;
}

static bool rsp_waiting(void *arg)
{
    struct xenstore_domain_interface *i = arg;

    return *(volatile uint32_t *)&i->rsp_prod != *(volatile uint32_t *)&i->rsp_cons;
}

bool xst_wait_events(volatile unsigned long *counter, unsigned long want, uint64_t ns)
{
    uint64_t deadline = md_now() + ns;
    struct xsd_sockmsg rsp;
    char body[64];

    for (;;) {
        xenbus_ring_poll_events(&xst.ring, &xst.c);
        if (*counter >= want)
            return true;
        if (md_now() >= deadline)
            return false;
        /* Bytes on the ring (an event) or a short nap; then a request reads past what came. */
        pvos_wait_until(&xst.ring.wait, rsp_waiting, xst.intf, md_now() + MD_MS(20));
        xst_raw(XS_GET_DOMAIN_PATH, 0, "0", XST_STR, &rsp, body, sizeof(body));
    }
}

/* The directory at path must hold exactly want ("a\0b\0", n entries, in any order). */
void xst_dir_is(const char *path, const char *const *want, unsigned int n)
{
    char buf[256];
    int got = xenbus_directory(&xst.c, 0, path, buf, sizeof(buf));
    unsigned int found = 0;
    const char *e = buf;

    if (got < 0) {
        test_fail("directory %s: %d", path, got);
        return;
    }

    for (int k = 0; k < got; k++, e += strlen(e) + 1) {
        bool known = false;

        for (unsigned int i = 0; i < n; i++)
            known |= !strcmp(e, want[i]);
        if (!known)
            test_fail("directory %s holds '%s', which the configuration does not give", path, e);
        found += known;
    }
    if (found != n)
        test_fail("directory %s: %u of the %u entries wanted", path, found, n);
    printk("xst: %s: %u entries as configured\n", path, found);
}

/* device/TYPE/ID names this domain's backend in domain 0 and is in state 1 (Initialising). */
void xst_frontend_is(const char *type, unsigned int id)
{
    char path[64], want[64];

    snprintf(path, sizeof(path), "device/%s/%u/backend", type, id);
    snprintf(want, sizeof(want), "/local/domain/0/backend/%s/%u/%u", type, xst.self, id);
    xst_read_is(path, want);
    snprintf(path, sizeof(path), "device/%s/%u/state", type, id);
    xst_read_is(path, "1");
}
