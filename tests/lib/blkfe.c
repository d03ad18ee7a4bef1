/* A raw blkif front end for test kernels (blkfe.h). */
#include "blkfe.h"
#include "gnttab.h"

#define NREFS 512                   /* one grant table frame of v1 entries */
#define MAX_FES 8
#define POLL_NS MD_MS(10)

volatile struct grant_entry_v1 *blkfe_gnttab;
static bool ref_used[NREFS];
static struct blkfe *fes[MAX_FES];

bool blkfe_lib_init(void)
{
    int slot;

    if (!xst_init() || !pt_init())
        return false;
    if ((slot = pt_alloc_slot()) < 0 || !(blkfe_gnttab = gt_own_table((unsigned int)slot))) {
        test_error("blkfe: cannot map our grant table");
        return false;
    }
    return true;
}

bool blkfe_page_new(struct blkfe_page *pg)
{
    uint64_t mfn = pt_free_mfn();
    void *va = mfn ? pt_map_rw(mfn) : NULL;

    if (!va) {
        test_error("blkfe: no page left");
        return false;
    }
    memset(va, 0, PAGE_SIZE);
    pg->va = va;
    pg->mfn = mfn;
    return true;
}

int blkfe_grant(domid_t to, uint64_t mfn, uint16_t flags)
{
    for (unsigned int r = BLKFE_FIRST_REF; r < NREFS; r++)
        if (!ref_used[r]) {
            ref_used[r] = true;
            gt_grant(blkfe_gnttab, r, to, mfn, flags);
            return (int)r;
        }
    test_error("blkfe: out of grant refs");
    return -1;
}

