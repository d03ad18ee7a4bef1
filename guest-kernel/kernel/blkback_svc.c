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
#include "grant.h"
#include "pv_xenbus_state.h"
#include <tandem/errno.h>
#include <tandem/domctl.h>

#define POLL_NS      20000000ULL        /* the store is looked at this often (and at each event) */

struct svc_disk svc_disks[SVC_DISKS];
unsigned int svc_nr_disks;
struct svc_vbd *svc_vbds[SVC_VBDS];
static struct svc_disk *own;
static volatile bool started, probed;
static bool off;                        /* blkback=off: attach the disks, serve nothing */
static volatile bool kick, recheck;
volatile bool svc_rescan;
static volatile uint64_t rounds;        /* service rounds done: `vbd` waits for a fresh one */
static struct pvos_wait wait;
static struct xenbus_watch vbd_watch, release_watch;

void svc_wake(void)
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
    for (; pvos_pci_next(prev, &sbdf) && svc_nr_disks < SVC_DISKS; prev = sbdf) {
        uint32_t id = pvos_pci_conf_read(sbdf, 0, 4);
        struct svc_disk *d;

        if ((uint16_t)id != VIRTIO_PCI_VENDOR || (uint16_t)(id >> 16) != VIRTIO_PCI_ID_BLK)
            continue;
        d = &svc_disks[svc_nr_disks++];
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

struct svc_disk *svc_disk_by_serial(const char *serial)
{
    for (unsigned int i = 0; i < svc_nr_disks; i++)
        if (!svc_disks[i].own && !svc_disks[i].rc && !svc_disks[i].dm && !strcmp(svc_disks[i].vb.serial, serial))
            return &svc_disks[i];
    return NULL;
}

static void vbd_watch_fired(struct xenbus_watch *w, const char *path)
{
    (void)w;
    (void)path;
    svc_rescan = true;
    svc_wake();
}

static void release_fired(struct xenbus_watch *w, const char *path)
{
    (void)w;
    (void)path;
    recheck = true;
    svc_wake();
}

/* ---- the thread ---- */

static void service_round(void)
{
    if (svc_rescan) {
        svc_rescan = false;
        svc_scan();
    }
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = svc_vbds[i];

        if (!v || !v->used)
            continue;
        if (recheck && v->watching)
            v->fe_changed = true;
        if (v->fe_changed && v->watching && !v->removed)
            svc_vbd_frontend(v);
    }
    recheck = false;
    /* The round's completions are unmapped together (blkback_batch_end), before they are answered. */
    for (unsigned int i = 0; i < SVC_VBDS; i++)
        if (svc_vbds[i] && svc_vbds[i]->used)
            blkback_batch_begin(&svc_vbds[i]->be);
    /* Completions and new requests alike kick each disk once per round. */
    for (unsigned int i = 0; i < svc_nr_disks; i++)
        if (svc_disks[i].users) {
            vblk_plug(&svc_disks[i].vb);
            vblk_poll(&svc_disks[i].vb);
            svc_disk_kick(&svc_disks[i]);
        }
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        struct svc_vbd *v = svc_vbds[i];

        if (!v || !v->used)
            continue;
        blkback_batch_end(&v->be);
        svc_vbd_serve(v);
        if (v->removed && (!v->disk || blkback_idle(&v->be))) {
            if (v->disk)
                v->disk->users--;
            v->used = false;
        }
    }
    for (unsigned int i = 0; i < svc_nr_disks; i++)
        if (svc_disks[i].vb.plugged)
            vblk_unplug(&svc_disks[i].vb);
}

/* Something to do: an event or a watch said so, or a served disk completed requests. */
static bool kicked(void *arg)
{
    (void)arg;
    for (unsigned int i = 0; i < svc_nr_disks; i++)
        if (svc_disks[i].users && virtq_has_used(&svc_disks[i].vb.vq))
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
    for (unsigned int i = 0; i < svc_nr_disks; i++)
        polling |= !svc_disks[i].own && !svc_disks[i].rc && svc_disks[i].vb.polling;
    vbd_watch.path = "backend/vbd";
    vbd_watch.fn = vbd_watch_fired;
    release_watch.path = "@releaseDomain";
    release_watch.fn = release_fired;
    if (xenbus_watch(c, &vbd_watch) || xenbus_watch(c, &release_watch))
        printk("blkback: cannot watch the store\n");
    svc_rescan = true;
    for (uint64_t next_poll = 0;;) {
        kick = false;
        /* The store every POLL_NS (watch events come only by looking), the rings at every event. */
        if (pvos_now_ns() >= next_poll || svc_rescan || recheck) {
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

struct vblk *blkback_svc_claim_disk(const char *serial)
{
    struct svc_disk *d;
    struct vblk *vb = NULL;
    uint8_t m;

    if (!started)
        return NULL;
    while (!probed)
        thread_sleep_until(system_time_ns() + 1000000);
    m = events_save();
    if ((d = svc_disk_by_serial(serial)) && !d->users) {
        d->dm = true;
        vb = &d->vb;
    }
    events_restore(m);
    return vb;
}

void blkback_svc_release_disk(struct vblk *vb)
{
    uint8_t m = events_save();

    for (unsigned int i = 0; i < svc_nr_disks; i++)
        if (&svc_disks[i].vb == vb)
            svc_disks[i].dm = false;
    events_restore(m);
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
        svc_rescan = recheck = true;
        svc_wake();
        thread_sleep_until(system_time_ns() + 1000000);
    }
    for (unsigned int i = 0; i < svc_nr_disks; i++)
        printk("vbd: disk %s at %02x:%02x.%x, %lu sectors%s%s\n", svc_disks[i].rc ? "(not driven)" : svc_disks[i].vb.serial,
               (svc_disks[i].sbdf >> 8) & 0xff, (svc_disks[i].sbdf >> 3) & 0x1f, svc_disks[i].sbdf & 7,
               (unsigned long)svc_disks[i].vb.capacity, svc_disks[i].own ? ", own (vda)" : "",
               svc_disks[i].users ? ", serving" : "");
    for (unsigned int i = 0; i < SVC_VBDS; i++) {
        const struct svc_vbd *v = svc_vbds[i];
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
    printk("vbd: %u instance%s, %u frontend pages mapped (%u grant mappings in this domain)\n", n,
           n == 1 ? "" : "s", svc_mapped, gnttab_nr_mapped());
}
