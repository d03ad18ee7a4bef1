/*
 * The block front end's core: handshake, ring producer, shadow table,
 * grants, indirect descriptors, response checks (blkfront.h). Follows
 * Linux's xen-blkfront for what it writes and how it treats a bad back end.
 */
#include "blkfront.h"
#include "pv_str.h"
#include "pv_xenbus_state.h"
#include "pvos.h"
#include <tandem/errno.h>

#define SHADOW_END 0xffffffffu

/* ---- strings (no libc) ---- */

static int parse_u64(const char *s, uint64_t *val)
{
    uint64_t v = 0;

    if (!*s)
        return -XEN_EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return -XEN_EINVAL;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *val = v;
    return 0;
}

/* ---- store ---- */

static int read_key(struct blkfront *f, const char *dir, const char *key, char *buf, unsigned int cap)
{
    char path[BLKFRONT_PATH_MAX];
    int rc;

    pv_path_join(path, BLKFRONT_PATH_MAX, dir, key);
    rc = f->ops->xs_read(f->ctx, path, buf, cap);
    return rc < 0 ? rc : 0;
}

/* A number the back end wrote; a missing key gives def, garbage -XEN_EINVAL. */
static int read_be_u64(struct blkfront *f, const char *key, uint64_t def, uint64_t *val)
{
    char buf[32];
    int rc = read_key(f, f->backend, key, buf, sizeof(buf));

    if (rc == -XEN_ENOENT) {
        *val = def;
        return 0;
    }
    if (rc < 0)
        return rc;
    rc = parse_u64(buf, val);
    if (rc)
        pvos_log("blkfront %s: bad %s/%s \"%s\"", f->dir, f->backend, key, buf);
    return rc;
}

static int write_key(struct blkfront *f, const char *key, const char *value)
{
    char path[BLKFRONT_PATH_MAX];

    pv_path_join(path, BLKFRONT_PATH_MAX, f->dir, key);
    return f->ops->xs_write(f->ctx, path, value);
}

static int write_key_u64(struct blkfront *f, const char *key, uint64_t v)
{
    char buf[24];

    return write_key(f, key, pv_utoa(buf, v));
}

static void write_state(struct blkfront *f, XenbusState s)
{
    if (f->xb_state == s)
        return;
    f->xb_state = s;
    write_key_u64(f, "state", s);
}

/* ---- grants ---- */

static void end_grant(struct blkfront *f, grant_ref_t ref)
{
    /* Still mapped by the back end: never reuse the ref (nor, for the ring, the page). */
    if (f->ops->grant_end(f->ctx, ref) < 0)
        f->stats.grant_leaks++;
}

/* ---- shadow table ---- */

static void shadow_reset(struct blkfront *f)
{
    uint32_t n = RING_SIZE(&f->ring);

    for (uint32_t i = 0; i < n; i++) {
        f->shadow[i].io = NULL;
        f->shadow[i].next_free = i + 1 < n ? i + 1 : SHADOW_END;
    }
    f->free_head = 0;
    f->in_flight = 0;
}

static void shadow_release(struct blkfront *f, uint32_t id)
{
    struct blkfront_shadow *s = &f->shadow[id];

    for (unsigned int i = 0; i < s->nr_grefs; i++)
        end_grant(f, s->gref[i]);
    for (unsigned int i = 0; i < s->nr_ind; i++) {
        if (f->ops->grant_end(f->ctx, s->ind_gref[i]) < 0)
            f->stats.grant_leaks++;     /* page stays reachable: do not free it */
        else
            f->ops->page_free(f->ctx, s->ind_page[i]);
    }
    s->nr_grefs = s->nr_ind = 0;
    s->io = NULL;
    s->next_free = f->free_head;
    f->free_head = id;
    f->in_flight--;
}

static void complete(struct blkfront_io *io, int status)
{
    io->status = status;
    io->next = NULL;
    io->done(io);
}

/* ---- requests ---- */

static uint32_t io_segments(const struct blkfront_io *io)
{
    return (io->first_sect + io->nr_sectors + BLKIF_SECTORS_PER_PAGE - 1) / BLKIF_SECTORS_PER_PAGE;
}

