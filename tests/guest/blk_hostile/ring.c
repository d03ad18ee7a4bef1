/* blk_hostile: the ring itself abused - garbage index, grants revoked, pages given back, bad ring-ref (hostile.h). */
#include "hostile.h"

#define REF_NEVER 8
#define UNMAP_NS MD_MS(10000)

static long reservation(void)
{
    domid_t self = DOMID_SELF;

    return memop(XENMEM_current_reservation, &self);
}

static long give_back(uint64_t mfn)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)&mfn, .nr_extents = 1, .domid = DOMID_SELF };

    return memop(XENMEM_decrease_reservation, &r);
}

/* Wait until no ring grant of fe is mapped any more (GTF_reading/GTF_writing clear). */
static bool ring_unmapped(struct blkfe *fe, uint64_t ns)
{
    uint64_t deadline = md_now() + ns;

    for (;;) {
        bool mapped = false;

        for (unsigned int i = 0; i < (1u << fe->order); i++)
            mapped |= (blkfe_gnttab[fe->ring_ref[i]].flags & (GTF_reading | GTF_writing)) != 0;
        if (!mapped)
            return true;
        if (md_now() >= deadline)
            return false;
        md_sleep_ns(MD_MS(10));
    }
}

/* Our Closed after the back end's disconnect; the ring must end up unmapped. */
static void closed_after_disconnect(struct blkfe *fe, const char *what)
{
    blkfe_set_state(fe, XenbusStateClosed);
    if (!ring_unmapped(fe, UNMAP_NS)) {
        test_fail("%s: the back end still maps the ring after it disconnected", what);
        return;
    }
    printk("blkfe: PASS: %s: the ring is unmapped\n", what);
    for (unsigned int i = 0; i < (1u << fe->order); i++)
        blkfe_ungrant(fe->ring_ref[i], what);
    md_close(fe->port);
}

void hostile_req_prod(struct blkfe *fe)
{
    long s;

    blkfe_set_req_prod(fe, fe->ring.req_prod_pvt + 1000);
    s = blkfe_wait_backend(fe, XenbusStateClosing, XenbusStateClosed, BLKFE_TIMEOUT_NS);
    if (s < 0) {
        test_fail("xvdb: req_prod 1000 ahead of the responses: the back end did not disconnect");
        return;
    }
    printk("blkfe: PASS: xvdb: req_prod 1000 ahead: the back end disconnected (state %ld)\n", s);
    closed_after_disconnect(fe, "xvdb after the garbage req_prod");
}

void hostile_ring_revoked(struct blkfe *fe)
{
    static struct blkfe_page pg;
    unsigned int n = 1u << fe->order;
    long before = reservation(), rc, s;
    int st;

    for (unsigned int i = 0; i < n; i++) {
        volatile uint16_t *f = &blkfe_gnttab[fe->ring_ref[i]].flags;

        __atomic_fetch_and(f, (uint16_t)~GTF_permit_access, __ATOMIC_SEQ_CST);
        if (!(*f & GTF_reading))
            test_fail("xvdc: ring grant %u is not mapped by the connected back end (flags %#x)", fe->ring_ref[i],
                      *f);
    }
    if (!pg.va && !blkfe_page_new(&pg))
        return;
    if ((st = blkfe_io(fe, BLKIF_OP_READ, 0, 8, &pg)))
        test_fail("xvdc: a READ after the ring grants were revoked: status %d", st);
    else
        printk("blkfe: PASS: xvdc: ring grants revoked while mapped: the back end serves on with its mapping\n");

    /* Our own mappings gone and the frames given back: only the back end's mapping holds them now. */
    for (unsigned int i = 0; i < n; i++) {
        pt_unmap((unsigned int)(((uint64_t)fe->ring_page[i].va - pt_scratch_base()) / PAGE_SIZE));
        if ((rc = give_back(fe->ring_page[i].mfn)) != 1)
            test_fail("xvdc: decrease_reservation of ring page %u: %ld, want 1", i, rc);
    }
    if (reservation() != before)
        test_fail("xvdc: current_reservation %ld while the back end maps the given-back ring, want %ld",
                  reservation(), before);
    blkfe_set_state(fe, XenbusStateClosing);
    s = blkfe_wait_backend(fe, XenbusStateClosing, XenbusStateClosed, BLKFE_TIMEOUT_NS);
    blkfe_set_state(fe, XenbusStateClosed);
    if (s < 0)
        test_fail("xvdc: the back end did not close after our Closing");
    if (!ring_unmapped(fe, UNMAP_NS)) {
        test_fail("xvdc: the back end still maps the given-back ring after closing");
        return;
    }
    if ((rc = reservation()) != before - (long)n) {
        test_fail("xvdc: current_reservation %ld after the back end unmapped the ring, want %ld", rc,
                  before - (long)n);
        return;
    }
    printk("blkfe: PASS: xvdc: ring revoked and given back while mapped: unmapped at close, %u frame(s) freed\n", n);
    md_close(fe->port);
}

void hostile_bad_ring_ref(struct blkfe *fe)
{
    char v[16];
    long s;

    if (md_alloc_unbound(fe->backend_id, &fe->port)) {
        test_error("xvdd: alloc_unbound failed");
        return;
    }
    snprintf(v, sizeof(v), "%u", REF_NEVER);
    blkfe_write(fe, "ring-ref", v);
    snprintf(v, sizeof(v), "%u", fe->port);
    blkfe_write(fe, "event-channel", v);
    blkfe_write(fe, "protocol", XEN_IO_PROTO_ABI_X86_64);
    blkfe_set_state(fe, XenbusStateInitialised);
    s = blkfe_wait_backend(fe, XenbusStateClosing, XenbusStateClosed, BLKFE_TIMEOUT_NS);
    if (s < 0)
        test_fail("xvdd: ring-ref %u (never granted): the back end did not refuse the connect", REF_NEVER);
    else
        printk("blkfe: PASS: xvdd: ring-ref %u grants nothing: the back end refused the connect (state %ld)\n",
               REF_NEVER, s);
    blkfe_set_state(fe, XenbusStateClosed);
    md_close(fe->port);
}
