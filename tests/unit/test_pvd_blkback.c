/*
 * pvdrivers/blkback against a fake world: grants are frames of a table
 * (every map and unmap counted, so a test can say nothing stays mapped),
 * the ring is a buffer the test drives as the frontend with io/ring.h's
 * front macros, the disk is RAM that completes at once or on demand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pv_blkback.h"
#include <tandem/errno.h>

#define NR_FRAMES   64
#define RING_REF0   100         /* ring grants: RING_REF0 .. RING_REF0 + 3 */
#define DISK_SECT   256
#define MAX_DEFER   64

struct fake {
    uint8_t frame[NR_FRAMES][BLKBACK_PAGE_SIZE] __attribute__((aligned(4096)));
    int mapped[NR_FRAMES];
    bool mapped_ro[NR_FRAMES];
    uint8_t ring[BLKBACK_MAX_RING_PAGES][BLKBACK_PAGE_SIZE] __attribute__((aligned(4096)));
    bool ring_mapped;
    bool ring_revoked;          /* ring grants withdrawn: map_ring fails */
    uint32_t bad_ref;           /* this grant does not map */
    uint8_t disk[DISK_SECT * 512];
    unsigned int maps, unmaps, ring_maps, ring_unmaps, notifies, data_maps, copies,
                 unmap_data_calls, map_data_calls;
    bool defer;
    struct blkback_io *deferred[MAX_DEFER];
    unsigned int nr_deferred;
    struct blkback_io last_io;
    unsigned int submits;
    struct blkback *be;
};

static char logbuf[256];
static unsigned int nr_logs;

void pvos_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(logbuf, sizeof(logbuf), fmt, ap);
    va_end(ap);
    nr_logs++;
}

static void *f_map(void *ctx, uint16_t domid, uint32_t ref, bool ro, int *err)
{
    struct fake *f = ctx;

    (void)domid;
    if (ref >= NR_FRAMES || ref == f->bad_ref) {
        *err = -XEN_EINVAL;
        return NULL;
    }
    f->maps++;
    f->mapped[ref]++;
    f->mapped_ro[ref] = ro;
    return f->frame[ref];
}

#define FAKE_BUS 0x100000000ull    /* map_data's device address of frame 0 */

/* map_data: all or nothing; the handle is the frame's address, the bus address FAKE_BUS + its offset. */
static int f_map_data(void *ctx, uint16_t domid, const uint32_t *refs, unsigned int n, bool ro, void **handle,
                      uint64_t *bus)
{
    struct fake *f = ctx;

    (void)domid;
    assert_true(n > 0 && n <= BLKBACK_MAX_INDIRECT_SEGS);
    f->map_data_calls++;
    for (unsigned int i = 0; i < n; i++)
        if (refs[i] >= NR_FRAMES || refs[i] == f->bad_ref)
            return -XEN_EINVAL;
    for (unsigned int i = 0; i < n; i++) {
        f->maps++;
        f->data_maps++;
        f->mapped[refs[i]]++;
        f->mapped_ro[refs[i]] = ro;
        handle[i] = f->frame[refs[i]];
        bus[i] = FAKE_BUS + (uint64_t)refs[i] * BLKBACK_PAGE_SIZE;
    }
    return 0;
}

/* copy_in: bytes from the start of the grant's frame, nothing mapped; the bad grant refused. */
static int f_copy_in(void *ctx, uint16_t domid, uint32_t ref, void *dst, uint32_t len)
{
    struct fake *f = ctx;

    (void)domid;
    assert_true(len > 0 && len <= BLKBACK_PAGE_SIZE);
    if (ref >= NR_FRAMES || ref == f->bad_ref)
        return -XEN_EINVAL;
    f->copies++;
    memcpy(dst, f->frame[ref], len);
    return 0;
}

static void f_unmap(void *ctx, void *va);

static void f_unmap_data(void *ctx, void **handle, unsigned int n)
{
    assert_true(n > 0 && n <= BLKBACK_MAX_INDIRECT_SEGS);
    ((struct fake *)ctx)->unmap_data_calls++;
    for (unsigned int i = 0; i < n; i++)
        f_unmap(ctx, handle[i]);
}

static void f_unmap(void *ctx, void *va)
{
    struct fake *f = ctx;
    size_t ref = (size_t)((uint8_t *)va - &f->frame[0][0]) / BLKBACK_PAGE_SIZE;

    assert_true(ref < NR_FRAMES);
    assert_ptr_equal(va, f->frame[ref]);
    assert_true(f->mapped[ref] > 0);
    f->mapped[ref]--;
    f->unmaps++;
}

static void *f_map_ring(void *ctx, uint16_t domid, const uint32_t *refs, unsigned int nr, int *err)
{
    struct fake *f = ctx;
    unsigned int i;

    (void)domid;
    for (i = 0; i < nr; i++)
        if (f->ring_revoked || refs[i] != RING_REF0 + i) {
            *err = -XEN_EINVAL;
            return NULL;
        }
    f->ring_maps++;
    f->ring_mapped = true;
    return f->ring;
}

static void f_unmap_ring(void *ctx, void *va, unsigned int nr)
{
    struct fake *f = ctx;

    (void)nr;
    assert_ptr_equal(va, f->ring);
    assert_true(f->ring_mapped);
    f->ring_mapped = false;
    f->ring_unmaps++;
}

static void disk_do(struct fake *f, struct blkback_io *io)
{
    uint8_t *d = f->disk + io->sector * 512;
    unsigned int i;

    for (i = 0; i < io->nr_vecs; i++) {
        /* map_data: no CPU address, the bytes are at the fake device address (frame, offset). */
        uint8_t *va = io->vec[i].va ? io->vec[i].va : &f->frame[0][0] + (io->vec[i].bus - FAKE_BUS);

        if (!io->vec[i].va)
            assert_true(io->vec[i].bus >= FAKE_BUS && io->vec[i].bus < FAKE_BUS + sizeof(f->frame));
        if (io->op == BLKBACK_IO_READ)
            memcpy(va, d, io->vec[i].len);
        else
            memcpy(d, va, io->vec[i].len);
        d += io->vec[i].len;
    }
    if (io->op == BLKBACK_IO_DISCARD)
        memset(d, 0, io->nr_sectors * 512);
}