/* Grant every data page of io into s, filling segs; on failure every grant is ended. */
static int grant_segments(struct blkfront *f, struct blkfront_shadow *s, struct blkfront_io *io,
                          struct blkif_request_segment *segs)
{
    uint32_t left = io->nr_sectors, nseg = io_segments(io);

    for (uint32_t i = 0; i < nseg; i++) {
        uint32_t first = i ? 0 : io->first_sect;
        uint32_t n = BLKIF_SECTORS_PER_PAGE - first < left ? BLKIF_SECTORS_PER_PAGE - first : left;
        int ref = f->ops->grant(f->ctx, io->pages[i], io->op == BLKFRONT_WRITE);

        if (ref < 0)
            return ref;
        f->stats.grants++;
        s->gref[s->nr_grefs++] = (grant_ref_t)ref;
        segs[i] = (struct blkif_request_segment){ .gref = (grant_ref_t)ref,
                                                  .first_sect = (uint8_t)first,
                                                  .last_sect = (uint8_t)(first + n - 1) };
        left -= n;
    }
    return 0;
}

static int fill_direct(struct blkfront *f, struct blkfront_shadow *s, struct blkfront_io *io,
                       struct blkif_request *req)
{
    static const uint8_t ops[] = { BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_FLUSH_DISKCACHE };

    req->operation = ops[io->op];
    if (io->op == BLKFRONT_FLUSH && !f->feature_flush)
        req->operation = BLKIF_OP_WRITE_BARRIER;
    req->nr_segments = io->op == BLKFRONT_FLUSH ? 0 : (uint8_t)io_segments(io);
    req->handle = f->handle;
    req->sector_number = io->sector;
    s->op = req->operation;
    return io->op == BLKFRONT_FLUSH ? 0 : grant_segments(f, s, io, req->seg);
}

static int fill_indirect(struct blkfront *f, struct blkfront_shadow *s, struct blkfront_io *io,
                         struct blkif_request_indirect *req)
{
    uint32_t nseg = io_segments(io);
    uint32_t npages = (nseg + BLKIF_SEGS_PER_INDIRECT_FRAME - 1) / BLKIF_SEGS_PER_INDIRECT_FRAME;

    req->operation = BLKIF_OP_INDIRECT;
    req->indirect_op = io->op == BLKFRONT_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ;
    req->nr_segments = (uint16_t)nseg;
    req->handle = f->handle;
    req->sector_number = io->sector;
    s->op = req->indirect_op;
    for (uint32_t i = 0; i < npages; i++) {
        void *page = f->ops->page_alloc(f->ctx);
        int ref;

        if (!page)
            return -XEN_ENOMEM;
        ref = f->ops->grant(f->ctx, page, true);
        if (ref < 0) {
            f->ops->page_free(f->ctx, page);
            return ref;
        }
        s->ind_page[i] = page;
        s->ind_gref[i] = req->indirect_grefs[i] = (grant_ref_t)ref;
        s->nr_ind++;
    }
    /* The segment array spans the indirect pages, which are separate allocations. */
    struct blkif_request_segment segs[BLKFRONT_MAX_INDIRECT_SEGS];
    int rc = grant_segments(f, s, io, segs);

    for (uint32_t i = 0; i < nseg; i++)
        ((struct blkif_request_segment *)s->ind_page[i / BLKIF_SEGS_PER_INDIRECT_FRAME])
            [i % BLKIF_SEGS_PER_INDIRECT_FRAME] = segs[i];
    return rc;
}

/* Put one io in the ring: 0, or -errno with nothing left granted. */
static int send_one(struct blkfront *f, struct blkfront_io *io)
{
    uint32_t id = f->free_head;
    struct blkfront_shadow *s = &f->shadow[id];
    union blkif_sring_entry *slot = &f->ring.sring->ring[f->ring.req_prod_pvt & (RING_SIZE(&f->ring) - 1)];
    union blkif_sring_entry e = { 0 };
    int rc;

    f->free_head = s->next_free;
    f->in_flight++;
    s->io = io;
    if (io->op != BLKFRONT_FLUSH && io_segments(io) > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        struct blkif_request_indirect ind = { .id = id };

        rc = fill_indirect(f, s, io, &ind);
        for (unsigned int i = 0; i < sizeof(ind); i++)
            ((unsigned char *)&e)[i] = ((const unsigned char *)&ind)[i];
        f->stats.indirect++;
    } else {
        rc = fill_direct(f, s, io, &e.req);
        e.req.id = id;
    }
    if (rc) {
        shadow_release(f, id);
        return rc;
    }
    *slot = e;
    f->ring.req_prod_pvt++;
    f->stats.requests++;
    return 0;
}

