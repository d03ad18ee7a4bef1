/*
 * The store domain (store.h; docs/xenstore.md, "The store domain"): the
 * store library in the kernel, and the `xenstored` thread that introduces
 * each domain waiting for us (its ring mapped from grant ref 1, its store
 * port bound, its standard and device nodes written, @introduceDomain,
 * then unpaused), serves every ring on its events with a budget per
 * connection per pass, and releases dying or vanished domains on
 * VIRQ_DOM_EXC. A client breaking the protocol loses its connection, never
 * the store domain. The store is not thread-safe: every call into it is
 * made with events masked (one vCPU: no other thread runs meanwhile).
 */
#include "store.h"
#include "grant.h"
#include "kalloc.h"
#include "pvos.h"
#include <tandem/domctl.h>
#include <tandem/event_channel.h>
#include <tandem/grant_table.h>

#define SD_DOMS    32           /* domains served at once */
#define SD_BUDGET  16           /* requests per connection per pass */

enum sd_state { SD_FREE, SD_LIVE, SD_DEAD };     /* DEAD: connection dropped, nodes kept */

/* One backend directory of a domain's device (its release removes B's backend/TYPE/N, as xl). */
struct sd_backend {
    char type[TANDEM_DOMCTL_DEVTYPE_LEN];
    uint16_t domid;
};

static struct sd_dom {
    enum sd_state state;
    uint16_t domid;
    unsigned int nr_backends;   /* distinct (backend, type) of its devices, written at introduction */
    struct sd_backend backends[TANDEM_DOMCTL_MAX_DEVICES];
    uint32_t port;              /* our end of its store port */
    void *ring;                 /* its store page, mapped from its grant ref 1 */
    struct xsd_conn *conn;
    volatile bool kick;         /* its port fired */
    bool more;                  /* serving left work */
} doms[SD_DOMS];

static struct xsd_store *store;
static uint16_t self;
static volatile bool work, dom_exc;
static struct pvos_wait wait;
static struct xsd_msg req_buf, rsp_buf;         /* for the store's own requests (events masked) */

static void *sd_alloc(void *ctx, size_t size) { (void)ctx; return kalloc(size); }
static void sd_free(void *ctx, void *ptr) { (void)ctx; kfree(ptr); }

bool store_is_local(void)
{
    return store != NULL;
}

static void kick_thread(void)
{
    work = true;
    pvos_wake(&wait);
}

int store_local_request(const struct xsd_sockmsg *req, const void *body, struct xsd_msg *reply)
{
    uint8_t m = events_save();
    int rc = xsd_process(store, self, req, body, reply);

    events_restore(m);
    kick_thread();              /* its change may have queued watch events for others */
    return rc ? -XEN_EIO : 0;
}

bool store_local_event(struct xsd_msg *ev)
{
    uint8_t m = events_save();
    bool got = xsd_next_event(store, self, ev);

    events_restore(m);
    return got;
}

/* ---- the store's own requests, as domain `self` (privileged: every node is ours to write) ---- */

/* Send req_buf (type, len bytes of body built by the caller): 0 or the XS_ERROR name logged, -1. */
static int sd_send_quiet(uint32_t type, uint32_t len, const char *quiet)
{
    req_buf.hdr = (struct xsd_sockmsg){ .type = type, .len = len };
    if (xsd_process(store, self, &req_buf.hdr, req_buf.body, &rsp_buf))
        return -1;
    if (rsp_buf.hdr.type == XS_ERROR) {
        rsp_buf.body[rsp_buf.hdr.len < sizeof(rsp_buf.body) ? rsp_buf.hdr.len : 0] = 0;
        if (quiet && !strcmp(rsp_buf.body, quiet))
            return -1;
        printk("xenstored: %s of %s: %s\n", type == XS_WRITE ? "write" : type == XS_RM ? "rm" :
               type == XS_SET_PERMS ? "set_perms" : "request", req_buf.body, rsp_buf.body);
        return -1;
    }
    return 0;
}

static int sd_send(uint32_t type, uint32_t len)
{
    return sd_send_quiet(type, len, NULL);
}