static int f_submit(void *ctx, struct blkback_io *io)
{
    struct fake *f = ctx;

    assert_true(io->sector + io->nr_sectors <= DISK_SECT);
    f->submits++;
    f->last_io = *io;
    if (f->defer) {
        assert_true(f->nr_deferred < MAX_DEFER);
        f->deferred[f->nr_deferred++] = io;
        return 0;
    }
    disk_do(f, io);
    blkback_io_done(f->be, io, 0);
    return 0;
}

static void f_notify(void *ctx)
{
    ((struct fake *)ctx)->notifies++;
}

static const struct blkback_ops fake_ops = {
    .map = f_map, .unmap = f_unmap, .map_ring = f_map_ring, .unmap_ring = f_unmap_ring,
    .submit = f_submit, .notify = f_notify,
};

struct world {
    struct fake f;
    struct blkback be;
    blkif_front_ring_t front;
    uint64_t next_id;
};

static const struct blkback_disk plain_disk = {
    .disk_sectors = DISK_SECT, .offset = 16, .sectors = 128, .flush = true, .discard = true,
};

static bool use_map_data;       /* setup_map_data: the next world maps data with map_data */
static bool use_copy_in;        /* setup_copy_in: ... and copies indirect pages with copy_in */

static void world_up(struct world *w, const struct blkback_disk *d, unsigned int order)
{
    uint32_t refs[BLKBACK_MAX_RING_PAGES] = { RING_REF0, RING_REF0 + 1, RING_REF0 + 2, RING_REF0 + 3 };
    blkif_sring_t *s = (blkif_sring_t *)w->f.ring;
    struct blkback_ops ops = fake_ops;
    unsigned int i;

    w->f.bad_ref = UINT32_MAX;
    for (i = 0; i < DISK_SECT * 512; i++)
        w->f.disk[i] = (uint8_t)(i * 7 + i / 512);
    SHARED_RING_INIT(s);
    FRONT_RING_INIT(&w->front, s, BLKBACK_PAGE_SIZE << order);
    ops.ctx = &w->f;
    if (use_map_data) {
        ops.map_data = f_map_data;
        ops.unmap_data = f_unmap_data;
    }
    if (use_copy_in)
        ops.copy_in = f_copy_in;
    w->f.be = &w->be;
    assert_int_equal(blkback_init(&w->be, &ops, d, 1), 0);
    assert_int_equal(blkback_connect(&w->be, refs, order), 0);
}

/* Page-aligned, as grant frames are. */
static struct world *world_new(void)
{
    size_t sz = (sizeof(struct world) + 4095) & ~(size_t)4095;
    struct world *w = aligned_alloc(4096, sz);

    assert_non_null(w);
    memset(w, 0, sizeof(*w));
    return w;
}

static int setup(void **state)
{
    struct world *w = world_new();

    world_up(w, &plain_disk, 0);
    nr_logs = 0;
    *state = w;
    return 0;
}

static int setup_map_data(void **state)
{
    use_map_data = true;
    setup(state);
    use_map_data = false;
    return 0;
}

static int setup_copy_in(void **state)
{
    use_map_data = use_copy_in = true;
    setup(state);
    use_map_data = use_copy_in = false;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void assert_nothing_mapped(struct world *w)
{
    unsigned int i;

    for (i = 0; i < NR_FRAMES; i++)
        assert_int_equal(w->f.mapped[i], 0);
    assert_int_equal(w->f.maps, w->f.unmaps);
}

/* A request in the next free slot (pushed by push()). */
static struct blkif_request *put_rw(struct world *w, uint8_t op, uint64_t sector, unsigned int nseg,
                                    uint32_t gref0)
{
    struct blkif_request *r = RING_GET_REQUEST(&w->front, w->front.req_prod_pvt++);
    unsigned int i;

    memset(r, 0, sizeof(*r));
    r->operation = op;
    r->nr_segments = (uint8_t)nseg;
    r->id = ++w->next_id;
    r->sector_number = sector;
    for (i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r->seg[i].gref = gref0 + i;
        r->seg[i].first_sect = 0;
        r->seg[i].last_sect = 7;
    }
    return r;
}

static void push(struct world *w)
{
    RING_PUSH_REQUESTS(&w->front);
}

/* The next response: check id and status, return its operation. */
static uint8_t expect_rsp(struct world *w, uint64_t id, int16_t status)
{
    blkif_response_t *rsp;

    assert_true(RING_HAS_UNCONSUMED_RESPONSES(&w->front) > 0);
    rsp = RING_GET_RESPONSE(&w->front, w->front.rsp_cons++);
    assert_int_equal(rsp->id, id);
    assert_int_equal(rsp->status, status);
    return rsp->operation;
}

static void expect_no_rsp(struct world *w)
{
    assert_int_equal(RING_HAS_UNCONSUMED_RESPONSES(&w->front), 0);
}

/* One request, served; its single response must be `status`. */
static uint8_t one(struct world *w, int16_t status)
{
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    return expect_rsp(w, w->next_id, status);
}

static const uint8_t *dsk(struct world *w, uint64_t sector)
{
    return w->f.disk + (plain_disk.offset + sector) * 512;
}

/* ---- ops ---- */

static void test_read(void **state)
{
    struct world *w = *state;
    struct blkif_request *r = put_rw(w, BLKIF_OP_READ, 10, 2, 3);

    r->seg[1].first_sect = 2;
    r->seg[1].last_sect = 3;
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_READ);
    assert_memory_equal(w->f.frame[3], dsk(w, 10), 4096);
    assert_memory_equal(w->f.frame[4] + 2 * 512, dsk(w, 18), 2 * 512);
    assert_false(w->f.mapped_ro[3]);    /* the disk writes into the frontend's page */
    assert_int_equal(w->f.last_io.op, BLKBACK_IO_READ);
    assert_int_equal(w->f.last_io.sector, 16 + 10);
    assert_int_equal(w->f.last_io.nr_sectors, 10);
    assert_int_equal(w->f.maps, 2);
    assert_nothing_mapped(w);
    assert_int_equal(w->f.notifies, 1);
}

