/*
 * blk_fe_dies: a blkif front end domain (d1, role=dies) keeps its ring full
 * of reads - each request's segments granted writable, so the back end
 * maps them while the disk writes into them - and powers off in the middle
 * of it, without closing. The driver domain's back end (d0) must drop the
 * dead domain's device, unmap every grant and the ring once its requests
 * complete (the hypervisor frees d1 only then: the audit and "every domain
 * frame returned"); the honest front end (d2, role=honest) verifies its own
 * disk before and after.
 */
#include "blkfe.h"

const char test_title[] = "blk_fe_dies: a front end dies with its ring full; the back end and the other front end carry on";

#define XVDA 51712
#define SEGS 4
#define WAVES 64                /* responses seen before dying */
#define PEER_NS MD_MS(120000)

static domid_t peer;

static void honest(void)
{
    struct blkfe fe;
    unsigned int r;

    if (!blkfe_attach(&fe, XVDA) || !blkfe_connect(&fe, 0) || !blkfe_round(&fe, 0, 32, 1, "honest"))
        return;
    blkfe_say("honest", 1, peer);
    if (!blkfe_wait_peer(peer, "dies", 1, PEER_NS))
        return;
    blkfe_say("honest", 2, peer);       /* seen: d1 may start, and die */
    /* It said so long before it dies; the node goes with its home when the store domain releases it. */
    for (uint64_t deadline = md_now() + PEER_NS; blkfe_peer_value(peer, "dies") >= 0;) {
        if (md_now() > deadline) {
            test_fail("honest: d%u was never released", peer);
            return;
        }
        md_sleep_ns(MD_MS(10));
    }
    for (r = 2; r < 8; r++)
        if (!blkfe_round(&fe, (r % 4) * 32, 32, r, "honest after d1 died"))
            return;
    printk("honest: %u rounds verified after d%u died mid-I/O\n", r - 2, peer);
    if (blkfe_close(&fe))
        test_success();
}

static void push_read(struct blkfe *fe, const grant_ref_t *ref, uint64_t sector)
{
    union blkfe_req r;

    blkfe_req(fe, &r, BLKIF_OP_READ, sector);
    for (unsigned int i = 0; i < SEGS; i++)
        blkfe_seg(&r, ref[i], 0, 7);
    blkfe_push(fe, &r);
}

static void dies(void)
{
    static struct blkfe_page pg[SEGS];
    struct blkif_response rsp;
    struct blkfe fe;
    grant_ref_t ref[SEGS];
    unsigned int slots, outstanding = 0, answered = 0;
    uint64_t sector = 0;

    if (!blkfe_attach(&fe, XVDA) || !blkfe_connect(&fe, fe.max_order < BLKFE_MAX_ORDER ? fe.max_order : BLKFE_MAX_ORDER) || !blkfe_wait_peer(peer, "honest", 1, PEER_NS))
        return;
    blkfe_say("dies", 1, peer);
    if (!blkfe_wait_peer(peer, "honest", 2, PEER_NS))
        return;
    for (unsigned int i = 0; i < SEGS; i++) {
        int r;

        if (!blkfe_page_new(&pg[i]) || (r = blkfe_grant(fe.backend_id, pg[i].mfn, GTF_permit_access)) < 0)
            return;
        ref[i] = (grant_ref_t)r;
    }
    slots = RING_SIZE(&fe.ring) < BLKFE_MAX_KEPT ? RING_SIZE(&fe.ring) : BLKFE_MAX_KEPT;
    for (; outstanding < slots; outstanding++, sector = (sector + SEGS * 8) % (fe.sectors - SEGS * 8))
        push_read(&fe, ref, sector);
    while (answered < WAVES) {
        if (!blkfe_wait_any(&fe, BLKFE_TIMEOUT_NS, &rsp)) {
            test_fail("dies: no response in 10 s with %u outstanding", outstanding);
            return;
        }
        if (rsp.status != BLKIF_RSP_OKAY)
            test_fail("dies: read %llu: status %d", (unsigned long long)rsp.id, rsp.status);
        answered++;
        push_read(&fe, ref, sector);
        sector = (sector + SEGS * 8) % (fe.sectors - SEGS * 8);
    }
    printk("dies: %u reads answered; powering off with %u outstanding, nothing closed\n", answered, outstanding);
    shutdown(SHUTDOWN_poweroff);
}

void test_main(void)
{
    if (!blkfe_lib_init())
        return;
    peer = (domid_t)md_arg_ul("peer", 0);
    if (!peer) {
        test_error("no peer= on the command line");
        return;
    }
    if (md_arg_is("role", "honest"))
        honest();
    else
        dies();
}
