/*
 * The bundled kernel's virtual block devices (xvd.h, docs/blkif.md
 * "Frontend"): one pvdrivers/blkfront core per device/vbd/DEVID of ours.
 * The `xvd` thread finds them, watches each back end's state and runs the
 * handshake (under the device's kmutex: the core's store calls sleep). A
 * back end's event consumes the responses in the handler itself
 * (blkfront_handle_event, events masked) unless a thread holds the device,
 * in which case the xvd thread does it; submitters hold the kmutex and
 * mask events around the core. A request's `done` wakes the thread
 * sleeping on it.
 * Events to the back end are held while other threads of ours are in
 * the middle of a call (woken by a response, about to submit again) and
 * sent by the last of them to wait or leave: one event for the requests
 * several threads put on the ring together (as Linux's block plug, which
 * is flushed when its task sleeps).
 * A caller's buffer that starts on a sector boundary in the kernel's map of
 * its own memory is granted to the back end directly (as Linux's blkfront
 * grants a bio's pages); any other buffer goes through bounce pages.
 */
#include "xvd.h"
#include "store.h"
#include "mm.h"
#include "kalloc.h"
#include "kmutex.h"
#include "mm_private.h"
#include "blkfront.h"
#include "pvos.h"
#include "pv_xenbus_state.h"
#include <tandem/errno.h>

#define XVD_MAX        8
#define XVD_POLL_NS    20000000ULL          /* the store is looked at this often (and at each event) */
#define XVD_IO_NS      30000000000ULL       /* a request's time-out: then the device is torn down */
#define XVD_DEPTH      4                    /* requests of one call in flight */
#define XVD_REQ_PAGES  32                   /* 128 KiB: the back end's 32 indirect segments */
#define XVD_POOL       256                  /* bounce pages kept per device */

struct xvd {
    struct blkfront f;
    struct kmutex lock;
    char name[12];
    char dir[32];               /* device/vbd/DEVID */
    char be_state[BLKFRONT_PATH_MAX + 8];
    uint32_t devid;
    uint16_t be_domid;
    struct xenbus_watch watch;
    volatile bool be_changed, event;
    unsigned int be_last;       /* the back end's state as last read */
    uint64_t f_events;          /* responses consumed in the event handler itself */
    unsigned int running;       /* threads inside a call and not waiting (woken ones included) */
    bool notify_due;            /* an event for the back end held until running drops to 0 */
    void *pool[XVD_POOL];       /* bounce pages kept for the next call (only ever this disk's data) */
    unsigned int nr_pool;
};

static struct xvd *devs[XVD_MAX];
static unsigned int nr_devs;
static volatile bool discovered, kick;
static bool started;
static struct pvos_wait thread_wait;

static void wake_thread(void)
{
    kick = true;
    pvos_wake(&thread_wait);
}

/* ---- blkfront_ops ---- */

static void *op_ring_alloc(void *ctx, unsigned int nr)
{
    uint64_t pfn = alloc_pages(nr, PG_KERNEL);

    (void)ctx;
    return pfn ? pfn_to_virt(pfn) : NULL;
}

static void op_ring_free(void *ctx, void *ring, unsigned int nr)
{
    (void)ctx;
    free_pages(virt_to_pfn(ring), nr, PG_KERNEL);
}

static void *op_page_alloc(void *ctx)
{
    (void)ctx;
    return pvos_page_alloc();
}

static void op_page_free(void *ctx, void *page)
{
    (void)ctx;
    pvos_page_free(page);
}

static int op_grant(void *ctx, const void *page, bool ro)
{
    return pvos_grant_page(((struct xvd *)ctx)->be_domid, page, ro);
}

static int op_grant_end(void *ctx, uint32_t ref)
{
    (void)ctx;
    return pvos_grant_end((int)ref);
}

/*
 * The back end's event, events masked: the responses are consumed here
 * unless a thread holds the device (then the xvd thread does it when woken).
 * Submitters take the lock and mask events around the core, so the core is
 * never entered twice.
 */
static void on_event(uint32_t port, void *ctx)
{
    struct xvd *d = ctx;

    (void)port;
    if (!d->lock.owner) {
        d->f_events++;
        blkfront_handle_event(&d->f);
        return;
    }
    d->event = true;
    wake_thread();
}

