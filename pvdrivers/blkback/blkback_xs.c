/*
 * blkback_xs.c: the back end's store keys (pv_blkback.h, docs/blkif.md
 * "Keys and states"): the ones Linux's xen-blkfront reads, and the
 * frontend's ring and channel, read as untrusted strings.
 */
#include "pv_blkback.h"
#include "pv_str.h"
#include <tandem/errno.h>


static int put_u64(const struct blkback_xs_ops *xs, const char *key, uint64_t v)
{
    char num[21];

    pv_utoa(num, v);
    return xs->write(xs->ctx, key, num);
}

int blkback_publish_features(const struct blkback_xs_ops *xs, const struct blkback_disk *d)
{
    int rc;

    if ((rc = put_u64(xs, "feature-flush-cache", d->flush)) ||
        (rc = put_u64(xs, "feature-barrier", d->flush)) ||
        (rc = put_u64(xs, "feature-discard", d->discard)) ||
        (rc = put_u64(xs, "feature-persistent", 0)) ||
        (rc = put_u64(xs, "max-ring-page-order", BLKBACK_MAX_RING_ORDER)) ||
        (rc = put_u64(xs, "feature-max-indirect-segments", BLKBACK_MAX_INDIRECT_SEGS)))
        return rc;
    if (d->discard &&
        ((rc = put_u64(xs, "discard-granularity", 512)) ||
         (rc = put_u64(xs, "discard-alignment", 0)) ||
         (rc = put_u64(xs, "discard-secure", 0))))
        return rc;
    return 0;
}

int blkback_publish_disk(const struct blkback_xs_ops *xs, const struct blkback_disk *d)
{
    int rc;

    if ((rc = put_u64(xs, "sectors", d->sectors)) ||
        (rc = put_u64(xs, "info", d->readonly ? VDISK_READONLY : 0)) ||
        (rc = put_u64(xs, "sector-size", 512)) ||
        (rc = put_u64(xs, "physical-sector-size",
                      d->physical_sector_size ? d->physical_sector_size : 512)) ||
        (rc = xs->write(xs->ctx, "mode", d->readonly ? "r" : "w")))
        return rc;
    return 0;
}

static int get_u32(const struct blkback_xs_ops *xs, const char *key, uint32_t *out)
{
    char buf[16];
    int rc = xs->read(xs->ctx, key, buf, sizeof(buf));

    if (rc < 0)
        return rc;
    buf[sizeof(buf) - 1] = 0;
    return pv_parse_u32_str(buf, out);
}

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static int read_ring_refs(const struct blkback_xs_ops *xs, struct blkback_front *f)
{
    char key[16] = "ring-ref";
    unsigned int i;
    int rc;

    if (!f->ring_order)
        return get_u32(xs, "ring-ref", &f->ring_ref[0]);
    for (i = 0; i < (1u << f->ring_order); i++) {
        /* ring-ref%u; at most 4 pages, so one digit */
        key[8] = (char)('0' + i);
        key[9] = 0;
        if ((rc = get_u32(xs, key, &f->ring_ref[i])))
            return rc;
    }
    return 0;
}

int blkback_read_frontend(const struct blkback_xs_ops *xs, struct blkback_front *f)
{
    char proto[32];
    uint32_t order = 0;
    int rc = get_u32(xs, "ring-page-order", &order);

    if (rc && rc != -XEN_ENOENT)
        return rc;
    if (order > BLKBACK_MAX_RING_ORDER)
        return -XEN_EINVAL;
    f->ring_order = order;
    if ((rc = read_ring_refs(xs, f)) || (rc = get_u32(xs, "event-channel", &f->event_channel)))
        return rc;
    rc = xs->read(xs->ctx, "protocol", proto, sizeof(proto));
    if (rc == -XEN_ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    proto[sizeof(proto) - 1] = 0;
    return same(proto, XEN_IO_PROTO_ABI_X86_64) ? 0 : -XEN_ENOSYS;
}
