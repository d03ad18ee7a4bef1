/*
 * Unit tests for pvdrivers/blkfront/blkfront.c against a fake back end in
 * this file: a store of key/value pairs, a grant table of host pointers,
 * and a RAM disk served from the shared ring the front end publishes.
 * The back end can be honest (each op, indirect, multi-page rings, many
 * in flight, a full ring) or hostile (ids not in flight, wrong operation,
 * a garbage response producer, closing with I/O pending); afterwards no
 * grant may be left active unless the back end still maps it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "blkfront.h"
#include "pvos.h"
#include <tandem/errno.h>

#define DISK_SECTORS 4096
#define FE "device/vbd/51712"
#define BE "backend/vbd/1/51712"
#define MAX_GRANTS 2048

static uint8_t disk[DISK_SECTORS * 512];
static char last_log[4096];             /* every line since setup */

/* ---- pvos_log ---- */
void pvos_log(const char *fmt, ...)
{
    size_t n = strlen(last_log);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_log + n, sizeof(last_log) - n, fmt, ap);
    va_end(ap);
    n = strlen(last_log);
    if (n + 1 < sizeof(last_log))
        strcat(last_log, "\n");
}

/* ---- the store ---- */
static struct { char path[128]; char val[64]; } store[64];
static unsigned int nr_store;

static const char *xs_get(const char *path)
{
    for (unsigned int i = 0; i < nr_store; i++)
        if (!strcmp(store[i].path, path))
            return store[i].val;
    return NULL;
}

static void xs_set(const char *path, const char *val)
{
    for (unsigned int i = 0; i < nr_store; i++)
        if (!strcmp(store[i].path, path)) {
            snprintf(store[i].val, sizeof(store[i].val), "%s", val);
            return;
        }
    assert_true(nr_store < 64);
    snprintf(store[nr_store].path, sizeof(store[0].path), "%s", path);
    snprintf(store[nr_store++].val, sizeof(store[0].val), "%s", val);
}

static int fake_xs_read(void *ctx, const char *path, char *buf, unsigned int cap)
{
    const char *v = xs_get(path);

    (void)ctx;
    if (!v)
        return -XEN_ENOENT;
    snprintf(buf, cap, "%s", v);
    return (int)strlen(buf);
}

static int fake_xs_write(void *ctx, const char *path, const char *value)
{
    (void)ctx;
    xs_set(path, value);
    return 0;
}

/* ---- grants, pages, channel ---- */
static struct { void *page; bool active, ro, mapped; } gnt[MAX_GRANTS];
static unsigned int ring_pages_alloc, pages_live, notifies, evtchn_closed;
static void *ring_va;

static int fake_grant(void *ctx, const void *page, bool ro)
{
    (void)ctx;
    for (int i = 1; i < MAX_GRANTS; i++)
        if (!gnt[i].active) {
            gnt[i].page = (void *)page;
            gnt[i].active = true;
            gnt[i].ro = ro;
            gnt[i].mapped = false;
            return i;
        }
    return -XEN_ENOSPC;
}

static int fake_grant_end(void *ctx, uint32_t ref)
{
    (void)ctx;
    assert_true(ref < MAX_GRANTS && gnt[ref].active);       /* never a double end */
    if (gnt[ref].mapped)
        return -XEN_EBUSY;
    gnt[ref].active = false;
    return 0;
}

static unsigned int grants_active(void)
{
    unsigned int n = 0;

    for (int i = 0; i < MAX_GRANTS; i++)
        n += gnt[i].active;
    return n;
}

static void *fake_ring_alloc(void *ctx, unsigned int nr)
{
    (void)ctx;
    ring_pages_alloc = nr;
    ring_va = aligned_alloc(4096, 4096u * nr);
    memset(ring_va, 0xa5, 4096u * nr);      /* the front end must init what it uses */
    return ring_va;
}

static void fake_ring_free(void *ctx, void *ring, unsigned int nr)
{
    (void)ctx;
    assert_ptr_equal(ring, ring_va);
    assert_int_equal(nr, ring_pages_alloc);
    free(ring);
    ring_va = NULL;
}

static void *fake_page_alloc(void *ctx)
{
    void *p = aligned_alloc(4096, 4096);

    (void)ctx;
    memset(p, 0, 4096);
    pages_live++;
    return p;
}