static int op_evtchn_alloc(void *ctx, uint32_t *port)
{
    struct xvd *d = ctx;
    int rc = pvos_evtchn_alloc_unbound(d->be_domid, port);

    return rc ? rc : pvos_evtchn_handle(*port, on_event, d);
}

static void op_evtchn_close(void *ctx, uint32_t port)
{
    (void)ctx;
    pvos_evtchn_close(port);
}

/* The core says the back end wants an event: now, or by the last running caller (events masked). */
static void op_notify(void *ctx, uint32_t port)
{
    struct xvd *d = ctx;

    if (d->running) {
        d->notify_due = true;
        return;
    }
    d->notify_due = false;
    pvos_evtchn_notify(port);
}

/* A caller stops running (waits or leaves): the last one sends the held event. Events masked. */
static void stop_running(struct xvd *d)
{
    if (d->running)
        d->running--;
    if (!d->running && d->notify_due) {
        d->notify_due = false;
        if (d->f.have_port)
            pvos_evtchn_notify(d->f.port);
    }
}

static void start_running(struct xvd *d)
{
    uint8_t m = events_save();

    d->running++;
    events_restore(m);
}

static void leave_running(struct xvd *d)
{
    uint8_t m = events_save();

    stop_running(d);
    events_restore(m);
}

static int op_xs_read(void *ctx, const char *path, char *buf, unsigned int cap)
{
    uint32_t len = 0;
    int rc = xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, buf, cap, &len);

    (void)ctx;
    return rc ? rc : (int)len;
}

static int op_xs_write(void *ctx, const char *path, const char *value)
{
    (void)ctx;
    return xenbus_write(xenbus_kernel(), XENBUS_TX_NONE, path, value);
}

static const struct blkfront_ops ops = {
    .ring_alloc = op_ring_alloc, .ring_free = op_ring_free, .page_alloc = op_page_alloc,
    .page_free = op_page_free, .grant = op_grant, .grant_end = op_grant_end,
    .evtchn_alloc = op_evtchn_alloc, .evtchn_close = op_evtchn_close, .notify = op_notify,
    .xs_read = op_xs_read, .xs_write = op_xs_write,
};

/* ---- discovery and the handshake ---- */

/* Linux's names: 202 << 8 | 16 i is xvd + 'a' + i; the extended form 1 << 28 | i << 8. */
static void devid_name(uint32_t devid, char *buf, size_t size)
{
    uint32_t i = (devid >> 8) == 202 ? (devid & 0xff) / 16 : (devid & (1u << 28)) ? (devid >> 8) & 0xfffff : ~0u;

    if (i < 26)
        snprintf(buf, size, "xvd%c", 'a' + i);
    else
        snprintf(buf, size, "vbd%u", devid);
}

static void be_state_fired(struct xenbus_watch *w, const char *path)
{
    struct xvd *d = (struct xvd *)((char *)w - offsetof(struct xvd, watch));

    (void)path;
    d->be_changed = true;
    wake_thread();
}

static void add_device(uint32_t devid)
{
    struct xvd *d;
    char path[48], id[8];
    int rc;

    if (nr_devs == XVD_MAX || !(d = kalloc(sizeof(*d)))) {
        printk("xvd: no room for vbd %u\n", devid);
        return;
    }
    memset(d, 0, sizeof(*d));
    d->devid = devid;
    devid_name(devid, d->name, sizeof(d->name));
    snprintf(d->dir, sizeof(d->dir), "device/vbd/%u", devid);
    snprintf(path, sizeof(path), "%s/backend-id", d->dir);
    rc = xenbus_read(xenbus_kernel(), XENBUS_TX_NONE, path, id, sizeof(id), NULL);
    if (!rc)
        d->be_domid = (uint16_t)strtoul(id, NULL, 10);
    if (rc || (rc = blkfront_init(&d->f, &ops, d, d->dir, (uint16_t)devid))) {
        printk("xvd: %s (vbd %u): not set up (%d)\n", d->name, devid, rc);
        kfree(d);
        return;
    }
    snprintf(d->be_state, sizeof(d->be_state), "%s/state", d->f.backend);
    d->watch.path = d->be_state;
    d->watch.fn = be_state_fired;
    d->be_changed = true;
    devs[nr_devs++] = d;            /* in the list first: the watch fires at once */
    if ((rc = xenbus_watch(xenbus_kernel(), &d->watch)))
        printk("xvd: %s: cannot watch %s (%d)\n", d->name, d->be_state, rc);
}

