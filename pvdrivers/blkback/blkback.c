/*
 * blkback.c: the blkif back end's ring service (pv_blkback.h). Checks and
 * answers follow Linux's xen-blkback (__do_block_io_op,
 * dispatch_rw_block_io, xen_vbd_translate): unknown op -> EOPNOTSUPP;
 * bad segment count, bad sectors, out of range, write to a read-only
 * disk, unmappable grant -> ERROR; bogus producer index -> stop serving.
 */
#include "pv_blkback.h"
#include "pvos.h"
#include <tandem/errno.h>

#define SECTOR_SHIFT 9
#define MAX_LOGS 16

/* Any request, copied out of its slot once. */
union blkback_req {
    struct blkif_request rw;
    struct blkif_request_discard discard;
    struct blkif_request_indirect indirect;
};

#define blog(be, fmt, ...) do {                                             \
    if ((be)->logs < MAX_LOGS) {                                            \
        (be)->logs++;                                                       \
        pvos_log("blkback d%u: " fmt, (be)->domid, ##__VA_ARGS__);          \
    }                                                                       \
} while (0)

int blkback_init(struct blkback *be, const struct blkback_ops *ops,
                 const struct blkback_disk *disk, uint16_t domid)
{
    uint8_t *p = (uint8_t *)be;
    size_t i;

    if (!disk->sectors || disk->offset > disk->disk_sectors ||
        disk->sectors > disk->disk_sectors - disk->offset)
        return -XEN_EINVAL;
    for (i = 0; i < sizeof(*be); i++)
        p[i] = 0;
    be->ops = *ops;
    be->disk = *disk;
    be->domid = domid;
    return 0;
}

int blkback_connect(struct blkback *be, const uint32_t *refs, unsigned int order)
{
    unsigned int nr;
    void *va;
    int err = -XEN_EFAULT;

    if (be->connected || be->ring_va)
        return -XEN_EISCONN;
    if (order > BLKBACK_MAX_RING_ORDER)
        return -XEN_EINVAL;
    nr = 1u << order;
    va = be->ops.map_ring(be->ops.ctx, be->domid, refs, nr, &err);
    if (!va) {
        blog(be, "cannot map ring (%u pages): %d", nr, err);
        return err < 0 ? err : -XEN_EFAULT;
    }
    be->ring_va = va;
    be->ring_pages = nr;
    BACK_RING_INIT(&be->ring, (blkif_sring_t *)va, BLKBACK_PAGE_SIZE * nr);
    be->connected = true;
    be->closing = false;
    return 0;
}

static void ring_release(struct blkback *be)
{
    if (be->ring_va && !be->inflight) {
        be->ops.unmap_ring(be->ops.ctx, be->ring_va, be->ring_pages);
        be->ring_va = 0;
    }
}

void blkback_disconnect(struct blkback *be)
{
    be->connected = false;
    be->closing = true;
    ring_release(be);
}

bool blkback_idle(const struct blkback *be)
{
    return !be->ring_va && !be->inflight;
}

/* A response in the slot of a consumed request; published by flush_responses. */
static void respond(struct blkback *be, uint64_t id, uint8_t op, int16_t status)
{
    blkif_response_t *rsp;

    if (status != BLKIF_RSP_OKAY)
        be->stats.errors++;
    if (!be->connected)
        return;
    rsp = RING_GET_RESPONSE(&be->ring, be->ring.rsp_prod_pvt);
    rsp->id = id;
    rsp->operation = op;
    rsp->pad0 = 0;
    rsp->status = status;
    rsp->pad1 = 0;
    be->ring.rsp_prod_pvt++;
    be->unpushed++;
}

static void flush_responses(struct blkback *be)
{
    bool notify;

    if (!be->unpushed || !be->connected)
        return;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&be->ring, notify);
    be->unpushed = 0;
    if (notify) {
        be->stats.notifies++;
        be->ops.notify(be->ops.ctx);
    }
}

static void unmap_vecs(struct blkback *be, struct blkback_pending *p)
{
    unsigned int i;

    if (be->ops.map_data && p->io.nr_vecs)
        be->ops.unmap_data(be->ops.ctx, p->page, p->io.nr_vecs);
    for (i = 0; !be->ops.map_data && i < p->io.nr_vecs; i++)
        be->ops.unmap(be->ops.ctx, p->page[i]);
    p->io.nr_vecs = 0;
}

