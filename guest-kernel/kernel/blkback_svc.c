/*
 * The driver domain's block back end service (blkback_svc.h, docs/blkif.md
 * "The driver domain's service"). The `blkback` thread attaches every
 * virtio-blk function at boot, then watches our backend/vbd in the store:
 * each backend/vbd/F/DEVID directory becomes an instance once its keys are
 * there (params: the serial of the disk holding it; mode; region-start and
 * region-sectors for a region; frontend), runs Xen's back end handshake
 * against the frontend's state (pv_xenbus_state.h) and serves its ring
 * with the pvdrivers/blkback core, the disk side in blkback_io.c. A
 * frontend's Closing/Closed, its death (@releaseDomain, its state node
 * gone) or the removal of the directory disconnect it: the ring and every
 * grant are unmapped as their requests complete, the port is closed.
 */
#include "blkback_svc_int.h"
#include "kalloc.h"
#include "grant.h"
#include "pv_xenbus_state.h"
#include <tandem/errno.h>
#include <tandem/domctl.h>

#define POLL_NS      20000000ULL        /* the store is looked at this often (and at each event) */
#define MAX_LOGS     16                 /* per instance: a frontend cannot flood the console */

static struct svc_disk disks[SVC_DISKS];
static unsigned int nr_disks;
static struct svc_vbd *vbds[SVC_VBDS];
static struct svc_disk *own;
static volatile bool started, probed;
static bool off;                        /* blkback=off: attach the disks, serve nothing */
static volatile bool kick, rescan, recheck;
static volatile uint64_t rounds;        /* service rounds done: `vbd` waits for a fresh one */
static struct pvos_wait wait;
static struct xenbus_watch vbd_watch, release_watch;
static char dirbuf[XENSTORE_PAYLOAD_MAX + 1], dirbuf2[XENSTORE_PAYLOAD_MAX + 1];

#define vlog(v, fmt, ...) do {                                                          \
    if ((v)->logs < MAX_LOGS) {                                                         \
        (v)->logs++;                                                                    \
        printk("blkback d%u/%u: " fmt "\n", (v)->fe, (v)->devid, ##__VA_ARGS__);        \
    }                                                                                   \
} while (0)

static void wake_thread(void)
{
    kick = true;
    pvos_wake(&wait);
}

/* ---- disks ---- */

/* Our domain's name: the store's `name`, else tandem_domctl's; empty if neither answers. */
static void own_name(char *buf, size_t size)
{
    struct xenbus_client *c = xenbus_kernel();
    struct tandem_domctl op = { .cmd = TANDEM_DOMCTL_getdomaininfo,
                                .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION, .domid = DOMID_SELF };

    buf[0] = 0;
    if (c && !xenbus_read(c, XENBUS_TX_NONE, "name", buf, (uint32_t)size, NULL))
        return;
    if (!HYPERVISOR_tandem_domctl(&op)) {
        op.u.getdomaininfo.name[TANDEM_DOMCTL_NAME_LEN - 1] = 0;
        snprintf(buf, size, "%s", op.u.getdomaininfo.name);
    }
}

static bool serial_is_own(const char *serial, const char *name)
{
    size_t n = strlen(name);

    return n && !strncmp(serial, name, n) && serial[n] == '/';
}