static void discover(void)
{
    static char buf[XENSTORE_PAYLOAD_MAX + 1];
    uint32_t ids[XVD_MAX];
    unsigned int n = 0;
    int nr = xenbus_directory(xenbus_kernel(), XENBUS_TX_NONE, "device/vbd", buf, sizeof(buf));

    for (const char *p = buf; nr-- > 0 && n < XVD_MAX; p += strlen(p) + 1) {
        const char *end;
        unsigned long v = strtoul(p, &end, 10);

        if (*p >= '0' && *p <= '9' && !*end && v <= UINT16_MAX)
            ids[n++] = (uint32_t)v;
    }
    for (unsigned int i = 1; i < n; i++)         /* devid order */
        for (unsigned int j = i; j && ids[j - 1] > ids[j]; j--) {
            uint32_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    for (unsigned int i = 0; i < n; i++)
        add_device(ids[i]);
}

static void backend_changed(struct xvd *d)
{
    uint32_t st = 0;
    int rc;

    d->be_changed = false;
    rc = xenbus_read_uint(xenbus_kernel(), XENBUS_TX_NONE, d->be_state, &st);
    if (rc == -XEN_ENOENT && !d->be_last)
        return;                         /* not written yet: its watch fires when it is */
    if (rc == -XEN_ENOENT)
        st = XenbusStateClosed;         /* the back end's directory is gone */
    else if (rc)
        st = ~0u;
    if (st == d->be_last && rc != -XEN_ENOENT)
        return;
    d->be_last = st;
    kmutex_lock(&d->lock);
    blkfront_otherend_changed(&d->f, st);
    kmutex_unlock(&d->lock);
}

static bool kicked(void *arg)
{
    (void)arg;
    return kick;
}

static void xvd_main(void *arg)
{
    (void)arg;
    discover();
    discovered = true;
    if (!nr_devs)
        thread_exit();              /* no vbd: nothing to drive (devices are found at boot only) */
    for (uint64_t next_poll = 0;;) {
        kick = false;
        if (pvos_now_ns() >= next_poll) {
            xenbus_kernel_poll();
            next_poll = pvos_now_ns() + XVD_POLL_NS;
        }
        for (unsigned int i = 0; i < nr_devs; i++) {
            struct xvd *d = devs[i];

            if (d->be_changed)
                backend_changed(d);
            if (d->event) {
                uint8_t m;

                d->event = false;
                kmutex_lock(&d->lock);
                m = events_save();
                blkfront_handle_event(&d->f);
                events_restore(m);
                kmutex_unlock(&d->lock);
            }
        }
        pvos_wait_until(&thread_wait, kicked, NULL, next_poll);
    }
}

/* `xvd=off` among the kernel's options (before " -- "): the vbds are left alone (a test drives them). */
static bool xvd_off(void)
{
    const char *cl = (const char *)start_info->cmd_line;

    for (const char *p = cl; *p && strncmp(p, "--", 2); p++)
        if ((p == cl || p[-1] == ' ') && !strncmp(p, "xvd=off", 7) && (!p[7] || p[7] == ' '))
            return true;
    return false;
}

void xvd_init(void)
{
    if (!xenbus_kernel() || started || xvd_off())
        return;
    started = true;
    thread_create("xvd", xvd_main, NULL);
}

/* ---- the devices ---- */

static void wait_discovered(void)
{
    uint64_t until = system_time_ns() + 5000000000ULL;

    while (started && !discovered && system_time_ns() < until)
        thread_sleep_until(system_time_ns() + 1000000);
}

unsigned int xvd_count(void)
{
    wait_discovered();
    return discovered ? nr_devs : 0;
}

struct xvd *xvd_get(unsigned int index)
{
    return index < xvd_count() ? devs[index] : NULL;
}

struct xvd *xvd_by_name(const char *name)
{
    for (unsigned int i = 0; i < xvd_count(); i++)
        if (!strcmp(devs[i]->name, name))
            return devs[i];
    return NULL;
}

const char *xvd_name(const struct xvd *d) { return d->name; }
uint32_t xvd_devid(const struct xvd *d) { return d->devid; }
bool xvd_connected(const struct xvd *d) { return d->f.state == BLKFRONT_CONNECTED; }
uint64_t xvd_sectors(const struct xvd *d) { return xvd_connected(d) ? d->f.sectors : 0; }
bool xvd_readonly(const struct xvd *d) { return d->f.readonly; }

bool xvd_wait_connected(struct xvd *d, uint64_t timeout_ns)
{
    uint64_t until = system_time_ns() + timeout_ns;

    while (!xvd_connected(d) && system_time_ns() < until)
        thread_sleep_until(system_time_ns() + 2000000);
    return xvd_connected(d);
}

/* ---- I/O: up to XVD_DEPTH requests of one call in flight, each through its bounce pages ---- */

struct xvd_req {
    struct blkfront_io io;
    void *pages[XVD_REQ_PAGES];     /* bounce pages, or the caller's own of this piece (rw_call.direct) */
    unsigned int npages;            /* bounce pages allocated (kept across the call's requests) */
    volatile bool busy, done;
    bool waiting;                   /* its thread waits for it, not counted in xvd.running */
    struct xvd *d;
    struct pvos_wait wait;
};

static void req_done(struct blkfront_io *io)
{
    struct xvd_req *r = io->cookie;

    r->done = true;
    if (r->waiting) {               /* its thread runs again: counted from now, so events wait for it */
        r->waiting = false;
        r->d->running++;
    }
    pvos_wake(&r->wait);
}

static bool req_finished(void *arg)
{
    return ((struct xvd_req *)arg)->done;
}

/* Submit r (its io filled in): 0 or the core's refusal. */
static int req_submit(struct xvd *d, struct xvd_req *r)
{
    uint8_t m;
    int rc;

    r->io.done = req_done;
    r->io.cookie = r;
    r->d = d;
    r->waiting = false;
    r->done = false;
    kmutex_lock(&d->lock);
    m = events_save();
    rc = blkfront_submit(&d->f, &r->io);
    events_restore(m);
    kmutex_unlock(&d->lock);
    r->busy = !rc;
    return rc;
}

/* Wait for r; past the time-out the device is torn down (every request completes with -EIO). */
static int req_wait(struct xvd *d, struct xvd_req *r)
{
    uint8_t m = events_save();
    bool ok;

    if (!r->done) {
        r->waiting = true;
        stop_running(d);
    }
    events_restore(m);
    ok = pvos_wait_until(&r->wait, req_finished, r, pvos_now_ns() + XVD_IO_NS);
    m = events_save();
    if (r->waiting) {               /* not woken by req_done (timed out) */
        r->waiting = false;
        d->running++;
    }
    events_restore(m);

    if (!ok) {
        printk("xvd %s: no answer for 30 s; disconnecting\n", d->name);
        kmutex_lock(&d->lock);
        m = events_save();
        d->f.state = BLKFRONT_ERROR;
        blkfront_disconnect(&d->f);
        events_restore(m);
        kmutex_unlock(&d->lock);
    }
    r->busy = false;
    return ok ? r->io.status : -XEN_ETIMEDOUT;
}

/* A bounce page: from the device's pool, else a fresh (zeroed) one. Threads only. */
static void *bounce_get(struct xvd *d)
{
    uint8_t m = events_save();
    void *p = d->nr_pool ? d->pool[--d->nr_pool] : NULL;

    events_restore(m);
    return p ? p : pvos_page_alloc();
}

static void bounce_put(struct xvd *d, void *p)
{
    uint8_t m = events_save();
    bool kept = d->nr_pool < XVD_POOL;

    if (kept)
        d->pool[d->nr_pool++] = p;
    events_restore(m);
    if (!kept)
        pvos_page_free(p);
}

static bool req_pages(struct xvd *d, struct xvd_req *r, unsigned int n)
{
    while (r->npages < n)
        if (!(r->pages[r->npages] = bounce_get(d)))
            return false;
        else
            r->npages++;
    return true;
}

static int check_rw(const struct xvd *d, bool write, uint64_t sector, uint32_t count)
{
    if (!xvd_connected(d))
        return -XEN_ENOTCONN;
    if (!count || sector >= d->f.sectors || count > d->f.sectors - sector)
        return -XEN_EINVAL;
    if (write && d->f.readonly)
        return -XEN_EACCES;
    return 0;
}

struct rw_call {
    struct xvd *d;
    bool write;
    uint64_t sector;            /* of the whole call */
    uint8_t *buf;
    bool direct;                /* buf's own pages granted, no bounce pages */
    struct xvd_req req[XVD_DEPTH];
};

/* kalloc's blocks go up to 2 KiB; bigger is whole (zeroed) pages, per call. */
_Static_assert(sizeof(struct rw_call) <= 1900, "struct rw_call: one kalloc block");

/*
 * A buffer the back end may be given directly: on a sector boundary and
 * wholly in the kernel's map of our own frames (pvos_page_mfn's pages).
 */
static bool direct_ok(const uint8_t *buf, uint32_t count)
{
    uint64_t va = (uint64_t)buf, end = va + (uint64_t)count * XVD_SECTOR_SIZE;

    return !(va & (XVD_SECTOR_SIZE - 1)) && va >= KERNEL_VIRT_BASE && end > va &&
           virt_to_pfn((const void *)(end - 1)) < mm_nr_pages;
}

/* The next piece of the call into r: n sectors from `at`. */
static int start_piece(struct rw_call *c, struct xvd_req *r, uint64_t at, uint32_t n)
{
    unsigned int np = (n + 7) / 8;
    size_t off = (size_t)(at - c->sector) * XVD_SECTOR_SIZE;

    if (c->direct) {
        uint64_t va = (uint64_t)(c->buf + off);
        uint32_t first = (uint32_t)(va & (PAGE_SIZE - 1)) / XVD_SECTOR_SIZE;

        np = (first + n + 7) / 8;
        for (unsigned int i = 0; i < np; i++)
            r->pages[i] = (void *)((va & ~(uint64_t)(PAGE_SIZE - 1)) + (uint64_t)i * PAGE_SIZE);
        r->io = (struct blkfront_io){ .op = c->write ? BLKFRONT_WRITE : BLKFRONT_READ, .sector = at,
                                      .nr_sectors = n, .first_sect = first, .pages = r->pages };
        return req_submit(c->d, r);
    }
    if (!req_pages(c->d, r, np))
        return -XEN_ENOMEM;
    for (unsigned int i = 0; c->write && i < np; i++) {
        size_t len = i + 1 < np || !(n % 8) ? PAGE_SIZE : (n % 8) * XVD_SECTOR_SIZE;
        memcpy(r->pages[i], c->buf + off + i * PAGE_SIZE, len);
    }
    r->io = (struct blkfront_io){ .op = c->write ? BLKFRONT_WRITE : BLKFRONT_READ, .sector = at,
                                  .nr_sectors = n, .first_sect = 0, .pages = r->pages };
    return req_submit(c->d, r);
}

static void end_piece(struct rw_call *c, struct xvd_req *r)
{
    size_t off = (size_t)(r->io.sector - c->sector) * XVD_SECTOR_SIZE;
    uint32_t n = r->io.nr_sectors;

    for (unsigned int i = 0; !c->write && !c->direct && i < (n + 7) / 8; i++) {
        size_t len = i + 1 < (n + 7) / 8 || !(n % 8) ? PAGE_SIZE : (n % 8) * XVD_SECTOR_SIZE;
        memcpy(c->buf + off + i * PAGE_SIZE, r->pages[i], len);
    }
}

static int xvd_rw(struct xvd *d, bool write, uint64_t sector, uint32_t count, uint8_t *buf)
{
    struct rw_call *c;
    uint64_t leaks;
    uint32_t per, left = count;
    uint64_t at = sector;
    unsigned int head = 0, busy = 0;
    int err = check_rw(d, write, sector, count);

    if (err)
        return err;
    if (!(c = kalloc(sizeof(*c))))
        return -XEN_ENOMEM;
    start_running(d);
    /* Field by field: the call's requests are filled in as they start (a kilobyte and more to clear). */
    c->d = d;
    c->write = write;
    c->sector = sector;
    c->buf = buf;
    c->direct = direct_ok(buf, count);
    for (unsigned int i = 0; i < XVD_DEPTH; i++) {
        c->req[i].npages = 0;
        c->req[i].busy = c->req[i].done = false;
        c->req[i].wait.waiter = NULL;
    }
    leaks = d->f.stats.grant_leaks;
    per = blkfront_max_sectors(&d->f);
    per = per < XVD_REQ_PAGES * 8 ? per : XVD_REQ_PAGES * 8;
    for (;;) {
        /* Fill the free slots (in ring order: head is the oldest busy one). */
        while (!err && left && busy < XVD_DEPTH) {
            struct xvd_req *r = &c->req[(head + busy) % XVD_DEPTH];
            /* A piece of the caller's pages starts where the buffer does within its page. */
            uint32_t room = per - (c->direct ? (uint32_t)(((uint64_t)buf + (at - sector) * XVD_SECTOR_SIZE) &
                                                          (PAGE_SIZE - 1)) / XVD_SECTOR_SIZE : 0);
            uint32_t n = left < room ? left : room;

            if ((err = start_piece(c, r, at, n)))
                break;
            busy++;
            at += n;
            left -= n;
        }
        if (!busy)
            break;
        struct xvd_req *r = &c->req[head];
        int rc = req_wait(d, r);

        if (rc && !err)
            err = rc;
        if (!rc)
            end_piece(c, r);
        head = (head + 1) % XVD_DEPTH;
        busy--;
    }
    /* A grant the back end would not give up leaves its page reachable: then none is reused. */
    for (unsigned int i = 0; d->f.stats.grant_leaks == leaks && i < XVD_DEPTH; i++)
        for (unsigned int j = 0; j < c->req[i].npages; j++)
            bounce_put(d, c->req[i].pages[j]);
    leave_running(d);
    kfree(c);
    return err;
}

int xvd_read(struct xvd *d, uint64_t sector, uint32_t count, void *buf)
{
    return xvd_rw(d, false, sector, count, buf);
}

int xvd_write(struct xvd *d, uint64_t sector, uint32_t count, const void *buf)
{
    return xvd_rw(d, true, sector, count, (uint8_t *)buf);
}

int xvd_flush(struct xvd *d)
{
    struct xvd_req *r;
    int rc;

    if (!xvd_connected(d))
        return -XEN_ENOTCONN;
    if (!(r = kalloc(sizeof(*r))))
        return -XEN_ENOMEM;
    memset(r, 0, sizeof(*r));
    r->io = (struct blkfront_io){ .op = BLKFRONT_FLUSH };
    start_running(d);
    rc = req_submit(d, r);
    if (!rc)
        rc = req_wait(d, r);
    leave_running(d);
    kfree(r);
    return rc;
}

/* For `xvd info`: the core's view. */
void xvd_describe(const struct xvd *d)
{
    const struct blkfront *f = &d->f;
    static const char *const st[] = { "closed", "initialised", "connected", "error" };

    printk("%s: vbd %u, %s, back end d%u %s (state %s); %lu sectors of %u bytes%s\n", d->name, d->devid,
           st[f->state], d->be_domid, f->backend, xenbus_state_name(d->be_last), (unsigned long)f->sectors,
           f->sector_size, f->readonly ? ", read-only" : "");
    printk("%s: ring %u page%s, indirect %u segments, flush %s; requests %lu (indirect %lu), notifies %lu, "
           "grants %lu, grant leaks %lu, in flight %u\n", d->name, 1u << f->ring_order, f->ring_order ? "s" : "",
           f->max_indirect, f->feature_flush ? "FLUSH_DISKCACHE" : f->feature_barrier ? "WRITE_BARRIER" : "none",
           (unsigned long)f->stats.requests, (unsigned long)f->stats.indirect, (unsigned long)f->stats.notifies,
           (unsigned long)f->stats.grants, (unsigned long)f->stats.grant_leaks, f->in_flight);
}

const char *xvd_state_name(const struct xvd *d)
{
    static const char *const st[] = { "closed", "initialised", "connected", "error" };

    return st[d->f.state];
}

const char *xvd_backend(const struct xvd *d)
{
    return d->f.backend;
}