static void fake_page_free(void *ctx, void *page)
{
    (void)ctx;
    pages_live--;
    free(page);
}

static int fake_evtchn_alloc(void *ctx, uint32_t *port) { (void)ctx; *port = 7; return 0; }
static void fake_evtchn_close(void *ctx, uint32_t port) { (void)ctx; assert_int_equal(port, 7); evtchn_closed++; }
static void fake_notify(void *ctx, uint32_t port) { (void)ctx; assert_int_equal(port, 7); notifies++; }

static const struct blkfront_ops ops = {
    .ring_alloc = fake_ring_alloc, .ring_free = fake_ring_free,
    .page_alloc = fake_page_alloc, .page_free = fake_page_free,
    .grant = fake_grant, .grant_end = fake_grant_end,
    .evtchn_alloc = fake_evtchn_alloc, .evtchn_close = fake_evtchn_close, .notify = fake_notify,
    .xs_read = fake_xs_read, .xs_write = fake_xs_write,
};

/* ---- the fake back end ---- */
static blkif_back_ring_t be;
static unsigned int be_seen[8];         /* requests per operation */
static int16_t be_status = BLKIF_RSP_OKAY;
static unsigned int be_max_segs;

static void *gpage(grant_ref_t ref, bool write)
{
    assert_true(ref < MAX_GRANTS && gnt[ref].active);
    if (write)
        assert_false(gnt[ref].ro);     /* a read lands in the page: it must be writable */
    return gnt[ref].page;
}

static void do_seg(uint8_t op, uint64_t *sector, const struct blkif_request_segment *s)
{
    uint8_t *page = gpage(s->gref, op == BLKIF_OP_READ);
    unsigned int n = s->last_sect - s->first_sect + 1u;

    assert_true(s->first_sect <= s->last_sect && s->last_sect < 8);
    assert_true(*sector + n <= DISK_SECTORS);
    if (op == BLKIF_OP_READ)
        memcpy(page + s->first_sect * 512, disk + *sector * 512, n * 512);
    else
        memcpy(disk + *sector * 512, page + s->first_sect * 512, n * 512);
    *sector += n;
}

static struct blkif_response serve_one(const union blkif_sring_entry *e)
{
    struct blkif_response rsp = { .id = e->req.id, .operation = e->req.operation, .status = be_status };
    uint64_t sector = e->req.sector_number;

    be_seen[e->req.operation & 7]++;
    if (e->req.operation == BLKIF_OP_INDIRECT) {
        const struct blkif_request_indirect *ind = (const void *)e;
        const struct blkif_request_segment *segs = gpage(ind->indirect_grefs[0], false);

        assert_true(gnt[ind->indirect_grefs[0]].ro);
        assert_true(ind->nr_segments <= be_max_segs && ind->nr_segments <= 512);
        for (unsigned int i = 0; i < ind->nr_segments; i++)
            do_seg(ind->indirect_op, &sector, &segs[i]);
        rsp.id = ind->id;
        rsp.operation = ind->indirect_op;
    } else if (e->req.operation == BLKIF_OP_READ || e->req.operation == BLKIF_OP_WRITE) {
        assert_true(e->req.nr_segments >= 1 && e->req.nr_segments <= 11);
        for (unsigned int i = 0; i < e->req.nr_segments; i++)
            do_seg(e->req.operation, &sector, &e->req.seg[i]);
    } else {
        assert_int_equal(e->req.nr_segments, 0);
    }
    return rsp;
}

/* Answer every published request; deliver the event if the front end asked for one. */
static unsigned int be_serve(struct blkfront *f)
{
    unsigned int n = 0;
    bool notify, more;

    do {
        do {
            while (RING_HAS_UNCONSUMED_REQUESTS(&be)) {
                union blkif_sring_entry e;

                RING_COPY_(&e, &be.sring->ring[be.req_cons++ & (RING_SIZE(&be) - 1)]);
                *RING_GET_RESPONSE(&be, be.rsp_prod_pvt++) = serve_one(&e);
                n++;
            }
            RING_FINAL_CHECK_FOR_REQUESTS(&be, more);
        } while (more);
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&be, notify);
        if (notify)
            blkfront_handle_event(f);      /* may send what was waiting for a slot */
    } while (ring_va && RING_HAS_UNCONSUMED_REQUESTS(&be));
    return n;
}