static void probe(void)
{
    char name[TANDEM_DOMCTL_NAME_LEN];
    int64_t prev = -1;
    uint32_t sbdf;

    own_name(name, sizeof(name));
    for (; pvos_pci_next(prev, &sbdf) && nr_disks < SVC_DISKS; prev = sbdf) {
        uint32_t id = pvos_pci_conf_read(sbdf, 0, 4);
        struct svc_disk *d;

        if ((uint16_t)id != VIRTIO_PCI_VENDOR || (uint16_t)(id >> 16) != VIRTIO_PCI_ID_BLK)
            continue;
        d = &disks[nr_disks++];
        d->sbdf = sbdf;
        d->rc = vblk_attach(&d->vb, sbdf);
        if (!own && (!name[0] || (!d->rc && serial_is_own(d->vb.serial, name)))) {
            d->own = true;          /* the shell prints it (`drivers`) */
            own = d;
            continue;
        }
        if (d->rc) {
            printk("blkback: virtio-blk at %02x:%02x.%x: not driven (%d)\n", (sbdf >> 8) & 0xff,
                   (sbdf >> 3) & 0x1f, sbdf & 7, d->rc);
            continue;
        }
        d->vb.also_wake = &wait;
        printk("blkback: virtio-blk at %02x:%02x.%x: %lu sectors (%lu MiB), serial %s, %s\n",
               (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f, sbdf & 7, (unsigned long)d->vb.capacity,
               (unsigned long)(d->vb.capacity >> 11), d->vb.serial[0] ? d->vb.serial : "(none)",
               d->vb.polling ? "polling (no MSI-X)" : "MSI-X events");
    }
}

static struct svc_disk *disk_by_serial(const char *serial)
{
    for (unsigned int i = 0; i < nr_disks; i++)
        if (!disks[i].own && !disks[i].rc && !strcmp(disks[i].vb.serial, serial))
            return &disks[i];
    return NULL;
}

/* ---- the core's ops ---- */

static void *op_map(void *ctx, uint16_t domid, uint32_t ref, bool ro, uint64_t *bus, int *err)
{
    (void)ctx;
    return bus ? pvos_grant_map_dev(domid, ref, ro, bus, err) : pvos_grant_map(domid, ref, ro, err);
}

static void op_unmap(void *ctx, void *va)
{
    int rc = pvos_grant_unmap(va);

    if (rc)
        vlog((struct svc_vbd *)ctx, "unmap refused (%d)", rc);
}

static void *op_map_ring(void *ctx, uint16_t domid, const uint32_t *refs, unsigned int nr, int *err)
{
    (void)ctx;
    return pvos_grant_map_ring(domid, refs, nr, err);
}

static void op_unmap_ring(void *ctx, void *va, unsigned int nr)
{
    for (unsigned int i = 0; i < nr; i++)
        op_unmap(ctx, (uint8_t *)va + i * BLKBACK_PAGE_SIZE);
}

static void op_notify(void *ctx)
{
    struct svc_vbd *v = ctx;

    if (v->have_port)
        pvos_evtchn_notify(v->port);
}

static const struct blkback_ops ops_template = {
    .map = op_map, .unmap = op_unmap, .map_ring = op_map_ring, .unmap_ring = op_unmap_ring,
    .submit = svc_io_submit, .notify = op_notify,
};

/* The store for the core: writes into our backend dir, reads from the frontend's. */
static int xs_write_be(void *ctx, const char *key, const char *val)
{
    struct svc_vbd *v = ctx;
    char path[96];

    snprintf(path, sizeof(path), "%s/%s", v->dir, key);
    return xenbus_write(xenbus_kernel(), XENBUS_TX_NONE, path, val);
}

static int xs_read_fe(void *ctx, const char *key, char *buf, uint32_t cap)
{
    struct svc_vbd *v = ctx;
    char path[160];

    snprintf(path, sizeof(path), "%s/%s", v->fe_dir, key);
    return xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, buf, cap, NULL);
}

/* ---- instances ---- */

static void on_event(uint32_t port, void *ctx)
{
    struct svc_vbd *v = ctx;

    (void)port;
    v->event = true;
    wake_thread();
}

static void fe_state_fired(struct xenbus_watch *w, const char *path)
{
    struct svc_vbd *v = (struct svc_vbd *)((char *)w - offsetof(struct svc_vbd, watch));

    (void)path;
    v->fe_changed = true;
    wake_thread();
}

static void write_state(struct svc_vbd *v, XenbusState s)
{
    char val[4] = { (char)('0' + s), 0 };
    int rc = xs_write_be(v, "state", val);

    if (rc)
        vlog(v, "cannot write state %u (%d)", s, rc);
    v->state = s;
}

static int read_key(struct svc_vbd *v, const char *key, char *buf, uint32_t cap)
{
    char path[96];

    snprintf(path, sizeof(path), "%s/%s", v->dir, key);
    return xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, buf, cap, NULL);
}

/* A decimal key of our backend dir (the store domain's, so checked all the same). */
static int read_u64(struct svc_vbd *v, const char *key, uint64_t *out)
{
    char buf[24];
    const char *end;
    int rc = read_key(v, key, buf, sizeof(buf));

    if (rc)
        return rc;
    *out = strtoul(buf, &end, 10);
    return buf[0] >= '0' && buf[0] <= '9' && !*end && strlen(buf) < 20 ? 0 : -XEN_EINVAL;
}

