/*
 * The driver domain's device model service (docs/devmodel.md): for each HVM
 * domain the store lists under our backend/ide (the store domain writes
 * backend/ide/D/N for each disk= of a type=hvm line), the `devmodel` thread
 * builds Xen's ioreq server plumbing and serves the emulated devices of
 * pvdrivers/devmodel on it:
 *
 *   dm_op create_ioreq_server; XENMEM_acquire_resource (its ioreq page);
 *   mmu_update (MMU_PT_UPDATE_NO_TRANSLATE, foreigndom D) to map the page;
 *   EVTCHNOP_bind_interdomain to slot 0's port; map_io_range for each range
 *   of each device; set_ioreq_server_state 1, and the hypervisor lets the
 *   domain (built paused for us) run.
 *
 * Then each request in the slot goes to dm_dispatch and is answered
 * (IORESP_READY, notify). The disks are virtio disks this domain drives
 * (blkback_svc_claim_disk: taken from the block service, regions as
 * blkback's); DMA maps the HVM domain's frames one at a time by guest frame
 * number (mmu_update with foreigndom D: the hypervisor translates through
 * D's p2m and refuses a frame outside its memory). The instance goes when
 * its backend dir goes (the store domain removes it when D dies) or the
 * hypervisor says D is gone.
 */
#include "blkback_svc.h"
#include "devmodel_svc.h"
#include "devmodel_nic.h"
#include "kalloc.h"
#include "mm.h"
#include "pvos.h"
#include "store.h"
#include "devmodel.h"
#include "ide.h"
#include <tandem/errno.h>
#include <tandem/hvm/dm_op.h>
#include <tandem/hvm/ioreq.h>
#include <tandem/io/xenbus.h>
#include <tandem/memory.h>

#define DMS_MAX     4           /* HVM domains served at once */
#define POLL_NS     100000000ULL

#ifndef XEN_DMOP_set_isa_irq_level
#define XEN_DMOP_set_isa_irq_level 9
#endif

struct dms_disk {
    struct dm_blk blk;
    struct vblk *vb;
    uint64_t start;             /* first sector of the region on the virtio disk */
    char serial[24];
};

struct dms {
    bool used;
    bool present;               /* its backend dir was there at the last scan */
    uint16_t domid;
    uint16_t server;
    bool have_server, enabled;
    struct ioreq *slot;         /* the ioreq page, mapped over our page slot_pfn */
    uint64_t slot_pfn, win_pfn; /* our pages whose kernel-map entries we borrow */
    uint32_t port;
    bool have_port;
    volatile bool event;
    struct dm_host host;
    struct ide_state *ide;
    struct dms_disk disk[2];
    uint64_t served;
};

static struct dms dms[DMS_MAX];
static struct pvos_wait wait;
static volatile bool kick;
static uint8_t *bounce;         /* one page: the virtio side of every disk request */
static uint64_t bounce_maddr;
static char dirbuf[256], dirbuf2[64], dirbuf3[256];

/* ---- hypercalls ---- */

static long dm_op(uint16_t d, struct xen_dm_op *op)
{
    struct xen_dm_op_buf b = { (uint64_t)op, sizeof(*op) };

    return HYPERVISOR_dm_op(d, 1, &b);
}

/* Map foreign frame `frame` of d over our page pfn: by machine frame (no_translate) or guest frame. */
static int map_over(uint64_t pfn, uint16_t d, uint64_t frame, bool no_translate, bool write)
{
    struct mmu_update u = { .ptr = kmap_pte_machine(pfn) | (no_translate ? MMU_PT_UPDATE_NO_TRANSLATE : 0),
                            .val = (frame << PAGE_SHIFT) | (write ? PTE_KERNEL_RW : PTE_KERNEL_RO) | _PAGE_NX };
    struct mmuext_op inv = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = (uint64_t)pfn_to_virt(pfn) };
    long rc = HYPERVISOR_mmu_update(&u, 1, NULL, d);

    if (!rc)
        HYPERVISOR_mmuext_op(&inv, 1, NULL, DOMID_SELF);
    return (int)rc;
}

/* Our own frame back under pfn's kernel-map entry. */
static void unmap_over(uint64_t pfn)
{
    long rc = HYPERVISOR_update_va_mapping((uint64_t)pfn_to_virt(pfn), pfn_maddr(pfn) | PTE_KERNEL_RW | _PAGE_NX,
                                           UVMF_INVLPG);
    if (rc)
        printk("devmodel: cannot remap our page %lx (%ld)\n", (unsigned long)pfn, rc);
}