/* "a\0b\0..." of n strings into req_buf.body; its length. Callers keep well under the payload max. */
static uint32_t sd_body(unsigned int n, const char *const *s)
{
    uint32_t len = 0;

    for (unsigned int i = 0; i < n; i++) {
        size_t l = strlen(s[i]);
        memcpy(req_buf.body + len, s[i], l + 1);
        len += (uint32_t)l + 1;
    }
    return len;
}

/* Write path = value; with perms (a "n0 r1" style space-separated list) unless NULL. */
static int sd_write(const char *path, const char *value, const char *perms)
{
    const char *pv[2] = { path, value };
    uint32_t len = sd_body(2, pv) - 1;          /* the value goes without its NUL */
    char p[64], *q;
    int rc = sd_send(XS_WRITE, len);

    if (rc || !perms)
        return rc;
    snprintf(p, sizeof(p), "%s", perms);
    len = sd_body(1, &path);
    for (q = p; *q; q++)
        if (*q == ' ')
            *q = 0;
    /* The perms string with its spaces turned into NULs, plus the final NUL. */
    memcpy(req_buf.body + len, p, strlen(perms) + 1);
    len += (uint32_t)strlen(perms) + 1;
    return sd_send(XS_SET_PERMS, len);
}

static int sd_rm(const char *path)
{
    return sd_send(XS_RM, sd_body(1, &path));
}

/* Remove path if it is there (ENOENT is no error: e.g. its backend was released first). */
static void sd_rm_if(const char *path)
{
    sd_send_quiet(XS_RM, sd_body(1, &path), "ENOENT");
}

/* Whether path exists (read as ourselves: every node is readable to the store domain). */
static bool sd_exists(const char *path)
{
    return sd_send_quiet(XS_READ, sd_body(1, &path), "ENOENT") == 0;
}

/* ---- domains ---- */

static long domctl(uint32_t cmd, uint16_t domid, struct tandem_domctl *op)
{
    uint32_t index = op->u.getdevice.index;

    *op = (struct tandem_domctl){ .cmd = cmd, .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                  .domid = domid };
    if (cmd == TANDEM_DOMCTL_getdevice)
        op->u.getdevice.index = index;
    return HYPERVISOR_tandem_domctl(op);
}

/* The standard nodes of /local/domain/N, with the permissions Xen's libxl gives them. */
static void write_standard_nodes(uint16_t d, const char *name, const struct tandem_domctl_getstoreinfo *si,
                                 unsigned int nr_vcpus)
{
    char dom[32], path[96], val[32], ro[24], rw[16];

    snprintf(dom, sizeof(dom), "/local/domain/%u", d);
    snprintf(ro, sizeof(ro), d == self ? "n%u" : "n%u r%u", self, d);  /* ours, readable by it */
    snprintf(rw, sizeof(rw), "n%u", d);                                /* its own */
    sd_write(dom, "", ro);
#define NODE(sub, perms, ...) do { snprintf(path, sizeof(path), "%s/" sub, dom); \
                                   snprintf(val, sizeof(val), __VA_ARGS__); sd_write(path, val, perms); } while (0)
    NODE("name", ro, "%s", name);
    NODE("domid", ro, "%u", d);
    NODE("memory", ro, "%s", "");
    NODE("memory/target", ro, "%lu", (unsigned long)si->target_kib);
    NODE("memory/static-max", ro, "%lu", (unsigned long)si->maxmem_kib);
    NODE("cpu", ro, "%s", "");
    for (unsigned int k = 0; k < nr_vcpus && k < 64; k++) {
        snprintf(path, sizeof(path), "%s/cpu/%u/availability", dom, k);
        sd_write(path, "online", ro);
    }
    NODE("console", ro, "%s", "");
    NODE("console/ring-ref", ro, "%lu", (unsigned long)si->console_mfn);
    NODE("console/port", ro, "%u", si->console_port);
    NODE("console/limit", ro, "%u", 1048576);
    NODE("console/type", ro, "%s", "xenconsoled");
    NODE("console/output", ro, "%s", "pty");
    if (d != self) {
        NODE("store", ro, "%s", "");
        NODE("store/port", ro, "%u", si->store_port);
        NODE("store/ring-ref", ro, "%lu", (unsigned long)si->store_mfn);
    }
    NODE("device", ro, "%s", "");
    NODE("control", ro, "%s", "");
    NODE("control/shutdown", rw, "%s", "");
    /* Written by the domain itself (Linux's setup_shutdown_watcher): libxl creates them its own. */
    NODE("control/feature-poweroff", rw, "%s", "");
    NODE("control/feature-reboot", rw, "%s", "");
    NODE("control/feature-suspend", rw, "%s", "");
    NODE("control/sysrq", rw, "%s", "");
    NODE("control/platform-feature-xs_reset_watches", ro, "%s", "1");   /* Linux may reset its watches */
    NODE("data", rw, "%s", "");
    NODE("drivers", rw, "%s", "");
    NODE("feature", rw, "%s", "");
    NODE("attr", rw, "%s", "");
    NODE("error", rw, "%s", "");