/* ---- set up ---- */
static struct blkfront *f;
static unsigned int done_count, done_err;
static int done_last;
static bool disconnect_in_done;

static int setup(void **state)
{
    (void)state;
    memset(gnt, 0, sizeof(gnt));
    nr_store = 0;
    ring_pages_alloc = pages_live = notifies = evtchn_closed = 0;
    memset(be_seen, 0, sizeof(be_seen));
    be_status = BLKIF_RSP_OKAY;
    be_max_segs = 0;
    done_count = done_err = 0;
    disconnect_in_done = false;
    done_last = 0;
    last_log[0] = '\0';
    for (unsigned int i = 0; i < DISK_SECTORS * 512; i++)
        disk[i] = (uint8_t)(i * 7 + i / 512);
    f = calloc(1, sizeof(*f));
    xs_set(FE "/backend", BE);
    xs_set(BE "/sectors", "4096");
    xs_set(BE "/sector-size", "512");
    xs_set(BE "/info", "0");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    blkfront_disconnect(f);
    free(f);
    if (ring_va)
        free(ring_va);
    ring_va = NULL;
    return 0;
}

/* Front end up to Connected; the back end attaches to its ring. */
static void connect_fe(void)
{
    assert_int_equal(blkfront_init(f, &ops, NULL, FE, 51712), 0);
    assert_string_equal(xs_get(FE "/state"), "1");
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateInitWait), 0);
    assert_string_equal(xs_get(FE "/state"), "3");
    assert_int_equal(f->state, BLKFRONT_INITIALISED);
    BACK_RING_INIT(&be, (blkif_sring_t *)ring_va, 4096u * ring_pages_alloc);
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateConnected), 0);
    assert_string_equal(xs_get(FE "/state"), "4");
    assert_int_equal(f->state, BLKFRONT_CONNECTED);
}

static void *pages[64];



static void on_done(struct blkfront_io *io)
{
    if (disconnect_in_done) {
        disconnect_in_done = false;
        blkfront_disconnect(f);
    }
    done_count++;
    done_last = io->status;
    if (io->status)
        done_err++;
}

static void alloc_pages(unsigned int n, uint8_t fill)
{
    for (unsigned int i = 0; i < n; i++) {
        pages[i] = aligned_alloc(4096, 4096);
        memset(pages[i], fill, 4096);
    }
}

static void free_pages(unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        free(pages[i]);
}

static struct blkfront_io mkio(enum blkfront_op op, uint64_t sector, uint32_t n, uint32_t first)
{
    return (struct blkfront_io){ .op = op, .sector = sector, .nr_sectors = n, .first_sect = first,
                                 .pages = pages, .done = on_done };
}

/* ---- tests ---- */

static void test_handshake_single_page(void **state)
{
    (void)state;
    xs_set(BE "/feature-flush-cache", "1");
    connect_fe();
    assert_int_equal(ring_pages_alloc, 1);
    assert_non_null(xs_get(FE "/ring-ref"));
    assert_null(xs_get(FE "/ring-page-order"));
    assert_true(gnt[atoi(xs_get(FE "/ring-ref"))].active);
    assert_false(gnt[atoi(xs_get(FE "/ring-ref"))].ro);
    assert_string_equal(xs_get(FE "/event-channel"), "7");
    assert_string_equal(xs_get(FE "/protocol"), "x86_64-abi");
    assert_int_equal(RING_SIZE(&f->ring), 32);
    assert_int_equal(f->sectors, 4096);
    assert_true(f->feature_flush);
    assert_int_equal(blkfront_max_sectors(f), 88);
}

