/*
 * blk_discard: BLKIF_OP_DISCARD through the driver domain's back end to its
 * virtio disk (VIRTIO_BLK_T_DISCARD; QEMU's drive has discard=unmap, so the
 * range becomes a hole in the host's image: docs/blkif.md "Discard").
 * feature-discard and its geometry keys are offered; a discard is OKAY and
 * the sectors read back as zeros, the ones beside it untouched; an empty
 * discard is OKAY; a secure discard is EOPNOTSUPP (not offered); a range
 * past the end is ERROR; a discard on the mode=r disk (xvdb) is ERROR.
 * The host checks the images afterwards.
 */
#include "blkfe.h"

const char test_title[] = "blk_discard: BLKIF_OP_DISCARD reaches the virtio disk";

#define XVDA 51712
#define XVDB 51728

static struct blkfe_page pg[2];

static bool key_is(const struct blkfe *fe, const char *key, const char *want)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", fe->backend, key);
    return xst_read_is(path, want);
}

static void discard(struct blkfe *fe, uint64_t sector, uint64_t n, uint8_t flag, int16_t want,
                    const char *what)
{
    union blkfe_req r;

    blkfe_req(fe, &r, BLKIF_OP_DISCARD, sector);
    r.discard.nr_sectors = n;
    r.discard.flag = flag;
    blkfe_expect(fe, &r, -1, want, what);
}

/* Sectors sector..sector+7 read through pg[0]: each byte zero (want_zero) or the host's pattern. */
static void read_check(struct blkfe *fe, uint64_t sector, bool want_zero, const char *what)
{
    int st = blkfe_io(fe, BLKIF_OP_READ, sector, 8, pg);
    const uint8_t *p = pg[0].va;
    char head[24];

    if (st) {
        test_fail("%s: read status %d", what, st);
        return;
    }
    for (unsigned int s = 0; s < 8; s++) {
        snprintf(head, sizeof(head), "TANDEM SECTOR %08u", (unsigned int)(sector + s));
        if (want_zero) {
            for (unsigned int i = 0; i < 512; i++)
                if (p[s * 512 + i]) {
                    test_fail("%s: sector %u byte %u is %#x, want 0", what, (unsigned int)(sector + s), i,
                              p[s * 512 + i]);
                    return;
                }
        } else if (memcmp(p + s * 512, head, strlen(head))) {
            test_fail("%s: sector %u does not begin '%s'", what, (unsigned int)(sector + s), head);
            return;
        }
    }
    printk("blk_discard: PASS: %s\n", what);
}

void test_main(void)
{
    struct blkfe a, b;

    if (!blkfe_lib_init() || !blkfe_page_new(&pg[0]) || !blkfe_page_new(&pg[1]) ||
        !blkfe_attach(&a, XVDA) || !blkfe_connect(&a, 0))
        return;
    if (!key_is(&a, "feature-discard", "1") || !key_is(&a, "discard-granularity", "512") ||
        !key_is(&a, "discard-alignment", "0") || !key_is(&a, "discard-secure", "0"))
        return;
    printk("blk_discard: PASS: feature-discard 1, granularity 512, alignment 0, secure 0\n");
    read_check(&a, 64, false, "xvda sectors 64-71 hold the host's pattern before");
    discard(&a, 64, 64, 0, BLKIF_RSP_OKAY, "discard of sectors 64-127");
    read_check(&a, 64, true, "sectors 64-71 read as zeros after the discard");
    read_check(&a, 120, true, "sectors 120-127 read as zeros after the discard");
    read_check(&a, 56, false, "sectors 56-63 (before the range) untouched");
    read_check(&a, 128, false, "sectors 128-135 (after the range) untouched");
    discard(&a, 200, 0, 0, BLKIF_RSP_OKAY, "discard of no sectors");
    discard(&a, 200, 8, BLKIF_DISCARD_SECURE, BLKIF_RSP_EOPNOTSUPP, "secure discard (not offered)");
    discard(&a, a.sectors - 8, 16, 0, BLKIF_RSP_ERROR, "discard across the disk's end");
    discard(&a, ~0ULL - 4, 8, 0, BLKIF_RSP_ERROR, "discard wrapping past 2^64");
    read_check(&a, 200, false, "sectors 200-207 untouched by the refused discards");
    if (!blkfe_attach(&b, XVDB) || !blkfe_connect(&b, 0))
        return;
    discard(&b, 0, 8, 0, BLKIF_RSP_ERROR, "discard on the mode=r disk");
    if (!blkfe_close(&b) || !blkfe_close(&a))
        return;
    test_success();
}