/* Move waiting requests into free slots and tell the back end if it asked. */
static void kick(struct blkfront *f)
{
    bool notify = false;
    bool sent = false;

    while (f->wait_head && !RING_FULL(&f->ring) && f->free_head != SHADOW_END) {
        struct blkfront_io *io = f->wait_head;
        int rc;

        f->wait_head = io->next;
        if (!f->wait_head)
            f->wait_tail = NULL;
        rc = send_one(f, io);
        if (rc)
            complete(io, rc);
        else
            sent = true;
    }
    if (!sent)
        return;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->ring, notify);
    if (notify) {
        f->stats.notifies++;
        f->ops->notify(f->ctx, f->port);
    }
}

static int check_io(const struct blkfront *f, const struct blkfront_io *io)
{
    if (f->state != BLKFRONT_CONNECTED)
        return -XEN_ENOTCONN;
    if (io->op == BLKFRONT_FLUSH)
        return f->feature_flush || f->feature_barrier ? 0 : -XEN_EOPNOTSUPP;
    if (io->op != BLKFRONT_READ && io->op != BLKFRONT_WRITE)
        return -XEN_EINVAL;
    if (!io->nr_sectors || io->first_sect >= BLKIF_SECTORS_PER_PAGE || !io->pages)
        return -XEN_EINVAL;
    if (io->sector >= f->sectors || io->nr_sectors > f->sectors - io->sector)
        return -XEN_EINVAL;
    if (io->op == BLKFRONT_WRITE && f->readonly)
        return -XEN_EACCES;
    if (io_segments(io) > BLKIF_MAX_SEGMENTS_PER_REQUEST && io_segments(io) > f->max_indirect)
        return -XEN_E2BIG;
    return 0;
}

int blkfront_submit(struct blkfront *f, struct blkfront_io *io)
{
    int rc = check_io(f, io);

    if (rc)
        return rc;
    io->next = NULL;
    if (f->wait_tail)
        f->wait_tail->next = io;
    else
        f->wait_head = io;
    f->wait_tail = io;
    kick(f);
    return 0;
}

uint32_t blkfront_max_sectors(const struct blkfront *f)
{
    uint32_t segs = f->max_indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST ? f->max_indirect
                                                                     : BLKIF_MAX_SEGMENTS_PER_REQUEST;

    return segs * BLKIF_SECTORS_PER_PAGE;
}

/* ---- responses ---- */

static void backend_error(struct blkfront *f, const char *why, uint64_t v)
{
    char num[24];

    pvos_log("blkfront %s: %s %s; disconnecting", f->dir, why, pv_utoa(num, v));
    f->state = BLKFRONT_ERROR;
    blkfront_disconnect(f);
    write_state(f, XenbusStateClosing);
}

static int rsp_status(struct blkfront *f, const struct blkfront_shadow *s, int16_t status)
{
    if (status == BLKIF_RSP_OKAY)
        return 0;
    if (status == BLKIF_RSP_EOPNOTSUPP &&
        (s->op == BLKIF_OP_FLUSH_DISKCACHE || s->op == BLKIF_OP_WRITE_BARRIER)) {
        /* As Linux: the back end cannot do it after all; stop offering flushes. */
        pvos_log("blkfront %s: flush not supported, disabled", f->dir);
        f->feature_flush = f->feature_barrier = false;
        return -XEN_EOPNOTSUPP;
    }
    return -XEN_EIO;
}