/* The keys the store domain wrote; -ENOENT while they are not all there yet. */
static int read_config(struct svc_vbd *v, struct blkback_disk *disk)
{
    char mode[4], fid[8], state[4];
    uint64_t start = 0, sectors = 0;
    int rc, rs, rn;

    /* `state` is the store domain's last key: once it is there, so are the others. */
    if ((rc = read_key(v, "state", state, sizeof(state))) ||
        (rc = read_key(v, "params", v->params, sizeof(v->params))) ||
        (rc = read_key(v, "mode", mode, sizeof(mode))) ||
        (rc = read_key(v, "frontend", v->fe_dir, sizeof(v->fe_dir))) ||
        (rc = read_key(v, "frontend-id", fid, sizeof(fid))))
        return rc;
    if ((mode[0] != 'r' && mode[0] != 'w') || mode[1] || strtoul(fid, NULL, 10) != v->fe ||
        v->fe_dir[0] != '/')
        return -XEN_EINVAL;
    rs = read_u64(v, "region-start", &start);
    rn = read_u64(v, "region-sectors", &sectors);
    if ((rs && rs != -XEN_ENOENT) || (rn && rn != -XEN_ENOENT) || (!rs != !rn))
        return -XEN_EINVAL;
    v->region = !rs;
    if (!(v->disk = disk_by_serial(v->params)))
        return -XEN_ENODEV;
    *disk = (struct blkback_disk){ .disk_sectors = v->disk->vb.capacity, .offset = start,
                                   .sectors = v->region ? sectors : v->disk->vb.capacity,
                                   .readonly = mode[0] == 'r' || v->disk->vb.readonly,
                                   .flush = v->disk->vb.can_flush };
    v->region_start = start;
    v->region_sectors = disk->sectors;
    return 0;
}

/* Keys there: the core, its features, a watch on the frontend, InitWait. -ENOENT: not yet. */
static int vbd_setup(struct svc_vbd *v)
{
    struct blkback_xs_ops xs = { .ctx = v, .write = xs_write_be, .read = xs_read_fe };
    struct blkback_ops ops = ops_template;
    struct blkback_disk disk;
    int rc = read_config(v, &disk);

    if (rc == -XEN_ENOENT)
        return rc;
    ops.ctx = v;
    if (!rc)
        rc = blkback_init(&v->be, &ops, &disk, v->fe);
    if (rc) {
        vlog(v, "refused: params '%s': %s (%d)", v->params,
             rc == -XEN_ENODEV ? "no such disk" : "bad keys or region", rc);
        write_state(v, XenbusStateClosed);
        v->ready = true;            /* nothing more to do until the directory goes */
        v->disk = NULL;
        return rc;
    }
    v->disk->users++;
    if ((rc = blkback_publish_features(&xs, &disk)))
        vlog(v, "cannot publish features (%d)", rc);
    snprintf(v->fe_state, sizeof(v->fe_state), "%s/state", v->fe_dir);
    v->watch.path = v->fe_state;
    v->watch.fn = fe_state_fired;
    v->watching = !xenbus_watch(xenbus_kernel(), &v->watch);
    v->fe_changed = true;
    v->ready = true;
    write_state(v, XenbusStateInitWait);
    printk("blkback d%u/%u: %s%s, %lu sectors, mode %s: InitWait\n", v->fe, v->devid, v->params,
           v->region ? " (region)" : "", (unsigned long)disk.sectors, disk.readonly ? "r" : "w");
    return 0;
}

static void vbd_disconnect(struct svc_vbd *v)
{
    if (v->disk)
        blkback_disconnect(&v->be);
    if (v->have_port) {
        pvos_evtchn_close(v->port);
        v->have_port = false;
    }
}