static void complete(struct blkback *be, struct blkback_pending *p, int status)
{
    struct blkback_io *io = &p->io;
    int16_t st = BLKIF_RSP_OKAY;

    unmap_vecs(be, p);
    if (status == -XEN_EOPNOTSUPP && (io->op == BLKBACK_IO_FLUSH || io->op == BLKBACK_IO_DISCARD))
        st = BLKIF_RSP_EOPNOTSUPP;
    else if (status)
        st = BLKIF_RSP_ERROR;
    if (st != BLKIF_RSP_OKAY)
        blog(be, "request %llu: disk error %d", (unsigned long long)p->id, status);
    respond(be, p->id, p->rsp_op, st);
    if (p->barrier)
        be->barrier_active = false;
    p->busy = false;
    be->inflight--;
    if (be->closing)
        ring_release(be);
}

void blkback_io_done(struct blkback *be, struct blkback_io *io, int status)
{
    struct blkback_pending *p = (struct blkback_pending *)io;

    if (be->batching && be->ops.map_data && be->nr_held < BLKBACK_MAX_INFLIGHT) {
        p->status = status;
        be->held[be->nr_held++] = p;
        return;
    }
    complete(be, p, status);
}

void blkback_batch_begin(struct blkback *be)
{
    be->batching = true;
}

void blkback_batch_end(struct blkback *be)
{
    void *h[BLKBACK_MAX_INDIRECT_SEGS];
    unsigned int n = 0, i, j;

    be->batching = false;
    if (!be->nr_held)
        return;
    /* Every held request's data handles, BLKBACK_MAX_INDIRECT_SEGS a call. */
    for (i = 0; i < be->nr_held; i++) {
        struct blkback_pending *p = be->held[i];

        for (j = 0; j < p->io.nr_vecs; j++) {
            h[n++] = p->page[j];
            if (n == BLKBACK_MAX_INDIRECT_SEGS) {
                be->ops.unmap_data(be->ops.ctx, h, n);
                n = 0;
            }
        }
        p->io.nr_vecs = 0;
    }
    if (n)
        be->ops.unmap_data(be->ops.ctx, h, n);
    for (i = 0; i < be->nr_held; i++)
        complete(be, be->held[i], be->held[i]->status);
    be->nr_held = 0;
}

static struct blkback_pending *pending_get(struct blkback *be)
{
    unsigned int i;

    for (i = 0; i < BLKBACK_MAX_INFLIGHT; i++)
        if (!be->pend[i].busy)
            return &be->pend[i];
    return 0;
}

/*
 * Copy the segments of an indirect request out of its granted pages: by
 * ops.copy_in (one hypercall, nothing mapped), else mapped read-only and
 * unmapped at once.
 */
static int read_indirect(struct blkback *be, const struct blkif_request_indirect *req,
                         struct blkif_request_segment *seg)
{
    unsigned int pages = (req->nr_segments + BLKIF_SEGS_PER_INDIRECT_FRAME - 1) /
                         BLKIF_SEGS_PER_INDIRECT_FRAME;
    unsigned int pg, i, n = 0;

    for (pg = 0; pg < pages; pg++) {
        int err = -XEN_EFAULT;
        const volatile struct blkif_request_segment *src;

        if (be->ops.copy_in) {
            unsigned int k = req->nr_segments - n < BLKIF_SEGS_PER_INDIRECT_FRAME ? req->nr_segments - n
                                                                                   : BLKIF_SEGS_PER_INDIRECT_FRAME;

            err = be->ops.copy_in(be->ops.ctx, be->domid, req->indirect_grefs[pg], &seg[n],
                                  k * (uint32_t)sizeof(*seg));
            if (err) {
                blog(be, "request %llu: bad indirect grant %u: %d",
                     (unsigned long long)req->id, req->indirect_grefs[pg], err);
                return -XEN_EFAULT;
            }
            n += k;
            continue;
        }
        src = be->ops.map(be->ops.ctx, be->domid, req->indirect_grefs[pg], true, &err);

        if (!src) {
            blog(be, "request %llu: bad indirect grant %u: %d",
                 (unsigned long long)req->id, req->indirect_grefs[pg], err);
            return -XEN_EFAULT;
        }
        be->stats.maps++;
        for (i = 0; i < BLKIF_SEGS_PER_INDIRECT_FRAME && n < req->nr_segments; i++, n++) {
            seg[n].gref = src[i].gref;
            seg[n].first_sect = src[i].first_sect;
            seg[n].last_sect = src[i].last_sect;
        }
        be->ops.unmap(be->ops.ctx, (void *)src);
    }
    return 0;
}

/* Sectors within the frontend disk; a zero-length request is always inside. */
static bool in_range(const struct blkback *be, uint64_t sector, uint64_t nr)
{
    return !nr || (sector < be->disk.sectors && nr <= be->disk.sectors - sector);
}

