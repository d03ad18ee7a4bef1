/* blk_hostile: requests with bad grants, segments, sectors, ops and counts (hostile.h). */
#include "hostile.h"

#define REF_NEVER 8         /* below BLKFE_FIRST_REF: never granted by anyone */
#define REF_BEYOND 100000   /* beyond any grant table */

static struct blkfe_page page;

static bool have_page(void)
{
    return page.va || blkfe_page_new(&page);
}

/* A READ of sectors 0-7 of `sector` through ref: must get want. */
static void read_via(struct blkfe *fe, grant_ref_t ref, uint64_t sector, int16_t want, const char *what)
{
    union blkfe_req r;

    blkfe_req(fe, &r, BLKIF_OP_READ, sector);
    blkfe_seg(&r, ref, 0, 7);
    blkfe_expect(fe, &r, -1, want, what);
}

void hostile_grants(struct blkfe *fe, domid_t peer)
{
    union blkfe_req r;
    int ref;

    if (!have_page())
        return;
    read_via(fe, REF_BEYOND, 0, BLKIF_RSP_ERROR, "xvda: grant ref 100000, beyond the grant table");
    read_via(fe, REF_NEVER, 0, BLKIF_RSP_ERROR, "xvda: grant ref 8, never granted");

    if ((ref = blkfe_grant(peer, page.mfn, GTF_permit_access)) < 0)
        return;
    read_via(fe, (grant_ref_t)ref, 0, BLKIF_RSP_ERROR, "xvda: a page granted to the other frontend's domain");
    blkfe_ungrant((grant_ref_t)ref, "the page granted to the other domain");

    if ((ref = blkfe_grant(fe->backend_id, page.mfn, GTF_permit_access | GTF_readonly)) < 0)
        return;
    read_via(fe, (grant_ref_t)ref, 0, BLKIF_RSP_ERROR, "xvda: a READ into a read-only grant");
    blkfe_req(fe, &r, BLKIF_OP_WRITE, 200);
    blkfe_seg(&r, (grant_ref_t)ref, 0, 7);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_OKAY, "xvda: a WRITE from the same read-only grant");
    blkfe_ungrant((grant_ref_t)ref, "the read-only grant after its answers");
}

void hostile_segments(struct blkfe *fe)
{
    union blkfe_req r;
    int ref;

    if (!have_page() || (ref = blkfe_grant(fe->backend_id, page.mfn, GTF_permit_access)) < 0)
        return;
    blkfe_req(fe, &r, BLKIF_OP_READ, 0);
    blkfe_seg(&r, (grant_ref_t)ref, 0, 8);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvda: segment last_sect 8 (past the page)");
    blkfe_req(fe, &r, BLKIF_OP_READ, 0);
    blkfe_seg(&r, (grant_ref_t)ref, 5, 3);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvda: segment first_sect 5 > last_sect 3");

    read_via(fe, (grant_ref_t)ref, fe->sectors, BLKIF_RSP_ERROR, "xvda: sector = the disk's size");
    read_via(fe, (grant_ref_t)ref, fe->sectors - 4, BLKIF_RSP_ERROR, "xvda: 8 sectors across the disk's end");
    read_via(fe, (grant_ref_t)ref, UINT64_MAX - 3, BLKIF_RSP_ERROR, "xvda: sector 2^64-4 + 8 (wrapping)");

    blkfe_req(fe, &r, BLKIF_OP_RESERVED_1, 0);
    blkfe_seg(&r, (grant_ref_t)ref, 0, 7);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_EOPNOTSUPP, "xvda: unknown operation 4 (RESERVED_1)");
    blkfe_req(fe, &r, 0xff, 0);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_EOPNOTSUPP, "xvda: unknown operation 255");

    blkfe_req(fe, &r, BLKIF_OP_READ, 0);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvda: READ with nr_segments 0");
    blkfe_req(fe, &r, BLKIF_OP_READ, 0);
    for (unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
        blkfe_seg(&r, (grant_ref_t)ref, 0, 0);
    r.rw.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST + 1;
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvda: READ with nr_segments 12");
    r.rw.id = fe->next_id++;
    r.rw.nr_segments = 255;
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvda: READ with nr_segments 255");
    blkfe_ungrant((grant_ref_t)ref, "the data page after the segment cases");
}

#define IND_PAGES 16

/* An INDIRECT request: indirect_op, nseg segments listed in the page granted as igref. */
static void ind_req(struct blkfe *fe, union blkfe_req *r, uint8_t iop, uint16_t nseg, grant_ref_t igref)
{
    memset(r, 0, sizeof(*r));
    r->indirect.operation = BLKIF_OP_INDIRECT;
    r->indirect.indirect_op = iop;
    r->indirect.nr_segments = nseg;
    r->indirect.id = fe->next_id++;
    r->indirect.sector_number = 0;
    r->indirect.handle = (blkif_vdev_t)fe->devid;
    r->indirect.indirect_grefs[0] = igref;
}