static void test_write_region(void **state)
{
    struct world *w = *state;

    memset(w->f.frame[5], 0xab, 4096);
    put_rw(w, BLKIF_OP_WRITE, 127, 1, 5)->seg[0].last_sect = 0;  /* the region's last sector */
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_WRITE);
    assert_true(w->f.mapped_ro[5]);
    assert_int_equal(dsk(w, 127)[0], 0xab);
    assert_int_equal(dsk(w, 127)[511], 0xab);
    assert_int_not_equal(dsk(w, 128)[0], 0xab);   /* beyond the region: untouched */
    assert_nothing_mapped(w);
}

static void test_flush(void **state)
{
    struct world *w = *state;

    put_rw(w, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_FLUSH_DISKCACHE);
    assert_int_equal(w->f.last_io.op, BLKBACK_IO_FLUSH);
    /* A flush with data: the data written after a cache flush, durable when answered (FUA). */
    put_rw(w, BLKIF_OP_FLUSH_DISKCACHE, 4, 1, 6);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_FLUSH_DISKCACHE);
    assert_int_equal(w->f.last_io.op, BLKBACK_IO_WRITE);
    assert_int_equal(w->f.last_io.flags, BLKBACK_IO_PREFLUSH | BLKBACK_IO_FUA);
    assert_nothing_mapped(w);
}

static void test_flush_unsupported(void **state)
{
    struct world *w = *state;
    struct blkback_disk d = plain_disk;

    d.flush = false;
    world_up(w, &d, 0);
    put_rw(w, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0);
    one(w, BLKIF_RSP_EOPNOTSUPP);
    put_rw(w, BLKIF_OP_WRITE_BARRIER, 0, 1, 2);
    one(w, BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(w->f.submits, 0);
    assert_nothing_mapped(w);
}

static void test_disk_flush_error(void **state)
{
    struct world *w = *state;

    w->f.defer = true;
    put_rw(w, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    blkback_io_done(&w->be, w->f.deferred[0], -XEN_EOPNOTSUPP);
    put_rw(w, BLKIF_OP_READ, 0, 1, 1);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    blkback_io_done(&w->be, w->f.deferred[1], -XEN_EIO);
    assert_int_equal(blkback_process(&w->be), 0);
    expect_rsp(w, 1, BLKIF_RSP_EOPNOTSUPP);
    expect_rsp(w, 2, BLKIF_RSP_ERROR);
    assert_nothing_mapped(w);
}

/* A barrier waits for the requests before it, and those after it wait for the barrier. */
static void test_barrier(void **state)
{
    struct world *w = *state;

    w->f.defer = true;
    put_rw(w, BLKIF_OP_WRITE, 0, 1, 1);
    put_rw(w, BLKIF_OP_WRITE_BARRIER, 8, 1, 2);
    put_rw(w, BLKIF_OP_READ, 16, 1, 3);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.nr_deferred, 1);
    blkback_io_done(&w->be, w->f.deferred[0], 0);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.nr_deferred, 2);
    assert_int_equal(w->f.deferred[1]->flags, BLKBACK_IO_PREFLUSH | BLKBACK_IO_FUA);
    expect_rsp(w, 1, BLKIF_RSP_OKAY);
    blkback_io_done(&w->be, w->f.deferred[1], 0);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.nr_deferred, 3);
    assert_int_equal(expect_rsp(w, 2, BLKIF_RSP_OKAY), BLKIF_OP_WRITE_BARRIER);
    blkback_io_done(&w->be, w->f.deferred[2], 0);
    assert_int_equal(blkback_process(&w->be), 0);
    expect_rsp(w, 3, BLKIF_RSP_OKAY);
    assert_nothing_mapped(w);
}

static struct blkif_request_discard *put_discard(struct world *w, uint64_t sector, uint64_t nr)
{
    struct blkif_request_discard *r =
        (struct blkif_request_discard *)RING_GET_REQUEST(&w->front, w->front.req_prod_pvt++);

    memset(r, 0, sizeof(struct blkif_request));
    r->operation = BLKIF_OP_DISCARD;
    r->id = ++w->next_id;
    r->sector_number = sector;
    r->nr_sectors = nr;
    return r;
}

static void test_discard(void **state)
{
    struct world *w = *state;
    struct blkback_disk d = plain_disk;

    put_discard(w, 4, 8);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_DISCARD);
    assert_int_equal(w->f.last_io.op, BLKBACK_IO_DISCARD);
    assert_int_equal(w->f.last_io.sector, 20);
    assert_int_equal(w->f.last_io.nr_sectors, 8);
    put_discard(w, 4, 8)->flag = BLKIF_DISCARD_SECURE;
    one(w, BLKIF_RSP_EOPNOTSUPP);
    put_discard(w, 120, 9);
    one(w, BLKIF_RSP_ERROR);
    d.discard = false;
    world_up(w, &d, 0);
    put_discard(w, 4, 8);
    one(w, BLKIF_RSP_EOPNOTSUPP);
}

/* An indirect request whose segments live in frame `ind`. */
static struct blkif_request_indirect *put_indirect(struct world *w, uint8_t op, uint64_t sector,
                                                   unsigned int nseg, uint32_t ind, uint32_t gref0)
{
    struct blkif_request_indirect *r =
        (struct blkif_request_indirect *)RING_GET_REQUEST(&w->front, w->front.req_prod_pvt++);
    struct blkif_request_segment *seg = (struct blkif_request_segment *)w->f.frame[ind];
    unsigned int i;

    memset(r, 0, sizeof(struct blkif_request));
    r->operation = BLKIF_OP_INDIRECT;
    r->indirect_op = op;
    r->nr_segments = (uint16_t)nseg;
    r->id = ++w->next_id;
    r->sector_number = sector;
    r->indirect_grefs[0] = ind;
    for (i = 0; i < nseg && i < BLKIF_SEGS_PER_INDIRECT_FRAME; i++) {
        seg[i].gref = gref0 + i;
        seg[i].first_sect = 0;
        seg[i].last_sect = 3;
    }
    return r;
}