/* All of a request's data grants at once, for the disk alone (ops.map_data). */
static int map_data(struct blkback *be, struct blkback_pending *p, const struct blkif_request_segment *seg,
                    unsigned int nseg)
{
    uint32_t refs[BLKBACK_MAX_INDIRECT_SEGS];
    uint64_t bus[BLKBACK_MAX_INDIRECT_SEGS];
    unsigned int i;
    int rc;

    for (i = 0; i < nseg; i++)
        refs[i] = seg[i].gref;
    if ((rc = be->ops.map_data(be->ops.ctx, be->domid, refs, nseg, p->io.op != BLKBACK_IO_READ, p->page, bus))) {
        blog(be, "request %llu: bad grant among %u: %d", (unsigned long long)p->id, nseg, rc);
        return -XEN_EFAULT;
    }
    be->stats.maps += nseg;
    for (i = 0; i < nseg; i++) {
        uint32_t off = (uint32_t)seg[i].first_sect << SECTOR_SHIFT;

        p->io.vec[i] = (struct blkback_vec){ .va = 0, .bus = bus[i] + off,
                                             .len = (uint32_t)(seg[i].last_sect - seg[i].first_sect + 1)
                                                    << SECTOR_SHIFT };
    }
    p->io.nr_vecs = nseg;
    return 0;
}

static int map_segments(struct blkback *be, struct blkback_pending *p,
                        const struct blkif_request_segment *seg, unsigned int nseg)
{
    bool ro = p->io.op != BLKBACK_IO_READ;
    unsigned int i;

    if (be->ops.map_data)
        return nseg ? map_data(be, p, seg, nseg) : 0;
    for (i = 0; i < nseg; i++) {
        int err = -XEN_EFAULT;
        uint8_t *va = be->ops.map(be->ops.ctx, be->domid, seg[i].gref, ro, &err);

        if (!va) {
            blog(be, "request %llu: bad grant %u: %d", (unsigned long long)p->id,
                 seg[i].gref, err);
            unmap_vecs(be, p);
            return -XEN_EFAULT;
        }
        be->stats.maps++;
        p->page[i] = va;
        p->io.vec[i] = (struct blkback_vec){ .va = va + ((uint32_t)seg[i].first_sect << SECTOR_SHIFT),
                                             .len = (uint32_t)(seg[i].last_sect - seg[i].first_sect + 1)
                                                    << SECTOR_SHIFT };
        p->io.nr_vecs = i + 1;
    }
    return 0;
}

static void submit(struct blkback *be, struct blkback_pending *p)
{
    int rc;

    if (!p->busy) {             /* a map batch's request is counted already */
        p->busy = true;
        be->inflight++;
    }
    if (p->barrier)
        be->barrier_active = true;
    rc = be->ops.submit(be->ops.ctx, &p->io);
    if (rc)
        blkback_io_done(be, &p->io, rc);
}