bool blkfe_ungrant(grant_ref_t ref, const char *what)
{
    volatile uint16_t *f;
    uint16_t old;

    if (ref >= NREFS || !ref_used[ref])
        return true;
    f = &blkfe_gnttab[ref].flags;
    old = *f;
    if (old & (GTF_reading | GTF_writing)) {
        test_fail("%s: grant %u still mapped by the back end (flags %#x)", what, ref, old);
        return false;                   /* leaked: never reused */
    }
    if (!__atomic_compare_exchange_n(f, &old, (uint16_t)0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        test_fail("%s: grant %u mapped while it was being ended (flags %#x)", what, ref, old);
        return false;
    }
    ref_used[ref] = false;
    return true;
}

static void on_event(uint32_t port)
{
    for (unsigned int i = 0; i < MAX_FES; i++)
        if (fes[i] && fes[i]->port == port)
            fes[i]->events++;
}

static int key_path(const struct blkfe *fe, const char *key, char *buf, size_t cap)
{
    return snprintf(buf, cap, "%s/%s", fe->dir, key);
}

int blkfe_write(struct blkfe *fe, const char *key, const char *value)
{
    char path[64];

    key_path(fe, key, path, sizeof(path));
    return xenbus_write(&xst.c, XENBUS_TX_NONE, path, value);
}

int blkfe_set_state(struct blkfe *fe, unsigned int state)
{
    char v[4];

    snprintf(v, sizeof(v), "%u", state);
    return blkfe_write(fe, "state", v);
}

/* A decimal key of the back end's directory; def if absent, -1 after a test_fail if malformed. */
static int64_t backend_num(struct blkfe *fe, const char *key, int64_t def)
{
    char path[128], buf[32];
    const char *end;
    int rc;
    uint64_t v;

    snprintf(path, sizeof(path), "%s/%s", fe->backend, key);
    rc = xenbus_read(&xst.c, XENBUS_TX_NONE, path, buf, sizeof(buf), NULL);
    if (rc == -XEN_ENOENT)
        return def;
    if (rc) {
        test_fail("blkfe: read %s: %d", path, rc);
        return -1;
    }
    v = simple_strtoull(buf, &end, 10);
    if (!buf[0] || *end || v > INT64_MAX) {
        test_fail("blkfe: %s = '%s' is not a decimal number", path, buf);
        return -1;
    }
    return (int64_t)v;
}

long blkfe_backend_state(struct blkfe *fe)
{
    char path[128];
    uint32_t v;
    int rc;

    snprintf(path, sizeof(path), "%s/state", fe->backend);
    rc = xenbus_read_uint(&xst.c, XENBUS_TX_NONE, path, &v);
    return rc ? rc : (long)v;
}

long blkfe_wait_backend(struct blkfe *fe, unsigned int a, unsigned int b, uint64_t ns)
{
    uint64_t deadline = md_now() + ns;
    long s;

    for (;;) {
        s = blkfe_backend_state(fe);
        if (s == a || s == b)
            return s;
        if (md_now() >= deadline) {
            printk("blkfe: %s: back end state %ld, waited for %u or %u\n", fe->dir, s, a, b);
            return -1;
        }
        md_sleep_ns(POLL_NS);
    }
}

bool blkfe_attach(struct blkfe *fe, unsigned int devid)
{
    char path[64];
    uint32_t id;

    memset(fe, 0, sizeof(*fe));
    fe->devid = devid;
    fe->next_id = 0x1000;
    snprintf(fe->dir, sizeof(fe->dir), "device/vbd/%u", devid);
    key_path(fe, "backend", path, sizeof(path));
    if (xenbus_read(&xst.c, XENBUS_TX_NONE, path, fe->backend, sizeof(fe->backend), NULL)) {
        test_error("blkfe: no %s", path);
        return false;
    }
    key_path(fe, "backend-id", path, sizeof(path));
    if (xenbus_read_uint(&xst.c, XENBUS_TX_NONE, path, &id) || id >= DOMID_FIRST_RESERVED) {
        test_error("blkfe: no valid %s", path);
        return false;
    }
    fe->backend_id = (domid_t)id;
    if (blkfe_wait_backend(fe, XenbusStateInitWait, XenbusStateInitWait, BLKFE_TIMEOUT_NS) < 0) {
        test_fail("blkfe: %s: the back end %s never reached InitWait", fe->dir, fe->backend);
        return false;
    }
    fe->max_order = (unsigned int)backend_num(fe, "max-ring-page-order", 0);
    fe->max_indirect = (unsigned int)backend_num(fe, "feature-max-indirect-segments", 0);
    fe->flush = backend_num(fe, "feature-flush-cache", 0) == 1;
    fe->barrier = backend_num(fe, "feature-barrier", 0) == 1;
    printk("blkfe: %s: back end d%u %s: InitWait, max-ring-page-order %u, indirect %u, flush %u\n",
           fe->dir, fe->backend_id, fe->backend, fe->max_order, fe->max_indirect, fe->flush);
    return true;
}

/* 2^order pages at consecutive scratch slots: the ring, virtually contiguous. */
static bool ring_alloc(struct blkfe *fe, unsigned int order)
{
    unsigned int n = 1u << order;
    int slot[1 << BLKFE_MAX_ORDER];

    for (unsigned int i = 0; i < n; i++)
        if ((slot[i] = pt_alloc_slot()) < 0 || (i && slot[i] != slot[i - 1] - 1)) {
            test_error("blkfe: no %u consecutive scratch slots", n);
            return false;
        }
    for (unsigned int i = 0; i < n; i++) {
        unsigned int s = (unsigned int)slot[n - 1] + i;
        uint64_t mfn = pt_free_mfn();

        if (!mfn || pt_map(s, mfn, L1_FLAGS_RW)) {
            test_error("blkfe: cannot map ring page %u", i);
            return false;
        }
        fe->ring_page[i].va = pt_slot_va(s);
        fe->ring_page[i].mfn = mfn;
        memset(fe->ring_page[i].va, 0, PAGE_SIZE);
    }
    return true;
}

static bool publish(struct blkfe *fe)
{
    char key[16], v[16];
    unsigned int n = 1u << fe->order;
    int rc = 0;

    if (fe->order) {
        snprintf(v, sizeof(v), "%u", fe->order);
        rc |= blkfe_write(fe, "ring-page-order", v);
    }
    for (unsigned int i = 0; i < n; i++) {
        snprintf(key, sizeof(key), fe->order ? "ring-ref%u" : "ring-ref", i);
        snprintf(v, sizeof(v), "%u", fe->ring_ref[i]);
        rc |= blkfe_write(fe, key, v);
    }
    snprintf(v, sizeof(v), "%u", fe->port);
    rc |= blkfe_write(fe, "event-channel", v);
    rc |= blkfe_write(fe, "protocol", XEN_IO_PROTO_ABI_X86_64);
    rc |= blkfe_set_state(fe, XenbusStateInitialised);
    if (rc)
        test_fail("blkfe: %s: writing our keys failed", fe->dir);
    return !rc;
}

static void fe_register(struct blkfe *fe)
{
    for (unsigned int i = 0; i < MAX_FES; i++)
        if (!fes[i] || fes[i] == fe) {
            fes[i] = fe;
            return;
        }
}

bool blkfe_connect(struct blkfe *fe, unsigned int order)
{
    int64_t v;

    if (order > BLKFE_MAX_ORDER || order > fe->max_order) {
        test_error("blkfe: ring order %u not offered (max %u)", order, fe->max_order);
        return false;
    }
    fe->order = order;
    if (!ring_alloc(fe, order))
        return false;
    SHARED_RING_INIT((blkif_sring_t *)fe->ring_page[0].va);
    FRONT_RING_INIT(&fe->ring, (blkif_sring_t *)fe->ring_page[0].va, PAGE_SIZE << order);
    for (unsigned int i = 0; i < (1u << order); i++) {
        int r = blkfe_grant(fe->backend_id, fe->ring_page[i].mfn, GTF_permit_access);

        if (r < 0)
            return false;
        fe->ring_ref[i] = (grant_ref_t)r;
    }
    if (md_alloc_unbound(fe->backend_id, &fe->port)) {
        test_error("blkfe: alloc_unbound for d%u failed", fe->backend_id);
        return false;
    }
    fe_register(fe);
    md_bind(fe->port, on_event);
    if (!publish(fe))
        return false;
    if (blkfe_wait_backend(fe, XenbusStateConnected, XenbusStateConnected, BLKFE_TIMEOUT_NS) < 0) {
        test_fail("blkfe: %s: the back end did not connect", fe->dir);
        return false;
    }
    v = backend_num(fe, "sectors", -1);
    fe->info = (unsigned int)backend_num(fe, "info", 0);
    fe->sector_size = (unsigned int)backend_num(fe, "sector-size", 512);
    if (v <= 0) {
        test_fail("blkfe: %s: back end connected without a size", fe->dir);
        return false;
    }
    fe->sectors = (uint64_t)v;
    fe->connected = true;
    blkfe_set_state(fe, XenbusStateConnected);
    printk("blkfe: %s: connected, %u ring page(s), port %u, %llu sectors, info %#x\n", fe->dir, 1u << order,
           fe->port, (unsigned long long)fe->sectors, fe->info);
    return true;
}

bool blkfe_close(struct blkfe *fe)
{
    bool ok = true;

    blkfe_set_state(fe, XenbusStateClosing);
    if (blkfe_wait_backend(fe, XenbusStateClosing, XenbusStateClosed, BLKFE_TIMEOUT_NS) < 0) {
        test_fail("blkfe: %s: the back end did not close after our Closing", fe->dir);
        ok = false;
    }
    blkfe_set_state(fe, XenbusStateClosed);
    if (ok && blkfe_wait_backend(fe, XenbusStateClosed, XenbusStateClosed, BLKFE_TIMEOUT_NS) < 0) {
        test_fail("blkfe: %s: the back end is not Closed after our Closed", fe->dir);
        ok = false;
    }
    for (unsigned int i = 0; ok && i < (1u << fe->order); i++)
        ok &= blkfe_ungrant(fe->ring_ref[i], "the ring after the back end closed");
    md_close(fe->port);
    fe->connected = false;
    if (ok)
        printk("blkfe: %s: closed, the ring unmapped by the back end\n", fe->dir);
    return ok;
}

void blkfe_req(struct blkfe *fe, union blkfe_req *r, uint8_t op, uint64_t sector)
{
    memset(r, 0, sizeof(*r));
    r->rw.operation = op;
    r->rw.handle = (blkif_vdev_t)fe->devid;
    r->rw.id = fe->next_id++;
    r->rw.sector_number = sector;
}

void blkfe_seg(union blkfe_req *r, grant_ref_t ref, uint8_t first, uint8_t last)
{
    unsigned int n = r->rw.nr_segments;

    if (n < BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        r->rw.seg[n].gref = ref;
        r->rw.seg[n].first_sect = first;
        r->rw.seg[n].last_sect = last;
        r->rw.nr_segments = (uint8_t)(n + 1);
    }
}

void blkfe_push(struct blkfe *fe, const union blkfe_req *r)
{
    memcpy(RING_GET_REQUEST(&fe->ring, fe->ring.req_prod_pvt), r, sizeof(struct blkif_request));
    fe->ring.req_prod_pvt++;
    RING_PUSH_REQUESTS(&fe->ring);
    md_send(fe->port);              /* always: a raw front end does not rely on req_event */
}

void blkfe_set_req_prod(struct blkfe *fe, RING_IDX prod)
{
    xen_wmb();
    RING_WRITE_IDX(fe->ring.sring->req_prod, prod);
    md_send(fe->port);
}

static void keep(struct blkfe *fe, const struct blkif_response *r)
{
    for (unsigned int i = 0; i < BLKFE_MAX_KEPT; i++)
        if (!fe->kept_used[i]) {
            fe->kept[i] = *r;
            fe->kept_used[i] = true;
            return;
        }
    test_fail("blkfe: %s: more than %u responses nobody waited for", fe->dir, BLKFE_MAX_KEPT);
}

/* Every response published so far into kept[]; the producer checked against the ring. */
static void collect(struct blkfe *fe)
{
    int more;

    do {
        RING_IDX rp = RING_READ_IDX(fe->ring.sring->rsp_prod);

        xen_rmb();
        if (rp - fe->ring.rsp_cons > RING_SIZE(&fe->ring)) {
            test_fail("blkfe: %s: back end's rsp_prod %u is beyond the ring (cons %u)", fe->dir, rp,
                      fe->ring.rsp_cons);
            return;
        }
        for (; fe->ring.rsp_cons != rp; fe->ring.rsp_cons++) {
            struct blkif_response r;

            RING_COPY_RESPONSE(&fe->ring, fe->ring.rsp_cons, &r);
            keep(fe, &r);
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&fe->ring, more);
    } while (more);
}

static bool take(struct blkfe *fe, bool any, uint64_t id, struct blkif_response *rsp)
{
    for (unsigned int i = 0; i < BLKFE_MAX_KEPT; i++)
        if (fe->kept_used[i] && (any || fe->kept[i].id == id)) {
            *rsp = fe->kept[i];
            fe->kept_used[i] = false;
            return true;
        }
    return false;
}

static bool wait_for(struct blkfe *fe, bool any, uint64_t id, uint64_t ns, struct blkif_response *rsp)
{
    uint64_t deadline = md_now() + ns, nap;

    for (;;) {
        unsigned long seen = fe->events;

        collect(fe);
        if (take(fe, any, id, rsp))
            return true;
        if (md_now() >= deadline)
            return false;
        nap = md_now() + MD_MS(20);
        md_block_until(&fe->events, seen + 1, nap < deadline ? nap : deadline);
    }
}

bool blkfe_wait(struct blkfe *fe, uint64_t id, uint64_t ns, struct blkif_response *rsp)
{
    return wait_for(fe, false, id, ns, rsp);
}

bool blkfe_wait_any(struct blkfe *fe, uint64_t ns, struct blkif_response *rsp)
{
    return wait_for(fe, true, 0, ns, rsp);
}

bool blkfe_expect(struct blkfe *fe, const union blkfe_req *r, int op, int16_t want, const char *what)
{
    struct blkif_response rsp;
    uint8_t wop = op < 0 ? r->rw.operation : (uint8_t)op;

    blkfe_push(fe, r);
    if (!blkfe_wait(fe, r->rw.id, BLKFE_TIMEOUT_NS, &rsp)) {
        test_fail("%s: no response to request %llu in %llu ms", what, (unsigned long long)r->rw.id,
                  (unsigned long long)(BLKFE_TIMEOUT_NS / MD_MS(1)));
        return false;
    }
    if (rsp.status != want || rsp.operation != wop) {
        test_fail("%s: status %d operation %u, want status %d operation %u", what, rsp.status, rsp.operation,
                  want, wop);
        return false;
    }
    printk("blkfe: PASS: %s: status %d\n", what, rsp.status);
    return true;
}

int blkfe_io(struct blkfe *fe, uint8_t op, uint64_t sector, unsigned int nsect, const struct blkfe_page *pg)
{
    union blkfe_req r;
    struct blkif_response rsp;
    unsigned int nseg = (nsect + 7) / 8;
    uint16_t flags = GTF_permit_access | (op == BLKIF_OP_READ ? 0 : GTF_readonly);
    bool ok = true;

    if (!nsect || nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        test_error("blkfe_io: %u sectors", nsect);
        return 1;
    }
    blkfe_req(fe, &r, op, sector);
    for (unsigned int i = 0; i < nseg; i++) {
        unsigned int n = nsect - i * 8 < 8 ? nsect - i * 8 : 8;
        int ref = blkfe_grant(fe->backend_id, pg[i].mfn, flags);

        if (ref < 0)
            return 1;
        blkfe_seg(&r, (grant_ref_t)ref, 0, (uint8_t)(n - 1));
    }
    blkfe_push(fe, &r);
    if (!blkfe_wait(fe, r.rw.id, BLKFE_TIMEOUT_NS, &rsp)) {
        test_fail("blkfe: %s: op %u sector %llu: no response", fe->dir, op, (unsigned long long)sector);
        return 1;
    }
    for (unsigned int i = 0; i < nseg; i++)
        ok &= blkfe_ungrant(r.rw.seg[i].gref, "a data page after its response");
    return ok ? rsp.status : 1;
}

int blkfe_flush(struct blkfe *fe)
{
    union blkfe_req r;
    struct blkif_response rsp;

    blkfe_req(fe, &r, BLKIF_OP_FLUSH_DISKCACHE, 0);
    blkfe_push(fe, &r);
    if (!blkfe_wait(fe, r.rw.id, BLKFE_TIMEOUT_NS, &rsp)) {
        test_fail("blkfe: %s: flush: no response", fe->dir);
        return 1;
    }
    return rsp.status;
}

#define ROUND_PAGES 4
static struct blkfe_page wpg[ROUND_PAGES], rpg[ROUND_PAGES];

static uint8_t pattern(uint32_t seed, uint64_t sector, unsigned int byte)
{
    return (uint8_t)(seed * 167u + sector * 13u + byte * 7u + (byte >> 8));
}

bool blkfe_round(struct blkfe *fe, uint64_t sector, unsigned int nsect, uint32_t seed, const char *who)
{
    int st;

    if (nsect > ROUND_PAGES * 8) {
        test_error("blkfe_round: %u sectors", nsect);
        return false;
    }
    for (unsigned int i = 0; i < ROUND_PAGES; i++)
        if ((!wpg[i].va && !blkfe_page_new(&wpg[i])) || (!rpg[i].va && !blkfe_page_new(&rpg[i])))
            return false;
    for (unsigned int s = 0; s < nsect; s++)
        for (unsigned int b = 0; b < 512; b++) {
            ((uint8_t *)wpg[s / 8].va)[(s % 8) * 512 + b] = pattern(seed, sector + s, b);
            ((uint8_t *)rpg[s / 8].va)[(s % 8) * 512 + b] = 0;
        }
    if ((st = blkfe_io(fe, BLKIF_OP_WRITE, sector, nsect, wpg))) {
        test_fail("%s: round %u: write status %d", who, seed, st);
        return false;
    }
    if (fe->flush && (st = blkfe_flush(fe))) {
        test_fail("%s: round %u: flush status %d", who, seed, st);
        return false;
    }
    if ((st = blkfe_io(fe, BLKIF_OP_READ, sector, nsect, rpg))) {
        test_fail("%s: round %u: read status %d", who, seed, st);
        return false;
    }
    for (unsigned int s = 0; s < nsect; s++)
        if (memcmp((uint8_t *)wpg[s / 8].va + (s % 8) * 512, (uint8_t *)rpg[s / 8].va + (s % 8) * 512, 512)) {
            test_fail("%s: round %u: sector %llu read back differs", who, seed, (unsigned long long)(sector + s));
            return false;
        }
    return true;
}

void blkfe_say(const char *name, unsigned int n, domid_t peer)
{
    char path[48], v[16], owner[16], reader[16], args[96];
    uint32_t len;

    snprintf(path, sizeof(path), "data/%s", name);
    snprintf(v, sizeof(v), "%u", n);
    CHECK_RC(xenbus_write(&xst.c, XENBUS_TX_NONE, path, v), 0, "blkfe_say: write");
    snprintf(owner, sizeof(owner), "n%u", xst.self);
    snprintf(reader, sizeof(reader), "r%u", peer);
    len = xst_argv(args, sizeof(args), path, owner, reader, NULL);
    xst_expect_ok(XS_SET_PERMS, 0, args, len, NULL, 0, NULL, "blkfe_say: set_perms");
}

long blkfe_peer_value(domid_t peer, const char *name)
{
    char path[48];
    uint32_t v;

    snprintf(path, sizeof(path), "/local/domain/%u/data/%s", peer, name);
    return xenbus_read_uint(&xst.c, XENBUS_TX_NONE, path, &v) ? -1 : (long)v;
}

bool blkfe_wait_peer(domid_t peer, const char *name, unsigned int n, uint64_t ns)
{
    uint64_t deadline = md_now() + ns;

    while (blkfe_peer_value(peer, name) < (long)n) {
        if (md_now() > deadline) {
            test_fail("waited %llu ms for d%u's data/%s to reach %u", (unsigned long long)(ns / MD_MS(1)), peer,
                      name, n);
            return false;
        }
        md_sleep_ns(MD_MS(10));
    }
    return true;
}