static void test_indirect(void **state)
{
    struct world *w = *state;
    unsigned int i;

    put_indirect(w, BLKIF_OP_READ, 0, 20, 40, 1);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_READ);   /* Linux answers the inner op */
    for (i = 0; i < 20; i++)
        assert_memory_equal(w->f.frame[1 + i], dsk(w, 4 * i), 4 * 512);
    assert_true(w->f.mapped_ro[40]);
    assert_int_equal(w->f.maps, 21);
    put_indirect(w, BLKIF_OP_WRITE, 0, BLKBACK_MAX_INDIRECT_SEGS, 40, 1);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_WRITE);
    assert_int_equal(w->f.last_io.nr_vecs, BLKBACK_MAX_INDIRECT_SEGS);
    assert_nothing_mapped(w);
}

static void test_indirect_hostile(void **state)
{
    struct world *w = *state;

    struct blkif_request_segment *seg = (struct blkif_request_segment *)w->f.frame[40];
    unsigned int i;

    put_indirect(w, BLKIF_OP_READ, 0, BLKBACK_MAX_INDIRECT_SEGS + 1, 40, 1);
    for (i = 0; i <= BLKBACK_MAX_INDIRECT_SEGS; i++)
        seg[i].last_sect = 0;       /* 33 sectors: in range, only the count is wrong */
    one(w, BLKIF_RSP_ERROR);
    put_indirect(w, BLKIF_OP_READ, 0, 0, 40, 1);
    one(w, BLKIF_RSP_ERROR);
    put_indirect(w, BLKIF_OP_FLUSH_DISKCACHE, 0, 1, 40, 1);
    assert_int_equal(one(w, BLKIF_RSP_ERROR), BLKIF_OP_FLUSH_DISKCACHE);
    put_indirect(w, BLKIF_OP_READ, 0, 4, 40, 1)->indirect_grefs[0] = 999;  /* bad indirect grant */
    one(w, BLKIF_RSP_ERROR);
    put_indirect(w, BLKIF_OP_READ, 0, 4, 40, 1);
    ((struct blkif_request_segment *)w->f.frame[40])[2].last_sect = 8;
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.submits, 0);
    assert_nothing_mapped(w);
}

/* More requests than the pool: the rest wait on the ring; one event per batch. */
static void test_inflight(void **state)
{
    struct world *w = *state;
    unsigned int i, n = BLKBACK_MAX_INFLIGHT + 8;

    world_up(w, &plain_disk, 1);        /* 64 slots */
    w->f.defer = true;
    for (i = 0; i < n; i++)
        put_rw(w, BLKIF_OP_READ, i, 1, 1 + i % 8)->seg[0].last_sect = 0;
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.nr_deferred, BLKBACK_MAX_INFLIGHT);
    assert_int_equal(w->be.inflight, BLKBACK_MAX_INFLIGHT);
    expect_no_rsp(w);
    assert_int_equal(w->f.notifies, 0);
    for (i = 0; i < BLKBACK_MAX_INFLIGHT; i++)
        blkback_io_done(&w->be, w->f.deferred[i], 0);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.notifies, 1);     /* 32 responses, one event */
    assert_int_equal(w->f.nr_deferred, n);
    for (i = BLKBACK_MAX_INFLIGHT; i < n; i++)
        blkback_io_done(&w->be, w->f.deferred[i], 0);
    assert_int_equal(blkback_process(&w->be), 0);
    /* The frontend has not consumed the first batch, so rsp_event asks for no event yet. */
    assert_int_equal(w->f.notifies, 1);
    for (i = 0; i < n; i++)
        expect_rsp(w, i + 1, BLKIF_RSP_OKAY);
    assert_nothing_mapped(w);
    /* After the frontend's final check, the next response is signalled again. */
    {
        int more;

        RING_FINAL_CHECK_FOR_RESPONSES(&w->front, more);
        assert_false(more);
    }
    w->f.defer = false;
    put_rw(w, BLKIF_OP_READ, 0, 1, 1);
    one(w, BLKIF_RSP_OKAY);
    assert_int_equal(w->f.notifies, 2);
    /* The backend asked to be told of the next request. */
    assert_int_equal(w->front.sring->req_event, w->front.req_prod_pvt + 1);
}

static void test_multipage_ring(void **state)
{
    struct world *w = *state;
    unsigned int i;

    world_up(w, &plain_disk, BLKBACK_MAX_RING_ORDER);
    assert_int_equal(RING_SIZE(&w->be.ring), 128);
    for (i = 0; i < 100; i++) {
        put_rw(w, BLKIF_OP_READ, i, 1, 1)->seg[0].last_sect = 0;
        push(w);
        assert_int_equal(blkback_process(&w->be), 0);
        expect_rsp(w, i + 1, BLKIF_RSP_OKAY);
    }
    assert_nothing_mapped(w);
}

/* ---- hostile frontends ---- */

static void test_bad_grant(void **state)
{
    struct world *w = *state;

    w->f.bad_ref = 5;
    put_rw(w, BLKIF_OP_READ, 0, 4, 3);      /* grants 3, 4 map; 5 does not */
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.maps, 2);
    assert_nothing_mapped(w);
    put_rw(w, BLKIF_OP_WRITE, 0, 1, 999);
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.submits, 0);
    assert_true(nr_logs > 0);
    put_rw(w, BLKIF_OP_READ, 0, 1, 1);      /* and the frontend is still served */
    one(w, BLKIF_RSP_OKAY);
    assert_nothing_mapped(w);
}