static void test_read_write(void **state)
{
    struct blkfront_io w, r;

    (void)state;
    connect_fe();
    alloc_pages(2, 0x5c);
    /* 10 sectors from sector 2 of page 0: two segments, 2..7 then 0..3. */
    disk[99 * 512 + 511] = disk[110 * 512] = 0;
    w = mkio(BLKFRONT_WRITE, 100, 10, 2);
    assert_int_equal(blkfront_submit(f, &w), 0);
    assert_int_equal(notifies, 1);
    assert_int_equal(be_serve(f), 1);
    assert_int_equal(done_count, 1);
    assert_int_equal(w.status, 0);
    for (unsigned int i = 0; i < 10 * 512; i++)
        assert_int_equal(disk[100 * 512 + i], 0x5c);
    assert_int_not_equal(disk[99 * 512 + 511], 0x5c);
    assert_int_not_equal(disk[110 * 512], 0x5c);

    memset(pages[0], 0, 4096);
    memset(pages[1], 0, 4096);
    disk[100 * 512] = 0x11;
    r = mkio(BLKFRONT_READ, 100, 10, 2);
    assert_int_equal(blkfront_submit(f, &r), 0);
    be_serve(f);
    assert_int_equal(r.status, 0);
    assert_int_equal(((uint8_t *)pages[0])[2 * 512], 0x11);
    assert_int_equal(((uint8_t *)pages[1])[4 * 512 - 1], 0x5c);
    assert_int_equal(((uint8_t *)pages[1])[4 * 512], 0);       /* nothing past last_sect */
    assert_int_equal(be_seen[BLKIF_OP_WRITE], 1);
    assert_int_equal(be_seen[BLKIF_OP_READ], 1);
    assert_int_equal(grants_active(), 1);                       /* only the ring's */
    free_pages(2);
}

static void test_flush(void **state)
{
    struct blkfront_io fl = mkio(BLKFRONT_FLUSH, 0, 0, 0);

    (void)state;
    xs_set(BE "/feature-flush-cache", "1");
    connect_fe();
    assert_int_equal(blkfront_submit(f, &fl), 0);
    be_serve(f);
    assert_int_equal(fl.status, 0);
    assert_int_equal(be_seen[BLKIF_OP_FLUSH_DISKCACHE], 1);
    /* The back end refuses after all: the op fails, and flushes are no longer offered. */
    be_status = BLKIF_RSP_EOPNOTSUPP;
    assert_int_equal(blkfront_submit(f, &fl), 0);
    be_serve(f);
    assert_int_equal(fl.status, -XEN_EOPNOTSUPP);
    assert_int_equal(blkfront_submit(f, &fl), -XEN_EOPNOTSUPP);
    assert_int_equal(f->state, BLKFRONT_CONNECTED);
}

static void test_flush_barrier_or_none(void **state)
{
    struct blkfront_io fl = mkio(BLKFRONT_FLUSH, 0, 0, 0);

    (void)state;
    xs_set(BE "/feature-barrier", "1");
    connect_fe();
    assert_int_equal(blkfront_submit(f, &fl), 0);
    be_serve(f);
    assert_int_equal(fl.status, 0);
    assert_int_equal(be_seen[BLKIF_OP_WRITE_BARRIER], 1);
    blkfront_disconnect(f);
    xs_set(BE "/feature-barrier", "0");
    connect_fe();
    assert_int_equal(blkfront_submit(f, &fl), -XEN_EOPNOTSUPP);
}

static void test_status_error(void **state)
{
    struct blkfront_io r;

    (void)state;
    connect_fe();
    alloc_pages(1, 0);
    r = mkio(BLKFRONT_READ, 0, 8, 0);
    be_status = BLKIF_RSP_ERROR;
    assert_int_equal(blkfront_submit(f, &r), 0);
    be_serve(f);
    assert_int_equal(r.status, -XEN_EIO);
    be_status = 77;                             /* not a status at all: an error too */
    assert_int_equal(blkfront_submit(f, &r), 0);
    be_serve(f);
    assert_int_equal(r.status, -XEN_EIO);
    assert_int_equal(f->state, BLKFRONT_CONNECTED);
    assert_int_equal(grants_active(), 1);
    free_pages(1);
}