/* ---- the host of the devices ---- */

static int h_set_irq(void *ctx, unsigned int irq, bool level)
{
    struct dms *s = ctx;
    struct xen_dm_op op = { .op = XEN_DMOP_set_isa_irq_level };
    uint8_t *u = (uint8_t *)&op.u;

    u[0] = (uint8_t)irq;        /* struct xen_dm_op_set_isa_irq_level: isa_irq, level */
    u[1] = level;
    return (int)dm_op(s->domid, &op);
}

static void *h_map_gfn(void *ctx, uint64_t gfn, bool write)
{
    struct dms *s = ctx;

    if (map_over(s->win_pfn, s->domid, gfn, false, write))
        return NULL;
    return pfn_to_virt(s->win_pfn);
}

static void h_unmap_gfn(void *ctx, void *va)
{
    struct dms *s = ctx;

    (void)va;
    unmap_over(s->win_pfn);
}

static const struct dm_host_ops host_ops = { h_set_irq, h_map_gfn, h_unmap_gfn };

/* The virtio side: nr (<= 8) sectors through the bounce page. */
static int disk_io(struct dm_blk *b, uint32_t type, uint64_t sector, void *buf, unsigned int nr)
{
    struct dms_disk *k = b->ctx;
    struct vblk_req r = { .type = type, .sector = k->start + sector, .nr_segs = type == VIRTIO_BLK_T_FLUSH ? 0 : 1 };
    int rc;

    if (nr > IDE_MAX_SECTORS || sector + nr > b->sectors)
        return -XEN_ERANGE;
    r.seg[0].maddr = bounce_maddr;
    r.seg[0].len = nr * VBLK_SECTOR_SIZE;
    if (type == VIRTIO_BLK_T_OUT)
        memcpy(bounce, buf, nr * VBLK_SECTOR_SIZE);
    rc = vblk_do(k->vb, &r);
    if (!rc && type == VIRTIO_BLK_T_IN)
        memcpy(buf, bounce, nr * VBLK_SECTOR_SIZE);
    return rc;
}

static int disk_read(struct dm_blk *b, uint64_t sector, void *buf, unsigned int nr)
{
    return disk_io(b, VIRTIO_BLK_T_IN, sector, buf, nr);
}

static int disk_write(struct dm_blk *b, uint64_t sector, const void *buf, unsigned int nr)
{
    if (b->readonly)
        return -XEN_EACCES;
    return disk_io(b, VIRTIO_BLK_T_OUT, sector, (void *)buf, nr);
}