/* map_data: a request's data grants mapped at once for the disk alone (the disk sees bus addresses). */
static void test_map_data(void **state)
{
    struct world *w = *state;
    unsigned int i;

    put_rw(w, BLKIF_OP_READ, 8, 2, 3);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_READ);
    assert_null(w->f.last_io.vec[0].va);
    assert_int_equal(w->f.last_io.vec[1].bus, FAKE_BUS + 4 * BLKBACK_PAGE_SIZE);
    assert_memory_equal(w->f.frame[3], dsk(w, 8), BLKBACK_PAGE_SIZE);
    assert_memory_equal(w->f.frame[4], dsk(w, 16), BLKBACK_PAGE_SIZE);
    assert_false(w->f.mapped_ro[3]);
    assert_int_equal(w->f.data_maps, 2);
    /* Indirect: the segment page through map (the CPU reads it), the data through map_data. */
    put_indirect(w, BLKIF_OP_READ, 0, 20, 40, 1);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_READ);
    for (i = 0; i < 20; i++)
        assert_memory_equal(w->f.frame[1 + i], dsk(w, 4 * i), 4 * 512);
    assert_int_equal(w->f.data_maps, 22);
    assert_int_equal(w->f.maps, 23);
    /* One bad grant among them: nothing mapped, ERROR, nothing submitted; the frontend carries on. */
    w->f.bad_ref = 5;
    w->f.submits = 0;
    put_rw(w, BLKIF_OP_WRITE, 0, 4, 3);
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.submits, 0);
    assert_int_equal(w->f.data_maps, 22);
    put_rw(w, BLKIF_OP_WRITE, 0, 1, 1);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_WRITE);
    assert_true(w->f.mapped_ro[1]);
    assert_nothing_mapped(w);
}

/* copy_in: an indirect request's segment pages copied out (nothing mapped for them), refusals as map's. */
static void test_copy_in(void **state)
{
    struct world *w = *state;
    unsigned int i;

    put_indirect(w, BLKIF_OP_READ, 0, 20, 40, 1);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_READ);
    for (i = 0; i < 20; i++)
        assert_memory_equal(w->f.frame[1 + i], dsk(w, 4 * i), 4 * 512);
    assert_int_equal(w->f.copies, 1);
    assert_int_equal(w->f.maps, 20);            /* the data only */
    put_indirect(w, BLKIF_OP_WRITE, 0, BLKBACK_MAX_INDIRECT_SEGS, 40, 1);
    assert_int_equal(one(w, BLKIF_RSP_OKAY), BLKIF_OP_WRITE);
    assert_int_equal(w->f.last_io.nr_vecs, BLKBACK_MAX_INDIRECT_SEGS);
    /* A bad indirect grant: ERROR, nothing submitted; a bad segment in a copied page: ERROR. */
    w->f.submits = 0;
    put_indirect(w, BLKIF_OP_READ, 0, 4, 40, 1)->indirect_grefs[0] = 999;
    one(w, BLKIF_RSP_ERROR);
    w->f.bad_ref = 40;
    put_indirect(w, BLKIF_OP_READ, 0, 4, 40, 1);
    one(w, BLKIF_RSP_ERROR);
    w->f.bad_ref = UINT32_MAX;
    put_indirect(w, BLKIF_OP_READ, 0, 4, 40, 1);
    ((struct blkif_request_segment *)w->f.frame[40])[2].last_sect = 8;
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.submits, 0);
    assert_nothing_mapped(w);
}

/* A batch: completions held, their grants unmapped together before any is answered. */
static void test_batch(void **state)
{
    struct world *w = *state;
    unsigned int i;

    w->f.defer = true;
    for (i = 0; i < 3; i++)
        put_rw(w, BLKIF_OP_READ, 8 * i, 2, 1 + 2 * i);
    put_indirect(w, BLKIF_OP_READ, 0, 20, 40, 10);  /* 20 data grants: 10..29 */
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.nr_deferred, 4);
    blkback_batch_begin(&w->be);
    for (i = 0; i < 4; i++) {
        disk_do(&w->f, w->f.deferred[i]);
        blkback_io_done(&w->be, w->f.deferred[i], i == 1 ? -XEN_EIO : 0);
    }
    /* Held: still mapped, nothing answered, the pool still holds them. */
    assert_int_equal(w->be.inflight, 4);
    assert_int_equal(w->f.mapped[1], 1);
    assert_int_equal(w->f.unmap_data_calls, 0);
    assert_int_equal(blkback_process(&w->be), 0);
    expect_no_rsp(w);
    blkback_batch_end(&w->be);
    /* 6 + 20 handles: one unmap_data call for the four requests. */
    assert_int_equal(w->f.unmap_data_calls, 1);
    assert_int_equal(w->be.inflight, 0);
    assert_nothing_mapped(w);
    assert_int_equal(blkback_process(&w->be), 0);
    expect_rsp(w, 1, BLKIF_RSP_OKAY);
    expect_rsp(w, 2, BLKIF_RSP_ERROR);
    expect_rsp(w, 3, BLKIF_RSP_OKAY);
    expect_rsp(w, 4, BLKIF_RSP_OKAY);
    assert_int_equal(w->f.notifies, 1);
    assert_memory_equal(w->f.frame[1], dsk(w, 0), BLKBACK_PAGE_SIZE);
    /* Two full indirect requests: 64 handles in two calls; an empty batch does nothing. */
    w->f.unmap_data_calls = 0;
    w->f.nr_deferred = 0;
    put_indirect(w, BLKIF_OP_READ, 0, BLKBACK_MAX_INDIRECT_SEGS, 40, 1);
    put_indirect(w, BLKIF_OP_READ, 0, BLKBACK_MAX_INDIRECT_SEGS, 41, 1);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    blkback_batch_begin(&w->be);
    blkback_io_done(&w->be, w->f.deferred[0], 0);
    blkback_io_done(&w->be, w->f.deferred[1], 0);
    blkback_batch_end(&w->be);
    assert_int_equal(w->f.unmap_data_calls, 2);
    blkback_batch_begin(&w->be);
    blkback_batch_end(&w->be);
    assert_int_equal(w->f.unmap_data_calls, 2);
    assert_int_equal(blkback_process(&w->be), 0);
    expect_rsp(w, 5, BLKIF_RSP_OKAY);
    expect_rsp(w, 6, BLKIF_RSP_OKAY);
    assert_nothing_mapped(w);
}