static void test_indirect(void **state)
{
    struct blkfront_io w, r;

    (void)state;
    xs_set(BE "/feature-max-indirect-segments", "32");
    be_max_segs = 32;
    connect_fe();
    assert_int_equal(f->max_indirect, 32);
    assert_int_equal(blkfront_max_sectors(f), 256);
    alloc_pages(33, 0);
    for (unsigned int i = 0; i < 20; i++)
        memset(pages[i], 0x40 + (int)i, 4096);
    w = mkio(BLKFRONT_WRITE, 1000, 160, 0);            /* 20 segments: indirect */
    assert_int_equal(blkfront_submit(f, &w), 0);
    assert_int_equal(pages_live, 1);                    /* one indirect page in flight */
    be_serve(f);
    assert_int_equal(w.status, 0);
    assert_int_equal(be_seen[BLKIF_OP_INDIRECT], 1);
    assert_int_equal(pages_live, 0);
    for (unsigned int i = 0; i < 20; i++)
        assert_int_equal(disk[(1000 + i * 8) * 512 + 100], 0x40 + i);
    for (unsigned int i = 0; i < 20; i++)
        memset(pages[i], 0, 4096);
    r = mkio(BLKFRONT_READ, 1000, 160, 0);
    assert_int_equal(blkfront_submit(f, &r), 0);
    be_serve(f);
    assert_int_equal(r.status, 0);
    assert_int_equal(((uint8_t *)pages[19])[4095], 0x40 + 19);
    /* 11 segments still go direct; 33 is more than allowed. */
    r = mkio(BLKFRONT_READ, 0, 88, 0);
    assert_int_equal(blkfront_submit(f, &r), 0);
    be_serve(f);
    assert_int_equal(be_seen[BLKIF_OP_READ], 1);
    r = mkio(BLKFRONT_READ, 0, 257, 0);
    assert_int_equal(blkfront_submit(f, &r), -XEN_E2BIG);
    assert_int_equal(grants_active(), 1);
    free_pages(33);
}

static void test_no_indirect_e2big(void **state)
{
    struct blkfront_io r = mkio(BLKFRONT_READ, 0, 89, 0);

    (void)state;
    xs_set(BE "/feature-max-indirect-segments", "8");   /* no better than direct: unused */
    connect_fe();
    assert_int_equal(f->max_indirect, 0);
    assert_int_equal(blkfront_submit(f, &r), -XEN_E2BIG);
    r = mkio(BLKFRONT_READ, 0, 81, 7);                  /* 7 + 81 sectors: 11 pages, fits */
    alloc_pages(11, 0);
    assert_int_equal(blkfront_submit(f, &r), 0);
    be_serve(f);
    assert_int_equal(r.status, 0);
    free_pages(11);
}

static void test_multi_page_ring(void **state)
{
    static struct blkfront_io io[128];
    char key[32];

    (void)state;
    xs_set(BE "/max-ring-page-order", "2");
    connect_fe();
    assert_int_equal(ring_pages_alloc, 4);
    assert_string_equal(xs_get(FE "/ring-page-order"), "2");
    assert_null(xs_get(FE "/ring-ref"));
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof(key), FE "/ring-ref%d", i);
        assert_non_null(xs_get(key));
        assert_ptr_equal(gnt[atoi(xs_get(key))].page, (uint8_t *)ring_va + 4096 * i);
    }
    assert_int_equal(RING_SIZE(&f->ring), 128);
    alloc_pages(1, 0);
    for (int i = 0; i < 128; i++) {
        io[i] = mkio(BLKFRONT_READ, (uint64_t)i * 8, 8, 0);
        assert_int_equal(blkfront_submit(f, &io[i]), 0);
    }
    assert_int_equal(f->in_flight, 128);
    assert_int_equal(notifies, 1);          /* the back end asked once and did not re-arm */
    assert_int_equal(be_serve(f), 128);
    assert_int_equal(done_count, 128);
    assert_int_equal(done_err, 0);
    assert_int_equal(grants_active(), 4);
    free_pages(1);
}

static void test_queue_when_full(void **state)
{
    static struct blkfront_io io[40];

    (void)state;
    xs_set(BE "/max-ring-page-order", "9");         /* above what we support: capped */
    connect_fe();
    assert_int_equal(ring_pages_alloc, 16);
    assert_int_equal(RING_SIZE(&f->ring), 512);
    blkfront_disconnect(f);
    xs_set(BE "/max-ring-page-order", "0");
    connect_fe();
    alloc_pages(1, 0);
    for (int i = 0; i < 40; i++) {
        io[i] = mkio(BLKFRONT_WRITE, (uint64_t)i, 1, 0);
        assert_int_equal(blkfront_submit(f, &io[i]), 0);
    }
    assert_int_equal(f->in_flight, 32);
    assert_int_equal(be_serve(f), 40);          /* completions free slots; the rest go out */
    assert_int_equal(done_count, 40);
    assert_int_equal(f->in_flight, 0);
    free_pages(1);
}