void hostile_indirect(struct blkfe *fe)
{
    static struct blkfe_page ipg, data[IND_PAGES];
    struct blkif_request_segment *seg;
    int iref, dref[IND_PAGES];
    union blkfe_req r;

    if (fe->max_indirect < IND_PAGES) {
        test_fail("xvdc: the back end offers %u indirect segments, want at least %u", fe->max_indirect, IND_PAGES);
        return;
    }
    if (!blkfe_page_new(&ipg))
        return;
    seg = ipg.va;
    for (unsigned int i = 0; i < IND_PAGES; i++) {
        if (!blkfe_page_new(&data[i]) || (dref[i] = blkfe_grant(fe->backend_id, data[i].mfn, GTF_permit_access)) < 0)
            return;
        seg[i] = (struct blkif_request_segment){ .gref = (grant_ref_t)dref[i], .first_sect = 0, .last_sect = 7 };
    }
    for (unsigned int i = IND_PAGES; i < 40; i++)
        seg[i] = seg[0];
    if ((iref = blkfe_grant(fe->backend_id, ipg.mfn, GTF_permit_access | GTF_readonly)) < 0)
        return;

    ind_req(fe, &r, BLKIF_OP_READ, IND_PAGES, (grant_ref_t)iref);
    blkfe_expect(fe, &r, BLKIF_OP_READ, BLKIF_RSP_OKAY, "xvdc: an honest INDIRECT READ of 16 segments");
    ind_req(fe, &r, BLKIF_OP_READ, (uint16_t)(fe->max_indirect + 1), (grant_ref_t)iref);
    blkfe_expect(fe, &r, BLKIF_OP_READ, BLKIF_RSP_ERROR, "xvdc: INDIRECT with one segment more than offered");
    ind_req(fe, &r, BLKIF_OP_READ, 2, REF_NEVER);
    blkfe_expect(fe, &r, BLKIF_OP_READ, BLKIF_RSP_ERROR, "xvdc: INDIRECT whose segment page is not granted");
    ind_req(fe, &r, BLKIF_OP_FLUSH_DISKCACHE, 2, (grant_ref_t)iref);
    blkfe_expect(fe, &r, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_ERROR, "xvdc: INDIRECT with indirect_op FLUSH");
    ind_req(fe, &r, BLKIF_OP_READ, 0, (grant_ref_t)iref);
    blkfe_expect(fe, &r, BLKIF_OP_READ, BLKIF_RSP_ERROR, "xvdc: INDIRECT with nr_segments 0");

    seg[1].last_sect = 9;
    ind_req(fe, &r, BLKIF_OP_READ, 2, (grant_ref_t)iref);
    blkfe_expect(fe, &r, BLKIF_OP_READ, BLKIF_RSP_ERROR, "xvdc: INDIRECT listing a segment with last_sect 9");
    seg[1].last_sect = 7;
    seg[1].gref = REF_BEYOND;
    ind_req(fe, &r, BLKIF_OP_READ, 2, (grant_ref_t)iref);
    blkfe_expect(fe, &r, BLKIF_OP_READ, BLKIF_RSP_ERROR, "xvdc: INDIRECT listing a bad data grant");

    blkfe_ungrant((grant_ref_t)iref, "the indirect page after its answers");
    for (unsigned int i = 0; i < IND_PAGES; i++)
        blkfe_ungrant((grant_ref_t)dref[i], "an indirect data page after its answers");
}

void hostile_readonly(struct blkfe *fe)
{
    union blkfe_req r;
    int ref;

    if (fe->info & VDISK_READONLY)
        printk("blkfe: PASS: xvdb: info %#x has VDISK_READONLY\n", fe->info);
    else
        test_fail("xvdb: info %#x, want VDISK_READONLY (mode=r)", fe->info);
    if (!have_page() || (ref = blkfe_grant(fe->backend_id, page.mfn, GTF_permit_access)) < 0)
        return;
    read_via(fe, (grant_ref_t)ref, 8, BLKIF_RSP_OKAY, "xvdb (mode=r): READ served");
    blkfe_ungrant((grant_ref_t)ref, "xvdb's data page");
    if ((ref = blkfe_grant(fe->backend_id, page.mfn, GTF_permit_access | GTF_readonly)) < 0)
        return;
    blkfe_req(fe, &r, BLKIF_OP_WRITE, 8);
    blkfe_seg(&r, (grant_ref_t)ref, 0, 7);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvdb (mode=r): WRITE refused");
    blkfe_req(fe, &r, BLKIF_OP_FLUSH_DISKCACHE, 0);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvdb (mode=r): FLUSH_DISKCACHE refused");
    blkfe_req(fe, &r, BLKIF_OP_WRITE_BARRIER, 0);
    blkfe_expect(fe, &r, -1, BLKIF_RSP_ERROR, "xvdb (mode=r): WRITE_BARRIER refused");
    blkfe_ungrant((grant_ref_t)ref, "xvdb's write page");
}
