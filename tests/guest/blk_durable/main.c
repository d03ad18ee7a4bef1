/*
 * blk_durable: data is in the host's image once a FLUSH_DISKCACHE is
 * acknowledged, even if QEMU dies by SIGKILL right then (docs/blkif.md,
 * "Durability"). The front end writes sectors 0-127 of its zeroed disk
 * with tools/mkdisk's "sectors" pattern, flushes, and prints its marker on
 * the acknowledgement; the expect file's kill-on kills QEMU at that line
 * and host-check compares the image. The test never ends by itself: if
 * nobody kills it in 60 s it fails.
 */
#include "blkfe.h"

const char test_title[] = "blk_durable: a flushed write survives SIGKILL of QEMU";

#define XVDA 51712
#define NSECT 128
#define PAGES_PER_REQ 8             /* 64 sectors a request */

static struct blkfe_page pg[PAGES_PER_REQ];

/* tools/mkdisk's "sectors" pattern for sectors first .. first + 8 * PAGES_PER_REQ - 1. */
static void fill(uint64_t first)
{
    for (unsigned int s = 0; s < PAGES_PER_REQ * 8; s++) {
        uint8_t *p = (uint8_t *)pg[s / 8].va + (s % 8) * 512;
        unsigned int n = (unsigned int)(first + s);
        int len = snprintf((char *)p, 512, "TANDEM SECTOR %08u\n", n);

        memset(p + len, n & 0xff, 512 - (size_t)len);
    }
}

void test_main(void)
{
    struct blkfe fe;
    int st;

    if (!blkfe_lib_init() || !blkfe_attach(&fe, XVDA) || !blkfe_connect(&fe, 0))
        return;
    if (!fe.flush) {
        test_fail("blk_durable: the back end offers no feature-flush-cache");
        return;
    }
    for (unsigned int i = 0; i < PAGES_PER_REQ; i++)
        if (!blkfe_page_new(&pg[i]))
            return;
    for (uint64_t s = 0; s < NSECT; s += PAGES_PER_REQ * 8) {
        fill(s);
        if ((st = blkfe_io(&fe, BLKIF_OP_WRITE, s, PAGES_PER_REQ * 8, pg))) {
            test_fail("blk_durable: write at %llu: status %d", (unsigned long long)s, st);
            return;
        }
    }
    if ((st = blkfe_flush(&fe))) {
        test_fail("blk_durable: flush: status %d", st);
        return;
    }
    printk("blk_durable: flush acknowledged: sectors 0-%u are durable\n", NSECT - 1);
    md_sleep_ns(MD_MS(60000));
    test_fail("blk_durable: still running 60 s after the marker: kill-on did not kill QEMU");
}