/* One response: false if the back end broke the protocol (we are disconnected). */
static bool take_response(struct blkfront *f, RING_IDX i)
{
    struct blkif_response rsp;
    struct blkfront_shadow *s;
    struct blkfront_io *io;
    int status;

    RING_COPY_RESPONSE(&f->ring, i, &rsp);
    if (rsp.id >= RING_SIZE(&f->ring) || !f->shadow[rsp.id].io) {
        backend_error(f, "response for an id not in flight:", rsp.id);
        return false;
    }
    s = &f->shadow[rsp.id];
    if (rsp.operation != s->op) {
        backend_error(f, "response with the wrong operation:", rsp.operation);
        return false;
    }
    io = s->io;
    status = rsp_status(f, s, rsp.status);
    shadow_release(f, (uint32_t)rsp.id);
    complete(io, status);
    return true;
}

void blkfront_handle_event(struct blkfront *f)
{
    bool more;

    if (f->state != BLKFRONT_CONNECTED)
        return;
    do {
        RING_IDX prod = RING_READ_IDX(f->ring.sring->rsp_prod);

        xen_rmb(); /* responses after the index that exposes them */
        if (RING_RESPONSE_PROD_OVERFLOW(&f->ring, prod)) {
            backend_error(f, "response producer beyond the ring:", prod);
            return;
        }
        for (RING_IDX i = f->ring.rsp_cons; i != prod; i++) {
            if (!take_response(f, i))
                return;
            f->ring.rsp_cons = i + 1;
            if (f->state != BLKFRONT_CONNECTED)
                return;             /* a done callback tore the device down */
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&f->ring, more);
    } while (more);
    kick(f);
}

/* ---- handshake ---- */

static int read_features(struct blkfront *f)
{
    uint64_t order, ind, flush, barrier;
    int rc;

    if ((rc = read_be_u64(f, "max-ring-page-order", 0, &order)) ||
        (rc = read_be_u64(f, "feature-max-indirect-segments", 0, &ind)) ||
        (rc = read_be_u64(f, "feature-flush-cache", 0, &flush)) ||
        (rc = read_be_u64(f, "feature-barrier", 0, &barrier)))
        return rc;
    f->ring_order = order < BLKFRONT_MAX_RING_ORDER ? (unsigned int)order : BLKFRONT_MAX_RING_ORDER;
    /* Indirect only pays beyond what a direct request carries. */
    ind = ind < BLKFRONT_MAX_INDIRECT_SEGS ? ind : BLKFRONT_MAX_INDIRECT_SEGS;
    f->max_indirect = ind > BLKIF_MAX_SEGMENTS_PER_REQUEST ? (unsigned int)ind : 0;
    f->feature_flush = flush != 0;
    f->feature_barrier = barrier != 0;
    return 0;
}

static int publish_keys(struct blkfront *f)
{
    char key[16] = "ring-ref";
    int rc = 0;

    if (f->ring_order == 0) {
        rc = write_key_u64(f, "ring-ref", f->ring_ref[0]);
    } else {
        rc = write_key_u64(f, "ring-page-order", f->ring_order);
        for (unsigned int i = 0; !rc && i < f->nr_ring_refs; i++) {
            pv_utoa(key + 8, i);
            rc = write_key_u64(f, key, f->ring_ref[i]);
        }
    }
    if (!rc)
        rc = write_key_u64(f, "event-channel", f->port);
    if (!rc)
        rc = write_key(f, "protocol", XEN_IO_PROTO_ABI_NATIVE);
    return rc;
}

/* Grant the ring, allocate the channel, write their keys (InitWait seen). */
static int publish(struct blkfront *f)
{
    unsigned int nr;
    blkif_sring_t *sring;
    int rc = read_features(f);

    if (rc)
        return rc;
    nr = 1u << f->ring_order;
    f->ring_va = f->ops->ring_alloc(f->ctx, nr);
    if (!f->ring_va)
        return -XEN_ENOMEM;
    sring = f->ring_va;
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&f->ring, sring, 4096u * nr);
    shadow_reset(f);
    for (unsigned int i = 0; i < nr; i++) {
        rc = f->ops->grant(f->ctx, (const char *)f->ring_va + 4096u * i, false);
        if (rc < 0)
            return rc;
        f->ring_ref[f->nr_ring_refs++] = (grant_ref_t)rc;
    }
    rc = f->ops->evtchn_alloc(f->ctx, &f->port);
    if (rc)
        return rc;
    f->have_port = true;
    rc = publish_keys(f);
    if (!rc)
        f->state = BLKFRONT_INITIALISED;
    return rc;
}