static int disk_flush(struct dm_blk *b)
{
    struct dms_disk *k = b->ctx;

    if (!k->vb->can_flush)
        return 0;               /* a disk without a write cache: nothing to flush */
    return disk_io(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

/* ---- the store ---- */

static int read_key(uint16_t d, unsigned int n, const char *key, char *buf, uint32_t size)
{
    char path[64];

    snprintf(path, sizeof(path), "backend/ide/%u/%u/%s", d, n, key);
    return xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, buf, size, NULL);
}

/* Drive n of domain d from its backend keys: 0, -ENOENT (no such drive), or why not. */
static int disk_setup(struct dms *s, unsigned int n)
{
    struct dms_disk *k = &s->disk[n];
    char mode[4], num[24];
    uint64_t start = 0, sectors = 0;
    int rs, rn;

    if (read_key(s->domid, n, "params", k->serial, sizeof(k->serial)))
        return -XEN_ENOENT;
    if (read_key(s->domid, n, "mode", mode, sizeof(mode)) || (strcmp(mode, "r") && strcmp(mode, "w")))
        return -XEN_EINVAL;
    rs = read_key(s->domid, n, "region-start", num, sizeof(num));
    if (!rs)
        start = strtoul(num, NULL, 10);
    rn = read_key(s->domid, n, "region-sectors", num, sizeof(num));
    if (!rn)
        sectors = strtoul(num, NULL, 10);
    if (!rs != !rn)
        return -XEN_EINVAL;
    if (!(k->vb = blkback_svc_claim_disk(k->serial)))
        return -XEN_ENODEV;
    if (rs) {
        start = 0;
        sectors = k->vb->capacity;
    }
    if (start > k->vb->capacity || sectors > k->vb->capacity - start || !sectors) {
        blkback_svc_release_disk(k->vb);
        k->vb = NULL;
        return -XEN_ERANGE;
    }
    k->start = start;
    k->blk = (struct dm_blk){ .sectors = sectors, .readonly = mode[0] == 'r' || k->vb->readonly,
                              .read = disk_read, .write = disk_write, .flush = disk_flush, .ctx = k };
    return 0;
}

/*
 * The NE2000 of the domain's nic= (backend/ne2k/D/0, its MAC in mac): devmodel_nic.c puts it on
 * the netback service's switch. Without the node, no card: the guest finds no NIC.
 */
static void nic_setup(struct dms *s)
{
    char path[64], mac[24];
    uint8_t m[6];
    unsigned int v[6];
    int n = 0;

    snprintf(path, sizeof(path), "backend/ne2k/%u/0/mac", s->domid);
    if (xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, mac, sizeof(mac), NULL)) {
        printk("devmodel d%u: no NIC (no nic= on its line)\n", s->domid);
        return;
    }
    for (unsigned int i = 0; i < 6; i++) {
        const char *p = mac + 3 * i;
        const char *end;
        v[i] = (unsigned int)strtoul(p, &end, 16);
        n += end == p + 2 && (i == 5 ? !*end : *end == ':') && v[i] < 256;
        m[i] = (uint8_t)v[i];
    }
    if (n != 6 || (m[0] & 1)) {
        printk("devmodel d%u: nic: bad MAC '%s' in the store: no NIC\n", s->domid, mac);
        return;
    }
    devmodel_nic_add(&s->host, m);      /* devmodel_nic.c: an NE2000 on the switch, if the netback service runs */
}

/* ---- an instance ---- */

static void on_event(uint32_t port, void *ctx)
{
    struct dms *s = ctx;

    (void)port;
    s->event = true;
    pvos_wake(&wait);
}

static void instance_free(struct dms *s)
{
    struct xen_dm_op op = { .op = XEN_DMOP_destroy_ioreq_server };

    dm_host_destroy(&s->host);
    if (s->have_port)
        pvos_evtchn_close(s->port);
    if (s->slot)
        unmap_over(s->slot_pfn);
    if (s->have_server) {
        op.u.destroy_ioreq_server.id = s->server;
        dm_op(s->domid, &op);   /* -ESRCH once the domain is gone: nothing left to destroy */
    }
    for (unsigned int i = 0; i < 2; i++)
        if (s->disk[i].vb)
            blkback_svc_release_disk(s->disk[i].vb);
    if (s->slot_pfn)
        free_page(s->slot_pfn, PG_KERNEL);
    if (s->win_pfn)
        free_page(s->win_pfn, PG_KERNEL);
    if (s->ide)
        kfree(s->ide);
    *s = (struct dms){ 0 };
}