/* READ, WRITE, FLUSH_DISKCACHE, WRITE_BARRIER, INDIRECT; an error answer or submitted. */
static void do_rw(struct blkback *be, struct blkback_pending *p, const union blkback_req *req)
{
    struct blkif_request_segment seg[BLKBACK_MAX_INDIRECT_SEGS];
    const struct blkif_request_segment *segs = req->rw.seg;
    uint8_t op = req->rw.operation;
    unsigned int nseg = req->rw.nr_segments, i;
    uint64_t sector = req->rw.sector_number, nr = 0;

    p->id = req->rw.id;
    if (op == BLKIF_OP_INDIRECT) {
        op = req->indirect.indirect_op;
        nseg = req->indirect.nr_segments;
        sector = req->indirect.sector_number;
        p->id = req->indirect.id;
    }
    p->rsp_op = op;
    p->io.nr_vecs = 0;
    if (req->rw.operation == BLKIF_OP_INDIRECT && op != BLKIF_OP_READ && op != BLKIF_OP_WRITE)
        goto fail;
    if ((nseg == 0 && op != BLKIF_OP_FLUSH_DISKCACHE && op != BLKIF_OP_WRITE_BARRIER) ||
        (req->rw.operation != BLKIF_OP_INDIRECT && nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) ||
        (req->rw.operation == BLKIF_OP_INDIRECT && nseg > BLKBACK_MAX_INDIRECT_SEGS)) {
        blog(be, "request %llu: bad number of segments %u", (unsigned long long)p->id, nseg);
        goto fail;
    }
    if (req->rw.operation == BLKIF_OP_INDIRECT) {
        if (read_indirect(be, &req->indirect, seg))
            goto fail;
        segs = seg;
    }
    for (i = 0; i < nseg; i++) {
        if (segs[i].last_sect >= BLKIF_SECTORS_PER_PAGE || segs[i].last_sect < segs[i].first_sect) {
            blog(be, "request %llu: bad segment %u (%u..%u)", (unsigned long long)p->id, i,
                 segs[i].first_sect, segs[i].last_sect);
            goto fail;
        }
        nr += segs[i].last_sect - segs[i].first_sect + 1u;
    }
    if ((op != BLKIF_OP_READ && be->disk.readonly) || !in_range(be, sector, nr)) {
        blog(be, "request %llu: access denied (op %u, sectors %llu+%llu)",
             (unsigned long long)p->id, op, (unsigned long long)sector, (unsigned long long)nr);
        goto fail;
    }
    p->barrier = op == BLKIF_OP_WRITE_BARRIER;
    p->io.flags = 0;
    p->io.sector = be->disk.offset + sector;
    p->io.nr_sectors = nr;
    if (op == BLKIF_OP_READ) {
        p->io.op = BLKBACK_IO_READ;
    } else if (op == BLKIF_OP_WRITE) {
        p->io.op = BLKBACK_IO_WRITE;
    } else {
        if (!be->disk.flush) {
            respond(be, p->id, op, BLKIF_RSP_EOPNOTSUPP);
            return;
        }
        /*
         * With data (Linux's blkfront sends a REQ_FUA write so, and a
         * barrier carries data too) the cache is flushed before it and the
         * data is durable when answered: a flush after it as well.
         */
        p->io.op = nseg ? BLKBACK_IO_WRITE : BLKBACK_IO_FLUSH;
        p->io.flags = BLKBACK_IO_PREFLUSH | (nseg || p->barrier ? BLKBACK_IO_FUA : 0u);
    }
    if (be->ops.map_data && nseg) {
        /* Mapped with the other requests of this pass (map_batch), then submitted. */
        for (i = 0; i < nseg; i++)
            p->seg[i] = segs[i];
        p->nr_segs = (uint16_t)nseg;
        p->busy = true;
        be->inflight++;
        be->tomap[be->nr_tomap++] = p;
        return;
    }
    if (map_segments(be, p, segs, nseg))
        goto fail;
    submit(be, p);
    return;
fail:
    respond(be, p->id, op, BLKIF_RSP_ERROR);
}

/* A request of the map batch that cannot go: answered ERROR, out of the pool. */
static void batch_fail(struct blkback *be, struct blkback_pending *p)
{
    p->busy = false;
    be->inflight--;
    respond(be, p->id, p->rsp_op, BLKIF_RSP_ERROR);
    if (be->closing)
        ring_release(be);
}

/* Requests tomap[from, to): one map_data call for all their grants, else one each. */
static void map_group(struct blkback *be, unsigned int from, unsigned int to, unsigned int total)
{
    uint32_t refs[BLKBACK_MAX_INDIRECT_SEGS] = { 0 };
    uint64_t bus[BLKBACK_MAX_INDIRECT_SEGS];
    void *handle[BLKBACK_MAX_INDIRECT_SEGS];
    bool ro = be->tomap[from]->io.op != BLKBACK_IO_READ;
    unsigned int n = 0, i, j;

    for (i = from; i < to && to - from > 1; i++)
        for (j = 0; j < be->tomap[i]->nr_segs && n < BLKBACK_MAX_INDIRECT_SEGS; j++)
            refs[n++] = be->tomap[i]->seg[j].gref;
    if (to - from > 1 && n == total && !be->ops.map_data(be->ops.ctx, be->domid, refs, n, ro, handle, bus)) {
        be->stats.maps += total;
        for (i = from, n = 0; i < to; i++) {
            struct blkback_pending *p = be->tomap[i];

            for (j = 0; j < p->nr_segs; j++, n++) {
                uint32_t off = (uint32_t)p->seg[j].first_sect << SECTOR_SHIFT;

                p->page[j] = handle[n];
                p->io.vec[j] = (struct blkback_vec){ .va = 0, .bus = bus[n] + off,
                                                     .len = (uint32_t)(p->seg[j].last_sect - p->seg[j].first_sect + 1)
                                                            << SECTOR_SHIFT };
            }
            p->io.nr_vecs = p->nr_segs;
        }
        for (i = from; i < to; i++)
            submit(be, be->tomap[i]);
        return;
    }
    /* Alone (or the group was refused: one bad grant among them): each request on its own. */
    for (i = from; i < to; i++) {
        struct blkback_pending *p = be->tomap[i];

        if (map_data(be, p, p->seg, p->nr_segs))
            batch_fail(be, p);
        else
            submit(be, p);
    }
}