static void test_refusals(void **state)
{
    struct blkfront_io io;

    (void)state;
    io = mkio(BLKFRONT_READ, 0, 1, 0);
    assert_int_equal(blkfront_init(f, &ops, NULL, FE, 51712), 0);
    assert_int_equal(blkfront_submit(f, &io), -XEN_ENOTCONN);
    xs_set(BE "/info", "4");
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateInitWait), 0);
    BACK_RING_INIT(&be, (blkif_sring_t *)ring_va, 4096);
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateConnected), 0);
    alloc_pages(1, 0);
    io = mkio(BLKFRONT_WRITE, 0, 1, 0);
    assert_int_equal(blkfront_submit(f, &io), -XEN_EACCES);
    io = mkio(BLKFRONT_READ, 4095, 2, 0);
    assert_int_equal(blkfront_submit(f, &io), -XEN_EINVAL);
    io = mkio(BLKFRONT_READ, UINT64_MAX, 1, 0);
    assert_int_equal(blkfront_submit(f, &io), -XEN_EINVAL);
    io = mkio(BLKFRONT_READ, 0, 0, 0);
    assert_int_equal(blkfront_submit(f, &io), -XEN_EINVAL);
    io = mkio(BLKFRONT_READ, 0, 1, 8);
    assert_int_equal(blkfront_submit(f, &io), -XEN_EINVAL);
    io = mkio(BLKFRONT_READ, 4095, 1, 0);
    assert_int_equal(blkfront_submit(f, &io), 0);
    be_serve(f);
    assert_int_equal(io.status, 0);
    assert_int_equal(done_count, 1);
    free_pages(1);
}

static void test_bad_backend_keys(void **state)
{
    (void)state;
    xs_set(BE "/max-ring-page-order", "two");
    assert_int_equal(blkfront_init(f, &ops, NULL, FE, 51712), 0);
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateInitWait), -XEN_EINVAL);
    assert_string_equal(xs_get(FE "/state"), "5");
    assert_int_equal(f->state, BLKFRONT_ERROR);
    assert_int_equal(grants_active(), 0);
    assert_non_null(strstr(last_log, "max-ring-page-order"));
    blkfront_disconnect(f);

    /* A disk of 0 sectors, or a strange sector size, is not connected to. */
    xs_set(BE "/max-ring-page-order", "0");
    xs_set(BE "/sector-size", "1000");
    assert_int_equal(blkfront_init(f, &ops, NULL, FE, 51712), 0);
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateInitWait), 0);
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateConnected), 0);
    assert_string_equal(xs_get(FE "/state"), "5");
    assert_int_equal(f->state, BLKFRONT_ERROR);
    assert_int_equal(grants_active(), 0);
    assert_null(ring_va);
}

/* Submit three reads and let the back end answer them with the given hostile twist. */
static void hostile(void (*twist)(void), unsigned int answered)
{
    static struct blkfront_io io[3];

    connect_fe();
    alloc_pages(1, 0);
    for (int i = 0; i < 3; i++) {
        io[i] = mkio(BLKFRONT_READ, 0, 8, 0);
        assert_int_equal(blkfront_submit(f, &io[i]), 0);
    }
    twist();
    blkfront_handle_event(f);
    assert_int_equal(f->state, BLKFRONT_ERROR);
    assert_int_equal(done_count, 3);
    assert_int_equal(done_err, 3 - answered);
    assert_int_equal(grants_active(), 0);
    assert_int_equal(evtchn_closed, 1);
    assert_null(ring_va);
    assert_string_equal(xs_get(FE "/state"), "5");
    assert_non_null(strstr(last_log, "disconnecting"));
    assert_int_equal(blkfront_submit(f, &io[0]), -XEN_ENOTCONN);
    blkfront_handle_event(f);               /* no effect, no crash */
    free_pages(1);
}

static void rsp(uint64_t id, uint8_t op)
{
    *RING_GET_RESPONSE(&be, be.rsp_prod_pvt++) =
        (struct blkif_response){ .id = id, .operation = op, .status = BLKIF_RSP_OKAY };
    RING_PUSH_RESPONSES(&be);
}