/* The requests of one pass are mapped together (32 grants a call, reads and writes apart), else one by one. */
static void test_map_batch(void **state)
{
    struct world *w = *state;
    unsigned int i;

    for (i = 0; i < 3; i++)
        put_rw(w, BLKIF_OP_READ, 8 * i, 2, 1 + 2 * i);
    put_rw(w, BLKIF_OP_WRITE, 64, 1, 20);
    put_rw(w, BLKIF_OP_READ, 80, 1, 21);
    put_rw(w, BLKIF_OP_READ, 88, 1, 22);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.map_data_calls, 3);           /* 3 reads | the write | 2 reads */
    for (i = 1; i <= 6; i++)
        expect_rsp(w, i, BLKIF_RSP_OKAY);
    assert_memory_equal(w->f.frame[3], dsk(w, 8), BLKBACK_PAGE_SIZE);
    assert_memory_equal(w->f.frame[22], dsk(w, 88), BLKBACK_PAGE_SIZE);
    assert_memory_equal(dsk(w, 64), w->f.frame[20], BLKBACK_PAGE_SIZE);
    assert_true(w->f.mapped_ro[20]);
    assert_false(w->f.mapped_ro[21]);
    assert_nothing_mapped(w);
    /* One bad grant in a group: the group refused, then each alone: only that request fails. */
    w->f.map_data_calls = 0;
    w->f.bad_ref = 4;
    for (i = 0; i < 3; i++)
        put_rw(w, BLKIF_OP_READ, 8 * i, 2, 1 + 2 * i);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.map_data_calls, 4);
    expect_rsp(w, 7, BLKIF_RSP_OKAY);
    expect_rsp(w, 8, BLKIF_RSP_ERROR);
    expect_rsp(w, 9, BLKIF_RSP_OKAY);
    assert_nothing_mapped(w);
    /* A flush between reads: the reads before it are mapped and submitted first. */
    w->f.map_data_calls = 0;
    w->f.bad_ref = UINT32_MAX;
    w->f.defer = true;
    w->f.nr_deferred = 0;
    put_rw(w, BLKIF_OP_READ, 0, 1, 1);
    put_rw(w, BLKIF_OP_READ, 8, 1, 2);
    put_rw(w, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0);
    put_rw(w, BLKIF_OP_READ, 16, 1, 3);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.nr_deferred, 4);
    assert_int_equal(w->f.deferred[2]->op, BLKBACK_IO_FLUSH);
    assert_int_equal(w->f.deferred[3]->sector, 16 + 16);     /* the region starts at 16 */
    assert_int_equal(w->f.map_data_calls, 2);
    for (i = 0; i < 4; i++) {
        disk_do(&w->f, w->f.deferred[i]);
        blkback_io_done(&w->be, w->f.deferred[i], 0);
    }
    assert_int_equal(blkback_process(&w->be), 0);
    for (i = 10; i <= 13; i++)
        expect_rsp(w, i, BLKIF_RSP_OKAY);
    /* Two full indirect requests: 64 grants, two calls. */
    w->f.defer = false;
    w->f.map_data_calls = 0;
    put_indirect(w, BLKIF_OP_READ, 0, BLKBACK_MAX_INDIRECT_SEGS, 40, 1);
    put_indirect(w, BLKIF_OP_READ, 0, BLKBACK_MAX_INDIRECT_SEGS, 41, 1);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.map_data_calls, 2);
    expect_rsp(w, 14, BLKIF_RSP_OKAY);
    expect_rsp(w, 15, BLKIF_RSP_OKAY);
    assert_nothing_mapped(w);
}

static void test_bad_segment(void **state)
{
    struct world *w = *state;
    struct blkif_request *r;

    r = put_rw(w, BLKIF_OP_READ, 0, 2, 1);
    r->seg[1].first_sect = 5;
    r->seg[1].last_sect = 4;
    one(w, BLKIF_RSP_ERROR);
    put_rw(w, BLKIF_OP_WRITE, 0, 1, 1)->seg[0].last_sect = 8;   /* crosses the page */
    one(w, BLKIF_RSP_ERROR);
    r = put_rw(w, BLKIF_OP_READ, 0, 1, 1);
    r->seg[0].first_sect = 200;
    r->seg[0].last_sect = 255;
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.maps, 0);
    assert_int_equal(w->f.submits, 0);
}

static void test_beyond_disk(void **state)
{
    struct world *w = *state;

    put_rw(w, BLKIF_OP_READ, 127, 1, 1);    /* 8 sectors from the last one */
    one(w, BLKIF_RSP_ERROR);
    put_rw(w, BLKIF_OP_READ, 128, 1, 1)->seg[0].last_sect = 0;
    one(w, BLKIF_RSP_ERROR);
    put_rw(w, BLKIF_OP_WRITE, UINT64_MAX - 3, 1, 1);    /* sector + length wraps */
    one(w, BLKIF_RSP_ERROR);
    put_discard(w, UINT64_MAX, 2);
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.submits, 0);
    assert_nothing_mapped(w);
}

static void test_unknown_op(void **state)
{
    struct world *w = *state;

    put_rw(w, BLKIF_OP_RESERVED_1, 0, 1, 1);
    assert_int_equal(one(w, BLKIF_RSP_EOPNOTSUPP), BLKIF_OP_RESERVED_1);
    put_rw(w, 0xee, 0, 1, 1);
    assert_int_equal(one(w, BLKIF_RSP_EOPNOTSUPP), 0xee);
    assert_int_equal(w->f.maps, 0);
}

static void test_bad_nr_segments(void **state)
{
    struct world *w = *state;

    put_rw(w, BLKIF_OP_READ, 0, BLKIF_MAX_SEGMENTS_PER_REQUEST, 1);
    one(w, BLKIF_RSP_OKAY);
    put_rw(w, BLKIF_OP_READ, 0, BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, 1);
    one(w, BLKIF_RSP_ERROR);
    put_rw(w, BLKIF_OP_WRITE, 0, 255, 1);
    one(w, BLKIF_RSP_ERROR);
    put_rw(w, BLKIF_OP_READ, 0, 0, 1);      /* 0 is for flushes only */
    one(w, BLKIF_RSP_ERROR);
    assert_int_equal(w->f.submits, 1);
    assert_nothing_mapped(w);
}