#undef NODE
}

/* Remember B's backend/TYPE for sd's release (once per distinct pair). */
static void note_backend(struct sd_dom *sd, const char *type, uint16_t b)
{
    for (unsigned int i = 0; i < sd->nr_backends; i++)
        if (sd->backends[i].domid == b && !strcmp(sd->backends[i].type, type))
            return;
    if (sd->nr_backends == TANDEM_DOMCTL_MAX_DEVICES)
        return;
    memcpy(sd->backends[sd->nr_backends].type, type, TANDEM_DOMCTL_DEVTYPE_LEN);
    sd->backends[sd->nr_backends++].domid = b;
}

/*
 * B's /local/domain/B/backend, backend/TYPE and backend/TYPE/d when missing: ours, readable
 * by B (its watch on backend/TYPE must see what appears below), as libxl leaves them.
 */
static void write_backend_parents(uint16_t b, const char *type, uint16_t d)
{
    char path[96], perms[24];

    snprintf(perms, sizeof(perms), b == self ? "n%u" : "n%u r%u", self, b);
    snprintf(path, sizeof(path), "/local/domain/%u/backend", b);
    if (!sd_exists(path))
        sd_write(path, "", perms);
    snprintf(path, sizeof(path), "/local/domain/%u/backend/%s", b, type);
    if (!sd_exists(path))
        sd_write(path, "", perms);
    snprintf(path, sizeof(path), "/local/domain/%u/backend/%s/%u", b, type, d);
    if (!sd_exists(path))
        sd_write(path, "", perms);
}