/* Map the ring, bind the channel, publish the disk: 0 or -errno (then DISCONNECT). */
static int vbd_connect(struct svc_vbd *v, const struct blkback_front *f)
{
    struct blkback_xs_ops xs = { .ctx = v, .write = xs_write_be, .read = xs_read_fe };
    int rc = blkback_connect(&v->be, f->ring_ref, f->ring_order);

    if (rc) {
        vlog(v, "cannot map the ring (%d)", rc);
        return rc;
    }
    if ((rc = pvos_evtchn_bind_interdomain(v->fe, f->event_channel, &v->port))) {
        vlog(v, "cannot bind event channel %u (%d)", f->event_channel, rc);
        return rc;
    }
    v->have_port = true;
    if ((rc = pvos_evtchn_handle(v->port, on_event, v)))
        return rc;
    if ((rc = blkback_publish_disk(&xs, &v->be.disk)))
        return rc;
    v->event = true;                /* requests may be on the ring already */
    printk("blkback d%u/%u: connected: ring of %u page%s, event channel %u -> %u\n", v->fe, v->devid,
           1u << f->ring_order, f->ring_order ? "s" : "", f->event_channel, v->port);
    return 0;
}

/* The frontend's state changed (or may have): one step of the back end's handshake. */
static void vbd_frontend(struct svc_vbd *v)
{
    struct blkback_xs_ops xs = { .ctx = v, .write = xs_write_be, .read = xs_read_fe };
    struct blkback_front f;
    struct xenbus_step st;
    uint32_t peer = 0;
    bool ok = true;
    int rc = xenbus_read_uint(xenbus_kernel(), XENBUS_TX_NONE, v->fe_state, &peer);

    v->fe_changed = false;
    if (rc == -XEN_ENOENT)
        peer = XenbusStateUnknown;      /* the frontend's directory is gone (its domain died) */
    else if (rc)
        peer = ~0u;                     /* garbage: the step says Closing */
    v->fe_last = peer;
    if ((peer == XenbusStateInitialised || peer == XenbusStateConnected) && v->state == XenbusStateInitWait &&
        (rc = blkback_read_frontend(&xs, &f))) {
        vlog(v, "frontend keys refused (%d)", rc);
        ok = false;
    }
    st = xenbus_state_step(XENBUS_BACKEND, v->state, peer, ok, 0);
    if (st.actions & XBS_ACT_DISCONNECT)
        vbd_disconnect(v);
    if (st.actions & XBS_ACT_FAIL)
        vlog(v, "frontend state %u in our %s: closing", peer, xenbus_state_name(v->state));
    if ((st.actions & XBS_ACT_CONNECT) && vbd_connect(v, &f)) {
        vbd_disconnect(v);
        st.next = XenbusStateClosing;
    }
    if (st.next != v->state)
        write_state(v, st.next);
}

static struct svc_vbd *vbd_find(uint16_t fe, uint32_t devid)
{
    for (unsigned int i = 0; i < SVC_VBDS; i++)
        if (vbds[i] && vbds[i]->used && !vbds[i]->removed && vbds[i]->fe == fe && vbds[i]->devid == devid)
            return vbds[i];
    return NULL;
}

static struct svc_vbd *vbd_new(uint16_t fe, uint32_t devid)
{
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = vbds[i];

        if (v && v->used)
            continue;
        if (!v && !(v = vbds[i] = kalloc(sizeof(*v))))
            return NULL;
        memset(v, 0, sizeof(*v));
        v->used = true;
        v->fe = fe;
        v->devid = devid;
        v->state = XenbusStateInitialising;
        snprintf(v->dir, sizeof(v->dir), "backend/vbd/%u/%u", fe, devid);
        return v;
    }
    return NULL;
}

/* The directory went: stop; the slot is free once nothing is mapped. */
static void vbd_remove(struct svc_vbd *v)
{
    vbd_disconnect(v);
    if (v->watching)
        xenbus_unwatch(xenbus_kernel(), &v->watch);
    v->watching = false;
    v->removed = true;
    printk("blkback d%u/%u: removed\n", v->fe, v->devid);
}