static int instance_start(struct dms *s)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    struct xen_mem_acquire_resource r = { .domid = s->domid, .type = XENMEM_resource_ioreq_server,
                                          .nr_frames = 1, .frame = XENMEM_resource_ioreq_server_frame_ioreq(0) };
    uint64_t mfn = 0;
    long rc;
    int n0, n1;

    n0 = disk_setup(s, 0);
    n1 = disk_setup(s, 1);
    if ((n0 && n0 != -XEN_ENOENT) || (n1 && n1 != -XEN_ENOENT)) {
        printk("devmodel d%u: its disks cannot be set up (hda %d, hdb %d)\n", s->domid, n0, n1);
        return n0 && n0 != -XEN_ENOENT ? n0 : n1;
    }
    if (!(s->slot_pfn = alloc_page(PG_KERNEL)) || !(s->win_pfn = alloc_page(PG_KERNEL)))
        return -XEN_ENOMEM;
    dm_host_init(&s->host, &host_ops, s, s->domid);
    if (!n0 || !n1) {                   /* disk=: the IDE controller; a nic= alone has none */
        if (!(s->ide = kalloc(sizeof(*s->ide))))
            return -XEN_ENOMEM;
        if ((rc = ide_init(s->ide, &s->host, n0 ? NULL : &s->disk[0].blk, n1 ? NULL : &s->disk[1].blk,
                           s->disk[0].serial, s->disk[1].serial)))
            return (int)rc;
    }
    nic_setup(s);
    if (!s->host.nr_devices) {
        printk("devmodel d%u: no disk and no NIC to emulate\n", s->domid);
        return -XEN_ENOENT;
    }
    if ((rc = dm_op(s->domid, &op)))
        return (int)rc;
    s->server = op.u.create_ioreq_server.id;
    s->have_server = true;
    r.id = s->server;
    r.frame_list = (uint64_t)&mfn;
    if ((rc = HYPERVISOR_memory_op(XENMEM_acquire_resource, &r)))
        return (int)rc;
    if ((rc = map_over(s->slot_pfn, s->domid, mfn, true, true)))
        return (int)rc;
    s->slot = pfn_to_virt(s->slot_pfn);
    if ((rc = pvos_evtchn_bind_interdomain(s->domid, s->slot->vp_eport, &s->port)))
        return (int)rc;
    s->have_port = true;
    pvos_evtchn_handle(s->port, on_event, s);
    for (unsigned int i = 0; i < s->host.nr_devices; i++) {
        const struct dm_device *dev = s->host.devices[i];
        for (unsigned int k = 0; k < dev->nr_ranges; k++) {
            op = (struct xen_dm_op){ .op = XEN_DMOP_map_io_range_to_ioreq_server };
            op.u.map_io_range_to_ioreq_server = (struct xen_dm_op_ioreq_server_range){
                .id = s->server, .type = dev->ranges[k].type, .start = dev->ranges[k].start,
                .end = dev->ranges[k].end };
            if ((rc = dm_op(s->domid, &op)))
                return (int)rc;
        }
    }
    op = (struct xen_dm_op){ .op = XEN_DMOP_set_ioreq_server_state };
    op.u.set_ioreq_server_state.id = s->server;
    op.u.set_ioreq_server_state.enabled = 1;
    if ((rc = dm_op(s->domid, &op)))
        return (int)rc;
    s->enabled = true;
    for (unsigned int i = 0; i < 2; i++)
        if (s->disk[i].vb)
            printk("devmodel d%u: hd%c (IDE primary %s): %s, %lu sectors%s\n", s->domid, 'a' + i,
                   i ? "slave" : "master", s->disk[i].serial, (unsigned long)s->disk[i].blk.sectors,
                   s->disk[i].blk.readonly ? ", read-only" : "");
    printk("devmodel d%u: ioreq server %u, port %u, serving\n", s->domid, s->server, s->port);
    return 0;
}

static unsigned int state_of(const struct ioreq *p)
{
    return __atomic_load_n((const volatile uint8_t *)p + 30, __ATOMIC_ACQUIRE) & 0xf;
}

static void set_state(struct ioreq *p, unsigned int st)
{
    uint8_t *b = (uint8_t *)p + 30;

    __atomic_store_n(b, (uint8_t)((*b & ~0xf) | st), __ATOMIC_RELEASE);
}

static void serve(struct dms *s)
{
    struct ioreq req;

    s->event = false;
    if (state_of(s->slot) != STATE_IOREQ_READY)
        return;
    memcpy(&req, s->slot, sizeof(req));         /* the hypervisor's fields, read once */
    dm_dispatch(&s->host, &req);
    if (req.dir == IOREQ_READ)
        s->slot->data = req.data;
    set_state(s->slot, STATE_IORESP_READY);
    pvos_evtchn_notify(s->port);
    s->served++;
}

/* ---- the thread ---- */

static struct dms *find(uint16_t d)
{
    for (unsigned int i = 0; i < DMS_MAX; i++)
        if (dms[i].used && dms[i].domid == d)
            return &dms[i];
    return NULL;
}

/* Start an instance for each domain listed under base (backend/ide or backend/ne2k) not served yet. */
static void scan_list(const char *base, const char *list, int n)
{
    for (const char *p = list; n-- > 0; p += strlen(p) + 1) {
        uint16_t d = (uint16_t)strtoul(p, NULL, 10);
        struct dms *s = find(d);
        char path[32];
        int rc;

        snprintf(path, sizeof(path), "%s/%u", base, d);
        if (xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, path, dirbuf2, sizeof(dirbuf2)) <= 0)
            continue;                   /* being removed, or not written yet */
        if (s) {
            s->present = true;
            continue;
        }
        for (unsigned int i = 0; i < DMS_MAX && !s; i++)
            if (!dms[i].used)
                s = &dms[i];
        if (!s) {
            printk("devmodel: no room to serve d%u\n", d);
            continue;
        }
        *s = (struct dms){ .used = true, .present = true, .domid = d };
        if ((rc = instance_start(s))) {
            printk("devmodel d%u: not served (%d)\n", d, rc);
            instance_free(s);
            s->used = true;             /* remembered: not tried again while its dir stays */
            s->present = true;
            s->domid = d;
        }
    }
}