static void test_readonly(void **state)
{
    struct world *w = *state;
    struct blkback_disk d = plain_disk;

    d.readonly = true;
    world_up(w, &d, 0);
    put_rw(w, BLKIF_OP_WRITE, 0, 1, 1);
    one(w, BLKIF_RSP_ERROR);
    put_indirect(w, BLKIF_OP_WRITE, 0, 2, 40, 1);
    one(w, BLKIF_RSP_ERROR);
    put_rw(w, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0);
    one(w, BLKIF_RSP_ERROR);
    put_discard(w, 0, 1);
    one(w, BLKIF_RSP_ERROR);
    put_rw(w, BLKIF_OP_READ, 0, 1, 1);
    one(w, BLKIF_RSP_OKAY);
    assert_int_equal(w->f.submits, 1);
    assert_nothing_mapped(w);
}

/* req_prod far ahead: stop serving, unmap the ring; another frontend carries on. */
static void test_garbage_ring_index(void **state)
{
    struct world *w = *state;
    struct world *other = world_new();

    put_rw(w, BLKIF_OP_READ, 0, 1, 1);
    push(w);
    w->front.sring->req_prod = 0x80000000u;
    assert_int_equal(blkback_process(&w->be), -XEN_EACCES);
    assert_false(w->be.connected);
    assert_true(blkback_idle(&w->be));
    assert_int_equal(w->f.ring_unmaps, 1);
    assert_int_equal(w->f.submits, 0);
    assert_true(strstr(logbuf, "bogus ring") != NULL);
    assert_int_equal(blkback_process(&w->be), -XEN_ENOTCONN);
    assert_nothing_mapped(w);

    world_up(other, &plain_disk, 0);
    put_rw(other, BLKIF_OP_READ, 0, 1, 1);
    one(other, BLKIF_RSP_OKAY);
    free(other);
}

/* Garbage while requests are at the disk: the ring goes when the last one completes. */
static void test_garbage_with_inflight(void **state)
{
    struct world *w = *state;

    w->f.defer = true;
    put_rw(w, BLKIF_OP_READ, 0, 2, 1);
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    w->front.sring->req_prod += 1000;
    assert_int_equal(blkback_process(&w->be), -XEN_EACCES);
    assert_true(w->f.ring_mapped);      /* the disk still writes into mapped pages */
    blkback_io_done(&w->be, w->f.deferred[0], 0);
    assert_false(w->f.ring_mapped);
    assert_true(blkback_idle(&w->be));
    expect_no_rsp(w);
    assert_nothing_mapped(w);
}

/* With a ring's worth unanswered, one request more is garbage, not an overrun of our slots. */
static void test_overcommitted_ring(void **state)
{
    struct world *w = *state;
    unsigned int i;

    w->f.defer = true;
    for (i = 0; i < 32; i++)
        put_rw(w, BLKIF_OP_READ, 0, 1, 1)->seg[0].last_sect = 0;
    push(w);
    assert_int_equal(blkback_process(&w->be), 0);
    assert_int_equal(w->f.nr_deferred, 32);
    w->front.sring->req_prod += 1;
    assert_int_equal(blkback_process(&w->be), -XEN_EACCES);
    assert_int_equal(w->f.nr_deferred, 32);
    for (i = 0; i < 32; i++)
        blkback_io_done(&w->be, w->f.deferred[i], 0);
    assert_true(blkback_idle(&w->be));
    assert_nothing_mapped(w);
}

static void test_ring_revoked(void **state)
{
    struct world *w = *state;
    struct blkback be;
    struct blkback_ops ops = fake_ops;
    uint32_t refs[2] = { RING_REF0, RING_REF0 + 7 };

    ops.ctx = &w->f;
    assert_int_equal(blkback_init(&be, &ops, &plain_disk, 2), 0);
    w->f.ring_revoked = true;
    assert_int_equal(blkback_connect(&be, refs, 0), -XEN_EINVAL);
    w->f.ring_revoked = false;
    assert_int_equal(blkback_connect(&be, refs, 1), -XEN_EINVAL);   /* one page not granted */
    assert_int_equal(blkback_connect(&be, refs, BLKBACK_MAX_RING_ORDER + 1), -XEN_EINVAL);
    assert_true(blkback_idle(&be));
    assert_int_equal(blkback_process(&be), -XEN_ENOTCONN);
    assert_int_equal(blkback_connect(&be, refs, 0), 0);
    assert_int_equal(blkback_connect(&be, refs, 0), -XEN_EISCONN);
    blkback_disconnect(&be);
    assert_true(blkback_idle(&be));
}

static void test_bad_region(void **state)
{
    struct blkback be;
    struct blkback_disk d = plain_disk;

    (void)state;
    d.offset = DISK_SECT - 127;
    assert_int_equal(blkback_init(&be, &fake_ops, &d, 1), -XEN_EINVAL);
    d.offset = UINT64_MAX;
    assert_int_equal(blkback_init(&be, &fake_ops, &d, 1), -XEN_EINVAL);
    d.offset = 0;
    d.sectors = 0;
    assert_int_equal(blkback_init(&be, &fake_ops, &d, 1), -XEN_EINVAL);
}

/* ---- store ---- */

struct kv {
    char key[32][32];
    char val[32][32];
    unsigned int n;
    int fail_at;                /* write number that fails (-1: none) */
};

static int kv_write(void *ctx, const char *key, const char *val)
{
    struct kv *kv = ctx;

    if ((int)kv->n == kv->fail_at)
        return -XEN_EACCES;
    assert_true(kv->n < 32);
    strcpy(kv->key[kv->n], key);
    strcpy(kv->val[kv->n], val);
    kv->n++;
    return 0;
}

static int kv_read(void *ctx, const char *key, char *buf, uint32_t cap)
{
    struct kv *kv = ctx;
    unsigned int i;

    for (i = 0; i < kv->n; i++)
        if (!strcmp(kv->key[i], key)) {
            snprintf(buf, cap, "%s", kv->val[i]);
            return (int)strlen(buf);
        }
    return -XEN_ENOENT;
}