/* The back end's disk properties (Connected seen). */
static int read_disk(struct blkfront *f)
{
    uint64_t sectors, ssize, info;
    int rc;

    if ((rc = read_be_u64(f, "sectors", 0, &sectors)) ||
        (rc = read_be_u64(f, "sector-size", 512, &ssize)) ||
        (rc = read_be_u64(f, "info", 0, &info)))
        return rc;
    if (!sectors || ssize < 512 || ssize > 4096 || (ssize & (ssize - 1))) {
        pvos_log("blkfront %s: bad disk geometry from %s", f->dir, f->backend);
        return -XEN_EINVAL;
    }
    f->sectors = sectors;
    f->sector_size = (uint32_t)ssize;
    f->readonly = (info & VDISK_READONLY) != 0;
    return 0;
}

int blkfront_init(struct blkfront *f, const struct blkfront_ops *ops, void *ctx, const char *dir,
                  uint16_t handle)
{
    unsigned int i;
    int rc;

    *f = (struct blkfront){ .ops = ops, .ctx = ctx, .handle = handle,
                            .xb_state = XenbusStateUnknown };
    for (i = 0; dir[i] && i < BLKFRONT_PATH_MAX - 16; i++)
        f->dir[i] = dir[i];
    if (dir[i])
        return -XEN_EINVAL;
    rc = read_key(f, f->dir, "backend", f->backend, sizeof(f->backend));
    if (rc)
        return rc;
    write_state(f, XenbusStateInitialising);
    return 0;
}

int blkfront_otherend_changed(struct blkfront *f, unsigned int peer)
{
    bool peer_ok = true;
    struct xenbus_step st;
    int rc = 0;

    if (peer == XenbusStateConnected && f->state != BLKFRONT_ERROR)
        peer_ok = read_disk(f) == 0;
    st = xenbus_state_step(XENBUS_FRONTEND, f->xb_state, peer, peer_ok, 0);
    if (st.actions & XBS_ACT_DISCONNECT) {
        if (f->state != BLKFRONT_CLOSED)
            pvos_log("blkfront %s: back end %s; disconnecting", f->dir, xenbus_state_name(peer));
        /* A closing back end is an error for the I/O it held, and no more is accepted. */
        f->state = BLKFRONT_ERROR;
        blkfront_disconnect(f);
    }
    if (st.actions & XBS_ACT_PUBLISH)
        rc = publish(f);
    if (!rc && (st.actions & XBS_ACT_CONNECT))
        f->state = BLKFRONT_CONNECTED;
    if (rc) {
        pvos_log("blkfront %s: connecting failed (%d)", f->dir, rc);
        f->state = BLKFRONT_ERROR;
        blkfront_disconnect(f);
        write_state(f, XenbusStateClosing);
        return rc;
    }
    write_state(f, st.next);
    return 0;
}

void blkfront_disconnect(struct blkfront *f)
{
    unsigned int nr = 1u << f->ring_order;
    bool ring_mapped = false;

    /* First, so a done callback that resubmits is refused. */
    if (f->state != BLKFRONT_ERROR)
        f->state = BLKFRONT_CLOSED;
    if (f->ring_va) {
        for (uint32_t id = 0; id < RING_SIZE(&f->ring); id++) {
            struct blkfront_io *io = f->shadow[id].io;

            if (io) {
                shadow_release(f, id);
                complete(io, -XEN_EIO);
            }
        }
    }
    while (f->wait_head) {
        struct blkfront_io *io = f->wait_head;

        f->wait_head = io->next;
        complete(io, -XEN_EIO);
    }
    f->wait_tail = NULL;
    for (unsigned int i = 0; i < f->nr_ring_refs; i++) {
        if (f->ops->grant_end(f->ctx, f->ring_ref[i]) < 0) {
            f->stats.grant_leaks++;
            ring_mapped = true;
        }
    }
    f->nr_ring_refs = 0;
    if (f->ring_va && !ring_mapped)
        f->ops->ring_free(f->ctx, f->ring_va, nr);
    f->ring_va = NULL;
    if (f->have_port)
        f->ops->evtchn_close(f->ctx, f->port);
    f->have_port = false;
}