/*
 * The HVM domains to serve: those with emulated disks (backend/ide/D) or a NIC (backend/ne2k/D),
 * as the store writes them; an instance whose domain is in neither list any more is removed.
 */
static void scan(void)
{
    int ni = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, "backend/ide", dirbuf, sizeof(dirbuf));
    int nn = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, "backend/ne2k", dirbuf3, sizeof(dirbuf3));

    if ((ni < 0 && ni != -XEN_ENOENT) || (nn < 0 && nn != -XEN_ENOENT))
        return;                         /* the store did not answer: change nothing */
    for (unsigned int i = 0; i < DMS_MAX; i++)
        dms[i].present = false;
    scan_list("backend/ide", dirbuf, ni);
    scan_list("backend/ne2k", dirbuf3, nn);
    for (unsigned int i = 0; i < DMS_MAX; i++)
        if (dms[i].used && !dms[i].present) {
            printk("devmodel d%u: gone: %lu requests served, %lu DMA faults; instance removed\n", dms[i].domid,
                   (unsigned long)dms[i].served, (unsigned long)dms[i].host.dma_faults);
            instance_free(&dms[i]);
        }
}

static bool has_work(void *arg)
{
    (void)arg;
    if (kick)
        return true;
    for (unsigned int i = 0; i < DMS_MAX; i++)
        if (dms[i].used && dms[i].event)
            return true;
    return false;
}

static void svc_main(void *arg)
{
    uint64_t next_scan = 0;

    (void)arg;
    for (;;) {
        pvos_wait_until(&wait, has_work, NULL, pvos_now_ns() + POLL_NS);
        kick = false;
        if (pvos_now_ns() >= next_scan) {
            scan();
            next_scan = pvos_now_ns() + POLL_NS;
        }
        for (unsigned int i = 0; i < DMS_MAX; i++)
            if (dms[i].used && dms[i].enabled) {
                serve(&dms[i]);
                dm_poll(&dms[i].host);
            }
    }
}

void devmodel_svc_start(void)
{
    if (!xenbus_kernel())
        return;
    if (!(bounce = pvos_page_alloc()))
        return;
    bounce_maddr = pvos_page_mfn(bounce) << PAGE_SHIFT;
    thread_create("devmodel", svc_main, NULL);
}

bool devmodel_svc_wait_gone(uint16_t d, uint64_t timeout_ns)
{
    uint64_t deadline = system_time_ns() + timeout_ns;

    while (find(d)) {
        if (system_time_ns() > deadline)
            return false;
        kick = true;
        pvos_wake(&wait);
        thread_sleep_until(system_time_ns() + 10000000);
    }
    return true;
}

void devmodel_svc_list(void)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < DMS_MAX; i++) {
        const struct dms *s = &dms[i];
        if (!s->used)
            continue;
        n++;
        printk("d%u: %s, %lu requests (%lu unclaimed), %lu DMA faults\n", s->domid,
               s->enabled ? "served" : "not served", (unsigned long)s->host.requests,
               (unsigned long)s->host.unclaimed, (unsigned long)s->host.dma_faults);
        for (unsigned int k = 0; s->ide && k < 2; k++)
            if (s->disk[k].vb)
                printk("  hd%c: %s, %lu sectors, %lu reads, %lu writes, %lu flushes, %lu errors\n", 'a' + k,
                       s->disk[k].serial, (unsigned long)s->disk[k].blk.sectors,
                       (unsigned long)s->ide->drive[k].reads, (unsigned long)s->ide->drive[k].writes,
                       (unsigned long)s->ide->drive[k].flushes, (unsigned long)s->ide->drive[k].errors);
        devmodel_nic_list(&s->host);
    }
    printk("devmodel: %u HVM domain%s\n", n, n == 1 ? "" : "s");
}