static void twist_bad_id(void) { rsp(999, BLKIF_OP_READ); }
static void twist_id_not_in_flight(void) { rsp(5, BLKIF_OP_READ); }
static void twist_wrong_op(void) { rsp(0, BLKIF_OP_WRITE); }
/* A valid answer in slot 0, but a producer far ahead: nothing is taken. */
static void twist_garbage_prod(void)
{
    rsp(0, BLKIF_OP_READ);
    be.sring->rsp_prod = 0x12345;
}

static void twist_duplicate(void)
{
    rsp(1, BLKIF_OP_READ);
    rsp(1, BLKIF_OP_READ);
}

static void test_hostile_bad_id(void **state) { (void)state; hostile(twist_bad_id, 0); assert_non_null(strstr(last_log, "999")); }
static void test_hostile_id_not_in_flight(void **state) { (void)state; hostile(twist_id_not_in_flight, 0); }
static void test_hostile_wrong_op(void **state) { (void)state; hostile(twist_wrong_op, 0); }
static void test_hostile_garbage_prod(void **state) { (void)state; hostile(twist_garbage_prod, 0); }

static void test_hostile_duplicate(void **state)
{
    (void)state;
    hostile(twist_duplicate, 1);
    assert_int_equal(done_last, -XEN_EIO);
}

static void test_backend_closes(void **state)
{
    static struct blkfront_io io[5];

    (void)state;
    connect_fe();
    alloc_pages(1, 0);
    for (int i = 0; i < 5; i++) {
        io[i] = mkio(BLKFRONT_WRITE, 0, 8, 0);
        assert_int_equal(blkfront_submit(f, &io[i]), 0);
    }
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateClosing), 0);
    assert_int_equal(done_count, 5);
    assert_int_equal(done_err, 5);
    assert_string_equal(xs_get(FE "/state"), "6");
    assert_int_equal(grants_active(), 0);
    assert_null(ring_va);
    assert_int_equal(blkfront_submit(f, &io[0]), -XEN_ENOTCONN);
    assert_non_null(strstr(last_log, "Closing"));
    free_pages(1);
}

/* A back end that keeps the ring and a data page mapped: those grants (and the ring) stay. */
static void test_backend_closes_still_mapped(void **state)
{
    struct blkfront_io io;
    int ring_ref;

    (void)state;
    connect_fe();
    alloc_pages(1, 0);
    io = mkio(BLKFRONT_WRITE, 0, 8, 0);
    assert_int_equal(blkfront_submit(f, &io), 0);
    ring_ref = atoi(xs_get(FE "/ring-ref"));
    gnt[ring_ref].mapped = true;
    gnt[f->shadow[0].gref[0]].mapped = true;
    void *ring = ring_va;
    assert_int_equal(blkfront_otherend_changed(f, XenbusStateClosed), 0);
    assert_int_equal(io.status, -XEN_EIO);
    assert_int_equal(grants_active(), 2);
    assert_int_equal(f->stats.grant_leaks, 2);
    assert_ptr_equal(ring_va, ring);        /* not freed under the back end's mapping */
    free_pages(1);
}

/* The block layer tears the device down from a completion: the rest fail, nothing is touched after. */
static void test_disconnect_from_done(void **state)
{
    static struct blkfront_io io[3];

    (void)state;
    connect_fe();
    alloc_pages(1, 0);
    for (int i = 0; i < 3; i++) {
        io[i] = mkio(BLKFRONT_READ, 0, 8, 0);
        assert_int_equal(blkfront_submit(f, &io[i]), 0);
    }
    disconnect_in_done = true;
    be_serve(f);
    assert_int_equal(done_count, 3);
    assert_int_equal(io[0].status, 0);
    assert_int_equal(io[1].status, -XEN_EIO);  /* completed inside the disconnect */
    assert_int_equal(io[2].status, -XEN_EIO);
    assert_int_equal(grants_active(), 0);
    assert_null(ring_va);
    free_pages(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_handshake_single_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_barrier_or_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_indirect_e2big, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_page_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_when_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_backend_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_bad_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_id_not_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_wrong_op, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_garbage_prod, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backend_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backend_closes_still_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disconnect_from_done, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