static const char *kv_get(struct kv *kv, const char *key)
{
    unsigned int i;

    for (i = 0; i < kv->n; i++)
        if (!strcmp(kv->key[i], key))
            return kv->val[i];
    return NULL;
}

static void test_publish(void **state)
{
    struct kv kv = { .fail_at = -1 };
    struct blkback_xs_ops xs = { .ctx = &kv, .write = kv_write, .read = kv_read };
    struct blkback_disk d = plain_disk;

    (void)state;
    assert_int_equal(blkback_publish_features(&xs, &d), 0);
    assert_string_equal(kv_get(&kv, "feature-flush-cache"), "1");
    assert_string_equal(kv_get(&kv, "feature-barrier"), "1");
    assert_string_equal(kv_get(&kv, "feature-discard"), "1");
    assert_string_equal(kv_get(&kv, "discard-granularity"), "512");
    assert_string_equal(kv_get(&kv, "discard-secure"), "0");
    assert_string_equal(kv_get(&kv, "feature-persistent"), "0");
    assert_string_equal(kv_get(&kv, "max-ring-page-order"), "2");
    assert_string_equal(kv_get(&kv, "feature-max-indirect-segments"), "32");
    assert_int_equal(blkback_publish_disk(&xs, &d), 0);
    assert_string_equal(kv_get(&kv, "sectors"), "128");
    assert_string_equal(kv_get(&kv, "info"), "0");
    assert_string_equal(kv_get(&kv, "sector-size"), "512");
    assert_string_equal(kv_get(&kv, "physical-sector-size"), "512");
    assert_string_equal(kv_get(&kv, "mode"), "w");

    memset(&kv, 0, sizeof(kv));
    kv.fail_at = -1;
    d.readonly = true;
    d.flush = d.discard = false;
    d.sectors = 10000000000ull;
    d.physical_sector_size = 4096;
    assert_int_equal(blkback_publish_features(&xs, &d), 0);
    assert_string_equal(kv_get(&kv, "feature-flush-cache"), "0");
    assert_string_equal(kv_get(&kv, "feature-discard"), "0");
    assert_null(kv_get(&kv, "discard-granularity"));
    assert_int_equal(blkback_publish_disk(&xs, &d), 0);
    assert_string_equal(kv_get(&kv, "sectors"), "10000000000");
    assert_string_equal(kv_get(&kv, "info"), "4");
    assert_string_equal(kv_get(&kv, "physical-sector-size"), "4096");
    assert_string_equal(kv_get(&kv, "mode"), "r");

    memset(&kv, 0, sizeof(kv));
    kv.fail_at = 2;
    assert_int_equal(blkback_publish_features(&xs, &d), -XEN_EACCES);
}

static int read_front(struct kv *kv, struct blkback_front *f)
{
    struct blkback_xs_ops xs = { .ctx = kv, .write = kv_write, .read = kv_read };

    memset(f, 0, sizeof(*f));
    return blkback_read_frontend(&xs, f);
}

static void test_read_frontend(void **state)
{
    struct kv kv = { .fail_at = -1 };
    struct blkback_front f;

    (void)state;
    kv_write(&kv, "ring-ref", "8");
    kv_write(&kv, "event-channel", "12");
    assert_int_equal(read_front(&kv, &f), 0);
    assert_int_equal(f.ring_order, 0);
    assert_int_equal(f.ring_ref[0], 8);
    assert_int_equal(f.event_channel, 12);
    kv_write(&kv, "protocol", "x86_32-abi");
    assert_int_equal(read_front(&kv, &f), -XEN_ENOSYS);
    strcpy(kv.val[2], XEN_IO_PROTO_ABI_X86_64);
    assert_int_equal(read_front(&kv, &f), 0);

    memset(&kv, 0, sizeof(kv));
    kv.fail_at = -1;
    kv_write(&kv, "ring-page-order", "2");
    kv_write(&kv, "ring-ref0", "20");
    kv_write(&kv, "ring-ref1", "21");
    kv_write(&kv, "ring-ref2", "22");
    kv_write(&kv, "event-channel", "5");
    assert_int_equal(read_front(&kv, &f), -XEN_ENOENT);     /* ring-ref3 missing */
    kv_write(&kv, "ring-ref3", "4294967295");
    assert_int_equal(read_front(&kv, &f), 0);
    assert_int_equal(f.ring_order, 2);
    assert_int_equal(f.ring_ref[3], UINT32_MAX);
    strcpy(kv.val[4], "4294967296");
    assert_int_equal(read_front(&kv, &f), -XEN_EINVAL);
    strcpy(kv.val[4], "7x");
    assert_int_equal(read_front(&kv, &f), -XEN_EINVAL);
    strcpy(kv.val[4], "");
    assert_int_equal(read_front(&kv, &f), -XEN_EINVAL);
    strcpy(kv.val[4], "7");
    strcpy(kv.val[0], "3");
    assert_int_equal(read_front(&kv, &f), -XEN_EINVAL);     /* above max-ring-page-order */
    strcpy(kv.val[0], "-1");
    assert_int_equal(read_front(&kv, &f), -XEN_EINVAL);
    strcpy(kv.val[0], "0");
    assert_int_equal(read_front(&kv, &f), -XEN_ENOENT);     /* order 0 wants ring-ref */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_region, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_unsupported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_flush_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_barrier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inflight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipage_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_grant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_data, setup_map_data, teardown),
        cmocka_unit_test_setup_teardown(test_copy_in, setup_copy_in, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup_map_data, teardown),
        cmocka_unit_test_setup_teardown(test_map_batch, setup_map_data, teardown),
        cmocka_unit_test_setup_teardown(test_bad_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_beyond_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_op, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_nr_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_ring_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_with_inflight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overcommitted_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_revoked, setup, teardown),
        cmocka_unit_test(test_bad_region),
        cmocka_unit_test(test_publish),
        cmocka_unit_test(test_read_frontend),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