/* dir/key = printf(...) with perms. */
static void sd_key(const char *dir, const char *key, const char *perms, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void sd_key(const char *dir, const char *key, const char *perms, const char *fmt, ...)
{
    char path[128], val[96];
    va_list ap;

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    sd_write(path, val, perms);
}

/* A disk= vbd's keys in its backend dir be (libxl's for a phy disk; params: the virtio serial). */
static void write_disk_backend_keys(const char *be, const char *bp, const struct tandem_domctl_getdevice *g)
{
    char serial[TANDEM_DOMCTL_SERIAL_LEN];

    memcpy(serial, g->serial, sizeof(serial));
    serial[sizeof(serial) - 1] = 0;
    sd_key(be, "params", bp, "%s", serial);
    sd_key(be, "mode", bp, "%s", (g->flags & TANDEM_DEVICE_readonly) ? "r" : "w");
    sd_key(be, "type", bp, "phy");
    sd_key(be, "device-type", bp, "disk");
    sd_key(be, "online", bp, "1");
    sd_key(be, "removable", bp, "0");
    if (!strcmp(g->type, "ide"))
        sd_key(be, "dev", bp, "hd%c", 'a' + g->devid);      /* an emulated IDE drive (docs/devmodel.md) */
    else
        sd_key(be, "dev", bp, "xvd%c", 'a' + (g->devid - 51712) / 16);
    if (g->flags & TANDEM_DEVICE_region) {
        sd_key(be, "region-start", bp, "%lu", (unsigned long)g->region_start);
        sd_key(be, "region-sectors", bp, "%lu", (unsigned long)g->region_sectors);
    }
}

/*
 * A vif='s (or an HVM domain's nic='s) MAC: its mac= (the hypervisor checked it), else one of
 * Xen's prefix 00:16:3e made from the domain and the vif (libxl picks random ones; ours stay the
 * same from boot to boot); an emulated NE2000's 00:16:3e:4e:HH:LL (docs/devmodel.md).
 */
static void vif_mac(const struct tandem_domctl_getdevice *g, uint16_t d, char *buf, bool ne2k)
{
    char m[TANDEM_DOMCTL_SERIAL_LEN];

    memcpy(m, g->serial, sizeof(m));
    m[sizeof(m) - 1] = 0;
    if ((g->flags & TANDEM_DEVICE_mac) && strlen(m) == 17)
        snprintf(buf, 24, "%s", m);
    else if (ne2k)
        snprintf(buf, 24, "00:16:3e:4e:%02x:%02x", (d >> 8) & 0xff, d & 0xff);
    else
        snprintf(buf, 24, "00:16:3e:%02x:%02x:%02x", g->devid & 0xff, (d >> 8) & 0xff, d & 0xff);
}

/*
 * device/TYPE/ID of d and backend/TYPE/d/ID of its backend B, each side's, readable by the
 * other; for a disk= vbd also the keys Xen's toolstack writes (docs/xenstore.md, "Device
 * nodes"), B the driver domain. The backend dir is written last, whole, before anyone is told.
 */
static void write_device_nodes(struct sd_dom *sd, unsigned int nr)
{
    struct tandem_domctl op;
    uint16_t d = sd->domid;

    sd->nr_backends = 0;
    for (unsigned int i = 0; i < nr && i < TANDEM_DOMCTL_MAX_DEVICES; i++) {
        char fe[96], be[96], fp[24], bp[24], type[TANDEM_DOMCTL_DEVTYPE_LEN], mac[24];
        const struct tandem_domctl_getdevice *g = &op.u.getdevice;
        uint16_t b;
        bool disk, vif;
        op.u.getdevice.index = i;
        if (domctl(TANDEM_DOMCTL_getdevice, d, &op)) {
            printk("xenstored: d%u: getdevice %u refused\n", d, i);
            continue;
        }
        b = g->backend_domid;
        memcpy(type, g->type, sizeof(type));
        type[sizeof(type) - 1] = 0;
        /* A disk names xvda..xvdd: the hypervisor gives no other devid with the flag. */
        disk = (g->flags & TANDEM_DEVICE_disk) && ((!strcmp(type, "vbd") && g->devid >= 51712 &&
               (g->devid - 51712) % 16 == 0 && (g->devid - 51712) / 16 < 26) ||
               (!strcmp(type, "ide") && g->devid < 2));
        vif = (g->flags & TANDEM_DEVICE_vif) && ((!strcmp(type, "vif") && g->devid < 256) ||
              (!strcmp(type, "ne2k") && g->devid == 0));     /* an HVM domain's nic= */
        if ((g->flags & TANDEM_DEVICE_disk) && !disk)
            printk("xenstored: d%u: device %s/%u is no disk of disk=: written without disk keys\n", d,
                   type, g->devid);
        if (b == DOMID_INVALID) {
            printk("xenstored: d%u: device %s/%u has no backend domain: not written\n", d, type, g->devid);
            continue;
        }
        snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%u", d, type, g->devid);
        snprintf(be, sizeof(be), "/local/domain/%u/backend/%s/%u/%u", b, type, d, g->devid);
        snprintf(fp, sizeof(fp), "n%u r%u", d, b);
        snprintf(bp, sizeof(bp), "n%u r%u", b, d);
        note_backend(sd, type, b);
        sd_write(fe, "", fp);
        sd_key(fe, "backend", fp, "%s", be);
        sd_key(fe, "backend-id", fp, "%u", b);
        if (disk) {
            sd_key(fe, "virtual-device", fp, "%u", g->devid);
            sd_key(fe, "device-type", fp, "disk");
        }
        if (vif) {
            vif_mac(g, d, mac, !strcmp(type, "ne2k"));
            sd_key(fe, "handle", fp, "%u", g->devid);
            sd_key(fe, "mac", fp, "%s", mac);
        }
        sd_key(fe, "state", fp, "1");
        write_backend_parents(b, type, d);
        sd_write(be, "", bp);
        sd_key(be, "frontend", bp, "%s", fe);
        sd_key(be, "frontend-id", bp, "%u", d);
        if (disk)
            write_disk_backend_keys(be, bp, g);
        if (vif) {
            sd_key(be, "handle", bp, "%u", g->devid);
            sd_key(be, "mac", bp, "%s", mac);
            sd_key(be, "online", bp, "1");
        }
        sd_key(be, "state", bp, "1");
    }
}

static struct sd_dom *find_dom(uint16_t d)
{
    for (unsigned int i = 0; i < SD_DOMS; i++)
        if (doms[i].state != SD_FREE && doms[i].domid == d)
            return &doms[i];
    return NULL;
}

static void ring_event(uint32_t port, void *ctx)
{
    struct sd_dom *sd = ctx;

    (void)port;
    sd->kick = true;
    kick_thread();
}

/* Let go of a connection: the library's, then the ring mapping and the port. */
static void drop_conn(struct sd_dom *sd)
{
    uint8_t m = events_save();

    if (sd->conn)
        xsd_conn_destroy(sd->conn);
    sd->conn = NULL;
    events_restore(m);
    if (sd->port)
        pvos_evtchn_close(sd->port);
    sd->port = 0;
    if (sd->ring && gnttab_unmap(sd->ring))
        printk("xenstored: d%u: its ring stays mapped\n", sd->domid);
    sd->ring = NULL;
}

static int unpause(uint16_t d)
{
    struct tandem_domctl op;

    return (int)domctl(TANDEM_DOMCTL_unpause, d, &op);
}

/* Xen's toolstack order: ring and port, nodes, XS_INTRODUCE, then the domain runs. */
static void introduce(const struct tandem_domctl_getdomaininfo *di, const struct tandem_domctl_getstoreinfo *si)
{
    struct sd_dom *sd = NULL;
    uint16_t d = di->domid;
    uint8_t m;
    int err;

    for (unsigned int i = 0; i < SD_DOMS && !sd; i++)
        if (doms[i].state == SD_FREE)
            sd = &doms[i];
    if (!sd) {
        printk("xenstored: d%u: no room for another domain, left paused\n", d);
        return;
    }
    *sd = (struct sd_dom){ .state = SD_DEAD, .domid = d };
    sd->ring = gnttab_map(d, GNTTAB_RESERVED_XENSTORE, false, &err);
    if (!sd->ring)
        printk("xenstored: d%u: cannot map its store ring (grant ref 1): %d\n", d, err);
    else if ((err = pvos_evtchn_bind_interdomain(d, si->store_port, &sd->port)))
        printk("xenstored: d%u: cannot bind its store port %u: %d\n", d, si->store_port, err);
    if (!sd->ring || err) {
        drop_conn(sd);
        goto run;
    }
    m = events_save();
    write_standard_nodes(d, di->name, si, di->nr_vcpus);
    write_device_nodes(sd, si->nr_devices);
    xsd_introduce(store, d);
    sd->conn = xsd_conn_create(store, d, sd->ring);
    events_restore(m);
    if (!sd->conn) {
        printk("xenstored: d%u: no memory for its connection\n", d);
        drop_conn(sd);
        goto run;
    }
    sd->state = SD_LIVE;
    sd->kick = true;            /* it may have written before we bound the port */
    pvos_evtchn_handle(sd->port, ring_event, sd);
    printk("xenstored: introduced d%u (%s): ring mfn %lx, port %u -> %u, %u device%s\n", d, di->name,
           (unsigned long)si->store_mfn, si->store_port, sd->port, si->nr_devices,
           si->nr_devices == 1 ? "" : "s");
run:
    if ((si->flags & TANDEM_STOREINF_waiting) && (err = unpause(d)))
        printk("xenstored: d%u: unpause refused (%d)\n", d, err);
}

/* Whether domain d's first device is an emulated one (an HVM domain's disk= or, alone, its nic=). */
static bool has_emulated(uint16_t d)
{
    struct tandem_domctl op;

    op.u.getdevice.index = 0;
    return !domctl(TANDEM_DOMCTL_getdevice, d, &op) &&
           (!strncmp(op.u.getdevice.type, "ide", 4) || !strncmp(op.u.getdevice.type, "ne2k", 5));
}

/*
 * An HVM domain with emulated disks or a NIC: no store ring of its own (it is no PV guest), but its
 * device model (the driver domain) finds what to emulate in the store, as Xen's QEMU does:
 * its name, and a backend dir per emulated device (backend/ide/D/N, backend/ne2k/D/0). Tracked like a domain
 * whose connection is gone (SD_DEAD), so its nodes go when it does.
 */
static void introduce_hvm(const struct tandem_domctl_getdomaininfo *di, const struct tandem_domctl_getstoreinfo *si)
{
    char dom[32], path[64], ro[24];
    struct sd_dom *sd = NULL;
    uint16_t d = di->domid;
    uint8_t m;

    for (unsigned int i = 0; i < SD_DOMS && !sd; i++)
        if (doms[i].state == SD_FREE)
            sd = &doms[i];
    if (!sd) {
        printk("xenstored: d%u: no room for another domain: its device nodes are not written\n", d);
        return;
    }
    *sd = (struct sd_dom){ .state = SD_DEAD, .domid = d };
    snprintf(dom, sizeof(dom), "/local/domain/%u", d);
    snprintf(ro, sizeof(ro), "n%u", self);
    m = events_save();
    sd_write(dom, "", ro);
    snprintf(path, sizeof(path), "%s/name", dom);
    sd_write(path, di->name, ro);
    write_device_nodes(sd, si->nr_devices);
    events_restore(m);
    printk("xenstored: d%u (%s): an HVM domain, %u emulated device%s for its device model\n", d, di->name,
           si->nr_devices, si->nr_devices == 1 ? "" : "s");
}

/* Every domain we serve that is not introduced yet and is alive. */
static void introduce_waiting(void)
{
    struct tandem_domctl op, sop;
    unsigned int id = 0;

    while (domctl(TANDEM_DOMCTL_getdomaininfo, (uint16_t)id, &op) == 0) {
        struct tandem_domctl_getdomaininfo di = op.u.getdomaininfo;
        id = di.domid + 1u;
        if (di.domid == self || (di.flags & (TANDEM_DOMINF_dying | TANDEM_DOMINF_shutdown)) ||
            find_dom(di.domid))
            continue;
        if (domctl(TANDEM_DOMCTL_getstoreinfo, di.domid, &sop))
            continue;
        if (sop.u.getstoreinfo.store_domid == DOMID_INVALID && sop.u.getstoreinfo.nr_devices &&
            has_emulated(di.domid)) {
            introduce_hvm(&di, &sop.u.getstoreinfo);
            continue;
        }
        if (sop.u.getstoreinfo.store_domid != self)
            continue;
        introduce(&di, &sop.u.getstoreinfo);
    }
}

/* VIRQ_DOM_EXC: domains that are dying, shut down or gone leave the store (as xl would). */
static void release_gone(void)
{
    struct tandem_domctl op;
    char path[80];

    for (unsigned int i = 0; i < SD_DOMS; i++) {
        struct sd_dom *sd = &doms[i];
        uint8_t m;
        if (sd->state == SD_FREE)
            continue;
        if (!domctl(TANDEM_DOMCTL_getdomaininfo, sd->domid, &op) && op.u.getdomaininfo.domid == sd->domid &&
            !(op.u.getdomaininfo.flags & (TANDEM_DOMINF_dying | TANDEM_DOMINF_shutdown)))
            continue;
        /* Said first: @releaseDomain may wake a watcher that powers the machine off at once. */
        printk("xenstored: released d%u\n", sd->domid);
        m = events_save();
        xsd_release(store, sd->domid);      /* fires @releaseDomain */
        events_restore(m);
        drop_conn(sd);
        snprintf(path, sizeof(path), "/local/domain/%u", sd->domid);
        m = events_save();
        sd_rm(path);
        for (unsigned int k = 0; k < sd->nr_backends; k++) {
            snprintf(path, sizeof(path), "/local/domain/%u/backend/%s/%u", sd->backends[k].domid,
                     sd->backends[k].type, sd->domid);
            sd_rm_if(path);
        }
        events_restore(m);
        sd->state = SD_FREE;
    }
}

static void dom_exc_event(uint32_t port, void *ctx)
{
    (void)port, (void)ctx;
    dom_exc = true;
    kick_thread();
}

/* One pass over the connections, from a rotating start; true if any has work left. */
static bool serve_pass(void)
{
    static unsigned int start;
    bool more = false;

    start = (start + 1) % SD_DOMS;
    for (unsigned int k = 0; k < SD_DOMS; k++) {
        struct sd_dom *sd = &doms[(start + k) % SD_DOMS];
        unsigned int bits;
        uint8_t m;
        if (sd->state != SD_LIVE)
            continue;
        m = events_save();
        if (!sd->kick && !sd->more && !xsd_conn_pending(sd->conn)) {
            events_restore(m);
            continue;
        }
        sd->kick = false;
        bits = xsd_conn_serve(sd->conn, SD_BUDGET);
        events_restore(m);
        if (bits & XSD_SERVE_DEAD) {
            printk("xenstored: d%u broke the store protocol: connection dropped (the domain runs on)\n",
                   sd->domid);
            drop_conn(sd);
            sd->state = SD_DEAD;
            continue;
        }
        if (bits & XSD_SERVE_NOTIFY)
            pvos_evtchn_notify(sd->port);
        sd->more = bits & XSD_SERVE_MORE;
        more |= sd->more;
    }
    return more;
}

static bool has_work(void *arg)
{
    (void)arg;
    return work;
}

/*
 * Output waiting on a connection after a pass: watch events that a request served later in the
 * pass queued for a connection served earlier in it (its turn had come and gone). Nothing else
 * would wake us for them: the watcher sent nothing, and the writer may send nothing more.
 */
static bool output_waiting(void)
{
    bool any = false;

    for (unsigned int i = 0; i < SD_DOMS && !any; i++) {
        uint8_t m;
        if (doms[i].state != SD_LIVE)
            continue;
        m = events_save();
        any = xsd_conn_pending(doms[i].conn);
        events_restore(m);
    }
    return any;
}

static void xenstored_main(void *arg)
{
    (void)arg;
    introduce_waiting();
    for (;;) {
        bool more;
        work = false;
        if (dom_exc) {
            dom_exc = false;
            release_gone();
            introduce_waiting();
        }
        more = serve_pass();
        /* Work left (a budget used up, a full rsp[]) waits a little; events queued for a
         * connection this pass had already served get another pass at once. */
        if (!more && output_waiting())
            continue;
        if (more)
            thread_sleep_until(system_time_ns() + 1000000);    /* a flood slows only its sender */
        else
            pvos_wait_until(&wait, has_work, NULL, 0);
    }
}

bool store_domain_start(void)
{
    static const struct xsd_alloc alloc = { sd_alloc, sd_free, NULL };
    static const struct xsd_quota quota = XSD_QUOTA_DEFAULT;
    struct tandem_domctl op, sop;
    struct evtchn_bind_virq bv = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    uint8_t m;

    if (domctl(TANDEM_DOMCTL_getstoreinfo, DOMID_SELF, &sop) ||
        sop.u.getstoreinfo.store_domid != sop.u.getstoreinfo.domid)
        return false;
    self = sop.u.getstoreinfo.domid;
    if (!(store = xsd_store_create(&alloc, &quota))) {
        printk("xenstored: no memory for the store\n");
        return false;
    }
    if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv) ||
        pvos_evtchn_handle(bv.port, dom_exc_event, NULL))
        printk("xenstored: cannot bind VIRQ_DOM_EXC: dying domains stay in the store\n");
    domctl(TANDEM_DOMCTL_getdomaininfo, self, &op);
    m = events_save();
    xsd_introduce(store, self);
    write_standard_nodes(self, op.u.getdomaininfo.name, &sop.u.getstoreinfo, op.u.getdomaininfo.nr_vcpus);
    events_restore(m);
    thread_create("xenstored", xenstored_main, NULL);
    printk("xenstored: d%u is the store domain\n", self);
    return true;
}