static bool parse_id(const char *s, uint32_t max, uint32_t *out)
{
    const char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (*s < '0' || *s > '9' || *end || strlen(s) > 10 || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* One frontend domain's devids under backend/vbd/F. */
static void scan_domain(const char *fe)
{
    struct xenbus_client *c = xenbus_kernel();
    char path[48];
    uint32_t f, devid;
    int n;

    if (!parse_id(fe, DOMID_FIRST_RESERVED - 1, &f))
        return;
    snprintf(path, sizeof(path), "backend/vbd/%u", f);
    if ((n = xenbus_directory(c, XENBUS_TX_NONE, path, dirbuf2, sizeof(dirbuf2))) < 0) {
        /* Gone is gone; any other failure says nothing: F's instances stay. */
        for (unsigned int i = 0; n != -XEN_ENOENT && i < SVC_VBDS; i++)
            if (vbds[i] && vbds[i]->fe == f)
                vbds[i]->present = true;
        return;
    }
    for (const char *p = dirbuf2; n-- > 0; p += strlen(p) + 1) {
        struct svc_vbd *v;

        if (!parse_id(p, UINT32_MAX, &devid))
            continue;
        if (!(v = vbd_find((uint16_t)f, devid)) && !(v = vbd_new((uint16_t)f, devid))) {
            printk("blkback: no room for d%u/%u (%u instances)\n", f, devid, SVC_VBDS);
            continue;
        }
        v->present = true;
    }
}

static void scan(void)
{
    int n = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, "backend/vbd", dirbuf, sizeof(dirbuf));

    if (n < 0 && n != -XEN_ENOENT) {
        rescan = true;              /* the store did not answer: look again later, change nothing */
        return;
    }
    for (unsigned int i = 0; i < SVC_VBDS; i++)
        if (vbds[i])
            vbds[i]->present = false;
    for (const char *p = dirbuf; n-- > 0; p += strlen(p) + 1)
        scan_domain(p);
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = vbds[i];

        if (!v || !v->used || v->removed)
            continue;
        if (!v->present)
            vbd_remove(v);
        else if (!v->ready)
            vbd_setup(v);
    }
}

static void vbd_watch_fired(struct xenbus_watch *w, const char *path)
{
    (void)w;
    (void)path;
    rescan = true;
    wake_thread();
}

static void release_fired(struct xenbus_watch *w, const char *path)
{
    (void)w;
    (void)path;
    recheck = true;
    wake_thread();
}

/* ---- the thread ---- */

static void serve(struct svc_vbd *v)
{
    int rc;

    if (!v->be.connected) {
        v->event = v->need_process = false;
        return;
    }
    if (!v->event && !v->need_process)
        return;
    v->event = v->need_process = false;
    if ((rc = blkback_process(&v->be)) == -XEN_EACCES) {
        vbd_disconnect(v);          /* the core logged it */
        write_state(v, XenbusStateClosing);
    }
}

static void service_round(void)
{
    if (rescan) {
        rescan = false;
        scan();
    }
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = vbds[i];

        if (!v || !v->used)
            continue;
        if (recheck && v->watching)
            v->fe_changed = true;
        if (v->fe_changed && v->watching && !v->removed)
            vbd_frontend(v);
    }
    recheck = false;
    for (unsigned int i = 0; i < nr_disks; i++)
        if (disks[i].users) {
            vblk_poll(&disks[i].vb);
            svc_disk_kick(&disks[i]);
        }
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = vbds[i];

        if (!v || !v->used)
            continue;
        serve(v);
        if (v->removed && (!v->disk || blkback_idle(&v->be))) {
            if (v->disk)
                v->disk->users--;
            v->used = false;
        }
    }
}

/* Something to do: an event or a watch said so, or a served disk completed requests. */
static bool kicked(void *arg)
{
    (void)arg;
    for (unsigned int i = 0; i < nr_disks; i++)
        if (disks[i].users && virtq_has_used(&disks[i].vb.vq))
            return true;
    return kick;
}

static void svc_main(void *arg)
{
    struct xenbus_client *c = xenbus_kernel();
    bool polling = false;

    (void)arg;
    probe();
    probed = true;
    if (!c || off)
        thread_exit();              /* no store (nobody to serve), or told not to */
    for (unsigned int i = 0; i < nr_disks; i++)
        polling |= !disks[i].own && !disks[i].rc && disks[i].vb.polling;
    vbd_watch.path = "backend/vbd";
    vbd_watch.fn = vbd_watch_fired;
    release_watch.path = "@releaseDomain";
    release_watch.fn = release_fired;
    if (xenbus_watch(c, &vbd_watch) || xenbus_watch(c, &release_watch))
        printk("blkback: cannot watch the store\n");
    rescan = true;
    for (uint64_t next_poll = 0;;) {
        kick = false;
        /* The store every POLL_NS (watch events come only by looking), the rings at every event. */
        if (pvos_now_ns() >= next_poll || rescan || recheck) {
            xenbus_kernel_poll();
            next_poll = pvos_now_ns() + POLL_NS;
        }
        service_round();
        rounds++;
        pvos_wait_until(&wait, kicked, NULL, polling ? pvos_now_ns() + 1000000 : next_poll);
    }
}

