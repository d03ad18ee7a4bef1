/*
 * blk_hostile: a hostile blkif front end (d1, role=hostile) against the
 * driver domain's back end (d0), while an honest one (d2, role=honest, the
 * same kernel) keeps writing, flushing and verifying its own disk. Each
 * case prints a "blkfe: PASS: ..." line or a FAILURE; docs/blkif.md,
 * "Hostile frontends", lists them with the answers. d1's disks (blk.cfg):
 *   xvda a.img: bad grants, bad segments, sectors out of range, unknown
 *               op, segment counts; honest rounds before and after
 *   xvdb b.img mode=r: reads work, writes and flushes refused; then a
 *               garbage req_prod: the back end disconnects
 *   xvdc c.img: a 2-page ring; indirect requests; then the ring grants
 *               revoked and the ring pages given back while mapped: the
 *               back end carries on with its mapping and unmaps at close
 *   xvdd d.img: a ring-ref that grants nothing: the connect fails
 */
#include "blkfe.h"
#include "hostile.h"

const char test_title[] = "blk_hostile: a hostile blkif front end; an honest one carries on";

#define XVDA 51712
#define XVDB 51728
#define XVDC 51744
#define XVDD 51760
#define PEER_NS MD_MS(120000)

static domid_t peer;

/* The honest front end: rounds of write, flush, read back until d1 is done, then one more. */
static void honest(void)
{
    struct blkfe fe;
    unsigned int r = 1;

    if (!blkfe_attach(&fe, XVDA) || !blkfe_connect(&fe, 0) || !blkfe_round(&fe, 0, 32, r, "honest"))
        return;
    blkfe_say("honest", 1, peer);
    while (blkfe_peer_value(peer, "hostile") < 1) {
        if (!blkfe_round(&fe, (r % 4) * 32, 32, r + 1, "honest"))
            return;
        if (++r > 2000) {
            test_fail("honest: d%u never finished its cases", peer);
            return;
        }
    }
    if (!blkfe_round(&fe, 0, 32, ++r, "honest"))
        return;
    printk("honest: %u rounds verified while d%u was hostile, and one after it finished\n", r, peer);
    if (!blkfe_close(&fe))
        return;
    /* Done: say so, and stay until d1 has seen it (its ack, or its home gone with it). */
    blkfe_say("honest", 2, peer);
    for (uint64_t deadline = md_now() + PEER_NS; blkfe_peer_value(peer, "hostile") == 1;) {
        if (md_now() > deadline) {
            test_fail("honest: d%u never acknowledged", peer);
            return;
        }
        md_sleep_ns(MD_MS(10));
    }
    test_success();
}

static void hostile(void)
{
    struct blkfe a, b, c, d;

    if (!blkfe_attach(&a, XVDA) || !blkfe_connect(&a, 0) || !blkfe_wait_peer(peer, "honest", 1, PEER_NS))
        return;
    if (blkfe_round(&a, 0, 16, 1, "xvda before the hostile requests"))
        printk("blkfe: PASS: xvda: honest write, flush, read back\n");
    hostile_grants(&a, peer);
    hostile_segments(&a);
    if (blkfe_round(&a, 64, 16, 2, "xvda after the hostile requests"))
        printk("blkfe: PASS: xvda: honest I/O after the hostile requests\n");

    if (blkfe_attach(&c, XVDC) && blkfe_connect(&c, c.max_order ? 1 : 0)) {
        hostile_indirect(&c);
        hostile_ring_revoked(&c);
    }
    if (blkfe_attach(&b, XVDB) && blkfe_connect(&b, 0)) {
        hostile_readonly(&b);
        hostile_req_prod(&b);
    }
    if (blkfe_attach(&d, XVDD))
        hostile_bad_ring_ref(&d);

    if (blkfe_round(&a, 128, 16, 3, "xvda at the end"))
        printk("blkfe: PASS: xvda: honest I/O at the end\n");
    if (blkfe_close(&a))
        printk("blkfe: PASS: xvda: closed, the ring unmapped\n");
    blkfe_say("hostile", 1, peer);
    if (!blkfe_wait_peer(peer, "honest", 2, PEER_NS))
        return;
    blkfe_say("hostile", 2, peer);
    printk("hostile: d%u's I/O held throughout\n", peer);
    test_success();
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
        hostile();
}