/* Map and submit the requests checked since the last call, up to 32 grants a call. */
static void map_batch(struct blkback *be)
{
    unsigned int from = 0, total = 0, i;

    for (i = 0; i < be->nr_tomap; i++) {
        struct blkback_pending *p = be->tomap[i];
        bool ro = p->io.op != BLKBACK_IO_READ;

        if (i > from && (total + p->nr_segs > BLKBACK_MAX_INDIRECT_SEGS ||
                         ro != (be->tomap[from]->io.op != BLKBACK_IO_READ))) {
            map_group(be, from, i, total);
            from = i;
            total = 0;
        }
        total += p->nr_segs;
    }
    if (from < be->nr_tomap)
        map_group(be, from, be->nr_tomap, total);
    be->nr_tomap = 0;
}

static void do_discard(struct blkback *be, struct blkback_pending *p,
                       const struct blkif_request_discard *req)
{
    p->id = req->id;
    p->rsp_op = BLKIF_OP_DISCARD;
    p->barrier = false;
    p->io.nr_vecs = 0;
    if (!be->disk.discard || (req->flag & BLKIF_DISCARD_SECURE)) {
        respond(be, p->id, BLKIF_OP_DISCARD, BLKIF_RSP_EOPNOTSUPP);
        return;
    }
    if (be->disk.readonly || !in_range(be, req->sector_number, req->nr_sectors)) {
        blog(be, "request %llu: discard denied", (unsigned long long)p->id);
        respond(be, p->id, BLKIF_OP_DISCARD, BLKIF_RSP_ERROR);
        return;
    }
    p->io.op = BLKBACK_IO_DISCARD;
    p->io.flags = 0;
    p->io.sector = be->disk.offset + req->sector_number;
    p->io.nr_sectors = req->nr_sectors;
    submit(be, p);
}

/* Serve the request in slot req_cons; false (slot left on the ring) if it must wait. */
static bool serve_one(struct blkback *be)
{
    struct blkback_pending *p;
    union blkback_req req;
    uint8_t op;

    if (be->barrier_active || !(p = pending_get(be)))
        return false;
    RING_COPY_REQUEST(&be->ring, be->ring.req_cons, &req.rw);
    op = req.rw.operation;
    /* A barrier orders everything before it: wait until nothing is in flight. */
    if (op == BLKIF_OP_WRITE_BARRIER && be->inflight)
        return false;
    be->ring.req_cons++;
    be->stats.requests++;
    /* Only reads and writes with data join the map batch: anything else goes after it, in order. */
    if (be->nr_tomap && op != BLKIF_OP_READ && op != BLKIF_OP_WRITE && op != BLKIF_OP_INDIRECT)
        map_batch(be);
    switch (op) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
    case BLKIF_OP_WRITE_BARRIER:
    case BLKIF_OP_FLUSH_DISKCACHE:
    case BLKIF_OP_INDIRECT:
        do_rw(be, p, &req);
        break;
    case BLKIF_OP_DISCARD:
        do_discard(be, p, &req.discard);
        break;
    default:
        blog(be, "request %llu: unknown operation %u", (unsigned long long)req.rw.id, op);
        respond(be, req.rw.id, op, BLKIF_RSP_EOPNOTSUPP);
        break;
    }
    return true;
}

/* Consume up to the producer index read once; false if it was garbage. */
static bool consume(struct blkback *be)
{
    RING_IDX rp = RING_READ_IDX(be->ring.sring->req_prod);

    xen_rmb(); /* slots read after the index that exposes them */
    if (RING_REQUEST_PROD_OVERFLOW(&be->ring, rp)) {
        blog(be, "bogus ring requests (%u - %u = %u): disconnecting", rp, be->ring.req_cons,
             rp - be->ring.req_cons);
        return false;
    }
    while (be->ring.req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(&be->ring, be->ring.req_cons))
        if (!serve_one(be))
            break;
    map_batch(be);
    return true;
}

int blkback_process(struct blkback *be)
{
    int work;

    if (!be->connected)
        return -XEN_ENOTCONN;
    for (;;) {
        RING_IDX before = be->ring.req_cons;

        if (!consume(be)) {
            flush_responses(be);
            blkback_disconnect(be);
            return -XEN_EACCES;
        }
        flush_responses(be);
        RING_FINAL_CHECK_FOR_REQUESTS(&be->ring, work);
        /* Requests left that we could not take wait for a completion's blkback_process. */
        if (!work || be->ring.req_cons == before)
            return 0;
    }
}