/* `blkback=off` among the kernel's options (before " -- "): disks attached, nothing served. */
static bool serving_off(void)
{
    const char *cl = (const char *)start_info->cmd_line;

    for (const char *p = cl; *p && strncmp(p, "--", 2); p++)
        if ((p == cl || p[-1] == ' ') && !strncmp(p, "blkback=off", 11) && (!p[11] || p[11] == ' '))
            return true;
    return false;
}

void blkback_svc_start(void)
{
    int64_t prev = -1;
    uint32_t sbdf;

    off = serving_off();
    for (; pvos_pci_next(prev, &sbdf); prev = sbdf)
        if (pvos_pci_conf_read(sbdf, 0, 4) == (VIRTIO_PCI_ID_BLK << 16 | VIRTIO_PCI_VENDOR)) {
            started = true;
            thread_create("blkback", svc_main, NULL);
            return;
        }
}

struct vblk *blkback_svc_own_disk(uint32_t *sbdf, int *rc)
{
    if (!started)
        return NULL;
    while (!probed)
        thread_sleep_until(system_time_ns() + 1000000);
    if (!own)
        return NULL;
    *sbdf = own->sbdf;
    *rc = own->rc;
    return own->rc ? NULL : &own->vb;
}

static const char *region_text(const struct svc_vbd *v, char *buf, size_t size)
{
    if (!v->region)
        return "";
    snprintf(buf, size, " region %lu+%lu", (unsigned long)v->region_start, (unsigned long)v->region_sectors);
    return buf;
}

void blkback_svc_list(void)
{
    unsigned int n = 0;
    char reg[48];

    if (!started) {
        printk("vbd: no virtio disk in this domain: no back end\n");
        return;
    }
    /* A view after the store was looked at once more (two rounds: one may be half done). */
    for (uint64_t r = rounds, until = system_time_ns() + 1000000000ULL; rounds < r + 2 && system_time_ns() < until;) {
        rescan = recheck = true;
        wake_thread();
        thread_sleep_until(system_time_ns() + 1000000);
    }
    for (unsigned int i = 0; i < nr_disks; i++)
        printk("vbd: disk %s at %02x:%02x.%x, %lu sectors%s%s\n", disks[i].rc ? "(not driven)" : disks[i].vb.serial,
               (disks[i].sbdf >> 8) & 0xff, (disks[i].sbdf >> 3) & 0x1f, disks[i].sbdf & 7,
               (unsigned long)disks[i].vb.capacity, disks[i].own ? ", own (vda)" : "",
               disks[i].users ? ", serving" : "");
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        const struct svc_vbd *v = vbds[i];
        const struct blkback_stats *s;

        if (!v || !v->used)
            continue;
        s = &v->be.stats;
        n++;
        printk("vbd d%u/%u: %s%s, %lu sectors, mode %s, state %s, frontend %s; requests %lu, errors %lu, "
               "notifies %lu, maps %lu, in flight %u%s\n", v->fe, v->devid, v->params[0] ? v->params : "(no params)",
               region_text(v, reg, sizeof(reg)), (unsigned long)(v->disk ? v->be.disk.sectors : 0),
               v->disk && v->be.disk.readonly ? "r" : "w", xenbus_state_name(v->state),
               xenbus_state_name(v->fe_last), (unsigned long)s->requests, (unsigned long)s->errors,
               (unsigned long)s->notifies, (unsigned long)s->maps, v->be.inflight,
               v->removed ? ", removed" : "");
    }
    printk("vbd: %u instance%s, %u grants mapped\n", n, n == 1 ? "" : "s", gnttab_nr_mapped());
}
