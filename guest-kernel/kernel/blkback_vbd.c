/*
 * The block back end service's instances (blkback_svc_int.h): one per
 * backend/vbd/F/DEVID of ours. The core's ops over pvos.h (grants mapped
 * for the disk's DMA, the ring at consecutive addresses), the store keys
 * the store domain wrote (params, mode, region, frontend), the back end's
 * handshake against the frontend's state, and the scan that finds
 * directories appearing and going. All in the `blkback` thread.
 */
#include "blkback_svc_int.h"
#include "kalloc.h"
#include "pv_xenbus_state.h"
#include <tandem/errno.h>

static char dirbuf[XENSTORE_PAYLOAD_MAX + 1], dirbuf2[XENSTORE_PAYLOAD_MAX + 1];
unsigned int svc_mapped;                /* frontend pages the instances map now (rings, requests) */

/* ---- the core's ops ---- */

/* Indirect segment pages: the CPU reads them. */
static void *op_map(void *ctx, uint16_t domid, uint32_t ref, bool ro, int *err)
{
    void *va = pvos_grant_map(domid, ref, ro, err);

    (void)ctx;
    svc_mapped += va != NULL;
    return va;
}

/* Data pages: for the disk alone, a request's at once (GNTMAP_device_map; dev_bus_addr to virtio). */
static int op_map_data(void *ctx, uint16_t domid, const uint32_t *refs, unsigned int n, bool ro, void **handle,
                       uint64_t *bus)
{
    int rc = pvos_grant_map_dev(domid, refs, n, ro, handle, bus);

    (void)ctx;
    svc_mapped += rc ? 0 : n;
    return rc;
}

static void op_unmap_data(void *ctx, void **handle, unsigned int n)
{
    (void)ctx;
    pvos_grant_unmap_dev(handle, n);
    svc_mapped -= n;
}

/* Indirect segment pages: copied out, never mapped. */
static int op_copy_in(void *ctx, uint16_t domid, uint32_t ref, void *dst, uint32_t len)
{
    (void)ctx;
    return pvos_grant_copy_in(domid, ref, 0, dst, len);
}

static void op_unmap(void *ctx, void *va)
{
    int rc = pvos_grant_unmap(va);

    if (rc)
        vlog((struct svc_vbd *)ctx, "unmap refused (%d)", rc);
    else
        svc_mapped--;
}

static void *op_map_ring(void *ctx, uint16_t domid, const uint32_t *refs, unsigned int nr, int *err)
{
    void *va = pvos_grant_map_ring(domid, refs, nr, err);

    (void)ctx;
    svc_mapped += va ? nr : 0;
    return va;
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
    .map = op_map, .unmap = op_unmap, .map_data = op_map_data, .unmap_data = op_unmap_data, .copy_in = op_copy_in,
    .map_ring = op_map_ring, .unmap_ring = op_unmap_ring, .submit = svc_io_submit, .notify = op_notify,
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
    svc_wake();
}

static void fe_state_fired(struct xenbus_watch *w, const char *path)
{
    struct svc_vbd *v = (struct svc_vbd *)((char *)w - offsetof(struct svc_vbd, watch));

    (void)path;
    v->fe_changed = true;
    svc_wake();
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
    if (!(v->disk = svc_disk_by_serial(v->params)))
        return -XEN_ENODEV;
    *disk = (struct blkback_disk){ .disk_sectors = v->disk->vb.capacity, .offset = start,
                                   .sectors = v->region ? sectors : v->disk->vb.capacity,
                                   .readonly = mode[0] == 'r' || v->disk->vb.readonly,
                                   .flush = v->disk->vb.can_flush,
                                   .discard = v->disk->vb.can_discard };
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
void svc_vbd_frontend(struct svc_vbd *v)
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
        if (svc_vbds[i] && svc_vbds[i]->used && !svc_vbds[i]->removed && svc_vbds[i]->fe == fe && svc_vbds[i]->devid == devid)
            return svc_vbds[i];
    return NULL;
}

static struct svc_vbd *vbd_new(uint16_t fe, uint32_t devid)
{
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = svc_vbds[i];

        if (v && v->used)
            continue;
        if (!v && !(v = svc_vbds[i] = kalloc(sizeof(*v))))
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
            if (svc_vbds[i] && svc_vbds[i]->fe == f)
                svc_vbds[i]->present = true;
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

void svc_scan(void)
{
    int n = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, "backend/vbd", dirbuf, sizeof(dirbuf));

    if (n < 0 && n != -XEN_ENOENT) {
        svc_rescan = true;              /* the store did not answer: look again later, change nothing */
        return;
    }
    for (unsigned int i = 0; i < SVC_VBDS; i++)
        if (svc_vbds[i])
            svc_vbds[i]->present = false;
    for (const char *p = dirbuf; n-- > 0; p += strlen(p) + 1)
        scan_domain(p);
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = svc_vbds[i];

        if (!v || !v->used || v->removed)
            continue;
        if (!v->present)
            vbd_remove(v);
        else if (!v->ready)
            vbd_setup(v);
    }
}

void svc_vbd_serve(struct svc_vbd *v)
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

